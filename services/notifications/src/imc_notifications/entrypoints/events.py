"""The events notifications acts on: the registry's people, roadmaps' decisions."""

from __future__ import annotations

from collections.abc import Mapping

from imc_contracts import Event, registry, roadmaps
from imc_runtime.service import UseCase

from imc_notifications.service_layer import handlers

HANDLERS: Mapping[type[Event], UseCase] = {
    # The directory of recipients, a replica of the registry's people.
    registry.MunicipalityRegistered: handlers.municipality_registered,
    registry.MunicipalityUpdated: handlers.municipality_registered,
    registry.PartnershipCreated: handlers.partnership_created,
    registry.PartnershipUpdated: handlers.partnership_created,
    registry.MemberAdded: handlers.member_added,
    registry.MemberUpdated: handlers.member_added,
    registry.MemberRemoved: handlers.member_removed,
    registry.CoordinatorAdded: handlers.coordinator_added,
    registry.CoordinatorRemoved: handlers.coordinator_removed,
    # What is mailed, and to whom: domain/rules.py decides, not here.
    registry.PartnershipStatusChanged: handlers.partnership_status_changed,
    roadmaps.MilestoneReached: handlers.notify,
    roadmaps.MilestoneDueSoon: handlers.notify,
    roadmaps.MilestoneOverdue: handlers.notify,
    roadmaps.SubmissionRejected: handlers.notify,
    roadmaps.EvidenceAttached: handlers.notify,
}
