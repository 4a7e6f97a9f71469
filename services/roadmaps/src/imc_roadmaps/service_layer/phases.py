"""The programme's phases as roadmaps sees them (from the registry's programme events): which
one new work goes to, and which are closed — their roadmaps kept, read only.

The programme's events and a partnership's requests travel on different partitions: a
request sent the moment a phase closes may be decided before roadmaps has heard of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from imc_contracts import Actor, Event

from imc_roadmaps.domain.model import DEFAULT_PHASE, Milestone, Refused
from imc_roadmaps.service_layer.ports import RoadmapsRepository


async def current_phase(store: RoadmapsRepository, fallback: str = DEFAULT_PHASE) -> str:
    """The latest running phase of the programme; ``fallback`` before there is one."""
    programme = await store.programme_document() or {}
    running = [p for p in programme.get("phases", []) if p.get("status") == "running"]
    if not running:
        return fallback
    latest: str = max(running, key=lambda p: str(p.get("start", "")))["phase_id"]
    return latest


async def programme_phases(store: RoadmapsRepository) -> list[str]:
    """The programme's phases, oldest first; none before the programme is defined."""
    programme = await store.programme_document() or {}
    ordered = sorted(programme.get("phases", []), key=lambda p: str(p.get("start", "")))
    return [str(p.get("phase_id")) for p in ordered]


async def phase_span(store: RoadmapsRepository, phase: str) -> tuple[str, str] | None:
    """The phase's first and last days (ISO dates), as the programme defines them."""
    programme = await store.programme_document() or {}
    for known in programme.get("phases", []):
        if known.get("phase_id") == phase and known.get("start") and known.get("end"):
            return str(known["start"]), str(known["end"])
    return None


async def closed_phases(store: RoadmapsRepository) -> frozenset[str]:
    programme = await store.programme_document() or {}
    return frozenset(
        str(known.get("phase_id"))
        for known in programme.get("phases", [])
        if known.get("status") == "closed"
    )


def may_change(
    phase: str | None, closed: frozenset[str], actor: Actor | None, backfill: bool
) -> bool:
    """A closed phase's roadmap is history: nothing planned in it changes any more. Only a
    coordinator still records history after the fact in it (``backfill``: a phase older
    than the registry, say)."""
    if phase is None or phase not in closed:
        return True
    return backfill and actor is not None and actor.kind == "coordinator"


async def require_open(
    store: RoadmapsRepository, phase: str | None, event: Event, *, backfill: bool = False
) -> None:
    """``Refused`` (``phase_closed``) unless the request ``may_change`` the phase's roadmap."""
    if phase is None:
        return
    if not may_change(phase, await closed_phases(store), event.actor, backfill):
        raise Refused("phase_closed", phase=phase)


@dataclass(frozen=True)
class ReadOnly:
    """The work that takes no report and no new date any more: a closed phase's roadmaps and
    a closed partnership's. No one is chased for it, and it is not late."""

    phases: frozenset[str]
    partnerships: frozenset[str]

    def holds(self, milestone: Milestone) -> bool:
        return milestone.phase in self.phases or milestone.partnership_id in self.partnerships


async def read_only(store: RoadmapsRepository) -> ReadOnly:
    partnerships = await store.partnership_documents()
    closed = frozenset(str(p["_id"]) for p in partnerships if p.get("status") == "closed")
    return ReadOnly(await closed_phases(store), closed)
