"""The programme's phases over time: a coordinator opens the next one, carries partnerships
over to it — each keeps its history and its earlier roadmaps — and closes the one that ends.

Each is a change to records the registry already has (the programme's phases, a
partnership's phases), published as those records' usual events; roadmaps keeps a closed
phase's roadmaps read only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from imc_contracts import registry
from imc_contracts.envelope import PROGRAMME_KEY
from imc_runtime.commits import Appended, ConcurrencyConflict
from imc_runtime.principal import Principal

from imc_registry.domain import commands
from imc_registry.domain.model import Conflict, Invalid, NotFound, Snapshot, require_coordinator
from imc_registry.service_layer.changes import (
    PROGRAMME_STREAM,
    Ask,
    cause_of,
    from_command,
    load_snapshot,
    replayed,
)
from imc_registry.service_layer.ports import RegistryRepository

RETRIES = 5


def running_phase(phases: list[registry.Phase]) -> str | None:
    """The phase new work goes to: the latest of those running."""
    running = [phase for phase in phases if phase.status == "running"]
    return max(running, key=lambda phase: phase.start).phase_id if running else None


async def current_phase(store: RegistryRepository) -> str | None:
    snapshot = await store.load(PROGRAMME_STREAM)
    if snapshot is None or not isinstance(snapshot.state, registry.ProgrammeDefinedPayload):
        return None
    return running_phase(snapshot.state.phases)


async def _programme(store: RegistryRepository) -> Snapshot[registry.ProgrammeDefinedPayload]:
    return await load_snapshot(
        store, PROGRAMME_STREAM, registry.ProgrammeDefinedPayload, "programme yet"
    )


async def _record_programme(
    store: RegistryRepository,
    principal: Principal,
    cause: str,
    snapshot: Snapshot[registry.ProgrammeDefinedPayload],
    phases: list[registry.Phase],
) -> Appended:
    state = snapshot.state.model_copy(
        update={"phases": sorted(phases, key=lambda phase: phase.start)}
    )
    event = registry.ProgrammeUpdated.create(
        state, partnership_id=PROGRAMME_KEY, actor=principal.as_actor()
    )
    try:
        return await store.record(cause, PROGRAMME_STREAM, snapshot.version, [event])
    except ConcurrencyConflict:
        raise Conflict("the programme changed at the same moment; try again") from None


async def _begin(ask: Ask, store: RegistryRepository, action: str) -> tuple[str, Appended | None]:
    """A coordinator's change to the programme: its commit id, and its answer if it was made
    already (the same Idempotency-Key)."""
    require_coordinator(ask.principal)
    cause = cause_of(ask, action)
    return cause, await replayed(store, cause)


async def open_phase(command: commands.OpenPhase, ask: Ask, store: RegistryRepository) -> Appended:
    """Add the next phase, running (or planned, to open later)."""
    cause, earlier = await _begin(ask, store, f"open-phase:{command.id}")
    if earlier is not None:
        return earlier
    snapshot = await _programme(store)
    phases = list(snapshot.state.phases)
    if any(phase.phase_id == command.id for phase in phases):
        raise Conflict(f"phase {command.id} is already a phase of the programme")
    for phase in phases:
        if command.start <= phase.end and phase.start <= command.end:
            raise Invalid(
                f"start: {command.id} ({command.start} – {command.end}) overlaps phase "
                f"{phase.phase_id} ({phase.start} – {phase.end})"
            )
    opened = from_command(registry.Phase, command, phase_id=command.id)
    return await _record_programme(store, ask.principal, cause, snapshot, [*phases, opened])


async def close_phase(
    phase_id: str, command: commands.ClosePhase, ask: Ask, store: RegistryRepository
) -> Appended:
    """Close a phase: its roadmaps become read only; evaluations of it are still taken."""
    cause, earlier = await _begin(ask, store, f"close-phase:{phase_id}")
    if earlier is not None:
        return earlier
    snapshot = await _programme(store)
    phases = list(snapshot.state.phases)
    found = next((phase for phase in phases if phase.phase_id == phase_id), None)
    if found is None:
        raise NotFound(f"no phase {phase_id} in the programme")
    if found.status == "closed":
        raise Conflict(f"phase {phase_id} is already closed")
    closed = found.model_copy(
        update={
            "status": "closed",
            "evaluated": command.evaluated,
            "note": command.note if command.note is not None else found.note,
        }
    )
    phases = [closed if phase.phase_id == phase_id else phase for phase in phases]
    return await _record_programme(store, ask.principal, cause, snapshot, phases)


@dataclass
class CarriedOver:
    phase: str
    carried: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    not_active: list[str] = field(default_factory=list)


async def carry_over(
    phase_id: str, command: commands.CarryOver, ask: Ask, store: RegistryRepository
) -> CarriedOver:
    """Partnerships take part in ``phase_id`` too; each keeps its earlier phases. Every id
    is checked before any is changed; one already there, or not active, is said so."""
    require_coordinator(ask.principal)
    programme = await _programme(store)
    phase = next((p for p in programme.state.phases if p.phase_id == phase_id), None)
    if phase is None:
        raise NotFound(f"no phase {phase_id} in the programme")
    if phase.status == "closed":
        raise Invalid(f"phase {phase_id} is closed: no partnership joins a closed phase")
    taking_part = await store.partnership_phases()
    ids = list(dict.fromkeys(command.partnership_ids or []))
    if command.from_phase is not None:
        ids += [pid for pid, phases in sorted(taking_part.items()) if command.from_phase in phases]
        ids = list(dict.fromkeys(ids))
    if not ids:
        raise Invalid("partnership_ids: name the partnerships to carry over, or from_phase")
    unknown = [pid for pid in ids if pid not in taking_part]
    if unknown:
        raise Invalid(f"partnership_ids: no partnership {', '.join(unknown[:10])}")
    report = CarriedOver(phase_id)
    for partnership_id in ids:
        partnership = await store.partnership(partnership_id)
        assert partnership is not None
        if phase_id in partnership.phases:
            report.already.append(partnership_id)
        elif partnership.status != "active":
            report.not_active.append(partnership_id)
        else:
            key = f"{ask.idempotency_key}:{partnership_id}" if ask.idempotency_key else None
            joined = await _join(partnership_id, phase_id, Ask(ask.principal, key), store)
            (report.already if joined is None else report.carried).append(partnership_id)
    return report


async def _join(
    partnership_id: str, phase_id: str, ask: Ask, store: RegistryRepository
) -> Appended | None:
    stream = f"partnership:{partnership_id}"
    cause = cause_of(ask, f"carry-over:{phase_id}:{stream}")
    for _ in range(RETRIES):
        snapshot = await load_snapshot(
            store, stream, registry.PartnershipCreatedPayload, f"partnership {partnership_id!r}"
        )
        if phase_id in snapshot.state.phases:  # joined meanwhile, by a carry-over racing this one
            return None
        state = snapshot.state.model_copy(update={"phases": [*snapshot.state.phases, phase_id]})
        event = registry.PartnershipUpdated.create(
            state, partnership_id=partnership_id, actor=ask.principal.as_actor()
        )
        try:
            return await store.record(cause, stream, snapshot.version, [event])
        except ConcurrencyConflict:
            continue
    raise Conflict(f"partnership {partnership_id!r} kept changing; try again")
