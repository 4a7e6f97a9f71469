"""Municipalities: registered by a coordinator; a rename renames their partnerships."""

from __future__ import annotations

from imc_contracts import registry
from imc_runtime.commits import Appended, ConcurrencyConflict, commit_id

from imc_registry.domain import commands
from imc_registry.domain.model import id_from_names, partnership_name, require_coordinator
from imc_registry.service_layer import changes
from imc_registry.service_layer.changes import Ask
from imc_registry.service_layer.ports import RegistryRepository

# -- municipalities ---------------------------------------------------------------------


async def register_municipality(
    command: commands.RegisterMunicipality, ask: Ask, store: RegistryRepository
) -> Appended:
    require_coordinator(ask.principal)
    await changes.require_organisation(store, command.association, "association", "association")
    municipality_id = id_from_names(command.id, command.names)
    payload = changes.from_command(
        registry.MunicipalityRegisteredPayload, command, municipality_id=municipality_id
    )
    entry = changes.Entry("municipality", municipality_id)
    return await changes.add_entry(store, ask, entry, registry.MunicipalityRegistered, payload)


async def update_municipality(
    municipality_id: str, command: commands.UpdateMunicipality, ask: Ask, store: RegistryRepository
) -> Appended:
    """Edit a municipality; a new name renames its partnerships too.

    The partnerships' renames follow the municipality's own commit, each as its own
    ``partnership.updated`` caused by it, with commit ids derived from it: replaying the
    request (same Idempotency-Key) after a crash in between finishes what is missing and
    repeats nothing.
    """
    require_coordinator(ask.principal)
    await changes.require_organisation(store, command.association, "association", "association")
    municipality = changes.Entry("municipality", municipality_id)
    snapshot = await changes.load_entry(store, municipality, registry.MunicipalityRegisteredPayload)
    state = changes.rebuilt(
        registry.MunicipalityRegisteredPayload, snapshot.state, command.changes()
    )
    appended = await changes.change_entry(
        store, ask, "update", municipality, snapshot, registry.MunicipalityUpdated, state
    )
    await _rename_partnerships_of(municipality_id, appended, store)
    return appended


async def _rename_partnerships_of(
    municipality_id: str, appended: Appended, store: RegistryRepository
) -> None:
    renamed_by = appended.commit.events[0]
    for partnership_id in await store.partnership_ids_of(municipality_id):
        stream = f"partnership:{partnership_id}"
        for _attempt in range(5):
            snapshot = await changes.load_snapshot(
                store, stream, registry.PartnershipCreatedPayload, f"partnership {partnership_id!r}"
            )
            moroccan = await store.municipality(snapshot.state.moroccan_municipality_id)
            belgian = await store.municipality(snapshot.state.belgian_municipality_id)
            if moroccan is None or belgian is None:
                break
            name = partnership_name(moroccan, belgian)
            if name == snapshot.state.name:
                break
            event = registry.PartnershipUpdated.create(
                snapshot.state.model_copy(update={"name": name}),
                partnership_id=partnership_id,
                caused_by=renamed_by,
            )
            try:
                await store.record(
                    commit_id(appended.commit.id, partnership_id), stream, snapshot.version, [event]
                )
                break
            except ConcurrencyConflict:
                continue  # edited meanwhile: rename the newer version
