"""The append-only commit log: every state change is one insert, and the log is the outbox.

One document per accepted change holds the events it produced. A unique index on
``(stream, version)`` makes concurrent writers to one stream race safely (one wins, the
other gets ``ConcurrencyConflict``) and the deterministic ``_id`` — derived from what caused
the change — makes a replay a duplicate key instead of a second effect. Both hold on
FerretDB, which has no transactions and no atomic updates, as well as on MongoDB.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from imc_contracts import Event
from imc_contracts.codec import from_document, to_document
from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from imc_runtime.mongo import Document
from imc_runtime.tracing import current_context


class ConcurrencyConflict(Exception):
    """Another writer appended to the stream first; reload it and decide again."""

    def __init__(self, stream: str, version: int) -> None:
        super().__init__(f"stream {stream!r} already has version {version}")
        self.stream = stream
        self.version = version


@dataclass(frozen=True)
class Commit:
    id: str
    stream: str
    version: int
    events: tuple[Event, ...]
    recorded_at: datetime
    published: bool = False
    trace: dict[str, str] = field(default_factory=dict)
    """The trace context of what caused this commit; the relay continues it into Kafka."""


@dataclass(frozen=True)
class Appended:
    """The result of an append: the commit, and whether it was already there (a replay)."""

    commit: Commit
    duplicate: bool


def commit_id(*parts: str) -> str:
    """A deterministic id from what caused a change (an idempotency key, an event id, …)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class CommitLog:
    def __init__(self, db: AsyncDatabase[Document], *, name: str = "commits") -> None:
        self._commits: AsyncCollection[Document] = db[name]
        self._listeners: list[Callable[[], None]] = []

    def on_append(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each new commit (the relay wakes on it)."""
        self._listeners.append(listener)

    async def ensure_indexes(self) -> None:
        await self._commits.create_index(
            [("stream", ASCENDING), ("version", ASCENDING)], unique=True, name="stream_version"
        )
        await self._commits.create_index([("published", ASCENDING)], name="published")

    async def append(
        self, id: str, stream: str, expected_version: int, events: Sequence[Event]
    ) -> Appended:
        """Record ``events`` as version ``expected_version + 1`` of ``stream``.

        Returns the stored commit with ``duplicate=True`` if a commit with this ``id`` exists
        already; raises ``ConcurrencyConflict`` if another commit took that version.
        """
        commit = Commit(
            id=id,
            stream=stream,
            version=expected_version + 1,
            events=tuple(events),
            recorded_at=datetime.now(UTC),
            trace=current_context(),
        )
        try:
            await self._commits.insert_one(_to_document(commit))
        except DuplicateKeyError:
            existing = await self.get(id)
            if existing is not None:
                return Appended(existing, duplicate=True)
            raise ConcurrencyConflict(stream, commit.version) from None
        for listener in self._listeners:
            listener()
        return Appended(commit, duplicate=False)

    async def get(self, id: str) -> Commit | None:
        document = await self._commits.find_one({"_id": id})
        return None if document is None else _from_document(document)

    async def read_stream(self, stream: str) -> list[Commit]:
        cursor = self._commits.find({"stream": stream}).sort("version", ASCENDING)
        return [_from_document(document) async for document in cursor]

    async def stream_version(self, stream: str) -> int:
        """The stream's latest version; 0 for a stream with no commits."""
        document = await self._commits.find_one(
            {"stream": stream}, projection={"version": True}, sort=[("version", DESCENDING)]
        )
        return 0 if document is None else int(document["version"])

    async def unpublished(self, limit: int) -> list[Commit]:
        """Commits not yet on Kafka, in version order within each stream."""
        cursor = (
            self._commits.find({"published": False})
            .sort([("stream", ASCENDING), ("version", ASCENDING)])
            .limit(limit)
        )
        return [_from_document(document) async for document in cursor]

    async def mark_published(self, ids: Sequence[str]) -> None:
        # One update per _id: FerretDB pushes only equality filters down to SQL, so an
        # `$in` over many ids would scan the whole log.
        if ids:
            await self._commits.bulk_write(
                [UpdateOne({"_id": id}, {"$set": {"published": True}}) for id in ids],
                ordered=False,
            )

    async def all_commits(self, batch_size: int = 1000) -> list[Commit]:
        """Every commit; for rebuilding read models from scratch."""
        cursor = self._commits.find({}).sort([("stream", ASCENDING), ("version", ASCENDING)])
        return [_from_document(document) async for document in cursor.batch_size(batch_size)]

    async def oldest_unpublished(self) -> datetime | None:
        document = await self._commits.find_one(
            {"published": False},
            projection={"recorded_at": True},
            sort=[("recorded_at", ASCENDING)],
        )
        return None if document is None else document["recorded_at"]

    async def count_unpublished(self) -> int:
        return await self._commits.count_documents({"published": False})


def _to_document(commit: Commit) -> Document:
    return {
        "_id": commit.id,
        "stream": commit.stream,
        "version": commit.version,
        "events": [to_document(event) for event in commit.events],
        "recorded_at": commit.recorded_at,
        "published": commit.published,
        "trace": commit.trace,
    }


def _from_document(document: dict[str, Any]) -> Commit:
    return Commit(
        id=document["_id"],
        stream=document["stream"],
        version=int(document["version"]),
        events=tuple(from_document(event) for event in document["events"]),
        recorded_at=document["recorded_at"],
        published=bool(document["published"]),
        trace=dict(document.get("trace") or {}),
    )
