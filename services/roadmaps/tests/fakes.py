"""Roadmaps' storage in memory, for unit tests of its use cases: the same port
(``service_layer.ports.RoadmapsRepository``) as the real store, the same commit rules, the
aggregates folded from their streams by the domain's own ``from_history``, and the read models
written by the same pure functions as the real store's (``adapters.documents``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from imc_contracts import Event
from imc_contracts.roadmaps import EvidenceAttached
from imc_roadmaps.adapters.documents import (
    evaluation_document,
    evidence_document,
    indicator_document,
    objective_document,
    roadmap_document,
    without_id,
)
from imc_roadmaps.domain.model import Milestone, PartnershipMembers
from imc_roadmaps.domain.objectives import Indicator, Objective
from imc_roadmaps.domain.streams import indicator_stream, milestone_stream, objective_stream
from imc_runtime.commitlog import Appended, Commit, ConcurrencyConflict
from imc_runtime.mongo import Document


class InMemoryRoadmaps:
    def __init__(self) -> None:
        self.commits: dict[str, Commit] = {}
        self.streams: dict[str, list[Commit]] = {}
        self.partnerships: dict[str, Document] = {}
        self.municipalities: dict[str, Document] = {}
        self.organisations: dict[str, Document] = {}
        self.programme: Document | None = None
        self.streams_forgotten = 0

    # -- the commit log ------------------------------------------------------------------
    async def record(
        self,
        commit_id: str,
        stream: str,
        expected_version: int,
        events: Sequence[Event],
        *,
        others: Sequence[Milestone] | None = None,
    ) -> Appended:
        if commit_id in self.commits:
            return Appended(self.commits[commit_id], duplicate=True)
        history = self.streams.setdefault(stream, [])
        if len(history) != expected_version:
            raise ConcurrencyConflict(stream, expected_version + 1)
        commit = Commit(
            commit_id, stream, expected_version + 1, tuple(events), dt.datetime.now(dt.UTC)
        )
        history.append(commit)
        self.commits[commit_id] = commit
        return Appended(commit, duplicate=False)

    async def earlier(self, commit_id: str) -> Commit | None:
        return self.commits.get(commit_id)

    def forget_streams(self) -> None:
        self.streams_forgotten += 1

    async def stream_version(self, stream: str) -> int:
        return len(self.streams.get(stream, []))

    async def stream_events(self, stream: str) -> list[tuple[Commit, Event]]:
        return [(c, e) for c in self.streams.get(stream, []) for e in c.events]

    def events(self, stream_prefix: str = "") -> list[Event]:
        """Every event recorded on the streams starting so, in the order recorded."""
        return [
            event
            for commit in self.commits.values()
            if commit.stream.startswith(stream_prefix)
            for event in commit.events
        ]

    def _history(self, stream: str) -> tuple[list[Event], int]:
        commits = self.streams.get(stream, [])
        return [e for c in commits for e in c.events], len(commits)

    # -- aggregates ----------------------------------------------------------------------
    async def milestone(self, partnership_id: str, milestone_id: str) -> Milestone | None:
        events, version = self._history(milestone_stream(partnership_id, milestone_id))
        milestone = Milestone.from_history(events)
        if milestone is not None:
            milestone.version = version
        return milestone

    async def objective(self, partnership_id: str, objective_id: str) -> Objective | None:
        events, version = self._history(objective_stream(partnership_id, objective_id))
        objective = Objective.from_history(events)
        if objective is not None:
            objective.version = version
        return objective

    async def indicator(self, partnership_id: str, indicator_id: str) -> Indicator | None:
        events, version = self._history(indicator_stream(partnership_id, indicator_id))
        indicator = Indicator.from_history(events)
        if indicator is not None:
            indicator.version = version
        return indicator

    async def partnership(self, partnership_id: str) -> PartnershipMembers | None:
        document = self.partnerships.get(partnership_id)
        if document is None:
            return None
        return PartnershipMembers(
            partnership_id, frozenset(document["municipality_ids"]), tuple(document["phases"])
        )

    # -- the registry's records ----------------------------------------------------------
    async def remember_partnership(self, document: Document) -> None:
        self.partnerships[document["_id"]] = document

    async def remember_municipality(self, document: Document) -> None:
        self.municipalities[document["_id"]] = document

    async def remember_organisation(self, document: Document) -> None:
        self.organisations[document["_id"]] = document

    async def remember_programme(self, document: Document) -> None:
        self.programme = document

    async def partnership_document(self, partnership_id: str) -> Document | None:
        return self.partnerships.get(partnership_id)

    async def partnership_documents(self) -> list[Document]:
        return [self.partnerships[id] for id in sorted(self.partnerships)]

    async def municipality_documents(self) -> list[Document]:
        return list(self.municipalities.values())

    async def organisation_documents(self) -> dict[str, Document]:
        return dict(self.organisations)

    async def programme_document(self) -> Document | None:
        return self.programme

    # -- read models ---------------------------------------------------------------------
    async def all_milestones(self) -> list[Milestone]:
        found = []
        for stream in self.streams:
            if stream.startswith("milestone:"):
                _, partnership_id, milestone_id = stream.split(":")
                milestone = await self.milestone(partnership_id, milestone_id)
                if milestone is not None:
                    found.append(milestone)
        return sorted(found, key=lambda m: m.due_date)

    async def milestones_of(self, partnership_id: str, *, kept: bool = False) -> list[Milestone]:
        return [m for m in await self.all_milestones() if m.partnership_id == partnership_id]

    async def open_milestones(self) -> list[Milestone]:
        return [m for m in await self.all_milestones() if m.status in ("planned", "in_progress")]

    async def roadmap(
        self, partnership_id: str, phase: str, *, kept: bool = False
    ) -> Document | None:
        milestones = [m for m in await self.milestones_of(partnership_id) if m.phase == phase]
        if not milestones:
            return None
        objectives = [o for o in await self.objectives_of(partnership_id) if o["phase"] == phase]
        return without_id(roadmap_document(partnership_id, phase, milestones, objectives))

    async def roadmaps_in(self, phase: str) -> list[Document]:
        found = [await self.roadmap(p, phase) for p in self.partnerships]
        return [document for document in found if document is not None]

    def _of(self, kind: str, partnership_id: str | None) -> list[tuple[str, str, list[Event]]]:
        """Each stream of this kind (of one partnership, or all): its partnership, its
        entity and its events."""
        found = []
        for stream in sorted(self.streams):
            stream_kind, _, rest = stream.partition(":")
            stream_partnership, _, entity = rest.partition(":")
            if stream_kind == kind and partnership_id in (None, stream_partnership):
                found.append((stream_partnership, entity, self._history(stream)[0]))
        return found

    async def objectives_of(self, partnership_id: str) -> list[Document]:
        folded = (
            Objective.from_history(events) for _, _, events in self._of("objective", partnership_id)
        )
        return [objective_document(o) for o in folded if o is not None]

    async def indicators_of(self, partnership_id: str) -> list[Document]:
        return [i for i in await self.all_indicators() if i["partnership_id"] == partnership_id]

    async def all_indicators(self) -> list[Document]:
        folded = (Indicator.from_history(events) for _, _, events in self._of("indicator", None))
        return [without_id(indicator_document(i)) for i in folded if i is not None]

    async def evaluations_of(self, partnership_id: str) -> list[Document]:
        return [
            without_id(evaluation_document(partnership_id, entity, event))
            for _, entity, events in self._of("evaluation", partnership_id)
            for event in events
        ]

    async def evidence_of(self, partnership_id: str) -> list[Document]:
        return [
            evidence_document(event)
            for _, _, events in self._of("evidence", partnership_id)
            for event in events
            if isinstance(event, EvidenceAttached)
        ]
