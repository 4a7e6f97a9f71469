"""Partnerships: created, edited, suspended, closed or reactivated."""

from __future__ import annotations

from imc_contracts import registry
from imc_runtime.commits import Appended

from imc_registry.domain import commands
from imc_registry.domain.commands import STANDARD_THEMES
from imc_registry.domain.model import (
    Invalid,
    partnership_name,
    require_coordinator,
    require_known_themes,
)
from imc_registry.service_layer.changes import (
    Ask,
    cause_of,
    load_snapshot,
    rebuilt,
    record_change,
    record_new,
    replayed_edit,
    require_phases,
    writable_partnership,
)
from imc_registry.service_layer.ports import RegistryRepository

# -- partnerships -----------------------------------------------------------------------


async def create_partnership(
    command: commands.CreatePartnership, ask: Ask, store: RegistryRepository
) -> Appended:
    require_coordinator(ask.principal)
    moroccan = await store.municipality(command.moroccan_municipality_id)
    belgian = await store.municipality(command.belgian_municipality_id)
    if moroccan is None or moroccan.country != "MA":
        raise Invalid(
            f"moroccan_municipality_id: no Moroccan municipality {command.moroccan_municipality_id!r}"
        )
    if belgian is None or belgian.country != "BE":
        raise Invalid(
            f"belgian_municipality_id: no Belgian municipality {command.belgian_municipality_id!r}"
        )
    await require_phases(store, command.phases)
    partnership_id = command.id or f"{moroccan.id}--{belgian.id}"
    event = registry.PartnershipCreated.create(
        registry.PartnershipCreatedPayload(
            partnership_id=partnership_id,
            moroccan_municipality_id=moroccan.id,
            belgian_municipality_id=belgian.id,
            name=partnership_name(moroccan, belgian),
            phases=command.phases,
            partners_since=command.partners_since,
            themes=list(dict.fromkeys(command.themes)),
            status="active",
            description=command.description,
            note=command.note,
        ),
        partnership_id=partnership_id,
        actor=ask.principal.as_actor(),
    )
    cause = cause_of(ask, f"partnership:{partnership_id}")
    return await record_new(
        store, cause, f"partnership:{partnership_id}", event, f"partnership {partnership_id}"
    )


async def update_partnership(
    partnership_id: str, command: commands.UpdatePartnership, ask: Ask, store: RegistryRepository
) -> Appended:
    partnership = await writable_partnership(partnership_id, ask.principal, store)
    stream = f"partnership:{partnership.id}"
    what = f"partnership {partnership.id!r}"
    snapshot = await load_snapshot(store, stream, registry.PartnershipCreatedPayload, what)
    changes = command.changes()
    await require_phases(store, command.phases)
    if command.themes is not None:
        changes["themes"] = list(dict.fromkeys(command.themes))
        known = STANDARD_THEMES | await store.known_themes()
        require_known_themes(ask.principal, command.themes, known)
    state = rebuilt(registry.PartnershipCreatedPayload, snapshot.state, changes)
    event = registry.PartnershipUpdated.create(
        state, partnership_id=partnership.id, actor=ask.principal.as_actor()
    )
    return await record_change(store, ask, "update", stream, snapshot, event, what)


async def change_partnership_status(
    partnership_id: str,
    command: commands.ChangePartnershipStatus,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    """Suspend, close or reactivate a partnership: a programme decision, with its reason."""
    require_coordinator(ask.principal)
    stream = f"partnership:{partnership_id}"
    what = f"partnership {partnership_id!r}"
    if (done := await replayed_edit(store, ask, "status", stream)) is not None:
        return done
    snapshot = await load_snapshot(store, stream, registry.PartnershipCreatedPayload, what)
    if snapshot.state.status == command.status:
        raise Invalid(f"status: partnership {partnership_id!r} is {command.status} already")
    event = registry.PartnershipStatusChanged.create(
        registry.PartnershipStatusChangedPayload(
            partnership_id=partnership_id,
            status=command.status,
            previous_status=snapshot.state.status,
            reason=command.reason,
        ),
        partnership_id=partnership_id,
        actor=ask.principal.as_actor(),
    )
    return await record_change(store, ask, "status", stream, snapshot, event, what)
