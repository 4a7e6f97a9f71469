"""The append-only commit log: every state change is one insert, and the log is the outbox.

One document per accepted change holds the events it produced. A unique index on
``(stream, version)`` makes concurrent writers to one stream race safely (one wins, the
other gets ``ConcurrencyConflict``) and the deterministic ``_id`` — derived from what caused
the change — makes a replay a duplicate key instead of a second effect. Both hold on
FerretDB, which has no transactions and no atomic updates, as well as on MongoDB.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from imc_contracts import Event
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from imc_runtime.commits import (
    Appended,
    CauseReused,
    Commit,
    ConcurrencyConflict,
    commit_document,
    commit_from_document,
    commit_id,
    request_fingerprint,
)
from imc_runtime.mongo import Document
from imc_runtime.tracing import current_context

__all__ = [
    "Appended",
    "CauseReused",
    "Commit",
    "CommitLog",
    "ConcurrencyConflict",
    "commit_id",
    "request_fingerprint",
]

DUPLICATE_KEY = 11000


class _AppendedHere(NamedTuple):
    """A commit appended by this process, whether it has a position, whether it was marked
    published here."""

    commit: Commit
    positioned: bool
    published: bool = False


class CommitLog:
    """The log, and the two collections beside it that hot paths only ever insert into.

    On FerretDB's SQLite backend an insert costs the same whatever a collection's size, but
    every read, update and delete scans it — a lookup by ``_id`` that misses reads the whole
    collection. So a commit is two inserts and its publication one more, shared by a batch:

    - ``<name>_positions``: one document per ``(stream, version)``, ``_id`` ``stream#version``,
      naming its commit — reading a stream is a few point lookups, not a filter on the log;
    - ``<name>_published``: the ids of the commits on Kafka, written by the relay in one
      command for everything it published lately (``Relay``'s ``ledger_interval``).

    A commit only ever read by its id (``append_alone``) has no position.

    There is no outbox to write, read and delete from: the process that appends a commit hands
    it to its relay in memory (``on_append``), which publishes it at once. What a crash leaves
    unpublished — a commit with no entry in the ledger — is what ``unpublished`` finds, by
    reading the log and the ledger once each; the relay does that when it starts and now and
    then after. Positions are written after their commit and derived from it: a crash in
    between leaves one missing, never a wrong one. ``repair`` (at start-up) restores them;
    an append that meets a version it cannot see repairs that stream first, so a missing
    position costs one retry, not a stuck stream.
    """

    def __init__(
        self, db: AsyncDatabase[Document], *, name: str = "commits", cached_streams: int = 2000
    ) -> None:
        self._commits: AsyncCollection[Document] = db[name]
        self._positions: AsyncCollection[Document] = db[f"{name}_positions"]
        self._published: AsyncCollection[Document] = db[f"{name}_published"]
        self._listeners: list[Callable[[Commit], None]] = []
        self._forgetters: list[Callable[[], None]] = []
        # Commits never change, and a position once written never points elsewhere: the
        # streams read lately are kept, and reading one again asks only for what came after.
        self._streams: OrderedDict[str, tuple[Commit, ...]] = OrderedDict()
        self._cached_streams = cached_streams
        # The commits appended here lately, by id: a replay of one (a request retried with
        # its Idempotency-Key, a redelivered message) is answered without reading the log by
        # ``_id``, which FerretDB's SQLite answers by scanning it.
        self._appended: OrderedDict[str, _AppendedHere] = OrderedDict()

    def on_append(self, listener: Callable[[Commit], None]) -> None:
        """Hand ``listener`` each commit appended here and not yet published (the relay)."""
        self._listeners.append(listener)

    async def ensure_indexes(self) -> None:
        await self._commits.create_index(
            [("stream", ASCENDING), ("version", ASCENDING)], unique=True, name="stream_version"
        )

    async def append(
        self,
        id: str,
        stream: str,
        expected_version: int,
        events: Sequence[Event],
        *,
        positioned: bool = True,
    ) -> Appended:
        """Record ``events`` as version ``expected_version + 1`` of ``stream``.

        Returns the stored commit with ``duplicate=True`` if a commit with this ``id`` exists
        already — or raises ``CauseReused`` if that one was caused by a different request;
        raises ``ConcurrencyConflict`` if another commit took that version.

        ``positioned=False``: a stream of one commit, only ever read by its id (``get``) — an
        email's outcome: no position is written for it, nor restored by ``repair``, and
        ``read_stream``, ``at`` and ``stream_version`` do not see it.
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
        document = commit_document(commit)
        if not positioned:
            document["positioned"] = False
        try:
            await self._commits.insert_one(document)
        except DuplicateKeyError:
            kept = self._appended.get(id) or await self._read_appended(id)
            if kept is not None:
                existing = kept.commit
                if None not in (existing.fingerprint, commit.fingerprint) and (
                    existing.fingerprint != commit.fingerprint
                ):
                    raise CauseReused(id) from None
                await self._finish(kept)
                return Appended(existing, duplicate=True)
            self._streams.pop(stream, None)  # another process appended: read it again
            await self.repair_stream(stream)
            raise ConcurrencyConflict(stream, commit.version) from None
        if positioned:
            await _insert_once(self._positions, _position_entry(commit.stream, commit.version, id))
        known = self._streams.get(stream)
        if known is not None and len(known) == expected_version:
            self._remember(stream, (*known, commit))
        self._appended[id] = _AppendedHere(commit, positioned)
        if len(self._appended) > self._cached_streams:
            self._appended.popitem(last=False)
        self._hand(commit)
        return Appended(commit, duplicate=False)

    async def append_alone(self, id: str, stream: str, events: Sequence[Event]) -> Appended:
        """``append`` the one commit of a stream read only by its id: no position."""
        return await self.append(id, stream, 0, events, positioned=False)

    async def _read_appended(self, id: str) -> _AppendedHere | None:
        found = await self._commits.find_one({"_id": id})
        if found is None:
            return None
        return _AppendedHere(commit_from_document(found), found.get("positioned") is not False)

    async def _finish(self, kept: _AppendedHere) -> None:
        """What a crash after the commit's insert may have cut short, on its replay: its
        position, and its publication (unless the ledger has it; for one appended here,
        unless it was marked here — the relay it was handed to does not publish it twice)."""
        commit = kept.commit
        if kept.positioned:
            await _insert_once(
                self._positions, _position_entry(commit.stream, commit.version, commit.id)
            )
        if commit.published or kept.published:
            return
        if (
            commit.id in self._appended
            or await self._published.find_one({"_id": commit.id}) is None
        ):
            self._hand(commit)

    def _hand(self, commit: Commit) -> None:
        for listener in self._listeners:
            listener(commit)

    async def get(self, id: str) -> Commit | None:
        """The commit with this id, if any (a read of the log unless appended here lately)."""
        if id in self._appended:
            return self._appended[id].commit
        document = await self._commits.find_one({"_id": id})
        return None if document is None else commit_from_document(document)

    async def at(self, stream: str, version: int) -> Commit | None:
        """The stream's commit of that version, if any: by its position."""
        position = await self._positions.find_one({"_id": _position(stream, version)})
        if position is None:
            return None
        document = await self._commits.find_one({"_id": position["commit"]})
        return None if document is None else commit_from_document(document)

    async def read_stream(self, stream: str, *, kept: bool = False) -> list[Commit]:
        """The stream's commits, oldest first: point lookups of the positions and commits not
        read before, then one lookup that finds nothing after the last.

        ``kept``: the stream as this process last read or appended it, when it has it,
        without asking whether another process appended since — for a decision whose append
        checks the version anyway (a stale stream is then a ``ConcurrencyConflict``, after
        which the stream is read again)."""
        commits = list(self._streams.get(stream, ()))
        if kept and commits:
            self._streams.move_to_end(stream)
            return commits
        while True:
            key = _position(stream, len(commits) + 1)
            position = await self._positions.find_one({"_id": key})
            found = (
                None
                if position is None
                else await self._commits.find_one({"_id": position["commit"]})
            )
            commit = None if found is None else commit_from_document(found)
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

    def forget_streams(self) -> None:
        """Drop the streams kept, and tell those ``on_forget`` asked: the next reads ask the
        database."""
        self._streams.clear()
        for forget in self._forgetters:
            forget()

    def on_forget(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` whenever the kept streams are dropped (Kafka moved partitions):
        what a store keeps beside them, derived from them, goes too."""
        self._forgetters.append(forget)

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
        async for document in self._commits.find(
            {"stream": stream}, {"stream": 1, "version": 1, "positioned": 1}
        ):
            if document.get("positioned") is False:
                continue
            repaired += await _insert_once(
                self._positions,
                _position_entry(stream, document["version"], document["_id"]),
            )
        return repaired

    async def mark_published(self, ids: Sequence[str]) -> None:
        """Record commits as published: one insert of them all (an id there already is
        skipped, so marking twice is harmless)."""
        if not ids:
            return
        try:
            await self._published.insert_many([{"_id": id} for id in ids], ordered=False)
        except BulkWriteError as error:
            if any(e.get("code") != DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                raise
        for id in ids:
            if id in self._appended:
                self._appended[id] = self._appended[id]._replace(published=True)

    async def unpublished(self, *, older_than: datetime | None = None) -> list[Commit]:
        """Commits with no entry in the ledger (recorded before ``older_than``, if given), in
        version order within each stream: a read of the ledger and of the whole log, so for
        the relay's start and its sweeps, not for every commit. A commit written before the
        ledger existed carries ``published: true`` and joins it."""
        published = await self._published_ids()
        legacy: list[str] = []
        found: list[Commit] = []
        async for document in self._commits.find({}):
            if document["_id"] in published:
                continue
            if document.get("published"):
                legacy.append(document["_id"])
            elif older_than is None or document["recorded_at"] < older_than:
                found.append(commit_from_document(document))
        await self.mark_published(legacy)
        found.sort(key=lambda commit: (commit.stream, commit.version))
        return found

    async def _published_ids(self) -> set[str]:
        return {document["_id"] async for document in self._published.find({}, {"_id": 1})}

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many commits are unpublished, and when the oldest was recorded (for
        ``imc-ops``; a running service's relay knows its own in memory)."""
        found = await self.unpublished()
        return len(found), min((commit.recorded_at for commit in found), default=None)

    async def all_commits(self, batch_size: int = 1000) -> list[Commit]:
        """Every commit, in version order within each stream; for rebuilding read models.

        Sorted here, not by the database: FerretDB has to read the whole log before it can
        answer a sorted query, and sorts it in memory, so its first batch only comes once
        everything is read; unsorted, decoding overlaps with reading."""
        cursor = self._commits.find({}).batch_size(batch_size)
        commits = [commit_from_document(document) async for document in cursor]
        commits.sort(key=lambda commit: (commit.stream, commit.version))
        return commits

    async def repair(self) -> int:
        """Restore every missing position (at start-up, before the consumers run); how many."""
        known = {document["_id"] async for document in self._positions.find({}, {"_id": 1})}
        positions = 0
        async for document in self._commits.find({}, {"stream": 1, "version": 1, "positioned": 1}):
            key = _position(document["stream"], document["version"])
            if key not in known and document.get("positioned") is not False:
                positions += await _insert_once(
                    self._positions,
                    _position_entry(document["stream"], document["version"], document["_id"]),
                )
        return positions


def _position_entry(stream: str, version: int, commit: str) -> Document:
    return {"_id": _position(stream, version), "commit": commit}


def _position(stream: str, version: int) -> str:
    return f"{stream}#{version}"


async def _insert_once(collection: AsyncCollection[Document], document: Document) -> int:
    """Insert ``document`` unless its ``_id`` is there already; 1 if inserted."""
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return 0
    return 1
