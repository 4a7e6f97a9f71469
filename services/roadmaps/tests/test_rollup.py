"""How progress rolls up from milestones to the programme."""

from __future__ import annotations

import datetime as dt

from imc_contracts.common import BeneficiaryCount
from imc_roadmaps.domain.model import Milestone, Status
from imc_roadmaps.domain.rollup import (
    NO_OBJECTIVE,
    RoadmapFigures,
    beneficiaries_reached,
    roll_up_programme,
    roll_up_roadmap,
)


def milestone(
    progress: int,
    *,
    objective: str | None = "o1",
    weight: float | None = None,
    status: Status = "in_progress",
) -> Milestone:
    return Milestone(
        id=f"m{progress}{objective}{weight}",
        partnership_id="p",
        title={},
        due_date=dt.date(2027, 1, 1),
        responsible_municipality_id="berkane",
        objective_id=objective,
        weight=weight,
        status=status,
        progress=progress,
    )


def test_without_weights_a_roadmap_is_the_mean_of_its_milestones() -> None:
    rollup = roll_up_roadmap([milestone(100, status="reached"), milestone(50), milestone(0)])
    assert rollup.progress == 50.0
    assert rollup.reached == 1


def test_weights_count_when_they_are_set() -> None:
    rollup = roll_up_roadmap([milestone(100, weight=3), milestone(0, weight=1)])
    assert rollup.progress == 75.0


def test_objectives_roll_up_their_own_milestones_and_unattached_ones_are_kept_apart() -> None:
    rollup = roll_up_roadmap(
        [milestone(80), milestone(40, objective="o2"), milestone(20, objective=None)]
    )
    assert rollup.objectives == {"o1": 80.0, "o2": 40.0, NO_OBJECTIVE: 20.0}


def test_cancelled_milestones_do_not_count() -> None:
    rollup = roll_up_roadmap([milestone(100), milestone(0, status="cancelled")])
    assert (rollup.progress, rollup.milestones) == (100.0, 1)


def test_an_empty_roadmap_has_not_started() -> None:
    assert roll_up_roadmap([]).progress == 0.0


def test_a_change_is_only_a_change_beyond_rounding() -> None:
    rollup = roll_up_roadmap([milestone(50)])
    assert not rollup.changed_from(50.0)
    assert rollup.changed_from(40.0)


def figures(
    partnership: str, progress: float, themes: dict[str, tuple[float, float]]
) -> RoadmapFigures:
    return RoadmapFigures(
        partnership_id=partnership,
        phase="2022-2026",
        progress=progress,
        weight=1.0,
        objectives={theme: value for theme, (value, _) in themes.items()},
        objective_weights={theme: weight for theme, (_, weight) in themes.items()},
        objective_themes={theme: theme for theme in themes},
    )


def test_the_programme_is_the_mean_of_its_partnerships_and_themes_weigh_by_milestones() -> None:
    programme = roll_up_programme(
        [
            figures("berkane--saint-gilles", 80.0, {"youth": (80.0, 3.0)}),
            figures(
                "tanger--saint-josse-ten-noode", 20.0, {"youth": (0.0, 1.0), "women": (40.0, 1.0)}
            ),
        ]
    )
    assert programme.progress == 50.0
    assert programme.partnerships == {
        "berkane--saint-gilles": 80.0,
        "tanger--saint-josse-ten-noode": 20.0,
    }
    assert programme.themes == {"women": 40.0, "youth": 60.0}


def test_beneficiaries_are_totalled_by_group_and_sex_without_cancelled_milestones() -> None:
    kept, other, gone = milestone(60), milestone(100), milestone(0, status="cancelled")
    kept.beneficiaries = [BeneficiaryCount(group="youth", sex="female", count=40)]
    other.beneficiaries = [BeneficiaryCount(group="youth", sex="female", count=2)]
    gone.beneficiaries = [BeneficiaryCount(group="women", sex="female", count=9)]
    assert beneficiaries_reached([kept, other, gone]) == {"youth/female": 42}
