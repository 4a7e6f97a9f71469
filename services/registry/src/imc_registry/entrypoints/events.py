"""What the registry does with other services' events: mark submissions applied or rejected."""

from __future__ import annotations

from imc_contracts.roadmaps import (
    MilestonePlanned,
    MilestoneProgressed,
    MilestoneReached,
    SubmissionRejected,
)
from imc_runtime.consumer import EventRouter

from imc_registry.adapters.store import RegistryStore
from imc_registry.service_layer import handlers


def event_router(store: RegistryStore) -> EventRouter:
    router = EventRouter("registry")

    async def decided(
        event: MilestonePlanned | MilestoneProgressed | MilestoneReached | SubmissionRejected,
    ) -> None:
        await handlers.record_decision(event, store)

    router.add(MilestonePlanned, decided)
    router.add(MilestoneProgressed, decided)
    router.add(MilestoneReached, decided)
    router.add(SubmissionRejected, decided)
    return router
