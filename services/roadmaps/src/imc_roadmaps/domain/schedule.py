"""Which notices a milestone's due date calls for on a given day. No I/O."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from imc_contracts import Actor
from imc_contracts.roadmaps import MilestoneDuePayload, MilestoneDueSoon, MilestoneOverdue

from imc_roadmaps.domain.model import Milestone

NoticeKind = Literal["due_soon", "overdue"]

SCHEDULE_ACTOR = Actor(kind="service", id="roadmaps-schedule")


def due_notice(
    milestone: Milestone, today: dt.date, due_soon_days: int
) -> MilestoneDueSoon | MilestoneOverdue | None:
    """The notice ``milestone`` calls for today, if any.

    Only open milestones come due; back-filled history is not chased. Due soon means
    within ``due_soon_days`` days (the due day itself included); overdue, any day after.
    Whether the notice was already sent is the caller's business: each (kind, milestone,
    due date) is sent once.
    """
    if milestone.status not in ("planned", "in_progress") or milestone.backfill:
        return None
    days = (milestone.due_date - today).days
    payload = MilestoneDuePayload(
        milestone_id=milestone.id,
        title=milestone.title,
        due_date=milestone.due_date,
        responsible_municipality_id=milestone.responsible_municipality_id,
        progress=milestone.progress,
        days=abs(days),
    )
    if days < 0:
        return MilestoneOverdue.create(
            payload, partnership_id=milestone.partnership_id, actor=SCHEDULE_ACTOR
        )
    if days <= due_soon_days:
        return MilestoneDueSoon.create(
            payload, partnership_id=milestone.partnership_id, actor=SCHEDULE_ACTOR
        )
    return None


def notice_kind(notice: MilestoneDueSoon | MilestoneOverdue) -> NoticeKind:
    return "overdue" if isinstance(notice, MilestoneOverdue) else "due_soon"
