"""Roadmaps' rules for planning milestones and reporting progress, without I/O."""

from __future__ import annotations

import datetime as dt

import pytest
from imc_contracts import Actor, Language
from imc_contracts.common import BeneficiaryCount
from imc_contracts.registry import ProgressReported, ProgressReportedPayload
from imc_contracts.roadmaps import MilestonePlanned, MilestoneProgressed, MilestoneReached
from imc_roadmaps.domain.model import (
    Milestone,
    ObjectiveRef,
    PartnershipMembers,
    Refused,
    plan_milestone,
)
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


def reached_milestone() -> Milestone:
    reached = planned_milestone().report_progress(100, TODAY, cause=cause(), submission_id="s")
    milestone = Milestone.from_history([plan(), *reached])
    assert milestone is not None
    return milestone


def test_a_correction_may_lower_progress() -> None:
    progressed = planned_milestone().report_progress(70, TODAY, cause=cause(), submission_id="s")
    milestone = planned_milestone().after(progressed)
    events = milestone.report_progress(30, TODAY, cause=cause(), submission_id="s", correction=True)
    assert milestone.after(events).progress == 30


def test_a_correction_reopens_a_reached_milestone_and_a_new_completion_reaches_it_again() -> None:
    milestone = reached_milestone()
    corrected = milestone.after(
        milestone.report_progress(80, TODAY, cause=cause(), submission_id="s", correction=True)
    )
    assert corrected.status == "in_progress"
    again = corrected.report_progress(100, TODAY, cause=cause(), submission_id="s")
    assert [type(e) for e in again] == [MilestoneProgressed, MilestoneReached]


def test_a_correction_at_100_of_a_reached_milestone_is_no_second_completion() -> None:
    milestone = reached_milestone()
    events = milestone.report_progress(
        100, TODAY, cause=cause(), submission_id="s", correction=True
    )
    assert [type(e) for e in events] == [MilestoneProgressed]
    assert milestone.after(events).status == "reached"


def test_progress_keeps_the_beneficiaries_reported_with_it() -> None:
    counts = [BeneficiaryCount(group="women", sex="female", count=40)]
    events = planned_milestone().report_progress(
        50, TODAY, cause=cause(), submission_id="s", beneficiaries=counts
    )
    milestone = planned_milestone().after(events)
    assert milestone.beneficiaries == counts
    later = milestone.after(milestone.report_progress(60, TODAY, cause=cause(), submission_id="s"))
    assert later.beneficiaries == counts  # a report without figures keeps the last ones


def test_progress_outside_0_to_100_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        planned_milestone().report_progress(120, TODAY, cause=cause(), submission_id="s")
    assert refused.value.code == "progress_out_of_range"


def test_a_cancelled_milestone_refuses_every_change() -> None:
    milestone = planned_milestone()
    cancelled = milestone.after(
        [milestone.cancel("merged into another", cause=cause(), submission_id="s")]
    )
    assert cancelled.status == "cancelled"
    for attempt in (
        lambda: cancelled.report_progress(10, TODAY, cause=cause(), submission_id="s"),
        lambda: cancelled.cancel("again", cause=cause(), submission_id="s"),
        lambda: cancelled.reschedule(
            dt.date(2028, 1, 1), today=TODAY, reason=None, cause=cause(), submission_id="s"
        ),
    ):
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.code == "milestone_cancelled"


def test_a_reached_milestone_cannot_be_rescheduled_or_cancelled() -> None:
    milestone = reached_milestone()
    with pytest.raises(Refused) as refused:
        milestone.cancel("no longer needed", cause=cause(), submission_id="s")
    assert refused.value.code == "milestone_already_reached"
    with pytest.raises(Refused):
        milestone.reschedule(
            dt.date(2028, 1, 1), today=TODAY, reason=None, cause=cause(), submission_id="s"
        )


def test_rescheduling_moves_the_due_date_but_not_into_the_past() -> None:
    milestone = planned_milestone()
    event = milestone.reschedule(
        dt.date(2027, 9, 30), today=TODAY, reason="elections", cause=cause(), submission_id="s"
    )
    assert event.payload.previous_due_date == dt.date(2027, 6, 30)
    assert milestone.after([event]).due_date == dt.date(2027, 9, 30)
    with pytest.raises(Refused) as refused:
        milestone.reschedule(
            dt.date(2026, 1, 1), today=TODAY, reason=None, cause=cause(), submission_id="s"
        )
    assert refused.value.code == "due_date_past"


def test_revising_keeps_what_is_not_given_and_checks_the_responsible_municipality() -> None:
    milestone = planned_milestone()
    revised = milestone.revise(
        partnership=BERKANE_SAINT_GILLES,
        objective_ids=frozenset(),
        title=None,
        responsible_municipality_id="saint-gilles",
        target=None,
        objective_id=None,
        weight=3,
        cause=cause(),
        submission_id="s",
    )
    after = milestone.after([revised])
    assert after.title == {"fr": "Lancement du service social"}
    assert (after.responsible_municipality_id, after.weight) == ("saint-gilles", 3)
    with pytest.raises(Refused) as refused:
        milestone.revise(
            partnership=BERKANE_SAINT_GILLES,
            objective_ids=frozenset(),
            title=None,
            responsible_municipality_id="tanger",
            target=None,
            objective_id=None,
            weight=None,
            cause=cause(),
            submission_id="s",
        )
    assert refused.value.code == "responsible_not_partner"


def test_back_filling_history_allows_a_past_due_date_and_says_so() -> None:
    event = plan(due_date=dt.date(2019, 6, 30), backfill=True, phase="2017-2021")
    assert event.payload.backfill
    assert event.payload.phase == "2017-2021"


def test_a_milestone_of_an_unknown_objective_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        plan(objective_id="youth-council")
    assert refused.value.code == "objective_unknown"


def test_a_milestone_takes_its_objectives_phase() -> None:
    event = plan(objective_id="o", objective=ObjectiveRef("o", "2017-2021"), backfill=True)
    assert event.payload.phase == "2017-2021"


def test_a_phase_the_partnership_does_not_have_is_refused() -> None:
    partnership = PartnershipMembers(
        "berkane--saint-gilles", frozenset({"berkane", "saint-gilles"}), ("2022-2026",)
    )
    with pytest.raises(Refused) as refused:
        plan(partnership=partnership, phase="2017-2021")
    assert refused.value.code == "phase_unknown"


def test_planning_in_an_unknown_partnership_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        plan(partnership=None)
    assert refused.value.code == "partnership_unknown"


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_reason_fills_in_with_its_details_in_every_language(code: str) -> None:
    details = {
        name: "x"
        for name in (
            "milestone_id",
            "previous",
            "progress",
            "partnership_id",
            "municipality_id",
            "due_date",
            "objective_id",
            "phase",
            "objective_phase",
            "indicator_id",
            "period_id",
            "group",
            "sex",
            "measure",
            "value",
            "reported_on",
        )
    }
    for language in ("ar", "fr", "nl", "en"):
        assert "{" not in reason(code, language, **details)


@pytest.mark.parametrize(
    ("language", "words"),
    [("ar", "بالوحدات"), ("fr", "en unités"), ("nl", "in eenheden"), ("en", "in units")],
)
def test_a_reason_names_an_indicators_measure_in_words_not_by_its_code(
    language: Language, words: str
) -> None:
    text = reason("value_missing", language, measure="unit")
    assert words in text
    assert "unit " not in text
