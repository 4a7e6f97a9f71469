"""Roadmaps' rules for objectives, indicators and their values, without I/O."""

from __future__ import annotations

import datetime as dt

import pytest
from imc_contracts import Actor
from imc_contracts.common import DisaggregatedValue, ReportingPeriod
from imc_contracts.registry import ObjectiveProposed, ObjectiveProposedPayload
from imc_contracts.roadmaps import IndicatorDefinedPayload
from imc_roadmaps.domain.model import PartnershipMembers, Refused
from imc_roadmaps.domain.objectives import Indicator, Objective, define_indicator, plan_objective

PARTNERSHIP = PartnershipMembers(
    "tanger--saint-josse-ten-noode",
    frozenset({"tanger", "saint-josse-ten-noode"}),
    ("2017-2021", "2022-2026"),
)


def cause() -> ObjectiveProposed:
    return ObjectiveProposed.create(
        ObjectiveProposedPayload(
            submission_id="s", objective_id="o", phase="2022-2026", theme="disability", title={}
        ),
        partnership_id=PARTNERSHIP.id,
        actor=Actor(kind="coordinator", id="coordinator@example.org"),
    )


def objective(**changes: object) -> Objective:
    arguments: dict[str, object] = {
        "partnership": PARTNERSHIP,
        "partnership_id": PARTNERSHIP.id,
        "existing": None,
        "objective_id": "accessibility",
        "phase": "2022-2026",
        "theme": "disability",
        "title": {"fr": "Accessibilité des services municipaux"},
        "description": {},
        "cause": cause(),
        "submission_id": "s",
    }
    arguments.update(changes)
    found = Objective.from_history([plan_objective(**arguments)])  # type: ignore[arg-type]
    assert found is not None
    return found


def test_an_objective_is_planned_in_one_of_the_partnerships_phases() -> None:
    assert objective().theme == "disability"
    with pytest.raises(Refused) as refused:
        objective(phase="2030-2034")
    assert refused.value.code == "phase_unknown"


def test_planning_a_known_objective_again_edits_it_within_its_phase() -> None:
    first = objective()
    event = plan_objective(
        partnership=PARTNERSHIP,
        partnership_id=PARTNERSHIP.id,
        existing=first,
        objective_id=first.id,
        phase="2022-2026",
        theme="participation",
        title={"fr": "Accessibilité"},
        description={},
        cause=cause(),
        submission_id="s2",
    )
    assert event.payload.revision
    with pytest.raises(Refused) as refused:
        objective(existing=first, phase="2017-2021")
    assert refused.value.code == "objective_phase_fixed"


def period(period_id: str, start: str, end: str, *targets: DisaggregatedValue) -> ReportingPeriod:
    return ReportingPeriod(
        period_id=period_id,
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end),
        targets=list(targets),
    )


def indicator_payload(**changes: object) -> IndicatorDefinedPayload:
    arguments: dict[str, object] = {
        "indicator_id": "people-reached",
        "objective_id": "accessibility",
        "title": {"fr": "Personnes accompagnées"},
        "measure": "unit",
        "unit": "people",
        "baseline": DisaggregatedValue(value=0),
        "baseline_year": 2022,
        "periods": [
            period("2023", "2023-01-01", "2023-12-31", DisaggregatedValue(group="youth", value=50)),
            period("2024", "2024-01-01", "2024-12-31"),
        ],
    }
    arguments.update(changes)
    return IndicatorDefinedPayload(**arguments)


def define(existing: Indicator | None = None, **changes: object) -> Indicator:
    event = define_indicator(
        partnership=PARTNERSHIP,
        partnership_id=PARTNERSHIP.id,
        existing=existing,
        objective_ids=frozenset({"accessibility"}),
        payload=indicator_payload(**changes),
        cause=cause(),
    )
    found = Indicator.from_history([event])
    assert found is not None
    return found


def test_an_indicator_of_an_unknown_objective_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        define(objective_id="nowhere")
    assert refused.value.code == "objective_unknown"


def test_an_indicators_periods_must_be_distinct_and_run_forwards() -> None:
    with pytest.raises(Refused) as refused:
        define(periods=[period("2023", "2023-01-01", "2023-12-31")] * 2)
    assert refused.value.code == "period_repeated"
    with pytest.raises(Refused) as refused:
        define(periods=[period("2023", "2023-12-31", "2023-01-01")])
    assert refused.value.code == "period_backwards"


def test_a_value_for_a_period_that_does_not_exist_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        define().record_values(
            "2031", [DisaggregatedValue(value=3)], None, cause=cause(), submission_id="s"
        )
    assert refused.value.code == "period_unknown"
    assert refused.value.details["period_id"] == "2031"


def test_values_are_kept_per_group_and_sex_and_a_later_report_replaces_its_own_dimension() -> None:
    indicator = define()
    first = indicator.record_values(
        "2023",
        [
            DisaggregatedValue(group="youth", sex="female", value=12),
            DisaggregatedValue(group="youth", sex="male", value=9),
        ],
        None,
        cause=cause(),
        submission_id="s1",
    )
    second = indicator.record_values(
        "2023",
        [DisaggregatedValue(group="youth", sex="male", value=11)],
        "late registrations",
        cause=cause(),
        submission_id="s2",
    )
    history = [
        define_indicator(
            partnership=PARTNERSHIP,
            partnership_id=PARTNERSHIP.id,
            existing=None,
            objective_ids=frozenset({"accessibility"}),
            payload=indicator_payload(),
            cause=cause(),
        ),
        first,
        second,
    ]
    folded = Indicator.from_history(history)
    assert folded is not None
    assert {(v.sex, v.value) for v in folded.actuals["2023"]} == {("female", 12), ("male", 11)}


def test_a_dimension_given_twice_in_one_report_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        define().record_values(
            "2023",
            [
                DisaggregatedValue(group="women", value=1),
                DisaggregatedValue(group="women", value=2),
            ],
            None,
            cause=cause(),
            submission_id="s",
        )
    assert refused.value.code == "dimension_repeated"


def test_values_must_fit_the_measure() -> None:
    with pytest.raises(Refused) as refused:
        define(measure="percentage", unit=None).record_values(
            "2023", [DisaggregatedValue(value=140)], None, cause=cause(), submission_id="s"
        )
    assert refused.value.code == "percentage_out_of_range"
    with pytest.raises(Refused) as refused:
        define(measure="qualitative", unit=None, baseline=None).record_values(
            "2023", [DisaggregatedValue(value=3)], None, cause=cause(), submission_id="s"
        )
    assert refused.value.code == "qualitative_needs_text"


def test_a_period_with_values_cannot_be_dropped_by_a_redefinition() -> None:
    indicator = define()
    indicator.actuals["2023"] = [DisaggregatedValue(value=5)]
    with pytest.raises(Refused) as refused:
        define(existing=indicator, periods=[period("2024", "2024-01-01", "2024-12-31")])
    assert refused.value.code == "period_has_values"
