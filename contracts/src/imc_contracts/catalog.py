"""The topic catalog: the one place topic names, partitions, producers and consumers live."""

from __future__ import annotations

from dataclasses import dataclass

from imc_contracts import notifications, registry, roadmaps
from imc_contracts.envelope import Event


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    producer: str
    consumer_groups: tuple[str, ...]
    events: tuple[type[Event], ...]


REGISTRY_EVENTS = Topic(
    name="imc.registry.events",
    partitions=12,
    producer="registry",
    consumer_groups=("roadmaps", "notifications"),
    events=(
        registry.MunicipalityRegistered,
        registry.PartnershipCreated,
        registry.MemberAdded,
        registry.MilestoneProposed,
        registry.ProgressReported,
        registry.MunicipalityUpdated,
        registry.PartnershipUpdated,
        registry.PartnershipStatusChanged,
        registry.MemberUpdated,
        registry.MemberRemoved,
        registry.ObjectiveProposed,
        registry.MilestoneRevised,
        registry.MilestoneRescheduleRequested,
        registry.MilestoneCancellationRequested,
        registry.IndicatorProposed,
        registry.IndicatorValueReported,
        registry.CoordinatorAdded,
        registry.CoordinatorRemoved,
        registry.OrganisationRegistered,
        registry.OrganisationUpdated,
        registry.ProgrammeDefined,
        registry.ProgrammeUpdated,
        registry.EvaluationSubmitted,
        registry.RoadmapImportRequested,
        registry.EvidenceAttachRequested,
    ),
)

ROADMAPS_EVENTS = Topic(
    name="imc.roadmaps.events",
    partitions=12,
    producer="roadmaps",
    consumer_groups=("registry", "notifications"),
    events=(
        roadmaps.MilestonePlanned,
        roadmaps.MilestoneProgressed,
        roadmaps.MilestoneReached,
        roadmaps.SubmissionRejected,
        roadmaps.ObjectivePlanned,
        roadmaps.MilestoneRevised,
        roadmaps.MilestoneRescheduled,
        roadmaps.MilestoneCancelled,
        roadmaps.MilestoneDueSoon,
        roadmaps.MilestoneOverdue,
        roadmaps.IndicatorDefined,
        roadmaps.IndicatorValueRecorded,
        roadmaps.RoadmapProgressed,
        roadmaps.EvaluationRecorded,
        roadmaps.RoadmapImported,
        roadmaps.EvidenceAttached,
    ),
)

NOTIFICATIONS_EVENTS = Topic(
    name="imc.notifications.events",
    partitions=12,
    producer="notifications",
    consumer_groups=(),
    events=(notifications.EmailSent, notifications.EmailFailed),
)

TOPICS: tuple[Topic, ...] = (REGISTRY_EVENTS, ROADMAPS_EVENTS, NOTIFICATIONS_EVENTS)

EVENT_TYPES: dict[str, type[Event]] = {
    event.TYPE: event for topic in TOPICS for event in topic.events
}


def topic_of(producer: str) -> Topic:
    """The topic a service publishes to."""
    for topic in TOPICS:
        if topic.producer == producer:
            return topic
    raise KeyError(f"no topic is produced by {producer!r}")


def topics_consumed_by(group: str) -> tuple[Topic, ...]:
    return tuple(topic for topic in TOPICS if group in topic.consumer_groups)


def dead_letter_topic(group: str) -> str:
    """Where a consumer group's poison messages go."""
    return f"imc.{group}.dlq"
