"""Events of the registry: who takes part, and the requests frontends publish."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from imc_contracts.envelope import Contract, Event, Language, Localized

Country = Literal["MA", "BE"]
Theme = str
"""youth, women, disability, migrants, participation, or one a coordinator adds."""


class MunicipalityRegisteredPayload(Contract):
    municipality_id: str
    names: Localized
    country: Country
    region: str | None = None
    association: str | None = None
    languages: list[Language]
    note: str | None = None


class MunicipalityRegistered(Event):
    TYPE: ClassVar[str] = "registry.municipality.registered.v1"
    type: Literal["registry.municipality.registered.v1"]
    payload: MunicipalityRegisteredPayload


class PartnershipCreatedPayload(Contract):
    partnership_id: str
    moroccan_municipality_id: str
    belgian_municipality_id: str
    name: Localized = Field(
        description="The pair's name per language, e.g. 'Berkane – Saint-Gilles'."
    )
    phases: list[str]
    partners_since: int | None = None
    themes: list[Theme]
    status: Literal["active", "suspended", "closed"]
    description: Localized = Field(default_factory=dict)
    note: str | None = None


class PartnershipCreated(Event):
    TYPE: ClassVar[str] = "registry.partnership.created.v1"
    type: Literal["registry.partnership.created.v1"]
    payload: PartnershipCreatedPayload


class MemberAddedPayload(Contract):
    member_id: str
    name: str
    email: str = Field(max_length=320)
    municipality_id: str
    role: str
    language: Language


class MemberAdded(Event):
    TYPE: ClassVar[str] = "registry.member.added.v1"
    type: Literal["registry.member.added.v1"]
    payload: MemberAddedPayload


class MilestoneProposedPayload(Contract):
    """A frontend asks roadmaps to plan a milestone; roadmaps decides."""

    submission_id: str
    milestone_id: str
    title: Localized
    due_date: dt.date
    responsible_municipality_id: str
    target: str | None = None


class MilestoneProposed(Event):
    TYPE: ClassVar[str] = "registry.milestone.proposed.v1"
    type: Literal["registry.milestone.proposed.v1"]
    payload: MilestoneProposedPayload


class ProgressReportedPayload(Contract):
    """An officer reports how far a milestone has come; roadmaps decides what it means."""

    submission_id: str
    milestone_id: str
    progress: int = Field(ge=0, le=100)
    reported_on: dt.date
    note: str | None = None


class ProgressReported(Event):
    TYPE: ClassVar[str] = "registry.progress.reported.v1"
    type: Literal["registry.progress.reported.v1"]
    payload: ProgressReportedPayload
