"""The events notifications acts on: the registry's people, roadmaps' decisions."""

from __future__ import annotations

from imc_contracts.registry import MemberAdded, MunicipalityRegistered, PartnershipCreated
from imc_contracts.roadmaps import MilestoneReached
from imc_runtime.consumer import EventRouter

from imc_notifications.service_layer import handlers
from imc_notifications.service_layer.handlers import Dependencies


def event_router(deps: Dependencies) -> EventRouter:
    router = EventRouter("notifications")

    @router.on(MunicipalityRegistered)
    async def on_municipality(event: MunicipalityRegistered) -> None:
        await handlers.municipality_registered(event, deps)

    @router.on(PartnershipCreated)
    async def on_partnership(event: PartnershipCreated) -> None:
        await handlers.partnership_created(event, deps)

    @router.on(MemberAdded)
    async def on_member(event: MemberAdded) -> None:
        await handlers.member_added(event, deps)

    @router.on(MilestoneReached)
    async def on_milestone_reached(event: MilestoneReached) -> None:
        await handlers.milestone_reached(event, deps)

    return router
