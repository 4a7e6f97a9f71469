"""Who hears of what: the routing rules as data, in one readable place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from imc_contracts import roadmaps
from imc_contracts.registry import PartnershipStatusChanged

Kind = Literal[
    "milestone_reached",
    "milestone_due_soon",
    "milestone_overdue",
    "submission_rejected",
    "partnership_status_changed",
    "evidence_added",
]
"""A kind of email: what a recipient sets a preference for, and the template's name."""

KINDS: tuple[Kind, ...] = get_args(Kind)

Audience = Literal[
    "both_municipalities",
    "responsible_municipality",
    "coordinators",
    "programme_subscribers",
    "submitter",
]
"""``coordinators``: every programme coordinator. ``programme_subscribers``: the coordinators
who chose to follow the whole programme (their preferences), for kinds that otherwise reach
only the partners."""


@dataclass(frozen=True)
class Rule:
    event_type: str
    kind: Kind
    audiences: tuple[Audience, ...]
    calendar: bool = False
    """Attach an ``.ics`` event on the milestone's due date."""
    names_actor: bool = False
    """Say who caused the event (the directory's name for its actor)."""


RULES: dict[str, Rule] = {
    rule.event_type: rule
    for rule in (
        Rule(
            roadmaps.MilestoneReached.TYPE,
            "milestone_reached",
            ("both_municipalities", "coordinators"),
        ),
        Rule(
            roadmaps.MilestoneDueSoon.TYPE,
            "milestone_due_soon",
            ("responsible_municipality", "coordinators"),
            calendar=True,
        ),
        Rule(
            roadmaps.MilestoneOverdue.TYPE,
            "milestone_overdue",
            ("responsible_municipality", "coordinators"),
            calendar=True,
        ),
        Rule(roadmaps.SubmissionRejected.TYPE, "submission_rejected", ("submitter",)),
        Rule(
            PartnershipStatusChanged.TYPE,
            "partnership_status_changed",
            ("both_municipalities", "programme_subscribers"),
        ),
        Rule(
            roadmaps.EvidenceAttached.TYPE,
            "evidence_added",
            ("both_municipalities", "programme_subscribers"),
            names_actor=True,
        ),
    )
}
