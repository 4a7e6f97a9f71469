"""Milestones and the rules for changing them. No I/O: state comes in as events, decisions go out as events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from imc_contracts import Event, Localized
from imc_contracts.roadmaps import (
    MilestonePlanned,
    MilestonePlannedPayload,
    MilestoneProgressed,
    MilestoneProgressedPayload,
    MilestoneReached,
    MilestoneReachedPayload,
)

Status = Literal["planned", "in_progress", "reached", "cancelled"]


class Refused(Exception):
    """A request roadmaps will not apply; ``code`` names the rule, ``details`` fill its reason."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class PartnershipMembers:
    """What roadmaps knows of a partnership: which municipalities are in it."""

    id: str
    municipality_ids: frozenset[str]


@dataclass
class Milestone:
    id: str
    partnership_id: str
    title: Localized
    due_date: dt.date
    responsible_municipality_id: str
    status: Status = "planned"
    progress: int = 0
    version: int = 0
    pending: list[Event] = field(default_factory=list)

    @classmethod
    def from_history(cls, events: Iterable[Event]) -> Milestone | None:
        milestone: Milestone | None = None
        for event in events:
            match event:
                case MilestonePlanned(payload=p):
                    milestone = cls(
                        id=p.milestone_id,
                        partnership_id=event.partnership_id,
                        title=dict(p.title),
                        due_date=p.due_date,
                        responsible_municipality_id=p.responsible_municipality_id,
                    )
                case MilestoneProgressed(payload=p) if milestone is not None:
                    milestone.progress = p.progress
                    milestone.status = "in_progress"
                case MilestoneReached() if milestone is not None:
                    milestone.progress = 100
                    milestone.status = "reached"
        return milestone

    def report_progress(
        self, progress: int, reported_on: dt.date, *, cause: Event, submission_id: str | None
    ) -> list[Event]:
        """Events for a progress report, or ``Refused`` with the rule it breaks."""
        if self.status == "cancelled":
            raise Refused("milestone_cancelled", milestone_id=self.id)
        if self.status == "reached":
            raise Refused("milestone_reached", milestone_id=self.id)
        if progress < self.progress:
            raise Refused("progress_decreasing", previous=self.progress, progress=progress)
        events: list[Event] = [
            MilestoneProgressed.create(
                MilestoneProgressedPayload(
                    submission_id=submission_id,
                    milestone_id=self.id,
                    title=self.title,
                    progress=progress,
                    previous_progress=self.progress,
                    reported_on=reported_on,
                ),
                partnership_id=self.partnership_id,
                caused_by=cause,
            )
        ]
        if progress == 100:
            events.append(
                MilestoneReached.create(
                    MilestoneReachedPayload(
                        submission_id=submission_id,
                        milestone_id=self.id,
                        title=self.title,
                        due_date=self.due_date,
                        reached_on=reported_on,
                        responsible_municipality_id=self.responsible_municipality_id,
                    ),
                    partnership_id=self.partnership_id,
                    caused_by=cause,
                )
            )
        return events


def plan_milestone(
    *,
    partnership: PartnershipMembers | None,
    existing: Milestone | None,
    partnership_id: str,
    milestone_id: str,
    title: Localized,
    due_date: dt.date,
    responsible_municipality_id: str,
    target: str | None,
    today: dt.date,
    cause: Event,
    submission_id: str | None,
) -> MilestonePlanned:
    if partnership is None:
        raise Refused("partnership_unknown", partnership_id=partnership_id)
    if existing is not None:
        raise Refused("milestone_exists", milestone_id=milestone_id)
    if responsible_municipality_id not in partnership.municipality_ids:
        raise Refused(
            "responsible_not_partner",
            municipality_id=responsible_municipality_id,
            partnership_id=partnership_id,
        )
    if due_date < today:
        raise Refused("due_date_past", due_date=due_date.isoformat())
    return MilestonePlanned.create(
        MilestonePlannedPayload(
            submission_id=submission_id,
            milestone_id=milestone_id,
            title=title,
            due_date=due_date,
            responsible_municipality_id=responsible_municipality_id,
            target=target,
        ),
        partnership_id=partnership_id,
        caused_by=cause,
    )
