"""The events notifications acts on: the registry's people, roadmaps' decisions."""

from __future__ import annotations

from collections.abc import Mapping

from imc_contracts import Event
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
    EvidenceAttached,
    MilestoneDueSoon,
    MilestoneOverdue,
    MilestoneReached,
    SubmissionRejected,
)
from imc_runtime.service import UseCase

from imc_notifications.service_layer import handlers

HANDLERS: Mapping[type[Event], UseCase] = {
    # The directory of recipients, a replica of the registry's people.
    MunicipalityRegistered: handlers.municipality_registered,
    MunicipalityUpdated: handlers.municipality_registered,
    PartnershipCreated: handlers.partnership_created,
    PartnershipUpdated: handlers.partnership_created,
    MemberAdded: handlers.member_added,
    MemberUpdated: handlers.member_added,
    MemberRemoved: handlers.member_removed,
    CoordinatorAdded: handlers.coordinator_added,
    CoordinatorRemoved: handlers.coordinator_removed,
    # What is mailed, and to whom: domain/rules.py decides, not here.
    PartnershipStatusChanged: handlers.partnership_status_changed,
    MilestoneReached: handlers.notify,
    MilestoneDueSoon: handlers.notify,
    MilestoneOverdue: handlers.notify,
    SubmissionRejected: handlers.notify,
    EvidenceAttached: handlers.notify,
}
