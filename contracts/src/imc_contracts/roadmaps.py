"""Events of roadmaps: what it decided about milestones and requests."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from imc_contracts.common import (
    BeneficiaryCount,
    DacRatings,
    DisaggregatedValue,
    Evidence,
    Example,
    Measure,
    ReportingPeriod,
)
from imc_contracts.envelope import Contract, Event, Localized


class MilestonePlannedPayload(Contract):
    submission_id: str | None = None
    milestone_id: str
    title: Localized
    due_date: dt.date
    responsible_municipality_id: str
    target: str | None = None
    objective_id: str | None = None
    phase: str | None = None
    weight: float | None = None
    backfill: bool = False
    example: Example = False


class MilestonePlanned(Event):
    type: Literal["roadmaps.milestone.planned.v1"]
    payload: MilestonePlannedPayload


class MilestoneProgressedPayload(Contract):
    submission_id: str | None = None
    milestone_id: str
    title: Localized
    progress: int = Field(ge=0, le=100)
    previous_progress: int = Field(ge=0, le=100)
    reported_on: dt.date
    beneficiaries: list[BeneficiaryCount] = Field(default_factory=list)
    correction: bool = False
    note: str | None = None


class MilestoneProgressed(Event):
    type: Literal["roadmaps.milestone.progressed.v1"]
    payload: MilestoneProgressedPayload


class MilestoneReachedPayload(Contract):
    submission_id: str | None = None
    milestone_id: str
    title: Localized
    due_date: dt.date
    reached_on: dt.date
    responsible_municipality_id: str


class MilestoneReached(Event):
    type: Literal["roadmaps.milestone.reached.v1"]
    payload: MilestoneReachedPayload


class RowProblem(Contract):
    row: int = Field(description="The sheet's row, 1 being its header.")
    column: str
    code: str
    message: str


class SubmissionRejectedPayload(Contract):
    """A request from the registry that roadmaps refused, and why, in words."""

    submission_id: str
    code: str = Field(description="Stable machine code, e.g. 'milestone_unknown'.")
    reason: str = Field(description="Human reason, in the submitter's language when known.")
    problems: list[RowProblem] = Field(
        default_factory=list,
        description="For a refused sheet import: every problem, each naming its row and column.",
    )


class SubmissionRejected(Event):
    type: Literal["roadmaps.submission.rejected.v1"]
    payload: SubmissionRejectedPayload


class ObjectivePlannedPayload(Contract):
    submission_id: str | None = None
    objective_id: str
    phase: str
    theme: str
    title: Localized
    description: Localized = Field(default_factory=dict)
    revision: bool = Field(default=False, description="True when this edits a known objective.")
    example: Example = False


class ObjectivePlanned(Event):
    type: Literal["roadmaps.objective.planned.v1"]
    payload: ObjectivePlannedPayload


class MilestoneRevisedPayload(Contract):
    """The milestone's plan after an edit (a full snapshot of what can be edited)."""

    submission_id: str | None = None
    milestone_id: str
    title: Localized
    responsible_municipality_id: str
    target: str | None = None
    objective_id: str | None = None
    weight: float | None = None


class MilestoneRevised(Event):
    type: Literal["roadmaps.milestone.revised.v1"]
    payload: MilestoneRevisedPayload


class MilestoneRescheduledPayload(Contract):
    submission_id: str | None = None
    milestone_id: str
    title: Localized
    previous_due_date: dt.date
    due_date: dt.date
    reason: str | None = None


class MilestoneRescheduled(Event):
    type: Literal["roadmaps.milestone.rescheduled.v1"]
    payload: MilestoneRescheduledPayload


class MilestoneCancelledPayload(Contract):
    submission_id: str | None = None
    milestone_id: str
    title: Localized
    reason: str


class MilestoneCancelled(Event):
    type: Literal["roadmaps.milestone.cancelled.v1"]
    payload: MilestoneCancelledPayload


class MilestoneDuePayload(Contract):
    """A milestone coming due or past due; emitted by roadmaps' schedule, once per due date."""

    milestone_id: str
    title: Localized
    due_date: dt.date
    responsible_municipality_id: str
    progress: int = Field(ge=0, le=100)
    days: int = Field(description="Days until the due date (due soon) or since it (overdue).")


class MilestoneDueSoon(Event):
    type: Literal["roadmaps.milestone.due_soon.v1"]
    payload: MilestoneDuePayload


class MilestoneOverdue(Event):
    type: Literal["roadmaps.milestone.overdue.v1"]
    payload: MilestoneDuePayload


class IndicatorDefinedPayload(Contract):
    submission_id: str | None = None
    indicator_id: str
    objective_id: str | None = None
    title: Localized
    description: Localized = Field(default_factory=dict)
    measure: Measure
    unit: str | None = None
    baseline: DisaggregatedValue | None = None
    baseline_year: int | None = None
    periods: list[ReportingPeriod] = Field(default_factory=list)
    example: Example = False


class IndicatorDefined(Event):
    type: Literal["roadmaps.indicator.defined.v1"]
    payload: IndicatorDefinedPayload


class IndicatorValueRecordedPayload(Contract):
    submission_id: str | None = None
    indicator_id: str
    period_id: str
    values: list[DisaggregatedValue]
    note: str | None = None


class IndicatorValueRecorded(Event):
    type: Literal["roadmaps.indicator_value.recorded.v1"]
    payload: IndicatorValueRecordedPayload


class RoadmapProgressedPayload(Contract):
    """A roll-up changed: the partnership's roadmap for a phase is now this far along."""

    phase: str
    progress: float = Field(ge=0, le=100)
    previous_progress: float = Field(ge=0, le=100)
    objectives: dict[str, float] = Field(default_factory=dict)


class RoadmapProgressed(Event):
    type: Literal["roadmaps.roadmap.progressed.v1"]
    payload: RoadmapProgressedPayload


class EvaluationRecordedPayload(DacRatings):
    """The evaluation of a partnership's roadmap for a closed phase (OECD-DAC criteria)."""

    submission_id: str | None = None
    phase: str
    findings: Localized = Field(default_factory=dict)
    lessons: Localized = Field(default_factory=dict)
    backfill: bool = False
    example: Example = False


class EvaluationRecorded(Event):
    type: Literal["roadmaps.evaluation.recorded.v1"]
    payload: EvaluationRecordedPayload


class RoadmapImportedPayload(Contract):
    """A roadmap sheet applied, all of it: what it added, and what an earlier attempt had."""

    submission_id: str
    milestones: int = Field(ge=0)
    objectives: int = Field(ge=0)
    already_imported: int = Field(ge=0, description="Rows an earlier attempt had written.")


class RoadmapImported(Event):
    type: Literal["roadmaps.roadmap.imported.v1"]
    payload: RoadmapImportedPayload


class EvidenceAttachedPayload(Contract):
    """A file is now evidence of a report of the roadmap, in the phase named."""

    submission_id: str
    evidence: Evidence
    phase: str
    title: Localized = Field(
        default_factory=dict, description="The milestone's, indicator's or evaluation's title."
    )


class EvidenceAttached(Event):
    type: Literal["roadmaps.evidence.attached.v1"]
    payload: EvidenceAttachedPayload
