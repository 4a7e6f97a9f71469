"""Events of the registry: who takes part, and the requests frontends publish."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from imc_contracts.common import (
    BeneficiaryCount,
    DacRatings,
    DisaggregatedValue,
    Evidence,
    Example,
    Measure,
    ReportingPeriod,
)
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
    objective_id: str | None = None
    phase: str | None = None
    weight: float | None = Field(default=None, gt=0, le=1000)
    backfill: bool = Field(
        default=False, description="Recording past history: a due date in the past is allowed."
    )
    example: Example = False


class MilestoneProposed(Event):
    type: Literal["registry.milestone.proposed.v1"]
    payload: MilestoneProposedPayload


class ProgressReportedPayload(Contract):
    """An officer reports how far a milestone has come; roadmaps decides what it means."""

    submission_id: str
    milestone_id: str
    progress: int = Field(ge=0, le=100)
    reported_on: dt.date
    note: str | None = None
    beneficiaries: list[BeneficiaryCount] = Field(default_factory=list)
    correction: bool = Field(
        default=False,
        description="An explicit correction: progress may go down or change after reached.",
    )


class ProgressReported(Event):
    type: Literal["registry.progress.reported.v1"]
    payload: ProgressReportedPayload


# -- changes to who takes part ---------------------------------------------------------


class MunicipalityUpdated(Event):
    """The municipality as it now is (a full snapshot, same shape as when registered)."""

    type: Literal["registry.municipality.updated.v1"]
    payload: MunicipalityRegisteredPayload


class PartnershipUpdated(Event):
    """The partnership as it now is (a full snapshot, same shape as when created)."""

    type: Literal["registry.partnership.updated.v1"]
    payload: PartnershipCreatedPayload


class PartnershipStatusChangedPayload(Contract):
    partnership_id: str
    status: Literal["active", "suspended", "closed"]
    previous_status: Literal["active", "suspended", "closed"]
    reason: str = Field(max_length=2000)


class PartnershipStatusChanged(Event):
    type: Literal["registry.partnership.status_changed.v1"]
    payload: PartnershipStatusChangedPayload


class MemberUpdated(Event):
    """The member as they now are (a full snapshot, same shape as when added)."""

    type: Literal["registry.member.updated.v1"]
    payload: MemberAddedPayload


class MemberRemovedPayload(Contract):
    member_id: str
    municipality_id: str


class MemberRemoved(Event):
    type: Literal["registry.member.removed.v1"]
    payload: MemberRemovedPayload


# -- roadmap requests: roadmaps decides ------------------------------------------------


class ObjectiveProposedPayload(Contract):
    submission_id: str
    objective_id: str
    phase: str
    theme: str
    title: Localized
    description: Localized = Field(default_factory=dict)
    example: Example = False


class ObjectiveProposed(Event):
    """Plan (or, for a known objective id, edit) an objective of a partnership's roadmap."""

    type: Literal["registry.objective.proposed.v1"]
    payload: ObjectiveProposedPayload


class MilestoneRevisedPayload(Contract):
    """Edit a planned milestone; absent fields stay as they are."""

    submission_id: str
    milestone_id: str
    title: Localized | None = None
    responsible_municipality_id: str | None = None
    target: str | None = None
    objective_id: str | None = None
    weight: float | None = Field(default=None, gt=0, le=1000)


class MilestoneRevised(Event):
    type: Literal["registry.milestone.revised.v1"]
    payload: MilestoneRevisedPayload


class MilestoneRescheduleRequestedPayload(Contract):
    submission_id: str
    milestone_id: str
    due_date: dt.date
    reason: str | None = Field(default=None, max_length=2000)


class MilestoneRescheduleRequested(Event):
    type: Literal["registry.milestone.reschedule_requested.v1"]
    payload: MilestoneRescheduleRequestedPayload


class MilestoneCancellationRequestedPayload(Contract):
    submission_id: str
    milestone_id: str
    reason: str = Field(max_length=2000)


class MilestoneCancellationRequested(Event):
    type: Literal["registry.milestone.cancellation_requested.v1"]
    payload: MilestoneCancellationRequestedPayload


class IndicatorProposedPayload(Contract):
    """Define (or, for a known indicator id, redefine) an indicator with its periods."""

    submission_id: str
    indicator_id: str
    objective_id: str | None = None
    title: Localized
    description: Localized = Field(default_factory=dict)
    measure: Measure
    unit: str | None = Field(default=None, max_length=100)
    baseline: DisaggregatedValue | None = None
    baseline_year: int | None = None
    periods: list[ReportingPeriod] = Field(default_factory=list)
    example: Example = False


class IndicatorProposed(Event):
    type: Literal["registry.indicator.proposed.v1"]
    payload: IndicatorProposedPayload


class IndicatorValueReportedPayload(Contract):
    submission_id: str
    indicator_id: str
    period_id: str
    values: list[DisaggregatedValue] = Field(min_length=1)
    note: str | None = Field(default=None, max_length=5000)


class IndicatorValueReported(Event):
    type: Literal["registry.indicator_value.reported.v1"]
    payload: IndicatorValueReportedPayload


# -- programme coordinators (Brulocalis, UVCW, …): not staff of a municipality ---------


class CoordinatorAddedPayload(Contract):
    coordinator_id: str
    name: str
    email: str = Field(max_length=320)
    organisation: str = Field(description="e.g. Brulocalis, UVCW")
    language: Language
    time_zone: str = "Europe/Brussels"


class CoordinatorAdded(Event):
    """A programme coordinator; also sent, as a full snapshot, when one is edited."""

    type: Literal["registry.coordinator.added.v1"]
    payload: CoordinatorAddedPayload


class CoordinatorRemovedPayload(Contract):
    coordinator_id: str


class CoordinatorRemoved(Event):
    type: Literal["registry.coordinator.removed.v1"]
    payload: CoordinatorRemovedPayload


# -- the programme, its phases, and the organisations behind it ------------------------


class OrganisationRegisteredPayload(Contract):
    """An organisation of the programme that is not a municipality: a coordinating
    association of municipalities (Brulocalis, UVCW) or the funder (DGD)."""

    organisation_id: str
    names: Localized
    kind: Literal["association", "funder"]
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. BE")
    iati_identifier: str | None = Field(
        default=None, description="Its IATI organisation identifier, e.g. XM-DAC-2-10 (DGD)."
    )
    iati_type: str | None = Field(
        default=None, description="IATI OrganisationType code, e.g. 10 government."
    )
    note: str | None = None


class OrganisationRegistered(Event):
    type: Literal["registry.organisation.registered.v1"]
    payload: OrganisationRegisteredPayload


class OrganisationUpdated(Event):
    """The organisation as it now is (a full snapshot, same shape as when registered)."""

    type: Literal["registry.organisation.updated.v1"]
    payload: OrganisationRegisteredPayload


class Phase(Contract):
    """A phase of the programme, e.g. 2022-2026: running; 2017-2021: closed and evaluated."""

    phase_id: str = Field(description="'2022-2026'")
    start: dt.date
    end: dt.date
    status: Literal["planned", "running", "closed"]
    evaluated: bool = False
    description: Localized = Field(default_factory=dict)
    note: str | None = None


class ProgrammeDefinedPayload(Contract):
    programme_id: str
    names: Localized
    funder_id: str = Field(description="The funding organisation's id.")
    coordinating_organisation_ids: list[str] = Field(
        description="The associations that coordinate the programme on the Belgian side."
    )
    phases: list[Phase]
    iati_identifier: str | None = Field(
        default=None, description="The programme's IATI activity identifier, when published."
    )
    note: str | None = None


class ProgrammeDefined(Event):
    type: Literal["registry.programme.defined.v1"]
    payload: ProgrammeDefinedPayload


class ProgrammeUpdated(Event):
    """The programme as it now is (a full snapshot): a phase closed, evaluated, added…"""

    type: Literal["registry.programme.updated.v1"]
    payload: ProgrammeDefinedPayload


# -- evaluations and sheet imports: roadmaps decides -----------------------------------


class EvaluationSubmittedPayload(DacRatings):
    """A coordinator's evaluation of a partnership's roadmap for a phase (OECD-DAC criteria)."""

    submission_id: str
    phase: str
    findings: Localized = Field(default_factory=dict)
    lessons: Localized = Field(default_factory=dict)
    backfill: bool = Field(
        default=False, description="Recording an earlier phase's evaluation after the fact."
    )
    example: Example = False


class EvaluationSubmitted(Event):
    type: Literal["registry.evaluation.submitted.v1"]
    payload: EvaluationSubmittedPayload


class RoadmapRow(Contract):
    """One milestone row of an imported sheet, read and checked for form by the registry."""

    row: int = Field(description="Its row in the sheet, 1 being the header.")
    milestone_id: str
    title: Localized
    due_date: dt.date
    responsible_municipality_id: str
    objective_id: str | None = None
    phase: str | None = None
    weight: float | None = Field(default=None, gt=0, le=1000)
    target: str | None = None
    backfill: bool = False
    objective_theme: str | None = None
    objective_title: Localized = Field(default_factory=dict)


class RoadmapImportRequestedPayload(Contract):
    """A roadmap sheet to apply all or nothing: roadmaps plans every row, or none."""

    submission_id: str
    import_id: str = Field(description="The same sheet sent again has the same id.")
    rows: list[RoadmapRow] = Field(min_length=1, max_length=300)


class RoadmapImportRequested(Event):
    type: Literal["registry.roadmap.import_requested.v1"]
    payload: RoadmapImportRequestedPayload


class EvidenceAttachRequestedPayload(Contract):
    """An officer attached a file to a report; roadmaps decides whether it may be."""

    submission_id: str
    evidence: Evidence


class EvidenceAttachRequested(Event):
    type: Literal["registry.evidence.attach_requested.v1"]
    payload: EvidenceAttachRequestedPayload
