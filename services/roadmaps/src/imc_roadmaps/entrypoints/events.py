"""The registry events roadmaps acts on, each with its use case."""

from __future__ import annotations

from collections.abc import Mapping

from imc_contracts import Event, registry
from imc_runtime.service import UseCase

from imc_roadmaps.service_layer import evaluations, evidence, handlers, imports, replica

HANDLERS: Mapping[type[Event], UseCase] = {
    # The registry's records roadmaps keeps a replica of.
    registry.MunicipalityRegistered: replica.municipality_registered,
    registry.MunicipalityUpdated: replica.municipality_registered,
    registry.OrganisationRegistered: replica.organisation_registered,
    registry.OrganisationUpdated: replica.organisation_registered,
    registry.ProgrammeDefined: replica.programme_defined,
    registry.ProgrammeUpdated: replica.programme_defined,
    registry.PartnershipCreated: replica.partnership_created,
    registry.PartnershipUpdated: replica.partnership_created,
    registry.PartnershipStatusChanged: replica.partnership_status_changed,
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
