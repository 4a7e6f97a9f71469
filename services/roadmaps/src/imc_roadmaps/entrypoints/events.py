"""The registry events roadmaps acts on."""

from __future__ import annotations

from imc_contracts.registry import MilestoneProposed, PartnershipCreated, ProgressReported
from imc_runtime.consumer import EventRouter

from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.service_layer import handlers
from imc_roadmaps.service_layer.handlers import Today


def event_router(store: RoadmapsStore, today: Today) -> EventRouter:
    router = EventRouter("roadmaps")

    @router.on(PartnershipCreated)
    async def on_partnership_created(event: PartnershipCreated) -> None:
        await handlers.partnership_created(event, store)

    @router.on(MilestoneProposed)
    async def on_milestone_proposed(event: MilestoneProposed) -> None:
        await handlers.milestone_proposed(event, store, today)

    @router.on(ProgressReported)
    async def on_progress_reported(event: ProgressReported) -> None:
        await handlers.progress_reported(event, store)

    return router
