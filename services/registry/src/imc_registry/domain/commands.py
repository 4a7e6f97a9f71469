"""What frontends may ask of the registry: strict input models, checked before anything else."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from imc_contracts import Language
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Id = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
LocalizedName = Annotated[dict[Language, Name], Field(min_length=1)]


class Command(BaseModel):
    # Unknown fields are refused, not ignored: a typo must not pass silently.
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegisterMunicipality(Command):
    id: Id | None = None
    names: LocalizedName
    country: Literal["MA", "BE"]
    region: Name | None = None
    association: Name | None = None
    languages: list[Language] = Field(min_length=1, max_length=4)
    note: Text | None = None


class CreatePartnership(Command):
    id: Id | None = None
    moroccan_municipality_id: Id
    belgian_municipality_id: Id
    phases: list[Name] = Field(default_factory=lambda: ["2022-2026"], max_length=10)
    partners_since: int | None = Field(default=None, ge=1950, le=2100)
    themes: list[Name] = Field(default_factory=list, max_length=20)
    description: dict[Language, Text] = Field(default_factory=dict)
    note: Text | None = None


class AddMember(Command):
    name: Name
    email: EmailStr
    municipality_id: Id
    role: Name
    language: Language


class ProposeMilestone(Command):
    milestone_id: Id | None = None
    title: LocalizedName
    due_date: dt.date
    responsible_municipality_id: Id
    target: Text | None = None


class ReportProgress(Command):
    progress: int = Field(ge=0, le=100)
    reported_on: dt.date
    note: Text | None = None
