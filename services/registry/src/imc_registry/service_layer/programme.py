"""The programme, its phases, and the organisations behind it (its funder, the associations)."""

from __future__ import annotations

import itertools

from imc_contracts import registry
from imc_runtime.commits import Appended

from imc_registry.domain import commands
from imc_registry.domain.model import Invalid, id_from_names, require_coordinator
from imc_registry.service_layer.changes import (
    PROGRAMME_STREAM,
    Ask,
    Entry,
    add_entry,
    cause_of,
    change_entry,
    from_command,
    load_entry,
    load_snapshot,
    programme_event,
    rebuilt,
    record_change,
    record_new,
    require_organisation,
)
from imc_registry.service_layer.ports import RegistryRepository

# -- the programme and the organisations behind it ---------------------------------------


async def register_organisation(
    command: commands.RegisterOrganisation, ask: Ask, store: RegistryRepository
) -> Appended:
    require_coordinator(ask.principal)
    organisation_id = id_from_names(command.id, command.names)
    payload = from_command(
        registry.OrganisationRegisteredPayload, command, organisation_id=organisation_id
    )
    entry = Entry("organisation", organisation_id)
    return await add_entry(store, ask, entry, registry.OrganisationRegistered, payload)


async def update_organisation(
    organisation_id: str, command: commands.UpdateOrganisation, ask: Ask, store: RegistryRepository
) -> Appended:
    require_coordinator(ask.principal)
    organisation = Entry("organisation", organisation_id)
    snapshot = await load_entry(store, organisation, registry.OrganisationRegisteredPayload)
    state = rebuilt(registry.OrganisationRegisteredPayload, snapshot.state, command.changes())
    return await change_entry(
        store, ask, "update", organisation, snapshot, registry.OrganisationUpdated, state
    )


def _phases(phases: list[commands.PhaseInput]) -> list[registry.Phase]:
    return [
        registry.Phase(
            phase_id=phase.id,
            start=phase.start,
            end=phase.end,
            status=phase.status,
            evaluated=phase.evaluated,
            description=phase.description,
            note=phase.note,
        )
        for phase in sorted(phases, key=lambda phase: phase.start)
    ]


async def _require_programme_organisations(
    store: RegistryRepository, funder_id: str, coordinating_organisation_ids: list[str]
) -> None:
    await require_organisation(store, funder_id, "funder", "funder_id")
    for organisation_id in coordinating_organisation_ids:
        await require_organisation(
            store, organisation_id, "association", "coordinating_organisation_ids"
        )


async def define_programme(
    command: commands.DefineProgramme, ask: Ask, store: RegistryRepository
) -> Appended:
    """Define the programme this registry runs: once; later changes are edits."""
    require_coordinator(ask.principal)
    await _require_programme_organisations(
        store, command.funder_id, command.coordinating_organisation_ids
    )
    await _require_kept_phases(store, {phase.id for phase in command.phases})
    _require_phases_apart(_phases(command.phases), [])
    event = programme_event(
        registry.ProgrammeDefined,
        registry.ProgrammeDefinedPayload(
            programme_id=command.id,
            names=command.names,
            funder_id=command.funder_id,
            coordinating_organisation_ids=list(
                dict.fromkeys(command.coordinating_organisation_ids)
            ),
            phases=_phases(command.phases),
            iati_identifier=command.iati_identifier,
            note=command.note,
        ),
        ask,
    )
    cause = cause_of(ask, PROGRAMME_STREAM)
    return await record_new(store, cause, PROGRAMME_STREAM, event, "the programme")


def _require_phases_apart(phases: list[registry.Phase], before: list[registry.Phase]) -> None:
    """The programme's phases follow one another without overlapping (the running one is
    where new work goes), and a closed phase stays closed: its roadmaps are history."""
    ordered = sorted(phases, key=lambda phase: phase.start)
    for earlier, later in itertools.pairwise(ordered):
        if later.start <= earlier.end:
            raise Invalid(
                f"phases: {later.phase_id} ({later.start} – {later.end}) overlaps "
                f"{earlier.phase_id} ({earlier.start} – {earlier.end})"
            )
    status = {phase.phase_id: phase.status for phase in phases}
    for phase in before:
        if phase.status == "closed" and status.get(phase.phase_id, "closed") != "closed":
            raise Invalid(f"phases: {phase.phase_id} is closed; a closed phase is not reopened")


async def _require_kept_phases(store: RegistryRepository, phases: set[str]) -> None:
    """No phase disappears while partnerships still take part in it."""
    orphans: dict[str, list[str]] = {}
    for partnership_id, taken_part_in in (await store.partnership_phases()).items():
        for phase in taken_part_in:
            if phase not in phases:
                orphans.setdefault(phase, []).append(partnership_id)
    if orphans:
        listed = "; ".join(
            f"{phase} ({', '.join(sorted(ids)[:5])}{', …' if len(ids) > 5 else ''})"
            for phase, ids in sorted(orphans.items())
        )
        raise Invalid(f"phases: partnerships take part in phases this list leaves out: {listed}")


async def update_programme(
    command: commands.UpdateProgramme, ask: Ask, store: RegistryRepository
) -> Appended:
    """Edit the programme: close a phase, mark it evaluated, add the next one…"""
    require_coordinator(ask.principal)
    snapshot = await load_snapshot(
        store, PROGRAMME_STREAM, registry.ProgrammeDefinedPayload, "programme yet"
    )
    changes = command.changes()
    if command.phases is not None:
        await _require_kept_phases(store, {phase.id for phase in command.phases})
        _require_phases_apart(_phases(command.phases), list(snapshot.state.phases))
        changes["phases"] = [phase.model_dump(mode="json") for phase in _phases(command.phases)]
    state = rebuilt(registry.ProgrammeDefinedPayload, snapshot.state, changes)
    await _require_programme_organisations(
        store, state.funder_id, state.coordinating_organisation_ids
    )
    event = programme_event(registry.ProgrammeUpdated, state, ask)
    return await record_change(
        store, ask, "update", PROGRAMME_STREAM, snapshot, event, "the programme"
    )
