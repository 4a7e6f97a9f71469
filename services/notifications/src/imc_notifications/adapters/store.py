"""Notifications' own records: delivery reservations and attempts, preferences, digest items.

Every state change is one insert with a deterministic ``_id`` (FerretDB has no transactions
and no atomic updates): a reservation per (event, recipient), an attempt started, an attempt
failed, a new version of someone's preferences, an item waiting for a digest, a digest
claimed for the items it carries. Outcomes (sent, failed for good) are commits in the commit
log, which the relay publishes; a digest's items are deleted once it has its outcome (again,
harmlessly, after a crash in between).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import Any

from imc_runtime.mongo import Document
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from imc_notifications.domain.preferences import Preferences
from imc_notifications.service_layer.ports import (
    Attempts,
    DigestClaim,
    DigestItem,
    PreferencesChangedConcurrently,
)


class DeliveryStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._deliveries = db["deliveries"]
        self._attempts = db["delivery_attempts"]
        self._failures = db["delivery_failures"]

    async def ensure_indexes(self) -> None:
        await self._deliveries.create_index([("recipient_id", ASCENDING)])
        await self._deliveries.create_index([("event_id", ASCENDING)])
        await self._attempts.create_index([("delivery_id", ASCENDING)])
        await self._failures.create_index([("delivery_id", ASCENDING)])

    async def reserve(self, delivery: Document) -> bool:
        """Insert the reservation; False if this (event, recipient) was reserved before."""
        try:
            await self._deliveries.insert_one(delivery)
        except DuplicateKeyError:
            return False
        return True

    async def attempts(self, delivery_id: str) -> Attempts:
        """Point lookups of ``<delivery>:1``, ``:2``, … until one is missing: FerretDB answers
        an ``_id`` from its primary key, where a filter on ``delivery_id`` reads the whole
        collection — which grows by one document per email sent. The first attempt's start
        is the reservation's ``first_attempt_at`` (or, for a reservation made before it said
        so, an attempt document of its own)."""
        started: list[dt.datetime] = []
        first = await self._attempts.find_one({"_id": f"{delivery_id}:1"})
        if first is not None:
            started.append(first["at"])
        else:
            reservation = await self._deliveries.find_one(
                {"_id": delivery_id}, {"first_attempt_at": True}
            )
            if reservation is not None and reservation.get("first_attempt_at") is not None:
                started.append(reservation["first_attempt_at"])
        while started:
            found = await self._attempts.find_one({"_id": f"{delivery_id}:{len(started) + 1}"})
            if found is None:
                break
            started.append(found["at"])
        failures: list[Document] = []
        for attempt in range(1, len(started) + 1):
            failure = await self._failures.find_one({"_id": f"{delivery_id}:{attempt}"})
            if failure is not None:
                failures.append(failure)
        return Attempts(
            len(started),
            len(failures),
            failures[-1]["error"] if failures else None,
            started[-1] if started else None,
        )

    async def attempt_started(self, delivery_id: str, attempt: int, at: dt.datetime) -> None:
        document = {"_id": f"{delivery_id}:{attempt}", "delivery_id": delivery_id}
        await self._attempts.insert_one({**document, "attempt": attempt, "at": at})

    async def attempt_failed(
        self, delivery_id: str, attempt: int, error: str, permanent: bool, at: dt.datetime
    ) -> None:
        document = {"_id": f"{delivery_id}:{attempt}", "delivery_id": delivery_id}
        # A duplicate: recorded by an earlier run of the same attempt, nothing new to say.
        with contextlib.suppress(DuplicateKeyError):
            await self._failures.insert_one(
                {**document, "attempt": attempt, "error": error, "permanent": permanent, "at": at}
            )

    async def find(self, filters: dict[str, str], skip: int, limit: int) -> list[Document]:
        """Reservations matching equality ``filters``, newest first."""
        cursor = (
            self._deliveries.find(filters)
            .sort([("created_at", DESCENDING), ("_id", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [doc async for doc in cursor]

    async def all_matching(self, filters: dict[str, str]) -> list[Document]:
        return [
            doc
            async for doc in self._deliveries.find(filters).sort(
                [("created_at", DESCENDING), ("_id", ASCENDING)]
            )
        ]


class PreferenceStore:
    """Each save is a new version (one insert); the unique ``(recipient_id, version)`` index
    makes two concurrent saves conflict instead of one silently losing."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._versions = db["preference_versions"]

    async def ensure_indexes(self) -> None:
        await self._versions.create_index(
            [("recipient_id", ASCENDING), ("version", ASCENDING)], unique=True
        )

    async def get(self, recipient_id: str) -> tuple[int, Preferences]:
        document = await self._versions.find_one(
            {"recipient_id": recipient_id}, sort=[("version", DESCENDING)]
        )
        if document is None:
            return 0, Preferences()
        return int(document["version"]), Preferences.model_validate(document["preferences"])

    async def get_each(self, recipient_ids: Sequence[str]) -> list[tuple[int, Preferences]]:
        # Every version of these recipients in one query (a recipient saves rarely), the
        # latest of each kept: one round trip for an email's recipients, not one each.
        if not recipient_ids:
            return []
        latest: dict[str, Document] = {}
        async for document in self._versions.find({"recipient_id": {"$in": list(recipient_ids)}}):
            known = latest.get(document["recipient_id"])
            if known is None or document["version"] > known["version"]:
                latest[document["recipient_id"]] = document
        return [
            (int(found["version"]), Preferences.model_validate(found["preferences"]))
            if (found := latest.get(id)) is not None
            else (0, Preferences())
            for id in recipient_ids
        ]

    async def save(
        self, recipient_id: str, expected_version: int, preferences: Preferences, at: dt.datetime
    ) -> int:
        version = expected_version + 1
        try:
            await self._versions.insert_one(
                {
                    "_id": f"{recipient_id}:{version}",
                    "recipient_id": recipient_id,
                    "version": version,
                    "preferences": preferences.model_dump(mode="json"),
                    "at": at,
                }
            )
        except DuplicateKeyError as error:
            raise PreferencesChangedConcurrently(recipient_id) from error
        return version


class DigestStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._items = db["digest_items"]
        self._claims = db["digest_claims"]

    async def ensure_indexes(self) -> None:
        await self._items.create_index([("recipient_id", ASCENDING)])
        await self._claims.create_index([("recipient_id", ASCENDING), ("day", ASCENDING)])

    async def queue(self, item: DigestItem) -> None:
        document: dict[str, Any] = {
            "_id": item.id,
            "recipient_id": item.recipient_id,
            "digest_date": item.digest_date.isoformat(),
            "time_zone": item.time_zone,
            "hour": item.hour,
            "kind": item.kind,
            "event_id": item.event_id,
            "title": item.title,
            "link": item.link,
            "queued_at": item.queued_at,
        }
        with contextlib.suppress(DuplicateKeyError):  # the same event again: already waiting
            await self._items.insert_one(document)

    async def all_items(self) -> list[DigestItem]:
        # Scanned whole: the digest pass needs every waiting (recipient, date) pair, and
        # FerretDB would not push a range filter down anyway.
        cursor = self._items.find({}).sort([("recipient_id", ASCENDING), ("_id", ASCENDING)])
        return [
            DigestItem(
                id=doc["_id"],
                recipient_id=doc["recipient_id"],
                digest_date=dt.date.fromisoformat(doc["digest_date"]),
                time_zone=doc["time_zone"],
                hour=int(doc["hour"]),
                kind=doc["kind"],
                event_id=doc["event_id"],
                title=doc["title"],
                link=doc["link"],
                queued_at=doc["queued_at"],
            )
            async for doc in cursor
        ]

    async def claims_of(self, recipient_id: str, day: dt.date) -> list[DigestClaim]:
        cursor = self._claims.find({"recipient_id": recipient_id, "day": day.isoformat()})
        return [
            DigestClaim(
                id=doc["_id"],
                recipient_id=doc["recipient_id"],
                day=dt.date.fromisoformat(doc["day"]),
                item_ids=tuple(doc["item_ids"]),
            )
            async for doc in cursor
        ]

    async def claim(self, claim: DigestClaim) -> bool:
        document = {
            "_id": claim.id,
            "recipient_id": claim.recipient_id,
            "day": claim.day.isoformat(),
            "item_ids": list(claim.item_ids),
        }
        try:
            await self._claims.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def sent(self, claim: DigestClaim) -> None:
        await self._items.delete_many({"_id": {"$in": list(claim.item_ids)}})
