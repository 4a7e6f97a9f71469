"""Every roadmaps use case on its storage in memory (``fakes.InMemoryRoadmaps``): each
request of the registry applied — or refused, with a reason in the submitter's language —
once however often it is delivered, and the due-date check; in milliseconds. The same run on
the real Kafka and FerretDB in ``integration/``."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from imc_contracts import Actor, Language, registry, roadmaps
from imc_contracts.common import DisaggregatedValue, ReportingPeriod
from imc_roadmaps.adapters.reports import ReportWords, ReportWriter
from imc_roadmaps.service_layer import evaluations, handlers, imports, replica, report, views
from imc_roadmaps.service_layer.ports import Dependencies
from imc_roadmaps.service_layer.schedule import check_due_dates_now

from .steps import PAIR, TODAY, milestone, rejections, request, store


async def test_the_registrys_records_are_kept_for_the_rules_and_the_exports(
    deps: Dependencies,
) -> None:
    await replica.municipality_registered(
        registry.MunicipalityRegistered.create(
            registry.MunicipalityRegisteredPayload(
                municipality_id="berkane", names={"fr": "Berkane"}, country="MA", languages=["ar"]
            ),
            partnership_id="programme",
        ),
        deps,
    )
    await replica.organisation_registered(
        registry.OrganisationRegistered.create(
            registry.OrganisationRegisteredPayload(
                organisation_id="dgd", names={"en": "DGD"}, kind="funder", country="BE"
            ),
            partnership_id="programme",
        ),
        deps,
    )
    await replica.programme_defined(
        registry.ProgrammeDefined.create(
            registry.ProgrammeDefinedPayload(
                programme_id="imc",
                names={"fr": "CIC"},
                funder_id="dgd",
                coordinating_organisation_ids=["brulocalis"],
                phases=[
                    registry.Phase(
                        phase_id="2022-2026",
                        start=dt.date(2022, 1, 1),
                        end=dt.date(2026, 12, 31),
                        status="running",
                    )
                ],
            ),
            partnership_id="programme",
        ),
        deps,
    )
    await replica.partnership_status_changed(
        registry.PartnershipStatusChanged.create(
            registry.PartnershipStatusChangedPayload(
                partnership_id=PAIR, status="suspended", previous_status="active", reason="x"
            ),
            partnership_id=PAIR,
        ),
        deps,
    )
    kept = store(deps)
    assert kept.municipalities["berkane"]["country"] == "MA"
    assert kept.organisations["dgd"]["kind"] == "funder"
    assert kept.programme is not None
    assert kept.programme["programme_id"] == "imc"
    assert kept.partnerships[PAIR]["status"] == "suspended"


async def test_an_objective_and_its_milestone_are_planned(deps: Dependencies) -> None:
    await handlers.objective_proposed(
        request(
            registry.ObjectiveProposed,
            objective_id="youth",
            phase="2022-2026",
            theme="youth",
            title={"fr": "Jeunesse"},
        ),
        deps,
    )
    await handlers.milestone_proposed(milestone(objective_id="youth"), deps)
    planned = await store(deps).milestone(PAIR, "space")
    assert planned is not None
    assert planned.phase == "2022-2026"
    assert [type(e) for e in store(deps).events()] == [
        roadmaps.ObjectivePlanned,
        roadmaps.MilestonePlanned,
    ]


async def test_a_request_delivered_twice_is_applied_once(deps: Dependencies) -> None:
    proposed = milestone()
    await handlers.milestone_proposed(proposed, deps)
    await handlers.milestone_proposed(proposed, deps)
    assert len(store(deps).events("milestone:")) == 1


async def test_progress_to_100_reaches_the_milestone_and_moves_the_roadmap(
    deps: Dependencies,
) -> None:
    await handlers.milestone_proposed(milestone(), deps)
    await handlers.milestone_proposed(milestone("other"), deps)
    await handlers.progress_reported(
        request(registry.ProgressReported, milestone_id="space", progress=100, reported_on=TODAY),
        deps,
    )
    kinds = [
        type(e)
        for e in store(deps).events("milestone:")
        if not isinstance(e, roadmaps.MilestonePlanned)
    ]
    assert kinds == [
        roadmaps.MilestoneProgressed,
        roadmaps.MilestoneReached,
        roadmaps.RoadmapProgressed,
    ]
    moved = store(deps).events("milestone:")[-1]
    assert moved.payload.progress == 50


async def test_a_request_about_an_unknown_milestone_is_refused_in_the_officers_language(
    deps: Dependencies,
) -> None:
    await handlers.progress_reported(
        request(registry.ProgressReported, milestone_id="nowhere", progress=10, reported_on=TODAY),
        deps,
    )
    [refused] = rejections(deps)
    assert refused.payload.code == "milestone_unknown"
    assert refused.payload.reason.startswith("Mijlpaal")
    assert store(deps).streams_forgotten == 1  # decided again on the log before refusing


async def test_a_redelivered_request_accepted_since_is_not_refused(deps: Dependencies) -> None:
    await handlers.milestone_proposed(milestone(), deps)
    cancel = request(registry.MilestoneCancellationRequested, milestone_id="space", reason="Non")
    await handlers.milestone_cancellation_requested(cancel, deps)
    await handlers.milestone_cancellation_requested(cancel, deps)  # now: "cancelled already"
    assert rejections(deps) == []


async def test_a_second_request_under_a_refused_submission_is_left_not_retried(
    deps: Dependencies,
) -> None:
    first = request(
        registry.ProgressReported, milestone_id="nowhere", progress=10, reported_on=TODAY
    )
    second = registry.ProgressReported.create(first.payload, partnership_id=PAIR, actor=first.actor)
    await handlers.progress_reported(first, deps)
    await handlers.progress_reported(second, deps)  # another event id, the same submission
    [refused] = rejections(deps)
    assert refused.causation_id == str(first.event_id)


async def test_a_milestone_is_revised_rescheduled_and_cancelled(deps: Dependencies) -> None:
    await handlers.milestone_proposed(milestone(), deps)
    await handlers.milestone_revised(
        request(registry.MilestoneRevised, milestone_id="space", weight=2), deps
    )
    await handlers.milestone_reschedule_requested(
        request(
            registry.MilestoneRescheduleRequested,
            milestone_id="space",
            due_date=dt.date(2027, 12, 31),
        ),
        deps,
    )
    await handlers.milestone_cancellation_requested(
        request(registry.MilestoneCancellationRequested, milestone_id="space", reason="Remplacé"),
        deps,
    )
    cancelled = await store(deps).milestone(PAIR, "space")
    assert cancelled is not None
    assert (cancelled.status, cancelled.due_date, cancelled.weight) == (
        "cancelled",
        dt.date(2027, 12, 31),
        2,
    )
    assert rejections(deps) == []


async def test_an_indicator_is_defined_and_its_values_recorded(deps: Dependencies) -> None:
    await handlers.indicator_proposed(
        request(
            registry.IndicatorProposed,
            indicator_id="reached",
            title={"fr": "Jeunes touchés"},
            measure="unit",
            periods=[
                ReportingPeriod(
                    period_id="2026",
                    start=dt.date(2026, 1, 1),
                    end=dt.date(2026, 12, 31),
                    targets=[DisaggregatedValue(group="youth", value=100)],
                )
            ],
        ),
        deps,
    )
    await handlers.indicator_value_reported(
        request(
            registry.IndicatorValueReported,
            indicator_id="reached",
            period_id="2026",
            values=[DisaggregatedValue(group="youth", value=40)],
        ),
        deps,
    )
    assert [type(e) for e in store(deps).events("indicator:")] == [
        roadmaps.IndicatorDefined,
        roadmaps.IndicatorValueRecorded,
    ]


async def test_an_evaluation_is_recorded_for_a_phase_of_the_partnership_only(
    deps: Dependencies,
) -> None:
    await evaluations.evaluation_submitted(
        request(registry.EvaluationSubmitted, phase="2022-2026", relevance=4), deps
    )
    await evaluations.evaluation_submitted(
        request(registry.EvaluationSubmitted, phase="2017-2021", relevance=4), deps
    )
    [recorded] = store(deps).events("evaluation:")
    assert isinstance(recorded, roadmaps.EvaluationRecorded)
    assert [r.payload.code for r in rejections(deps)] == ["phase_unknown"]


async def test_progress_is_reported_on_work_done_not_on_a_day_still_to_come(
    deps: Dependencies,
) -> None:
    await handlers.milestone_proposed(milestone(), deps)
    for day in (TODAY + dt.timedelta(days=2), TODAY + dt.timedelta(days=1)):
        report = request(
            registry.ProgressReported, milestone_id="space", progress=40, reported_on=day
        )
        await handlers.progress_reported(report, deps)
    [refused] = rejections(deps)  # a day ahead is a partner's today east of the server
    assert refused.payload.code == "reported_in_future"
    assert "2026-12-02" in refused.payload.reason
    kept = await deps.store.milestone(PAIR, "space")
    assert kept is not None
    assert kept.progress == 40


async def test_a_sheet_is_imported_all_or_nothing_and_answered_once(deps: Dependencies) -> None:
    row = registry.RoadmapRow(
        row=2,
        milestone_id="m1",
        title={"fr": "Ouverture"},
        due_date=dt.date(2027, 6, 30),
        responsible_municipality_id="berkane",
    )
    bad = row.model_copy(
        update={"row": 3, "milestone_id": "m2", "responsible_municipality_id": "x"}
    )
    await imports.import_requested(
        request(registry.RoadmapImportRequested, import_id="i-bad", rows=[row, bad]), deps
    )
    assert store(deps).events("milestone:") == []  # nothing of a sheet with a bad row
    [refused] = rejections(deps)
    assert refused.payload.code == "sheet_refused"
    good = request(registry.RoadmapImportRequested, import_id="i-good", rows=[row])
    await imports.import_requested(good, deps)
    await imports.import_requested(good, deps)
    answers = [
        e for e in store(deps).events("submission:") if isinstance(e, roadmaps.RoadmapImported)
    ]
    assert [a.payload.milestones for a in answers] == [1]


async def test_a_sheet_keeps_to_the_phases_as_single_requests_do(deps: Dependencies) -> None:
    kept = store(deps)
    kept.partnerships[PAIR]["phases"] = ["2017-2021", "2022-2026", "2027-2031"]
    kept.programme = {
        "phases": [
            {"phase_id": "2017-2021", "start": "2017-01-01", "status": "closed"},
            {"phase_id": "2022-2026", "start": "2022-01-01", "status": "closed"},
            {"phase_id": "2027-2031", "start": "2027-01-01", "status": "running"},
        ]
    }
    history = registry.RoadmapRow(
        row=2,
        milestone_id="history",
        title={"fr": "Forum de 2019"},
        due_date=dt.date(2019, 6, 30),
        responsible_municipality_id="berkane",
        phase="2017-2021",
        backfill=True,
    )
    await imports.import_requested(
        request(registry.RoadmapImportRequested, import_id="i-old", rows=[history]), deps
    )
    [refused] = rejections(deps)
    assert [(p.row, p.column, p.code) for p in refused.payload.problems] == [
        (2, "phase", "phase_closed")
    ]
    assert await deps.store.milestone(PAIR, "history") is None

    next_phase = history.model_copy(
        update={"milestone_id": "next", "due_date": dt.date(2027, 6, 30), "phase": None}
    )
    await imports.import_requested(
        request(registry.RoadmapImportRequested, import_id="i-next", rows=[next_phase]), deps
    )
    planned = await deps.store.milestone(PAIR, "next")
    assert planned is not None
    assert planned.phase == "2027-2031"  # the running phase, as a single request's


async def test_the_due_date_check_sends_each_notice_once(deps: Dependencies) -> None:
    await handlers.milestone_proposed(milestone("soon", dt.date(2026, 12, 10)), deps)
    await handlers.milestone_proposed(milestone("later", dt.date(2026, 12, 12)), deps)
    late_deps = Dependencies(deps.store, lambda: dt.date(2026, 12, 21), due_soon_days=14)
    assert await check_due_dates_now(deps) == 2  # both within 14 days
    assert await check_due_dates_now(deps) == 0
    assert await check_due_dates_now(late_deps) == 2  # both overdue by then
    kinds = sorted(
        type(e).__name__ for e in store(deps).events() if "due" in e.type or "overdue" in e.type
    )
    assert kinds == ["MilestoneDueSoon", "MilestoneDueSoon", "MilestoneOverdue", "MilestoneOverdue"]


async def test_late_work_recorded_after_the_fact_is_late_in_an_open_phase_not_in_a_closed_one(
    deps: Dependencies,
) -> None:
    from imc_roadmaps.service_layer.views import due_lists

    kept = store(deps)
    kept.programme = {
        "phases": [
            {"phase_id": "2017-2021", "status": "closed"},
            {"phase_id": "2022-2026", "status": "running"},
        ]
    }
    kept.partnerships[PAIR]["phases"] = ["2017-2021", "2022-2026"]
    await handlers.milestone_proposed(
        milestone("now-late", dt.date(2026, 10, 30), backfill=True), deps
    )
    await handlers.milestone_proposed(
        milestone("history", dt.date(2019, 6, 30), backfill=True, phase="2017-2021"), deps
    )
    overdue, due_soon = await due_lists(deps.store, TODAY, 14)
    assert [m["id"] for m in overdue] == ["now-late"]
    assert due_soon == []


async def test_a_closed_phases_unfinished_milestones_are_not_chased(deps: Dependencies) -> None:
    from imc_roadmaps.service_layer.views import due_lists

    await handlers.milestone_proposed(milestone("unfinished", dt.date(2026, 12, 20)), deps)
    store(deps).programme = {
        "phases": [{"phase_id": "2022-2026", "start": "2022-01-01", "status": "closed"}]
    }
    after_the_phase = dt.date(2027, 1, 5)
    assert await check_due_dates_now(Dependencies(deps.store, lambda: after_the_phase, 14)) == 0
    assert await due_lists(deps.store, after_the_phase, 14) == ([], [])


async def test_a_closed_partnerships_unfinished_milestones_are_not_chased(
    deps: Dependencies,
) -> None:
    from imc_roadmaps.service_layer.views import due_lists

    await handlers.milestone_proposed(milestone("unfinished", dt.date(2026, 12, 10)), deps)
    store(deps).partnerships[PAIR]["status"] = "closed"
    assert await check_due_dates_now(deps) == 0
    assert await due_lists(deps.store, TODAY, 14) == ([], [])
    store(deps).partnerships[PAIR]["status"] = "suspended"  # still takes reports
    assert await check_due_dates_now(deps) == 1


async def test_a_closed_phase_is_read_only_and_new_work_goes_to_the_running_one(
    deps: Dependencies,
) -> None:
    kept = store(deps)
    kept.partnerships[PAIR]["phases"] = ["2017-2021", "2022-2026", "2027-2031"]
    kept.programme = {
        "phases": [
            {"phase_id": "2017-2021", "start": "2017-01-01", "status": "closed"},
            {"phase_id": "2022-2026", "start": "2022-01-01", "status": "running"},
        ]
    }
    await handlers.milestone_proposed(milestone("space"), deps)
    kept.programme["phases"][1]["status"] = "closed"
    kept.programme["phases"].append(
        {"phase_id": "2027-2031", "start": "2027-01-01", "status": "running"}
    )
    await handlers.progress_reported(
        request(registry.ProgressReported, milestone_id="space", progress=50, reported_on=TODAY),
        deps,
    )
    [refused] = rejections(deps)
    assert refused.payload.code == "phase_closed"
    assert "Fase 2022-2026 is afgesloten" in refused.payload.reason  # the officer reads Dutch

    await handlers.milestone_proposed(milestone("next"), deps)
    planned = await deps.store.milestone(PAIR, "next")
    assert planned is not None
    assert planned.phase == "2027-2031"

    history = milestone("history", dt.date(2019, 6, 30), backfill=True, phase="2017-2021")
    await handlers.milestone_proposed(history, deps)
    assert [r.payload.code for r in rejections(deps)] == ["phase_closed", "phase_closed"]
    recorded_by_coordinator = history.model_copy(
        update={"actor": Actor(kind="coordinator", id="coordinator@example.org")},
    )
    await handlers.milestone_proposed(
        recorded_by_coordinator.model_copy(update={"event_id": uuid.uuid4()}), deps
    )
    assert await deps.store.milestone(PAIR, "history") is not None


async def test_the_funders_report_counts_an_objectives_milestones_as_its_progress_does(
    deps: Dependencies,
) -> None:
    objective = request(
        registry.ObjectiveProposed,
        objective_id="youth",
        phase="2022-2026",
        theme="youth",
        title={"fr": "Jeunesse"},
    )
    await handlers.objective_proposed(objective, deps)
    await handlers.milestone_proposed(milestone("space", objective_id="youth"), deps)
    await handlers.milestone_proposed(milestone("dropped", objective_id="youth"), deps)
    await handlers.progress_reported(
        request(registry.ProgressReported, milestone_id="space", progress=100, reported_on=TODAY),
        deps,
    )
    cancel = request(registry.MilestoneCancellationRequested, milestone_id="dropped", reason="x")
    await handlers.milestone_cancellation_requested(cancel, deps)
    figures = await report.partnership_report(deps.store, PAIR, "2022-2026", TODAY)
    assert figures is not None
    [line] = figures["objectives"]
    assert (line["reached"], line["milestones"]) == (1, 1)  # the cancelled one is not its work
    assert (figures["milestones_reached"], figures["milestones_counted"]) == (1, 1)


@pytest.mark.parametrize(
    ("language", "done", "unfinished"),
    [("fr", "100\u00a0%", "99,9\u00a0%"), ("en", "100%", "99.9%"), ("nl", "100%", "99,9%")],
)
def test_a_report_shows_100_percent_only_for_finished_work(
    language: Language, done: str, unfinished: str
) -> None:
    words = ReportWords(language)
    assert words.percent(100.0) == done
    assert words.percent(99.95) == unfinished
    assert words.percent(84.25) == unfinished.replace("99,9", "84,2").replace("99.9", "84.2")


@pytest.mark.parametrize("language", ["fr", "nl", "ar", "en"])
async def test_the_funders_report_reads_the_roadmap_the_web_shows(
    deps: Dependencies, language: Language
) -> None:
    await handlers.milestone_proposed(milestone(), deps)
    await handlers.milestone_proposed(milestone("forum", due=dt.date(2026, 12, 10)), deps)
    await handlers.progress_reported(
        request(registry.ProgressReported, milestone_id="space", progress=40, reported_on=TODAY),
        deps,
    )
    figures = await report.partnership_report(deps.store, PAIR, "2022-2026", TODAY)
    assert figures is not None
    view = await views.roadmap_view(deps.store, PAIR, "2022-2026", TODAY)
    assert view is not None
    assert figures["progress"] == view["progress"] > 0
    assert [m["status"] for m in figures["timeline"]] == ["planned", "in_progress"]

    html = ReportWriter().html(figures, language)
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
    assert html.count("Espace jeunes") == 2, "both milestones, in French where that is all"
    programme = ReportWriter().html(
        await report.programme_report(deps.store, "2022-2026", TODAY), language
    )
    assert "Berkane – Saint-Gilles" in programme


async def test_an_indicator_of_no_objective_shows_in_the_phases_its_periods_fall_in(
    deps: Dependencies,
) -> None:
    kept = store(deps)
    kept.partnerships[PAIR]["phases"] = ["2017-2021", "2022-2026"]
    kept.programme = {
        "phases": [
            {"phase_id": "2017-2021", "start": "2017-01-01", "end": "2021-12-31"},
            {"phase_id": "2022-2026", "start": "2022-01-01", "end": "2026-12-31"},
        ]
    }
    await handlers.milestone_proposed(milestone(), deps)
    period = ReportingPeriod(period_id="2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    indicator = request(
        registry.IndicatorProposed,
        indicator_id="forums",
        title={"fr": "Forums tenus"},
        measure="unit",
        periods=[period],
    )
    await handlers.indicator_proposed(indicator, deps)
    shown = {}
    for phase in ("2017-2021", "2022-2026"):
        view = await views.roadmap_view(deps.store, PAIR, phase, TODAY)
        assert view is not None
        shown[phase] = [i["indicator_id"] for i in view["indicators_without_objective"]]
    assert shown == {"2017-2021": [], "2022-2026": ["forums"]}


@pytest.mark.parametrize(
    ("language", "one"),
    [
        ("fr", "1 partenariat évalué"),
        ("nl", "1 partnerschap geëvalueerd"),
        ("en", "1 partnership evaluated"),
    ],
)
async def test_the_programme_report_counts_one_evaluated_partnership_in_the_singular(
    deps: Dependencies, language: Language, one: str
) -> None:
    await handlers.milestone_proposed(milestone(), deps)
    evaluation = request(registry.EvaluationSubmitted, phase="2022-2026", relevance=4)
    await evaluations.evaluation_submitted(evaluation, deps)
    figures = await report.programme_report(deps.store, "2022-2026", TODAY)
    html = ReportWriter().html(figures, language)
    assert one in html
