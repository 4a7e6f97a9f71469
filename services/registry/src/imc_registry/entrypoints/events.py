"""What the registry does with other services' events: mark submissions applied or rejected."""

from __future__ import annotations

from imc_runtime.consumer import EventRouter

from imc_registry.adapters.store import RegistryStore
from imc_registry.service_layer import handlers


def event_router(store: RegistryStore) -> EventRouter:
    router = EventRouter("registry")

    async def decided(event: handlers.Decision) -> None:
        await handlers.record_decision(event, store)

    # Every roadmaps event that carries a submission id answers one of our submissions.
    for decision in handlers.DECISIONS:
        router.add(decision, decided)
    return router
