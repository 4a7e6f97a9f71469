"""The events notifications acts on: the registry's people, roadmaps' decisions."""

from __future__ import annotations

from imc_contracts.registry import (
    CoordinatorAdded,
    CoordinatorRemoved,
    MemberAdded,
    MemberRemoved,
    MemberUpdated,
    MunicipalityRegistered,
    MunicipalityUpdated,
    PartnershipCreated,
    PartnershipStatusChanged,
    PartnershipUpdated,
)
from imc_contracts.roadmaps import (
    MilestoneDueSoon,
    MilestoneOverdue,
    MilestoneReached,
    SubmissionRejected,
)
from imc_runtime.consumer import EventRouter

from imc_notifications.service_layer import handlers
from imc_notifications.service_layer.handlers import Dependencies


def event_router(deps: Dependencies) -> EventRouter:
    router = EventRouter("notifications")

    @router.on(MunicipalityRegistered)
    async def on_municipality(event: MunicipalityRegistered) -> None:
        await handlers.municipality_registered(event, deps)

    @router.on(MunicipalityUpdated)
    async def on_municipality_updated(event: MunicipalityUpdated) -> None:
        await handlers.municipality_registered(event, deps)

    @router.on(PartnershipCreated)
    async def on_partnership(event: PartnershipCreated) -> None:
        await handlers.partnership_created(event, deps)

    @router.on(PartnershipUpdated)
    async def on_partnership_updated(event: PartnershipUpdated) -> None:
        await handlers.partnership_created(event, deps)

    @router.on(MemberAdded)
    async def on_member(event: MemberAdded) -> None:
        await handlers.member_added(event, deps)

    @router.on(MemberUpdated)
    async def on_member_updated(event: MemberUpdated) -> None:
        await handlers.member_added(event, deps)

    @router.on(MemberRemoved)
    async def on_member_removed(event: MemberRemoved) -> None:
        await handlers.member_removed(event, deps)

    @router.on(CoordinatorAdded)
    async def on_coordinator(event: CoordinatorAdded) -> None:
        await handlers.coordinator_added(event, deps)

    @router.on(CoordinatorRemoved)
    async def on_coordinator_removed(event: CoordinatorRemoved) -> None:
        await handlers.coordinator_removed(event, deps)

    @router.on(PartnershipStatusChanged)
    async def on_partnership_status(event: PartnershipStatusChanged) -> None:
        await handlers.partnership_status_changed(event, deps)

    # Whom each of these reaches is decided by domain/rules.py, not here.
    @router.on(MilestoneReached)
    async def on_milestone_reached(event: MilestoneReached) -> None:
        await handlers.notify(event, deps)

    @router.on(MilestoneDueSoon)
    async def on_milestone_due_soon(event: MilestoneDueSoon) -> None:
        await handlers.notify(event, deps)

    @router.on(MilestoneOverdue)
    async def on_milestone_overdue(event: MilestoneOverdue) -> None:
        await handlers.notify(event, deps)

    @router.on(SubmissionRejected)
    async def on_submission_rejected(event: SubmissionRejected) -> None:
        await handlers.notify(event, deps)

    return router
