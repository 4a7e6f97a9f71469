"""What frontends may ask of a partnership's roadmap: strict input models of the requests the
registry stores as submissions and roadmaps decides."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

from imc_contracts import Language
from imc_contracts.common import DacRatings, Example, Group, Measure, Sex
from pydantic import Field, StringConstraints, model_validator

from imc_registry.domain.commands import (
    Command,
    Id,
    LocalizedName,
    LocalizedText,
    Name,
    Patch,
    PhaseId,
    Reason,
    Text,
    Theme,
    _examples,
)


def _women_are_women(group: str | None, sex: str | None) -> None:
    if group == "women" and sex == "male":
        raise ValueError("the women group counts women: its sex is female or left out")


class Beneficiaries(Command):
    group: Group
    sex: Sex = "unspecified"
    count: int = Field(ge=0, le=10_000_000, strict=True)

    @model_validator(mode="after")
    def _one_group_and_sex(self) -> Self:
        _women_are_women(self.group, self.sex)
        return self


class Value(Command):
    """A value for one group and/or sex; both absent means the total."""

    group: Group | None = None
    sex: Sex | None = None
    value: float | None = Field(default=None, ge=-1e12, le=1e12, strict=True)
    text: Text | None = None

    @model_validator(mode="after")
    def _one_group_and_sex(self) -> Self:
        _women_are_women(self.group, self.sex)
        return self


class Period(Command):
    period_id: Id
    start: dt.date
    end: dt.date
    targets: list[Value] = Field(default_factory=list, max_length=40)

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.end < self.start:
            raise ValueError("end: a period cannot end before it starts")
        return self


class ProposeObjective(Command):
    model_config = _examples(
        {
            "objective_id": "youth-centre",
            "theme": "youth",
            "title": {"fr": "Un espace jeunesse", "ar": "فضاء للشباب"},
        }
    )
    objective_id: Id | None = None
    phase: Name | None = Field(
        default=None,
        description="The phase it belongs to; the programme's running one if not given.",
    )
    theme: Theme
    title: LocalizedName
    description: LocalizedText = Field(default_factory=dict)
    example: Example = False


class ProposeMilestone(Command):
    model_config = _examples(
        {
            "milestone_id": "social-service",
            "title": {"fr": "Lancement du service social", "ar": "إطلاق المصلحة الاجتماعية"},
            "due_date": "2027-06-30",
            "responsible_municipality_id": "berkane",
        }
    )
    milestone_id: Id | None = None
    title: LocalizedName
    due_date: dt.date
    responsible_municipality_id: Id
    target: Text | None = None
    objective_id: Id | None = None
    phase: Name | None = None
    weight: float | None = Field(default=None, gt=0, le=1000, strict=True)
    backfill: bool = False
    example: Example = False


class ReviseMilestone(Patch):
    model_config = _examples({"target": "200 young people reached", "weight": 2})
    title: LocalizedName | None = None
    responsible_municipality_id: Id | None = None
    target: Text | None = None
    objective_id: Id | None = None
    weight: float | None = Field(default=None, gt=0, le=1000, strict=True)


class SubmitEvaluation(DacRatings, Command):
    """A roadmap's evaluation for a phase on the OECD-DAC criteria, with findings and lessons."""

    model_config = _examples(
        {
            "relevance": 4,
            "coherence": 3,
            "effectiveness": 3,
            "efficiency": 2,
            "impact": 3,
            "sustainability": 2,
            "findings": {"fr": "Le service social est en place ; le suivi reste à renforcer."},
            "lessons": {"fr": "Mesurer les bénéficiaires dès le départ."},
        }
    )
    findings: LocalizedText = Field(default_factory=dict)
    lessons: LocalizedText = Field(default_factory=dict)
    backfill: bool = False
    example: Example = False


class SheetRow(Command):
    """One row of an imported roadmap sheet, held to the same limits as a single request."""

    milestone_id: Id
    title: LocalizedName
    due_date: dt.date
    responsible_municipality_id: Id
    objective_id: Id | None = None
    phase: PhaseId | None = None
    weight: float | None = Field(default=None, gt=0, le=1000, strict=True)
    target: Text | None = None
    backfill: bool = False
    objective_theme: Theme | None = None
    objective_title: dict[Language, Name] = Field(default_factory=dict)


class RescheduleMilestone(Command):
    model_config = _examples({"due_date": "2027-12-31", "reason": "Works delayed"})
    due_date: dt.date
    reason: Reason | None = None


class CancelMilestone(Command):
    model_config = _examples({"reason": "Replaced by a joint milestone"})
    reason: Reason


class ReportProgress(Command):
    model_config = _examples(
        {
            "progress": 60,
            "reported_on": "2026-11-29",
            "beneficiaries": [{"group": "youth", "sex": "female", "count": 40}],
        }
    )
    progress: int = Field(ge=0, le=100, strict=True)
    reported_on: dt.date
    note: Text | None = None
    beneficiaries: list[Beneficiaries] = Field(default_factory=list, max_length=40)
    correction: bool = False


class ProposeIndicator(Command):
    model_config = _examples(
        {
            "indicator_id": "young-people-reached",
            "title": {"fr": "Jeunes touchés"},
            "measure": "unit",
            "periods": [
                {
                    "period_id": "2026",
                    "start": "2026-01-01",
                    "end": "2026-12-31",
                    "targets": [{"value": 200}],
                }
            ],
        }
    )
    indicator_id: Id | None = None
    objective_id: Id | None = None
    title: LocalizedName
    description: LocalizedText = Field(default_factory=dict)
    measure: Measure
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    baseline: Value | None = None
    baseline_year: int | None = Field(default=None, ge=1950, le=2100, strict=True)
    periods: list[Period] = Field(default_factory=list, max_length=50)
    example: Example = False


class ReportIndicatorValue(Command):
    model_config = _examples(
        {"period_id": "2026", "values": [{"value": 120}, {"group": "youth", "value": 80}]}
    )
    period_id: Id
    values: list[Value] = Field(min_length=1, max_length=40)
    note: Text | None = None
