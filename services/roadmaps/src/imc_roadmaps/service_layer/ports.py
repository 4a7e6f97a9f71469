"""What roadmaps' use cases need of the world, as interfaces: the adapters implement them
(``adapters.store.RoadmapsStore``), the unit tests fake them (``tests/fakes.py``).

Aggregates come back as domain objects (``Milestone``, ``Objective``, ``Indicator``) folded
from their streams; the replicas of the registry's records and the read models come back as
the JSON documents the API and the exports show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from imc_contracts import Event
from imc_runtime.commits import Appended, Commit
from imc_runtime.mongo import Document

from imc_roadmaps.domain.model import Milestone, PartnershipMembers
from imc_roadmaps.domain.objectives import Indicator, Objective

Today = Callable[[], dt.date]


class RoadmapsRepository(Protocol):
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
        """Append ``events`` to ``stream`` as one commit, and project it into the read models
        (for a milestone's commit, ``others`` are the partnership's other milestones as the
        decision read them, so the group is written without reading it again)."""
        ...

    async def earlier(self, commit_id: str) -> Commit | None:
        """The commit with this id, if one was recorded (a replay, a notice already sent)."""
        ...

    async def stream_version(self, stream: str) -> int:
        """The stream's latest version; 0 for a stream with no commits."""
        ...

    def forget_streams(self) -> None:
        """Read the aggregates from the log again: the store may answer them from what this
        process last read or wrote, which another replica may have moved on since (an
        append then conflicts; a refusal must not rest on it)."""
        ...

    async def stream_events(self, stream: str) -> list[tuple[Commit, Event]]: ...

    # -- aggregates, folded from the log -------------------------------------------------
    async def milestone(self, partnership_id: str, milestone_id: str) -> Milestone | None: ...

    async def objective(self, partnership_id: str, objective_id: str) -> Objective | None: ...

    async def indicator(self, partnership_id: str, indicator_id: str) -> Indicator | None: ...

    async def partnership(self, partnership_id: str) -> PartnershipMembers | None: ...

    # -- the registry's records, as roadmaps keeps them ----------------------------------
    async def remember_partnership(self, document: Document) -> None: ...

    async def remember_municipality(self, document: Document) -> None: ...

    async def remember_organisation(self, document: Document) -> None: ...

    async def remember_programme(self, document: Document) -> None: ...

    async def partnership_document(self, partnership_id: str) -> Document | None: ...

    async def partnership_documents(self) -> list[Document]: ...

    async def municipality_documents(self) -> list[Document]: ...

    async def organisation_documents(self) -> dict[str, Document]: ...

    async def programme_document(self) -> Document | None: ...

    # -- read models ---------------------------------------------------------------------
    async def milestones_of(self, partnership_id: str, *, kept: bool = False) -> list[Milestone]:
        """The partnership's milestones. ``kept``: as this process last read or wrote them, for
        a decision on the partnership (its one consumer is the only writer until Kafka moves
        its partition, when ``forget_streams`` drops them); views read the database."""
        ...

    async def open_milestones(self) -> list[Milestone]: ...

    async def all_milestones(self) -> list[Milestone]: ...

    async def objectives_of(self, partnership_id: str) -> list[Document]: ...

    async def indicators_of(self, partnership_id: str) -> list[Document]: ...

    async def all_indicators(self) -> list[Document]: ...

    async def roadmap(
        self, partnership_id: str, phase: str, *, kept: bool = False
    ) -> Document | None:
        """The roadmap's roll-up; ``kept`` as for ``milestones_of``."""
        ...

    async def roadmaps_in(self, phase: str) -> list[Document]: ...

    async def evaluations_of(self, partnership_id: str) -> list[Document]: ...

    async def evidence_of(self, partnership_id: str) -> list[Document]:
        """The files attached as evidence of the partnership's reports, every phase's."""
        ...


@dataclass(frozen=True)
class Dependencies:
    """What roadmaps' use cases are given: built in ``bootstrap.py``, faked in unit tests."""

    store: RoadmapsRepository
    today: Today
    due_soon_days: int = 14
