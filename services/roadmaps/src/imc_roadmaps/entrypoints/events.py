"""The registry events roadmaps acts on, each with its use case."""

from __future__ import annotations

from collections.abc import Mapping

from imc_contracts import Event, registry
from imc_runtime.service import UseCase

from imc_roadmaps.service_layer import evaluations, evidence, handlers, imports

HANDLERS: Mapping[type[Event], UseCase] = {
    # The registry's records roadmaps keeps a replica of.
    registry.MunicipalityRegistered: handlers.municipality_registered,
    registry.MunicipalityUpdated: handlers.municipality_registered,
    registry.OrganisationRegistered: handlers.organisation_registered,
    registry.OrganisationUpdated: handlers.organisation_registered,
    registry.ProgrammeDefined: handlers.programme_defined,
    registry.ProgrammeUpdated: handlers.programme_defined,
    registry.PartnershipCreated: handlers.partnership_created,
    registry.PartnershipUpdated: handlers.partnership_created,
    registry.PartnershipStatusChanged: handlers.partnership_status_changed,
    # Requests roadmaps decides: applied, or refused with a reason.
    registry.ObjectiveProposed: handlers.objective_proposed,
    registry.MilestoneProposed: handlers.milestone_proposed,
    registry.MilestoneRevised: handlers.milestone_revised,
    registry.MilestoneRescheduleRequested: handlers.milestone_reschedule_requested,
    registry.MilestoneCancellationRequested: handlers.milestone_cancellation_requested,
    registry.ProgressReported: handlers.progress_reported,
    registry.IndicatorProposed: handlers.indicator_proposed,
    registry.IndicatorValueReported: handlers.indicator_value_reported,
    registry.EvaluationSubmitted: evaluations.evaluation_submitted,
    registry.RoadmapImportRequested: imports.import_requested,
    registry.EvidenceAttachRequested: evidence.evidence_attach_requested,
}
