"""Value types several events share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from imc_contracts.envelope import Contract

Group = Literal["youth", "women", "disability", "migrants"]
"""Beneficiary groups of the programme's shared objectives."""

Sex = Literal["female", "male", "unspecified"]

Measure = Literal["unit", "percentage", "qualitative"]
"""IATI indicator measures: 1 unit, 2 percentage, 5 qualitative."""

Example = Annotated[
    bool,
    Field(
        description="Example data, loaded to show what the product does; not the programme's own."
    ),
]
"""The flag on whatever the demo loads, so that reports and exports can tell it from the
programme's own."""

Rating = Literal[1, 2, 3, 4]
"""An OECD-DAC criterion's rating: 1 unsatisfactory, 2 partly satisfactory, 3 satisfactory,
4 highly satisfactory."""


class DacRatings(Contract):
    """A roadmap's rating on each of the six OECD-DAC evaluation criteria (or none)."""

    relevance: Rating | None = None
    coherence: Rating | None = None
    effectiveness: Rating | None = None
    efficiency: Rating | None = None
    impact: Rating | None = None
    sustainability: Rating | None = None


DAC_CRITERIA: tuple[str, ...] = tuple(DacRatings.model_fields)
"""The criteria, in the OECD-DAC's order."""


class BeneficiaryCount(Contract):
    """How many people of one group and sex a piece of work reached."""

    group: Group
    sex: Sex = "unspecified"
    count: int = Field(ge=0, le=10_000_000)


class DisaggregatedValue(Contract):
    """A value for one group and/or sex (IATI ``dimension``); both absent = the total."""

    group: Group | None = None
    sex: Sex | None = None
    value: float | None = None
    text: str | None = Field(default=None, max_length=5000, description="For qualitative measures.")


class ReportingPeriod(Contract):
    period_id: str = Field(max_length=100)
    start: dt.date
    end: dt.date
    targets: list[DisaggregatedValue] = Field(default_factory=list)


EvidenceSubject = Literal["progress", "indicator_value", "evaluation"]
"""What a file is evidence of: a progress report, an indicator value or an evaluation."""


class Evidence(Contract):
    """A file attached as evidence. The file itself stays in the registry's storage (it never
    travels through Kafka): events carry what identifies it and lets anyone check it."""

    evidence_id: str
    name: str = Field(min_length=1, max_length=200, description="The file's name, as uploaded.")
    media_type: str = Field(description="Its type, found from its content, e.g. application/pdf.")
    size: int = Field(ge=1, description="In bytes.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    thumbnail: bool = Field(default=False, description="An image: a small preview is stored.")
    subject: EvidenceSubject
    report_submission_id: str = Field(
        description="The submission of the progress report, indicator value or evaluation."
    )
    milestone_id: str | None = None
    indicator_id: str | None = None
    period_id: str | None = None
    phase: str | None = Field(default=None, description="An evaluation's phase.")
