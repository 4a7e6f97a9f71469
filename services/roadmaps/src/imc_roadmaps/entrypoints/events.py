"""The registry events roadmaps acts on."""

from __future__ import annotations

from imc_contracts import registry
from imc_runtime.consumer import EventRouter

from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.service_layer import evaluations, handlers, imports
from imc_roadmaps.service_layer.handlers import Today


def event_router(store: RoadmapsStore, today: Today, group: str = "roadmaps") -> EventRouter:
    router = EventRouter(group)

    @router.on(registry.MunicipalityRegistered)
    async def on_municipality_registered(event: registry.MunicipalityRegistered) -> None:
        await handlers.municipality_registered(event, store)

    @router.on(registry.MunicipalityUpdated)
    async def on_municipality_updated(event: registry.MunicipalityUpdated) -> None:
        await handlers.municipality_registered(event, store)

    @router.on(registry.OrganisationRegistered)
    async def on_organisation_registered(event: registry.OrganisationRegistered) -> None:
        await handlers.organisation_registered(event, store)

    @router.on(registry.OrganisationUpdated)
    async def on_organisation_updated(event: registry.OrganisationUpdated) -> None:
        await handlers.organisation_registered(event, store)

    @router.on(registry.ProgrammeDefined)
    async def on_programme_defined(event: registry.ProgrammeDefined) -> None:
        await handlers.programme_defined(event, store)

    @router.on(registry.ProgrammeUpdated)
    async def on_programme_updated(event: registry.ProgrammeUpdated) -> None:
        await handlers.programme_defined(event, store)

    @router.on(registry.PartnershipCreated)
    async def on_partnership_created(event: registry.PartnershipCreated) -> None:
        await handlers.partnership_created(event, store)

    @router.on(registry.PartnershipUpdated)
    async def on_partnership_updated(event: registry.PartnershipUpdated) -> None:
        await handlers.partnership_created(event, store)

    @router.on(registry.PartnershipStatusChanged)
    async def on_partnership_status_changed(event: registry.PartnershipStatusChanged) -> None:
        await handlers.partnership_status_changed(event, store)

    @router.on(registry.ObjectiveProposed)
    async def on_objective_proposed(event: registry.ObjectiveProposed) -> None:
        await handlers.objective_proposed(event, store)

    @router.on(registry.MilestoneProposed)
    async def on_milestone_proposed(event: registry.MilestoneProposed) -> None:
        await handlers.milestone_proposed(event, store, today)

    @router.on(registry.MilestoneRevised)
    async def on_milestone_revised(event: registry.MilestoneRevised) -> None:
        await handlers.milestone_revised(event, store)

    @router.on(registry.MilestoneRescheduleRequested)
    async def on_reschedule_requested(event: registry.MilestoneRescheduleRequested) -> None:
        await handlers.milestone_reschedule_requested(event, store, today)

    @router.on(registry.MilestoneCancellationRequested)
    async def on_cancellation_requested(event: registry.MilestoneCancellationRequested) -> None:
        await handlers.milestone_cancellation_requested(event, store)

    @router.on(registry.ProgressReported)
    async def on_progress_reported(event: registry.ProgressReported) -> None:
        await handlers.progress_reported(event, store)

    @router.on(registry.IndicatorProposed)
    async def on_indicator_proposed(event: registry.IndicatorProposed) -> None:
        await handlers.indicator_proposed(event, store)

    @router.on(registry.IndicatorValueReported)
    async def on_indicator_value_reported(event: registry.IndicatorValueReported) -> None:
        await handlers.indicator_value_reported(event, store)

    @router.on(registry.EvaluationSubmitted)
    async def on_evaluation_submitted(event: registry.EvaluationSubmitted) -> None:
        await evaluations.evaluation_submitted(event, store)

    @router.on(registry.RoadmapImportRequested)
    async def on_import_requested(event: registry.RoadmapImportRequested) -> None:
        await imports.import_requested(event, store, today())

    return router
