"""The programme's phases as roadmaps sees them (from the registry's programme events): which
one new work goes to, and which are closed — their roadmaps kept, read only.

The programme's events and a partnership's requests travel on different partitions: a
request sent the moment a phase closes may be decided before roadmaps has heard of it.
"""

from __future__ import annotations

from imc_contracts import Event

from imc_roadmaps.domain.model import DEFAULT_PHASE, Refused
from imc_roadmaps.service_layer.ports import RoadmapsRepository


async def current_phase(store: RoadmapsRepository, fallback: str = DEFAULT_PHASE) -> str:
    """The latest running phase of the programme; ``fallback`` before there is one."""
    programme = await store.programme_document() or {}
    running = [p for p in programme.get("phases", []) if p.get("status") == "running"]
    if not running:
        return fallback
    latest: str = max(running, key=lambda p: str(p.get("start", "")))["phase_id"]
    return latest


async def require_open(
    store: RoadmapsRepository, phase: str | None, event: Event, *, backfill: bool = False
) -> None:
    """A closed phase's roadmap is history: nothing planned in it changes any more. Only a
    coordinator still records history after the fact in it (``backfill``: a phase older
    than the registry, say)."""
    if phase is None:
        return
    if backfill and event.actor is not None and event.actor.kind == "coordinator":
        return
    programme = await store.programme_document() or {}
    for known in programme.get("phases", []):
        if known.get("phase_id") == phase and known.get("status") == "closed":
            raise Refused("phase_closed", phase=phase)
