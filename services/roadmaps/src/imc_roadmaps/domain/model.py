"""Milestones and the rules for changing them. No I/O: state comes in as events, decisions go out as events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from imc_contracts import Actor, Event, Localized, roadmaps
from imc_contracts.common import BeneficiaryCount
from pydantic import TypeAdapter

Status = Literal["planned", "in_progress", "reached", "cancelled"]

DEFAULT_PHASE = "2022-2026"
"""The programme's current phase: where a milestone goes when neither it nor its objective says."""


class Refused(Exception):
    """A request roadmaps will not apply; ``code`` names the rule, ``details`` fill its reason."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class PartnershipMembers:
    """What roadmaps knows of a partnership: which municipalities are in it, and its phases."""

    id: str
    municipality_ids: frozenset[str]
    phases: tuple[str, ...] = ()

    def require_member(self, municipality_id: str) -> None:
        if municipality_id not in self.municipality_ids:
            raise Refused(
                "responsible_not_partner", municipality_id=municipality_id, partnership_id=self.id
            )


@dataclass
class Milestone:
    id: str
    partnership_id: str
    title: Localized
    due_date: dt.date
    responsible_municipality_id: str
    target: str | None = None
    objective_id: str | None = None
    phase: str = DEFAULT_PHASE
    weight: float | None = None
    backfill: bool = False
    example: bool = False
    """Example data, loaded to show what the product does."""
    status: Status = "planned"
    progress: int = 0
    beneficiaries: list[BeneficiaryCount] = field(default_factory=list)
    reached_on: dt.date | None = None
    version: int = 0

    @classmethod
    def from_history(cls, events: Iterable[Event]) -> Milestone | None:
        milestone: Milestone | None = None
        for event in events:
            if isinstance(event, roadmaps.MilestonePlanned):
                p = event.payload
                milestone = cls(
                    id=p.milestone_id,
                    partnership_id=event.partnership_id,
                    title=dict(p.title),
                    due_date=p.due_date,
                    responsible_municipality_id=p.responsible_municipality_id,
                    target=p.target,
                    objective_id=p.objective_id,
                    phase=p.phase or DEFAULT_PHASE,
                    weight=p.weight,
                    backfill=p.backfill,
                    example=p.example,
                )
            elif milestone is not None:
                milestone._apply(event)
        return milestone

    def _apply(self, event: Event) -> None:
        match event:
            case roadmaps.MilestoneProgressed(payload=p):
                # A correction that keeps a reached milestone at 100 is no new completion.
                if not (self.status == "reached" and p.progress == 100):
                    self.status = "in_progress"
                    self.reached_on = None
                self.progress = p.progress
                if p.beneficiaries:
                    # A report states who was reached so far; one without figures keeps the last.
                    self.beneficiaries = list(p.beneficiaries)
            case roadmaps.MilestoneReached(payload=p):
                self.progress = 100
                self.status = "reached"
                self.reached_on = p.reached_on
            case roadmaps.MilestoneRevised(payload=p):
                self.title = dict(p.title)
                self.responsible_municipality_id = p.responsible_municipality_id
                self.target = p.target
                self.objective_id = p.objective_id
                self.weight = p.weight
            case roadmaps.MilestoneRescheduled(payload=p):
                self.due_date = p.due_date
            case roadmaps.MilestoneCancelled():
                self.status = "cancelled"
            case _:
                pass  # schedule and roll-up events do not change the milestone

    def _require_open(self) -> None:
        if self.status == "cancelled":
            raise Refused("milestone_cancelled", milestone_id=self.id)

    def report_progress(
        self,
        progress: int,
        reported_on: dt.date,
        *,
        cause: Event,
        submission_id: str | None,
        correction: bool = False,
        beneficiaries: Iterable[BeneficiaryCount] = (),
        note: str | None = None,
        today: dt.date | None = None,
    ) -> list[Event]:
        """Events for a progress report, or ``Refused`` with the rule it breaks.

        Progress only goes up and a reached milestone stays put, unless the report says it is
        a correction. Each completion (to 100 from below) is reached once. A report is of
        work done: not dated after ``today`` (a day's leeway: Morocco and Belgium are ahead
        of the server's UTC).
        """
        self._require_open()
        if not 0 <= progress <= 100:
            raise Refused("progress_out_of_range", progress=progress)
        if today is not None and reported_on > today + dt.timedelta(days=1):
            raise Refused("reported_in_future", reported_on=reported_on.isoformat())
        if not correction:
            if self.status == "reached":
                raise Refused("milestone_reached", milestone_id=self.id)
            if progress < self.progress:
                raise Refused("progress_decreasing", previous=self.progress, progress=progress)
        events: list[Event] = [
            roadmaps.MilestoneProgressed.create(
                roadmaps.MilestoneProgressedPayload(
                    submission_id=submission_id,
                    milestone_id=self.id,
                    title=self.title,
                    progress=progress,
                    previous_progress=self.progress,
                    reported_on=reported_on,
                    beneficiaries=list(beneficiaries),
                    correction=correction,
                    note=note,
                ),
                partnership_id=self.partnership_id,
                caused_by=cause,
            )
        ]
        if progress == 100 and self.status != "reached":
            events.append(
                roadmaps.MilestoneReached.create(
                    roadmaps.MilestoneReachedPayload(
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

    def revise(
        self,
        *,
        partnership: PartnershipMembers,
        objective_ids: frozenset[str],
        title: Localized | None,
        responsible_municipality_id: str | None,
        target: str | None,
        objective_id: str | None,
        weight: float | None,
        cause: Event,
        submission_id: str | None,
    ) -> roadmaps.MilestoneRevised:
        """The milestone's plan after an edit; absent fields stay as they were."""
        self._require_open()
        responsible = responsible_municipality_id or self.responsible_municipality_id
        partnership.require_member(responsible)
        if objective_id is not None and objective_id not in objective_ids:
            raise Refused("objective_unknown", objective_id=objective_id)
        return roadmaps.MilestoneRevised.create(
            roadmaps.MilestoneRevisedPayload(
                submission_id=submission_id,
                milestone_id=self.id,
                title=title or self.title,
                responsible_municipality_id=responsible,
                target=target if target is not None else self.target,
                objective_id=objective_id if objective_id is not None else self.objective_id,
                weight=weight if weight is not None else self.weight,
            ),
            partnership_id=self.partnership_id,
            caused_by=cause,
        )

    def reschedule(
        self,
        due_date: dt.date,
        *,
        today: dt.date,
        reason: str | None,
        cause: Event,
        submission_id: str | None,
    ) -> roadmaps.MilestoneRescheduled:
        self._require_open()
        if self.status == "reached":
            raise Refused("milestone_already_reached", milestone_id=self.id)
        if due_date < today:
            raise Refused("due_date_past", due_date=due_date.isoformat())
        if due_date == self.due_date:
            raise Refused("due_date_unchanged", due_date=due_date.isoformat())
        return roadmaps.MilestoneRescheduled.create(
            roadmaps.MilestoneRescheduledPayload(
                submission_id=submission_id,
                milestone_id=self.id,
                title=self.title,
                previous_due_date=self.due_date,
                due_date=due_date,
                reason=reason,
            ),
            partnership_id=self.partnership_id,
            caused_by=cause,
        )

    def cancel(
        self, reason: str, *, cause: Event, submission_id: str | None
    ) -> roadmaps.MilestoneCancelled:
        self._require_open()
        if self.status == "reached":
            raise Refused("milestone_already_reached", milestone_id=self.id)
        return roadmaps.MilestoneCancelled.create(
            roadmaps.MilestoneCancelledPayload(
                submission_id=submission_id, milestone_id=self.id, title=self.title, reason=reason
            ),
            partnership_id=self.partnership_id,
            caused_by=cause,
        )

    def after(self, events: Iterable[Event]) -> Milestone:
        """A copy of this milestone with ``events`` applied (to roll up before recording)."""
        copy = Milestone(**{name: getattr(self, name) for name in self.__dataclass_fields__})
        copy.beneficiaries = list(self.beneficiaries)
        copy.title = dict(self.title)
        for event in events:
            copy._apply(event)
        return copy


MILESTONE_FIELDS: TypeAdapter[Milestone] = TypeAdapter(Milestone)
"""A milestone's fields as JSON-ready values (dates as ISO strings), for read models and views."""


@dataclass(frozen=True)
class ObjectiveRef:
    """What planning a milestone needs to know of an objective."""

    id: str
    phase: str


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
    cause: Event | None,
    submission_id: str | None,
    actor: Actor | None = None,
    objective: ObjectiveRef | None = None,
    objective_id: str | None = None,
    phase: str | None = None,
    weight: float | None = None,
    backfill: bool = False,
    example: bool = False,
) -> roadmaps.MilestonePlanned:
    """Plan a milestone, or refuse: unknown partnership or objective, a responsible
    municipality outside the partnership, a due date in the past unless back-filling.

    ``cause`` is the request that asked for it; an import has none and names its ``actor``.
    """
    if partnership is None:
        raise Refused("partnership_unknown", partnership_id=partnership_id)
    if existing is not None:
        raise Refused("milestone_exists", milestone_id=milestone_id)
    partnership.require_member(responsible_municipality_id)
    if objective_id is not None and objective is None:
        raise Refused("objective_unknown", objective_id=objective_id)
    resolved_phase = phase or (objective.phase if objective else None) or DEFAULT_PHASE
    if objective is not None and phase is not None and phase != objective.phase:
        raise Refused("phase_mismatch", phase=phase, objective_phase=objective.phase)
    if partnership.phases and resolved_phase not in partnership.phases:
        raise Refused("phase_unknown", phase=resolved_phase, partnership_id=partnership_id)
    if due_date < today and not backfill:
        raise Refused("due_date_past", due_date=due_date.isoformat())
    return roadmaps.MilestonePlanned.create(
        roadmaps.MilestonePlannedPayload(
            submission_id=submission_id,
            milestone_id=milestone_id,
            title=title,
            due_date=due_date,
            responsible_municipality_id=responsible_municipality_id,
            target=target,
            objective_id=objective_id,
            phase=resolved_phase,
            weight=weight,
            backfill=backfill,
            example=example,
        ),
        partnership_id=partnership_id,
        caused_by=cause,
        actor=actor,
    )
