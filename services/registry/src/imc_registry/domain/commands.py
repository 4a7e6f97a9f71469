"""What frontends may ask of the registry: strict input models, checked before anything else."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any, Literal, Self

from imc_contracts import Language
from imc_runtime.text import MULTI_LINE, first_unwanted
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)


def _unwanted(text: str, allowed: str) -> str:
    """``text``, unless it holds a character no person types into it (``imc_runtime.text``)."""
    position = first_unwanted(text, allowed=allowed)
    if position is not None:
        raise ValueError(
            f"U+{ord(text[position]):04X} at position {position + 1}: "
            "control characters are not allowed"
        )
    return text


def _one_line(text: str) -> str:
    return _unwanted(text, allowed="")


def _lines(text: str) -> str:
    return _unwanted(text, allowed=MULTI_LINE)


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_one_line),
]
"""A name or title: one line, no control characters."""
Id = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=5000), AfterValidator(_lines)
]
"""Free text (a note, a description): lines and tabs, no other control characters."""
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_lines),
]
LocalizedName = Annotated[dict[Language, Name], Field(min_length=1)]
LocalizedText = Annotated[dict[Language, Text], Field(max_length=4)]
Theme = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=1, max_length=60, pattern=r"^[^$.]"
    ),
    AfterValidator(_one_line),
]
PHASE_PATTERN = r"^(19|20)[0-9]{2}-(19|20)[0-9]{2}$"
PhaseId = Annotated[str, StringConstraints(pattern=PHASE_PATTERN)]
"""A phase by its years, '2022-2026'."""
IatiId = Annotated[str, StringConstraints(max_length=150, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")]
"""An IATI organisation or activity identifier, e.g. XM-DAC-2-10."""
IatiCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
Email = Annotated[EmailStr, StringConstraints(max_length=320)]
Status = Literal["active", "suspended", "closed"]

STANDARD_THEMES: frozenset[str] = frozenset(
    {"youth", "women", "disability", "migrants", "participation"}
)
"""The programme's shared objectives; a coordinator may add others."""


def _time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {value!r}") from error
    return value


TimeZone = Annotated[str, StringConstraints(max_length=60), AfterValidator(_time_zone)]


class Command(BaseModel):
    # Unknown fields are refused, not ignored: a typo must not pass silently. NaN and
    # infinities are no numbers a partner can mean.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        json_schema_extra={"examples": list(examples)},
    )


class Patch(Command):
    """An edit: absent fields stay as they are, and so do the languages a text in several
    languages (names, a description) is not given in; at least one field must be given."""

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


# -- who takes part ---------------------------------------------------------------------


class RegisterMunicipality(Command):
    # Examples name places and people outside the programme: the fuzz test posts them, and
    # must not take ids the programme's seed will ask for.
    model_config = _examples(
        {
            "id": "tafraout",
            "names": {"fr": "Tafraout", "ar": "تافراوت"},
            "country": "MA",
            "region": "Souss-Massa",
            "languages": ["ar", "fr"],
        }
    )
    id: Id | None = None
    names: LocalizedName
    country: Literal["MA", "BE"]
    region: Name | None = None
    association: Id | None = Field(
        default=None, description="The id of its association, e.g. brulocalis or uvcw."
    )
    languages: list[Language] = Field(min_length=1, max_length=4)
    note: Text | None = None


class UpdateMunicipality(Patch):
    model_config = _examples({"region": "Souss-Massa", "languages": ["ar", "fr", "en"]})
    names: LocalizedName | None = None
    region: Name | None = None
    association: Id | None = None
    languages: list[Language] | None = Field(default=None, min_length=1, max_length=4)
    note: Text | None = None


class CreatePartnership(Command):
    model_config = _examples(
        {
            "moroccan_municipality_id": "tafraout",
            "belgian_municipality_id": "ixelles",
            "phases": ["2017-2021", "2022-2026"],
            "partners_since": 2008,
            "themes": ["youth", "women"],
            "description": {"fr": "Action sociale communale"},
        }
    )
    id: Id | None = None
    moroccan_municipality_id: Id
    belgian_municipality_id: Id
    phases: list[PhaseId] = Field(default_factory=lambda: ["2022-2026"], max_length=10)
    partners_since: int | None = Field(default=None, ge=1950, le=2100, strict=True)
    themes: list[Theme] = Field(default_factory=list, max_length=20)
    description: LocalizedText = Field(default_factory=dict)
    note: Text | None = None


class UpdatePartnership(Patch):
    model_config = _examples(
        {"themes": ["youth", "women", "participation"], "description": {"nl": "Sociale actie"}}
    )
    phases: list[PhaseId] | None = Field(default=None, max_length=10)
    partners_since: int | None = Field(default=None, ge=1950, le=2100, strict=True)
    themes: list[Theme] | None = Field(default=None, max_length=20)
    description: LocalizedText | None = None
    note: Text | None = None


class ChangePartnershipStatus(Command):
    model_config = _examples({"status": "suspended", "reason": "Municipal elections"})
    status: Status
    reason: Reason


class AddMember(Command):
    model_config = _examples(
        {
            "name": "Nadia Amrani",
            "email": "nadia.amrani@example.org",
            "municipality_id": "tafraout",
            "role": "social action officer",
            "language": "ar",
        }
    )
    name: Name
    email: Email
    municipality_id: Id
    role: Name
    language: Language


class UpdateMember(Patch):
    model_config = _examples({"role": "IMC officer", "language": "fr"})
    name: Name | None = None
    email: Email | None = None
    municipality_id: Id | None = None
    role: Name | None = None
    language: Language | None = None


class AddCoordinator(Command):
    model_config = _examples(
        {
            "name": "Anne Lambotte",
            "email": "anne.lambotte@example.org",
            "organisation": "Brulocalis",
            "language": "fr",
        }
    )
    id: Id | None = None
    name: Name
    email: Email
    organisation: Name
    language: Language
    time_zone: TimeZone = "Europe/Brussels"


class UpdateCoordinator(Patch):
    model_config = _examples({"language": "nl"})
    name: Name | None = None
    email: Email | None = None
    organisation: Name | None = None
    language: Language | None = None
    time_zone: TimeZone | None = None


# -- the programme and the organisations behind it ------------------------------------


class RegisterOrganisation(Command):
    model_config = _examples(
        {
            "id": "vvsg",
            "names": {"nl": "Vereniging van Vlaamse Steden en Gemeenten", "fr": "VVSG"},
            "kind": "association",
            "country": "BE",
        }
    )
    id: Id | None = None
    names: LocalizedName
    kind: Literal["association", "funder"]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    iati_identifier: IatiId | None = None
    iati_type: IatiCode | None = None
    note: Text | None = None


class UpdateOrganisation(Patch):
    model_config = _examples({"note": "Formerly AVCB/VSGB."})
    names: LocalizedName | None = None
    iati_identifier: IatiId | None = None
    iati_type: IatiCode | None = None
    note: Text | None = None


def _ends_after_start(phase_id: str, start: dt.date, end: dt.date) -> None:
    if end <= start:
        raise ValueError(f"phase {phase_id}: end must come after start")


class PhaseInput(Command):
    id: PhaseId
    start: dt.date
    end: dt.date
    status: Literal["planned", "running", "closed"]
    evaluated: bool = False
    description: LocalizedText = Field(default_factory=dict)
    note: Text | None = None

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        _ends_after_start(self.id, self.start, self.end)
        if self.evaluated and self.status != "closed":
            raise ValueError(f"phase {self.id}: only a closed phase can have been evaluated")
        return self


def _distinct_phases(phases: list[PhaseInput]) -> list[PhaseInput]:
    ids = [phase.id for phase in phases]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} given more than once")
    return phases


Phases = Annotated[
    list[PhaseInput], Field(min_length=1, max_length=20), AfterValidator(_distinct_phases)
]


class DefineProgramme(Command):
    model_config = _examples(
        {
            "id": "imc-morocco-demo",
            "names": {"fr": "Programme de démonstration", "en": "Demo programme"},
            "funder_id": "dgd",
            "coordinating_organisation_ids": ["brulocalis"],
            "phases": [
                {"id": "2030-2034", "start": "2030-01-01", "end": "2034-12-31", "status": "planned"}
            ],
        }
    )
    id: Id
    names: LocalizedName
    funder_id: Id
    coordinating_organisation_ids: list[Id] = Field(min_length=1, max_length=10)
    phases: Phases
    iati_identifier: IatiId | None = None
    note: Text | None = None


class UpdateProgramme(Patch):
    model_config = _examples(
        {
            "phases": [
                {
                    "id": "2022-2026",
                    "start": "2022-01-01",
                    "end": "2026-12-31",
                    "status": "closed",
                    "evaluated": False,
                }
            ]
        }
    )
    names: LocalizedName | None = None
    funder_id: Id | None = None
    coordinating_organisation_ids: list[Id] | None = Field(
        default=None, min_length=1, max_length=10
    )
    phases: Phases | None = Field(
        default=None, description="Every phase, as it now is: this replaces the list."
    )
    iati_identifier: IatiId | None = None
    note: Text | None = None


class OpenPhase(Command):
    model_config = _examples(
        {
            "id": "2027-2031",
            "start": "2027-01-01",
            "end": "2031-12-31",
            "description": {"fr": "Phase 2027–2031", "nl": "Fase 2027–2031"},
        }
    )
    id: PhaseId
    start: dt.date
    end: dt.date
    status: Literal["planned", "running"] = "running"
    description: LocalizedText = Field(default_factory=dict)
    note: Text | None = None

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        _ends_after_start(self.id, self.start, self.end)
        return self


class ClosePhase(Command):
    model_config = _examples({"evaluated": True, "note": "Évaluation finale remise à la DGD"})
    evaluated: bool = Field(default=False, description="Its final evaluation is done.")
    note: Text | None = None


class CarryOver(Command):
    model_config = _examples({"from_phase": "2022-2026"})
    partnership_ids: list[Id] | None = Field(default=None, max_length=200)
    from_phase: PhaseId | None = Field(
        default=None, description="Carry over every partnership of this phase (with the ids)."
    )
