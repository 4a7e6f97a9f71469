"""What roadmaps answers, on its storage in memory: the dashboard, a milestone's history, the
phases side by side, the CSV and IATI exports — read back with the standard library's CSV
reader and checked against the IATI 2.03 schemas, in milliseconds. The same reads over HTTP
on the real stack in ``integration/test_exports.py``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from imc_contracts import registry
from imc_contracts.common import DisaggregatedValue, ReportingPeriod
from imc_roadmaps.service_layer import evaluations, exports, handlers, iati, views
from imc_roadmaps.service_layer.ports import Dependencies

from .steps import PAIR, TODAY, milestone, request, taking_part_in

IATI_SCHEMAS = Path(__file__).resolve().parents[3].parent / "shared" / "iati-2.03"
PHASE = "2022-2026"


async def youth_reached(deps: Dependencies, reached: int) -> None:
    """A milestone half done, another reached with ``reached`` young women, and a people-
    counting indicator targeting 100 of them."""
    await handlers.milestone_proposed(milestone(), deps)
    await handlers.milestone_proposed(milestone("forum", due=dt.date(2026, 12, 10)), deps)
    await handlers.progress_reported(
        request(registry.ProgressReported, milestone_id="space", progress=50, reported_on=TODAY),
        deps,
    )
    await handlers.progress_reported(
        request(
            registry.ProgressReported,
            milestone_id="forum",
            progress=100,
            reported_on=TODAY,
            beneficiaries=[{"group": "youth", "sex": "female", "count": reached}],
        ),
        deps,
    )
    await handlers.indicator_proposed(
        request(
            registry.IndicatorProposed,
            indicator_id="young-women",
            title={"fr": "Jeunes femmes touchées"},
            measure="unit",
            unit="persons",
            periods=[
                ReportingPeriod(
                    period_id="2026",
                    start=dt.date(2026, 1, 1),
                    end=dt.date(2026, 12, 31),
                    targets=[DisaggregatedValue(group="youth", sex="female", value=100)],
                )
            ],
        ),
        deps,
    )


async def test_the_dashboard_sums_progress_milestones_and_people_reached_against_targets(
    deps: Dependencies,
) -> None:
    await youth_reached(deps, reached=40)
    figures = await views.dashboard(deps.store, PHASE)
    assert figures["progress"] == 75
    assert (figures["milestones"], figures["milestones_reached"]) == (2, 1)
    assert figures["partnerships"] == {PAIR: 75}
    [youth] = figures["beneficiaries"]
    assert (youth["group"], youth["reached"], youth["target"]) == ("youth", 40, 100)


async def test_a_milestones_history_lists_each_change_oldest_first_and_none_for_an_unknown_one(
    deps: Dependencies,
) -> None:
    await youth_reached(deps, reached=40)
    history = await views.milestone_history(deps.store, PAIR, "forum")
    assert history is not None
    assert [entry["type"] for entry in history] == [
        "roadmaps.milestone.planned.v1",
        "roadmaps.milestone.progressed.v1",
        "roadmaps.milestone.reached.v1",
        "roadmaps.roadmap.progressed.v1",
    ]
    assert history[1]["who"]["id"] == "karim@example.net"
    assert await views.milestone_history(deps.store, PAIR, "nowhere") is None


async def test_two_phases_side_by_side_show_each_rating_and_how_it_changed(
    deps: Dependencies,
) -> None:
    await taking_part_in(deps, ["2017-2021", PHASE])
    for phase, relevance in (("2017-2021", 2), (PHASE, 4)):
        await evaluations.evaluation_submitted(
            request(registry.EvaluationSubmitted, phase=phase, relevance=relevance), deps
        )
    compared = await evaluations.compare_phases(deps.store, PAIR, ["2017-2021", PHASE])
    assert [c["ratings"]["relevance"] for c in compared["phases"]] == [2, 4]
    assert compared["rating_changes"]["relevance"] == 2
    assert compared["rating_changes"]["efficiency"] is None


async def test_the_csv_exports_read_back_one_row_per_milestone_and_per_target(
    deps: Dependencies,
) -> None:
    await youth_reached(deps, reached=40)
    await handlers.milestone_proposed(
        milestone("formula", title={"fr": '=HYPERLINK("http://example.com")'}), deps
    )
    rows = list(csv.DictReader(io.StringIO(await exports.milestones_csv(deps.store, TODAY, PAIR))))
    assert sorted(row["milestone_id"] for row in rows) == ["formula", "forum", "space"]
    [formula] = [row for row in rows if row["milestone_id"] == "formula"]
    assert formula["title_fr"].startswith("'="), "a spreadsheet must not run it"
    indicator_rows = list(csv.DictReader(io.StringIO(await exports.indicators_csv(deps.store))))
    assert {row["indicator_id"] for row in indicator_rows} == {"young-women"}
    assert [(r["group"], r["sex"], float(r["target"])) for r in indicator_rows] == [
        ("youth", "female", 100)
    ]


async def test_the_iati_file_is_valid_against_the_iati_203_schemas(deps: Dependencies) -> None:
    if not (IATI_SCHEMAS / "iati-activities-schema.xsd").exists():
        pytest.skip(f"the IATI 2.03 schemas are not at {IATI_SCHEMAS} (../shared is missing)")
    from lxml import etree

    await youth_reached(deps, reached=40)
    publisher = iati.Publisher(
        reporting_org_ref="XM-DAC-2-10",
        reporting_org_type="10",
        reporting_org_name="Belgian development cooperation",
        programme_identifier="XM-DAC-2-10-IMC",
        phase=PHASE,
    )
    document = etree.fromstring(await iati.iati_activities(deps.store, publisher))
    etree.XMLSchema(etree.parse(str(IATI_SCHEMAS / "iati-activities-schema.xsd"))).assertValid(
        document
    )
    children = document.findall("iati-activity[@hierarchy='2']")
    assert [a.findtext("iati-identifier") for a in children] == [f"XM-DAC-2-10-IMC-{PAIR}"]


@pytest.mark.parametrize(
    ("identifier", "phase", "published"),
    [
        ("XM-DAC-2-10-IMC-MA-2022-2026", "2022-2026", "XM-DAC-2-10-IMC-MA-2022-2026"),
        ("XM-DAC-2-10-IMC-MA-2022-2026", "2027-2031", "XM-DAC-2-10-IMC-MA-2027-2031"),
        ("XM-DAC-2-10-IMC-MA-2022-2026", "2017-2021", "XM-DAC-2-10-IMC-MA-2017-2021"),
        ("XM-DAC-2-10-IMC", "2027-2031", "XM-DAC-2-10-IMC"),  # names no phase: as given
    ],
)
def test_each_phase_is_published_under_its_own_activity_identifier(
    identifier: str, phase: str, published: str
) -> None:
    phases = ["2017-2021", "2022-2026", "2027-2031"]
    assert iati.for_phase(identifier, phase, phases) == published
