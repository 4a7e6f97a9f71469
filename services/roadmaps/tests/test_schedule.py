"""Which due-date notices a milestone calls for on a given day."""

from __future__ import annotations

import datetime as dt

from imc_contracts.roadmaps import MilestoneDueSoon, MilestoneOverdue
from imc_roadmaps.domain.model import Milestone, Status
from imc_roadmaps.domain.schedule import due_notice

DUE = dt.date(2027, 6, 30)


def milestone(status: Status = "planned", *, backfill: bool = False) -> Milestone:
    return Milestone(
        id="m",
        partnership_id="berkane--saint-gilles",
        title={"fr": "Lancement"},
        due_date=DUE,
        responsible_municipality_id="berkane",
        status=status,
        backfill=backfill,
    )


def test_nothing_is_due_long_before_the_due_date() -> None:
    assert due_notice(milestone(), DUE - dt.timedelta(days=15), 14) is None


def test_a_milestone_is_due_soon_within_the_window_including_its_due_day() -> None:
    for days in (14, 1, 0):
        notice = due_notice(milestone(), DUE - dt.timedelta(days=days), 14)
        assert isinstance(notice, MilestoneDueSoon)
        assert notice.payload.days == days


def test_a_milestone_is_overdue_the_day_after_its_due_date() -> None:
    notice = due_notice(milestone("in_progress"), DUE + dt.timedelta(days=1), 14)
    assert isinstance(notice, MilestoneOverdue)
    assert notice.payload.days == 1


def test_reached_cancelled_and_back_filled_milestones_are_not_chased() -> None:
    late = DUE + dt.timedelta(days=3)
    assert due_notice(milestone("reached"), late, 14) is None
    assert due_notice(milestone("cancelled"), late, 14) is None
    assert due_notice(milestone(backfill=True), late, 14) is None
