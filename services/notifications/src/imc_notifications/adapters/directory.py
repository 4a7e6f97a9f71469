"""The recipient directory: a replica of the registry's people and places, built only from its events.

Each write replaces one whole document by id, so replaying an event changes nothing, and the
directory can be rebuilt by reading the registry's topic from the start. A person's record
keeps the time of the event it is from, and a removal leaves a tombstone: an older event
published again after a newer one (the relay publishes at least once) changes nothing.

Every email reads a partnership, its two municipalities and their members — the same few
documents for every report of a partnership, and on FerretDB's SQLite backend each read is a
scan. So what was read is kept for ``cache_seconds``: a write here empties the cache, and a
write another instance made (it consumes other partitions of the registry's topic) is seen
once the entry expires. That delay adds no new order: the registry's events and the roadmaps
events that cause emails travel on different topics, with no order between them anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from cachetools import TTLCache
from imc_contracts import Language, Localized
from imc_runtime.mongo import Document
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from imc_notifications.domain.recipients import (
    DEFAULT_TIME_ZONE,
    TIME_ZONES,
    Recipient,
)
from imc_notifications.service_layer.ports import ListedPartnership

_MISSING = object()
"""What the cache answers for a key it does not hold (a read may have found nothing)."""


class Directory:
    def __init__(self, db: AsyncDatabase[Document], *, cache_seconds: float = 0.0) -> None:
        self._municipalities = db["municipalities"]
        self._partnerships = db["partnerships"]
        self._members = db["members"]
        self._coordinators = db["coordinators"]
        self._cache: TTLCache[Hashable, Any] | None = (
            TTLCache(maxsize=4096, ttl=cache_seconds) if cache_seconds > 0 else None
        )
        self._generation = 0

    async def _kept(self, key: Hashable, read: Callable[[], Awaitable[Any]]) -> Any:
        if self._cache is None:
            return await read()
        if (kept := self._cache.get(key, _MISSING)) is not _MISSING:
            return kept
        generation = self._generation
        found = await read()
        if generation == self._generation:  # no write here since: not stale
            self._cache[key] = found
        return found

    def _changed(self) -> None:
        """After each write: forget what was read, and what is being read now."""
        self._generation += 1
        if self._cache is not None:
            self._cache.clear()

    async def ensure_indexes(self) -> None:
        await self._members.create_index([("municipality_id", ASCENDING)])
        await self._members.create_index([("email_key", ASCENDING)])
        await self._coordinators.create_index([("email_key", ASCENDING)])

    async def put_municipality(
        self, id: str, names: Localized, languages: Sequence[Language], country: str = ""
    ) -> None:
        document = {"_id": id, "names": names, "languages": list(languages), "country": country}
        await self._municipalities.replace_one({"_id": id}, document, upsert=True)
        self._changed()

    async def put_partnership(
        self, id: str, name: Localized, municipality_ids: Sequence[str], status: str = "active"
    ) -> None:
        document = {
            "_id": id,
            "name": name,
            "municipality_ids": list(municipality_ids),
            "status": status,
        }
        await self._partnerships.replace_one({"_id": id}, document, upsert=True)
        self._changed()

    async def put_member(self, recipient: Recipient, as_of: dt.datetime | None = None) -> None:
        await self._keep(self._members, recipient.member_id, _to_document(recipient), as_of)

    async def remove_member(self, member_id: str, as_of: dt.datetime | None = None) -> None:
        await self._keep(self._members, member_id, {"_id": member_id, "removed": True}, as_of)

    async def put_coordinator(self, recipient: Recipient, as_of: dt.datetime | None = None) -> None:
        await self._keep(self._coordinators, recipient.member_id, _to_document(recipient), as_of)

    async def remove_coordinator(
        self, coordinator_id: str, as_of: dt.datetime | None = None
    ) -> None:
        removed = {"_id": coordinator_id, "removed": True}
        await self._keep(self._coordinators, coordinator_id, removed, as_of)

    async def _keep(
        self,
        collection: AsyncCollection[Document],
        id: str,
        document: Document,
        as_of: dt.datetime | None,
    ) -> None:
        """Write a person's record unless one from a later event is there. A removal leaves
        a tombstone, not nothing, so that an older event published again cannot undo it."""
        stamp = None if as_of is None else as_of.astimezone(dt.UTC).isoformat()
        if stamp is not None:
            current = await collection.find_one({"_id": id}, projection={"as_of": True})
            if current is not None and str(current.get("as_of") or "") > stamp:
                return
        await collection.replace_one({"_id": id}, {**document, "as_of": stamp}, upsert=True)
        self._changed()

    async def partnership(self, id: str) -> ListedPartnership | None:
        document = await self._document(self._partnerships, id)
        if document is None:
            return None
        return ListedPartnership(
            id=document["_id"],
            name=document["name"],
            municipality_ids=tuple(document["municipality_ids"]),
            status=document.get("status", "active"),
        )

    async def municipality_languages(self, id: str | None) -> list[Language]:
        document = None if id is None else await self._document(self._municipalities, id)
        return [] if document is None else list(document["languages"])

    async def time_zone_of(self, municipality_id: str) -> str:
        document = await self._document(self._municipalities, municipality_id)
        country = "" if document is None else str(document.get("country", ""))
        return TIME_ZONES.get(country, DEFAULT_TIME_ZONE)

    async def members_of(self, municipality_id: str) -> list[Recipient]:
        async def read() -> list[Recipient]:
            query = {"municipality_id": municipality_id}
            cursor = self._members.find(query).sort("_id", ASCENDING)
            return [_from_document(doc, "member") async for doc in cursor]

        return list(await self._kept(("members", municipality_id), read))

    async def coordinators(self) -> list[Recipient]:
        async def read() -> list[Recipient]:
            cursor = self._coordinators.find({}).sort("_id", ASCENDING)
            return [
                _from_document(doc, "coordinator") async for doc in cursor if not doc.get("removed")
            ]

        return list(await self._kept("coordinators", read))

    async def _document(self, collection: AsyncCollection[Document], id: str) -> Document | None:
        found: Document | None = await self._kept(
            (collection.name, id), lambda: collection.find_one({"_id": id})
        )
        return found

    async def recipient(self, id: str) -> Recipient | None:
        """A member or coordinator by id."""
        if (doc := await self._members.find_one({"_id": id})) is not None:
            return None if doc.get("removed") else _from_document(doc, "member")
        if (doc := await self._coordinators.find_one({"_id": id})) is not None:
            return None if doc.get("removed") else _from_document(doc, "coordinator")
        return None

    async def by_actor(self, actor_id: str) -> Recipient | None:
        """The person behind a token subject: a member or coordinator id, else an email address."""
        if (found := await self.recipient(actor_id)) is not None:
            return found
        key = actor_id.strip().lower()
        if (doc := await self._members.find_one({"email_key": key})) is not None:
            return _from_document(doc, "member")
        if (doc := await self._coordinators.find_one({"email_key": key})) is not None:
            return _from_document(doc, "coordinator")
        return None


def _to_document(recipient: Recipient) -> Document:
    return {
        "_id": recipient.member_id,
        "name": recipient.name,
        "email": recipient.email,
        "email_key": recipient.email.strip().lower(),
        "municipality_id": recipient.municipality_id,
        "language": recipient.language,
        "time_zone": recipient.time_zone,
    }


def _from_document(doc: Document, kind: str) -> Recipient:
    return Recipient(
        member_id=doc["_id"],
        name=doc["name"],
        email=doc["email"],
        municipality_id=doc.get("municipality_id"),
        language=doc["language"],
        kind="coordinator" if kind == "coordinator" else "member",
        time_zone=doc.get("time_zone") or DEFAULT_TIME_ZONE,
    )
