"""Roadmaps' storage: its commit log, the partnerships it learnt of, and its read models.

One stream per aggregate, all in the one commit log (``domain.streams`` names them).

Read models are derived from the log by replacing whole documents by ``_id``, so projecting
a commit twice is harmless and ``catch_up`` rebuilds them all.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, Self, TypeVar

from imc_contracts import Event
from imc_contracts.roadmaps import EvidenceAttached
from imc_runtime.commitlog import Appended, Commit, CommitLog
from imc_runtime.mongo import Document
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from imc_roadmaps.adapters.documents import (
    evaluation_document,
    evidence_document,
    group_document,
    group_items,
    indicator_document,
    key,
    milestone_document,
    milestone_from_document,
    objective_document,
    roadmap_document,
    without_id,
)
from imc_roadmaps.adapters.replica import RegistryReplica
from imc_roadmaps.domain.model import Milestone
from imc_roadmaps.domain.objectives import Indicator, Objective
from imc_roadmaps.domain.streams import (
    indicator_stream,
    milestone_stream,
    objective_stream,
    parse_stream,
)


class _FromHistory(Protocol):
    version: int

    @classmethod
    def from_history(cls, events: Iterable[Event]) -> Self | None: ...


Folded = TypeVar("Folded", bound=_FromHistory)

_Gathered = tuple[AsyncCollection[Document], str, dict[str, Document]]
"""A grouped read model being rebuilt: its collection, its items' key, the items by key."""


class RoadmapsStore(RegistryReplica):
    def __init__(
        self, db: AsyncDatabase[Document], commits: CommitLog, *, kept_partnerships: int = 2000
    ) -> None:
        super().__init__(db)
        self.commits = commits
        self._milestones = db["milestones_by_partnership"]
        self._objectives = db["objectives_by_partnership"]
        self._indicators = db["indicators"]
        self._roadmaps = db["roadmaps"]
        self._evaluations = db["evaluations"]
        self._evidence = db["evidence_by_partnership"]
        # The log in hand while catch_up runs (before consumers start); None otherwise.
        self._preloaded: dict[str, list[Commit]] | None = None
        # While catch_up runs, the grouped read models it rebuilds, written once at its end.
        self._gathering: dict[tuple[str, str], _Gathered] | None = None
        # The grouped read models and roll-ups as this process last wrote (or read, to
        # decide) them, by (collection, key): one partnership's changes are applied in order
        # by the one consumer holding its partition, so nobody writes them meanwhile — until
        # Kafka moves partitions, when they are forgotten with the kept streams.
        self._kept: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._kept_size = 3 * kept_partnerships
        commits.on_forget(self._forget_kept)

    async def ensure_indexes(self) -> None:
        for collection in (self._indicators, self._roadmaps):
            await collection.create_index([("partnership_id", ASCENDING)])
        await self._roadmaps.create_index([("phase", ASCENDING)])
        await self._evaluations.create_index([("partnership_id", ASCENDING)])

    # -- aggregates, folded from the log -----------------------------------------------
    async def _history(
        self, stream: str, known: Sequence[Commit] | None = None
    ) -> tuple[list[Event], int]:
        """The stream's events and version: from ``known`` (its commits, in hand already),
        the log preloaded by ``catch_up``, or the log."""
        if known is not None:
            commits = known
        elif self._preloaded is not None:
            commits = self._preloaded.get(stream, [])
        else:
            commits = await self.commits.read_stream(stream, kept=True)
        return [event for commit in commits for event in commit.events], (
            commits[-1].version if commits else 0
        )

    async def _folded(
        self, kind: type[Folded], stream: str, known: Sequence[Commit] | None
    ) -> Folded | None:
        """The aggregate as its stream's history makes it, with the version its next change
        takes; ``None`` when the stream has no such aggregate."""
        events, version = await self._history(stream, known)
        aggregate = kind.from_history(events)
        if aggregate is not None:
            aggregate.version = version
        return aggregate

    async def milestone(
        self, partnership_id: str, milestone_id: str, known: Sequence[Commit] | None = None
    ) -> Milestone | None:
        return await self._folded(Milestone, milestone_stream(partnership_id, milestone_id), known)

    async def objective(
        self, partnership_id: str, objective_id: str, known: Sequence[Commit] | None = None
    ) -> Objective | None:
        return await self._folded(Objective, objective_stream(partnership_id, objective_id), known)

    async def indicator(
        self, partnership_id: str, indicator_id: str, known: Sequence[Commit] | None = None
    ) -> Indicator | None:
        return await self._folded(Indicator, indicator_stream(partnership_id, indicator_id), known)

    async def earlier(self, commit_id: str) -> Commit | None:
        return await self.commits.get(commit_id)

    def forget_streams(self) -> None:
        self.commits.forget_streams()  # and, through ``on_forget``, what is kept here

    def _forget_kept(self) -> None:
        self._kept.clear()
        self.forget_programme()

    def _keeps_group(self, collection: AsyncCollection[Document], stream: str) -> bool:
        """Whether the group of the partnership ``stream`` belongs to is kept here."""
        _kind, partnership_id, _ = parse_stream(stream)
        return (collection.name, partnership_id) in self._kept

    def _keep(self, entry: tuple[str, str], value: Any) -> None:
        self._kept[entry] = value
        self._kept.move_to_end(entry)
        while len(self._kept) > self._kept_size:
            self._kept.popitem(last=False)

    async def stream_version(self, stream: str) -> int:
        return await self.commits.stream_version(stream)

    async def stream_events(self, stream: str) -> list[tuple[Commit, Event]]:
        return [(c, e) for c in await self.commits.read_stream(stream) for e in c.events]

    # -- writing -----------------------------------------------------------------------
    async def record(
        self,
        commit_id: str,
        stream: str,
        expected_version: int,
        events: Sequence[Event],
        *,
        others: Sequence[Milestone] | None = None,
    ) -> Appended:
        appended = await self.commits.append(commit_id, stream, expected_version, events)
        if appended.duplicate:
            others = None  # a replay: what was read to decide it may be stale now
        # The stream as this append left it, when the log has it in hand: projecting it then
        # costs no read of the log, and the groups written are not read again for the roll-up.
        known = self.commits.cached_stream(stream, ending_with=appended.commit.id)
        written: dict[str, list[Document]] = {}
        kept = None  # the group as this process keeps it, when it does (what others came from)
        if others is not None and not self._keeps_group(self._milestones, stream):
            kept = [milestone_document(m) for m in others]
        for partnership_id, phase in await self._project(appended.commit, known, written, kept):
            await self.refresh_roadmap(partnership_id, phase, written)
        return appended

    async def catch_up(self) -> int:
        """Rebuild the read models from the whole log, read once.

        Each stream is projected once, from its newest commit, with its history taken from
        the commits already in hand: reading each stream again would scan the log once per
        commit on FerretDB, and a restart would slow down as the log grows. A partnership's
        milestones (and objectives) are gathered and its group written once, not once per
        milestone: on 100,000 commits that is 200 writes instead of 20,000.
        """
        commits = await self.commits.all_commits()
        by_stream: dict[str, list[Commit]] = {}
        for commit in commits:
            by_stream.setdefault(commit.stream, []).append(commit)
        dirty: set[tuple[str, str]] = set()
        self._kept.clear()
        self._preloaded = by_stream
        self._gathering = {}
        try:
            for history in by_stream.values():
                dirty.update(await self._project(history[-1]))
            await self._write_gathered(self._gathering)
        finally:
            self._preloaded = None
            self._gathering = None
            self._kept.clear()  # the groups were written whole, not through what is kept
        for partnership_id, phase in sorted(dirty):
            await self.refresh_roadmap(partnership_id, phase)
        return len(commits)

    async def _write_gathered(self, gathered: dict[tuple[str, str], _Gathered]) -> None:
        """Write each gathered group over what the group holds: an item the rebuild did not
        see (written by a live replica meanwhile, for ``imc-ops rebuild``) is kept."""
        for (_name, partnership_id), (collection, item_key, items) in gathered.items():
            group = await collection.find_one({"_id": partnership_id})
            merged = {item[item_key]: item for item in group_items(group)} | items
            document = group_document(
                partnership_id, sorted(merged.values(), key=lambda item: item[item_key])
            )
            await collection.replace_one({"_id": partnership_id}, document, upsert=True)

    async def _project(
        self,
        commit: Commit,
        known: Sequence[Commit] | None = None,
        written: dict[str, list[Document]] | None = None,
        kept: list[Document] | None = None,
    ) -> set[tuple[str, str]]:
        """Refresh the read model of the commit's stream (its commits ``known``, if in hand;
        a milestone's group's other items ``kept``, if in hand); the roadmaps it touches.
        The groups it writes are put in ``written``, by name."""
        kind, partnership_id, entity_id = parse_stream(commit.stream)
        if kind == "milestone":
            milestone = await self.milestone(partnership_id, entity_id, known)
            if milestone is not None:
                await self._put_in_group(
                    self._milestones,
                    partnership_id,
                    "milestone_id",
                    milestone_document(milestone),
                    written,
                    kept,
                )
                return {(partnership_id, milestone.phase)}
        elif kind == "objective":
            objective = await self.objective(partnership_id, entity_id, known)
            if objective is not None:
                await self._put_in_group(
                    self._objectives,
                    partnership_id,
                    "objective_id",
                    objective_document(objective),
                    written,
                )
                return {(partnership_id, objective.phase)}
        elif kind == "indicator":
            indicator = await self.indicator(partnership_id, entity_id, known)
            if indicator is not None:
                await self._indicators.replace_one(
                    {"_id": key(partnership_id, entity_id)},
                    indicator_document(indicator),
                    upsert=True,
                )
        elif kind == "evidence":
            for event in commit.events:
                if isinstance(event, EvidenceAttached):
                    await self._put_in_group(
                        self._evidence, partnership_id, "evidence_id", evidence_document(event)
                    )
        elif kind == "evaluation":
            for event in commit.events:
                document = evaluation_document(partnership_id, entity_id, event)
                await self._evaluations.replace_one({"_id": document["_id"]}, document, upsert=True)
        return set()

    async def refresh_roadmap(
        self, partnership_id: str, phase: str, written: dict[str, list[Document]] | None = None
    ) -> None:
        """Recompute one roadmap's roll-up from its milestones and objectives (the groups in
        ``written``, by name, are those just written: not read again)."""
        written = written or {}
        milestone_items = written.get(self._milestones.name)
        if milestone_items is None:
            milestone_items = await self._group(self._milestones, partnership_id, kept=True)
        objective_items = written.get(self._objectives.name)
        if objective_items is None:
            objective_items = await self._group(self._objectives, partnership_id, kept=True)
        milestones = sorted(
            (m for m in map(milestone_from_document, milestone_items) if m.phase == phase),
            key=lambda m: m.due_date,
        )
        objectives = [o for o in objective_items if o["phase"] == phase]
        document = roadmap_document(partnership_id, phase, milestones, objectives)
        entry = (self._roadmaps.name, document["_id"])
        self._kept.pop(entry, None)  # a write that fails may still have been made
        await self._roadmaps.replace_one({"_id": document["_id"]}, document, upsert=True)
        if self._gathering is None:
            self._keep(entry, without_id(document))

    # -- grouped read models ----------------------------------------------------------
    # A partnership's milestones (and objectives) live in ONE document keyed by the
    # partnership (``group_document``): FerretDB's SQLite backend scans a collection for any
    # read or replace, even by ``_id``, so per-milestone documents would make every write
    # grow with the whole programme; a group is read and replaced whole, by its ``_id``. The read-modify-write below is safe because one partnership's
    # changes are applied in order by one consumer; should two writers ever race (an import
    # during a request), ``catch_up`` rebuilds the group from the log.
    async def _put_in_group(
        self,
        collection: AsyncCollection[Document],
        partnership_id: str,
        key: str,
        item: Document,
        written: dict[str, list[Document]] | None = None,
        kept: list[Document] | None = None,
    ) -> None:
        if self._gathering is not None:  # catch_up writes the group once, at its end
            empty: _Gathered = (collection, key, {})
            _, _, items = self._gathering.setdefault((collection.name, partnership_id), empty)
            items[item[key]] = item
            return
        if kept is None:
            group = await self._group(collection, partnership_id, kept=True)
            kept = [i for i in group if i[key] != item[key]]
        grouped = sorted([*kept, item], key=lambda i: i[key])
        entry = (collection.name, partnership_id)
        self._kept.pop(entry, None)  # a write that fails may still have been made
        await collection.replace_one(
            {"_id": partnership_id}, group_document(partnership_id, grouped), upsert=True
        )
        self._keep(entry, grouped)
        if written is not None:
            written[collection.name] = grouped

    async def _group(
        self, collection: AsyncCollection[Document], partnership_id: str, *, kept: bool = False
    ) -> list[Document]:
        """The group's items; ``kept``: as this process last had them, read once if not (a
        view, ``kept=False``, reads and keeps nothing: it could race a decision's write)."""
        entry = (collection.name, partnership_id)
        if kept and entry in self._kept:
            self._kept.move_to_end(entry)
            return list(self._kept[entry])
        items = group_items(await collection.find_one({"_id": partnership_id}))
        if kept:
            self._keep(entry, items)
        return list(items)

    # -- reading -----------------------------------------------------------------------
    async def milestones_of(self, partnership_id: str, *, kept: bool = False) -> list[Milestone]:
        items = await self._group(self._milestones, partnership_id, kept=kept)
        return sorted((milestone_from_document(d) for d in items), key=lambda m: m.due_date)

    async def open_milestones(self) -> list[Milestone]:
        """Milestones that may still come due: planned or in progress."""
        return [m for m in await self.all_milestones() if m.status in ("planned", "in_progress")]

    async def objectives_of(self, partnership_id: str) -> list[Document]:
        return await self._group(self._objectives, partnership_id)

    async def indicators_of(self, partnership_id: str) -> list[Document]:
        cursor = self._indicators.find({"partnership_id": partnership_id}).sort("_id", 1)
        return [without_id(document) async for document in cursor]

    async def roadmap(
        self, partnership_id: str, phase: str, *, kept: bool = False
    ) -> Document | None:
        entry = (self._roadmaps.name, key(partnership_id, phase))
        if kept and entry in self._kept:
            self._kept.move_to_end(entry)
            found: Document | None = self._kept[entry]
            return None if found is None else dict(found)
        document = await self._roadmaps.find_one({"_id": entry[1]})
        rollup = None if document is None else without_id(document)
        if kept:
            self._keep(entry, rollup)
        return None if rollup is None else dict(rollup)

    async def roadmaps_in(self, phase: str) -> list[Document]:
        cursor = self._roadmaps.find({"phase": phase})
        return [without_id(document) async for document in cursor]

    async def evaluations_of(self, partnership_id: str) -> list[Document]:
        cursor = self._evaluations.find({"partnership_id": partnership_id}).sort("phase", 1)
        return [without_id(document) async for document in cursor]

    async def evidence_of(self, partnership_id: str) -> list[Document]:
        return await self._group(self._evidence, partnership_id)

    async def all_indicators(self) -> list[Document]:
        return [without_id(document) async for document in self._indicators.find({})]

    async def all_milestones(self) -> list[Milestone]:
        return [
            milestone_from_document(item)
            async for group in self._milestones.find({})
            for item in group_items(group)
        ]
