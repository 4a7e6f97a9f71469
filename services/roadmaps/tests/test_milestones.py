"""Roadmaps' rules for planning milestones and reporting progress, without I/O."""

from __future__ import annotations

import datetime as dt

import pytest
from imc_contracts import Actor
from imc_contracts.registry import ProgressReported, ProgressReportedPayload
from imc_contracts.roadmaps import MilestonePlanned, MilestoneProgressed, MilestoneReached
from imc_roadmaps.domain.model import Milestone, PartnershipMembers, Refused, plan_milestone
from imc_roadmaps.domain.reasons import REASONS, reason

TODAY = dt.date(2026, 11, 29)
BERKANE_SAINT_GILLES = PartnershipMembers(
    "berkane--saint-gilles", frozenset({"berkane", "saint-gilles"})
)


def cause(progress: int = 0) -> ProgressReported:
    return ProgressReported.create(
        ProgressReportedPayload(
            submission_id="s", milestone_id="m", progress=progress, reported_on=TODAY
        ),
        partnership_id="berkane--saint-gilles",
        actor=Actor(kind="officer", id="officer@example.org", municipality_id="berkane"),
    )


def plan(**changes: object) -> MilestonePlanned:
    arguments: dict[str, object] = {
        "partnership": BERKANE_SAINT_GILLES,
        "existing": None,
        "partnership_id": "berkane--saint-gilles",
        "milestone_id": "m",
        "title": {"fr": "Lancement du service social"},
        "due_date": dt.date(2027, 6, 30),
        "responsible_municipality_id": "berkane",
        "target": None,
        "today": TODAY,
        "cause": cause(),
        "submission_id": "s",
    }
    arguments.update(changes)
    return plan_milestone(**arguments)  # type: ignore[arg-type]


def planned_milestone() -> Milestone:
    milestone = Milestone.from_history([plan()])
    assert milestone is not None
    return milestone


def test_planning_a_milestone_names_the_cause_and_the_actor() -> None:
    event = plan()
    assert event.payload.responsible_municipality_id == "berkane"
    assert event.causation_id is not None
    assert event.actor is not None
    assert event.actor.municipality_id == "berkane"


def test_a_responsible_municipality_outside_the_partnership_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        plan(responsible_municipality_id="tanger")
    assert refused.value.code == "responsible_not_partner"


def test_a_due_date_in_the_past_is_refused_when_planning() -> None:
    with pytest.raises(Refused) as refused:
        plan(due_date=dt.date(2020, 1, 1))
    assert refused.value.code == "due_date_past"


def test_a_milestone_cannot_be_planned_twice() -> None:
    with pytest.raises(Refused) as refused:
        plan(existing=planned_milestone())
    assert refused.value.code == "milestone_exists"


def test_progress_below_100_progresses_without_reaching() -> None:
    events = planned_milestone().report_progress(60, TODAY, cause=cause(60), submission_id="s")
    assert [type(e) for e in events] == [MilestoneProgressed]


def test_progress_at_100_reaches_the_milestone() -> None:
    events = planned_milestone().report_progress(100, TODAY, cause=cause(100), submission_id="s")
    assert [type(e) for e in events] == [MilestoneProgressed, MilestoneReached]
    reached = events[1]
    assert isinstance(reached, MilestoneReached)
    assert reached.payload.title == {"fr": "Lancement du service social"}


def test_progress_cannot_go_down() -> None:
    progressed = planned_milestone().report_progress(70, TODAY, cause=cause(), submission_id="s")
    milestone = Milestone.from_history([plan(), *progressed])
    assert milestone is not None
    with pytest.raises(Refused) as refused:
        milestone.report_progress(30, TODAY, cause=cause(), submission_id="s")
    assert refused.value.code == "progress_decreasing"


def test_a_reached_milestone_does_not_change() -> None:
    reached = planned_milestone().report_progress(100, TODAY, cause=cause(), submission_id="s")
    milestone = Milestone.from_history([plan(), *reached])
    assert milestone is not None
    assert milestone.status == "reached"
    with pytest.raises(Refused) as refused:
        milestone.report_progress(100, TODAY, cause=cause(), submission_id="s")
    assert refused.value.code == "milestone_reached"


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_reason_is_written_in_all_four_languages(code: str) -> None:
    assert set(REASONS[code]) == {"ar", "fr", "nl", "en"}


def test_a_reason_speaks_the_submitters_language() -> None:
    assert reason("progress_decreasing", "nl", previous=70, progress=30).startswith("De voortgang")
    assert "70" in reason("progress_decreasing", "ar", previous=70, progress=30)
    assert reason("milestone_unknown", None, milestone_id="x").startswith("Le jalon")
