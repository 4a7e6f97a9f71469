"""Events of roadmaps: what it decided about milestones and requests."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from imc_contracts.envelope import Contract, Event, Localized


class MilestonePlannedPayload(Contract):
    submission_id: str | None = None
    milestone_id: str
    title: Localized
    due_date: dt.date
    responsible_municipality_id: str
    target: str | None = None


class MilestonePlanned(Event):
    TYPE: ClassVar[str] = "roadmaps.milestone.planned.v1"
    type: Literal["roadmaps.milestone.planned.v1"]
    payload: MilestonePlannedPayload


class MilestoneProgressedPayload(Contract):
    submission_id: str | None = None
    milestone_id: str
    title: Localized
    progress: int = Field(ge=0, le=100)
    previous_progress: int = Field(ge=0, le=100)
    reported_on: dt.date


class MilestoneProgressed(Event):
    TYPE: ClassVar[str] = "roadmaps.milestone.progressed.v1"
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
    TYPE: ClassVar[str] = "roadmaps.milestone.reached.v1"
    type: Literal["roadmaps.milestone.reached.v1"]
    payload: MilestoneReachedPayload


class SubmissionRejectedPayload(Contract):
    """A request from the registry that roadmaps refused, and why, in words."""

    submission_id: str
    code: str = Field(description="Stable machine code, e.g. 'milestone_unknown'.")
    reason: str = Field(description="Human reason, in the submitter's language when known.")


class SubmissionRejected(Event):
    TYPE: ClassVar[str] = "roadmaps.submission.rejected.v1"
    type: Literal["roadmaps.submission.rejected.v1"]
    payload: SubmissionRejectedPayload
