"""How progress rolls up: milestone → objective → roadmap → partnership → programme. No I/O.

A milestone counts with its weight (1 when none is set); cancelled milestones do not count.
An objective's and a roadmap's progress are the weighted means of their milestones', so an
objective weighs in its roadmap as much as its milestones together. The programme's
progress is the plain mean of its partnerships': every partnership counts the same,
whatever the size of its roadmap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from imc_roadmaps.domain.model import Milestone

NO_OBJECTIVE = ""
"""Key of the milestones not attached to any objective."""


@dataclass(frozen=True)
class RoadmapRollup:
    """Where one partnership's roadmap for one phase stands."""

    progress: float
    objectives: dict[str, float]
    objective_weights: dict[str, float]
    milestones: int
    reached: int

    def changed_from(self, previous: float | None) -> bool:
        return previous is None or round(previous, 2) != round(self.progress, 2)


@dataclass
class _Sum:
    weighted: float = 0.0
    weight: float = 0.0

    def add(self, progress: float, weight: float) -> None:
        self.weighted += progress * weight
        self.weight += weight

    @property
    def mean(self) -> float:
        return round(self.weighted / self.weight, 2) if self.weight else 0.0


def roll_up_roadmap(milestones: Iterable[Milestone]) -> RoadmapRollup:
    total = _Sum()
    objectives: dict[str, _Sum] = {}
    count = reached = 0
    for milestone in milestones:
        if milestone.status == "cancelled":
            continue
        weight = milestone.weight or 1.0
        count += 1
        reached += milestone.status == "reached"
        total.add(milestone.progress, weight)
        objectives.setdefault(milestone.objective_id or NO_OBJECTIVE, _Sum()).add(
            milestone.progress, weight
        )
    return RoadmapRollup(
        progress=total.mean,
        objectives={key: value.mean for key, value in objectives.items()},
        objective_weights={key: value.weight for key, value in objectives.items()},
        milestones=count,
        reached=reached,
    )


@dataclass(frozen=True)
class RoadmapFigures:
    """A stored roll-up, as the dashboard reads it."""

    partnership_id: str
    phase: str
    progress: float
    weight: float
    objectives: Mapping[str, float]
    objective_weights: Mapping[str, float]
    objective_themes: Mapping[str, str]


@dataclass
class ProgrammeFigures:
    partnerships: dict[str, float] = field(default_factory=dict)
    themes: dict[str, float] = field(default_factory=dict)
    progress: float = 0.0


def roll_up_programme(roadmaps: Iterable[RoadmapFigures]) -> ProgrammeFigures:
    """Progress per partnership, per theme and for the programme, from roadmap roll-ups."""
    partnerships: dict[str, _Sum] = {}
    themes: dict[str, _Sum] = {}
    for roadmap in roadmaps:
        partnerships.setdefault(roadmap.partnership_id, _Sum()).add(
            roadmap.progress, roadmap.weight
        )
        for objective_id, progress in roadmap.objectives.items():
            theme = roadmap.objective_themes.get(objective_id)
            if theme:
                themes.setdefault(theme, _Sum()).add(
                    progress, roadmap.objective_weights.get(objective_id, 1.0)
                )
    figures = ProgrammeFigures(
        partnerships={key: value.mean for key, value in sorted(partnerships.items())},
        themes={key: value.mean for key, value in sorted(themes.items())},
    )
    if figures.partnerships:
        figures.progress = round(sum(figures.partnerships.values()) / len(figures.partnerships), 2)
    return figures


def beneficiaries_reached(milestones: Iterable[Milestone]) -> dict[str, int]:
    """People reached by a roadmap's milestones, by ``group/sex``; a cancelled milestone's
    count no longer counts."""
    reached: dict[str, int] = {}
    for milestone in milestones:
        if milestone.status != "cancelled":
            for count in milestone.beneficiaries:
                key = f"{count.group}/{count.sex}"
                reached[key] = reached.get(key, 0) + count.count
    return reached
