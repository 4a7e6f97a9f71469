"""Who hears of what: the routing rules as data, in one readable place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from imc_contracts.roadmaps import MilestoneReached

Audience = Literal["both_municipalities", "responsible_municipality", "submitter"]


@dataclass(frozen=True)
class Rule:
    event_type: str
    template: str
    audiences: tuple[Audience, ...]


RULES: dict[str, Rule] = {
    rule.event_type: rule
    for rule in (Rule(MilestoneReached.TYPE, "milestone_reached", ("both_municipalities",)),)
}
