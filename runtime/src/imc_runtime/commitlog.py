"""The append-only commit log: every state change is one insert, and the log is the outbox.

One document per accepted change holds the events it produced. A unique index on
``(stream, version)`` makes concurrent writers to one stream race safely (one wins, the
other gets ``ConcurrencyConflict``) and the deterministic ``_id`` — derived from what caused
the change — makes a replay a duplicate key instead of a second effect. Both hold on
FerretDB, which has no transactions and no atomic updates, as well as on MongoDB.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from imc_contracts import Event
from imc_contracts.codec import from_document, to_document
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from imc_runtime.mongo import Document
from imc_runtime.tracing import current_context

MARK_AT_ONCE = 16
"""Commits ``mark_published`` marks concurrently: a batch's writes overlap, within the
client's connection pool."""


request_fingerprint: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_fingerprint", default=None
)
"""What the HTTP request being handled asked for (``imc_runtime.guard`` sets it): a commit
records it, so that a cause met again is told from a different request under one key."""


class CauseReused(Exception):
    """The commit's cause (an ``Idempotency-Key``) was already used for a different request."""

    def __init__(self, id: str) -> None:
        super().__init__(
            "Idempotency-Key: this key was already used for a different request; "
            "use a new key for a new request, or send the first one again"
        )
        self.id = id


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
    fingerprint: str | None = None
    """What the request that caused it asked for (``request_fingerprint``), if one did."""


@dataclass(frozen=True)
class Appended:
    """The result of an append: the commit, and whether it was already there (a replay)."""

    commit: Commit
    duplicate: bool


def commit_id(*parts: str) -> str:
    """A deterministic id from what caused a change (an idempotency key, an event id, …)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class CommitLog:
    """The log, and the collections beside it that every hot path reads by ``_id`` alone.

    On FerretDB's SQLite backend only ``_id`` lookups stay cheap as a collection grows:
    other filters read the whole collection, and updates and deletes of a document slow
    down with its collection's size. So commits are only ever inserted, and beside them:

    - ``<name>_ids``: one small document per commit id — "was this cause applied already?" is
      asked of every message, and mostly answered "no", which on the log itself means reading
      every commit;
    - ``<name>_positions``: one document per ``(stream, version)``, ``_id`` ``stream#version``,
      naming its commit — reading a stream is a few point lookups, whatever the log's size;
    - ``<name>_outbox``: a copy of each commit not yet on Kafka — the relay and the backlog
      gauge read this small collection, and publishing deletes from it, not from the log;
    - ``<name>_published``: the ids of the commits published, for ``sweep`` to tell a
      published commit from one whose outbox entry a crash left out.

    All three are written after the commit and are derived from the log: a crash in between
    leaves an entry missing, never a wrong one. ``repair`` (at start-up) and ``sweep`` (the
    relay, now and then) restore them; an append that meets a version it cannot see repairs
    that stream first, so a missing position costs one retry, not a stuck stream.
    """

    def __init__(
        self, db: AsyncDatabase[Document], *, name: str = "commits", cached_streams: int = 2000
    ) -> None:
        self._commits: AsyncCollection[Document] = db[name]
        self._ids: AsyncCollection[Document] = db[f"{name}_ids"]
        self._positions: AsyncCollection[Document] = db[f"{name}_positions"]
        self._outbox: AsyncCollection[Document] = db[f"{name}_outbox"]
        self._published: AsyncCollection[Document] = db[f"{name}_published"]
        self._listeners: list[Callable[[], None]] = []
        # Commits never change, and a position once written never points elsewhere: the
        # streams read lately are kept, and reading one again asks only for what came after.
        self._streams: OrderedDict[str, tuple[Commit, ...]] = OrderedDict()
        self._cached_streams = cached_streams

    def on_append(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each new commit (the relay wakes on it)."""
        self._listeners.append(listener)

    async def ensure_indexes(self) -> None:
        await self._commits.create_index(
            [("stream", ASCENDING), ("version", ASCENDING)], unique=True, name="stream_version"
        )

    async def append(
        self, id: str, stream: str, expected_version: int, events: Sequence[Event]
    ) -> Appended:
        """Record ``events`` as version ``expected_version + 1`` of ``stream``.

        Returns the stored commit with ``duplicate=True`` if a commit with this ``id`` exists
        already — or raises ``CauseReused`` if that one was caused by a different request;
        raises ``ConcurrencyConflict`` if another commit took that version.
        """
        commit = Commit(
            id=id,
            stream=stream,
            version=expected_version + 1,
            events=tuple(events),
            recorded_at=datetime.now(UTC),
            trace=current_context(),
            fingerprint=request_fingerprint.get(),
        )
        document = _to_document(commit)
        try:
            await self._commits.insert_one(document)
        except DuplicateKeyError:
            found = await self._commits.find_one({"_id": id})  # the log itself: ids may lag
            existing = None if found is None else _from_document(found)
            if existing is not None:
                await self._index(_to_document(existing))  # finish what a crash cut short
                if None not in (existing.fingerprint, commit.fingerprint) and (
                    existing.fingerprint != commit.fingerprint
                ):
                    raise CauseReused(id) from None
                return Appended(existing, duplicate=True)
            await self.repair_stream(stream)
            raise ConcurrencyConflict(stream, commit.version) from None
        await self._index(document, fresh=True)
        known = self._streams.get(stream)
        if known is not None and len(known) == expected_version:
            self._remember(stream, (*known, commit))
        for listener in self._listeners:
            listener()
        return Appended(commit, duplicate=False)

    async def _index(self, document: Document, *, fresh: bool = False) -> None:
        """The commit's id and position, and its outbox entry unless it is published: three
        independent inserts, sent together (one round trip's wait, not three)."""
        position = {
            "_id": _position(document["stream"], document["version"]),
            "commit": document["_id"],
        }

        async def outbox() -> int:
            if fresh or await self._published.find_one({"_id": document["_id"]}) is None:
                return await _insert_once(self._outbox, document)
            return 0

        await asyncio.gather(
            _insert_once(self._ids, _id_entry(document)),
            _insert_once(self._positions, position),
            outbox(),
        )

    async def get(self, id: str) -> Commit | None:
        """The commit with this id, if any; a miss is answered from the small ids collection."""
        if await self._ids.find_one({"_id": id}, {"_id": 1}) is None:
            return None
        document = await self._commits.find_one({"_id": id})
        return None if document is None else _from_document(document)

    async def read_stream(self, stream: str) -> list[Commit]:
        """The stream's commits, oldest first: point lookups of the positions and commits not
        read before, then one lookup that finds nothing after the last."""
        commits = list(self._streams.get(stream, ()))
        while True:
            key = _position(stream, len(commits) + 1)
            position = await self._positions.find_one({"_id": key})
            found = (
                None
                if position is None
                else await self._commits.find_one({"_id": position["commit"]})
            )
            commit = None if found is None else _from_document(found)
            if commit is None:
                break
            commits.append(commit)
        if commits:
            self._remember(stream, tuple(commits))
        return commits

    def cached_stream(self, stream: str, *, ending_with: str) -> tuple[Commit, ...] | None:
        """The stream's commits as this process last read or appended them, if the last is
        ``ending_with`` (say, the commit just appended); else None, and the caller reads."""
        known = self._streams.get(stream)
        return known if known and known[-1].id == ending_with else None

    def _remember(self, stream: str, commits: tuple[Commit, ...]) -> None:
        self._streams[stream] = commits
        self._streams.move_to_end(stream)
        while len(self._streams) > self._cached_streams:
            self._streams.popitem(last=False)

    async def stream_version(self, stream: str) -> int:
        """The stream's latest version; 0 for a stream with no commits."""
        version = len(self._streams.get(stream, ()))
        while await self._positions.find_one({"_id": _position(stream, version + 1)}, {"_id": 1}):
            version += 1
        return version

    async def repair_stream(self, stream: str) -> int:
        """Restore the stream's missing positions from the log (a full read, so: rarely)."""
        repaired = 0
        async for document in self._commits.find({"stream": stream}, {"stream": 1, "version": 1}):
            repaired += await _insert_once(
                self._positions,
                {"_id": _position(stream, document["version"]), "commit": document["_id"]},
            )
        return repaired

    async def unpublished(self, limit: int) -> list[Commit]:
        """Commits not yet on Kafka, in version order within each stream."""
        documents = [document async for document in self._outbox.find({})]
        documents.sort(key=lambda document: (document["stream"], document["version"]))
        return [_from_document(document) for document in documents[:limit]]

    async def mark_published(self, ids: Sequence[str]) -> None:
        """Record commits as published and take them out of the outbox, one ``_id`` at a
        time: FerretDB pushes only ``_id`` equality down to SQL (an ``$in`` reads the whole
        collection), and on its SQLite backend a bulk write of 100 updates on a log of 1,000
        commits did not finish within 60 s, where 100 single writes took half a second.
        ``MARK_AT_ONCE`` commits are marked concurrently; each is in the ledger before it
        leaves the outbox, so ``sweep`` never takes a published commit for a lost one."""

        async def mark(id: str) -> None:
            await _insert_once(self._published, {"_id": id})
            await self._outbox.delete_one({"_id": id})

        for start in range(0, len(ids), MARK_AT_ONCE):
            await asyncio.gather(*(mark(id) for id in ids[start : start + MARK_AT_ONCE]))

    async def all_commits(self, batch_size: int = 1000) -> list[Commit]:
        """Every commit, in version order within each stream; for rebuilding read models.

        Sorted here, not by the database: FerretDB has to read the whole log before it can
        answer a sorted query, and sorts it in memory, so its first batch only comes once
        everything is read; unsorted, decoding overlaps with reading."""
        cursor = self._commits.find({}).batch_size(batch_size)
        commits = [_from_document(document) async for document in cursor]
        commits.sort(key=lambda commit: (commit.stream, commit.version))
        return commits

    async def oldest_unpublished(self) -> datetime | None:
        oldest: datetime | None = None
        async for document in self._outbox.find({}, {"recorded_at": 1}):
            if oldest is None or document["recorded_at"] < oldest:
                oldest = document["recorded_at"]
        return oldest

    async def count_unpublished(self) -> int:
        return await self._outbox.count_documents({})

    async def sweep(self) -> int:
        """Put back in the outbox every commit neither published nor in it; how many.

        Reads the log's ids and the two small collections once each. A commit written before
        the published ledger existed carries ``published: true`` and joins the ledger."""
        published = {document["_id"] async for document in self._published.find({}, {"_id": 1})}
        waiting = {document["_id"] async for document in self._outbox.find({}, {"_id": 1})}
        restored = 0
        async for document in self._commits.find({}, {"_id": 1, "published": 1}):
            id = document["_id"]
            if id in published or id in waiting:
                continue
            if document.get("published"):
                await _insert_once(self._published, {"_id": id})
                continue
            full = await self._commits.find_one({"_id": id})
            if full is not None:
                restored += await _insert_once(self._outbox, full)
        return restored

    async def repair(self) -> tuple[int, int]:
        """Restore every missing id, position and outbox entry (at start-up, before the relay
        and the consumers run); the numbers of positions and outbox entries restored."""
        ids = {document["_id"] async for document in self._ids.find({}, {"_id": 1})}
        known = {document["_id"] async for document in self._positions.find({}, {"_id": 1})}
        positions = 0
        async for document in self._commits.find({}, {"stream": 1, "version": 1}):
            if document["_id"] not in ids:
                await _insert_once(self._ids, _id_entry(document))
            key = _position(document["stream"], document["version"])
            if key not in known:
                positions += await _insert_once(
                    self._positions, {"_id": key, "commit": document["_id"]}
                )
        return positions, await self.sweep()


def _id_entry(document: Document) -> Document:
    return {"_id": document["_id"], "stream": document["stream"], "version": document["version"]}


def _position(stream: str, version: int) -> str:
    return f"{stream}#{version}"


async def _insert_once(collection: AsyncCollection[Document], document: Document) -> int:
    """Insert ``document`` unless its ``_id`` is there already; 1 if inserted."""
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return 0
    return 1


def _to_document(commit: Commit) -> Document:
    return {
        "_id": commit.id,
        "stream": commit.stream,
        "version": commit.version,
        "events": [to_document(event) for event in commit.events],
        "recorded_at": commit.recorded_at,
        "published": commit.published,
        "trace": commit.trace,
        **({"fingerprint": commit.fingerprint} if commit.fingerprint else {}),
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
        fingerprint=document.get("fingerprint"),
    )
