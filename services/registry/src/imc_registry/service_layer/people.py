"""The people of the programme: municipalities' members (contact people) and programme coordinators."""

from __future__ import annotations

from imc_contracts import new_event_id, registry
from imc_runtime.commits import Appended, commit_id
from imc_runtime.principal import Principal

from imc_registry.domain import commands
from imc_registry.domain.model import (
    Invalid,
    NotFound,
    Snapshot,
    require_coordinator,
    require_member_writer,
    slug,
)
from imc_registry.service_layer.changes import (
    Ask,
    Entry,
    add_entry,
    change_entry,
    from_command,
    load_entry,
    rebuilt,
    replayed_edit,
)
from imc_registry.service_layer.ports import RegistryRepository

# -- members ----------------------------------------------------------------------------


async def _require_municipality(store: RegistryRepository, municipality_id: str) -> None:
    if await store.municipality(municipality_id) is None:
        raise Invalid(f"municipality_id: no municipality {municipality_id!r}")


async def add_member(command: commands.AddMember, ask: Ask, store: RegistryRepository) -> Appended:
    require_member_writer(ask.principal, command.municipality_id)
    await _require_municipality(store, command.municipality_id)
    member_id = str(new_event_id())
    if ask.idempotency_key is not None:
        member_id = commit_id(ask.principal.subject, "member", ask.idempotency_key)
    payload = from_command(registry.MemberAddedPayload, command, member_id=member_id)
    entry = Entry("member", member_id)
    return await add_entry(store, ask, entry, registry.MemberAdded, payload, action="member")


async def _current_member(
    member: Entry, principal: Principal, store: RegistryRepository
) -> Snapshot[registry.MemberAddedPayload]:
    snapshot = await load_entry(store, member, registry.MemberAddedPayload)
    if snapshot.removed:
        raise NotFound(f"{member} was removed")
    require_member_writer(principal, snapshot.state.municipality_id)
    return snapshot


async def update_member(
    member_id: str, command: commands.UpdateMember, ask: Ask, store: RegistryRepository
) -> Appended:
    member = Entry("member", member_id)
    snapshot = await _current_member(member, ask.principal, store)
    if command.municipality_id is not None:
        # Moving someone to another municipality is a change to that one's members too.
        require_member_writer(ask.principal, command.municipality_id)
        await _require_municipality(store, command.municipality_id)
    state = rebuilt(registry.MemberAddedPayload, snapshot.state, command.changes())
    return await change_entry(store, ask, "update", member, snapshot, registry.MemberUpdated, state)


async def remove_member(member_id: str, ask: Ask, store: RegistryRepository) -> Appended:
    """Remove a member from the directory; their past stays in the log and the history."""
    member = Entry("member", member_id)
    if (done := await replayed_edit(store, ask, "remove", member.stream)) is not None:
        return done
    snapshot = await _current_member(member, ask.principal, store)
    removed = registry.MemberRemovedPayload(
        member_id=member_id, municipality_id=snapshot.state.municipality_id
    )
    return await change_entry(
        store, ask, "remove", member, snapshot, registry.MemberRemoved, removed
    )


# -- programme coordinators -------------------------------------------------------------


async def add_coordinator(
    command: commands.AddCoordinator, ask: Ask, store: RegistryRepository
) -> Appended:
    require_coordinator(ask.principal)
    coordinator_id = command.id or slug(str(command.email).replace("@", " at "))
    payload = from_command(registry.CoordinatorAddedPayload, command, coordinator_id=coordinator_id)
    entry = Entry("coordinator", coordinator_id)
    return await add_entry(store, ask, entry, registry.CoordinatorAdded, payload)


async def _current_coordinator(
    coordinator: Entry, principal: Principal, store: RegistryRepository
) -> Snapshot[registry.CoordinatorAddedPayload]:
    require_coordinator(principal)
    snapshot = await load_entry(store, coordinator, registry.CoordinatorAddedPayload)
    if snapshot.removed:
        raise NotFound(f"{coordinator} was removed")
    return snapshot


async def update_coordinator(
    coordinator_id: str, command: commands.UpdateCoordinator, ask: Ask, store: RegistryRepository
) -> Appended:
    coordinator = Entry("coordinator", coordinator_id)
    snapshot = await _current_coordinator(coordinator, ask.principal, store)
    state = rebuilt(registry.CoordinatorAddedPayload, snapshot.state, command.changes())
    # The contract sends an edited coordinator as a fresh full snapshot.
    return await change_entry(
        store, ask, "update", coordinator, snapshot, registry.CoordinatorAdded, state
    )


async def remove_coordinator(coordinator_id: str, ask: Ask, store: RegistryRepository) -> Appended:
    coordinator = Entry("coordinator", coordinator_id)
    if (done := await replayed_edit(store, ask, "remove", coordinator.stream)) is not None:
        return done
    snapshot = await _current_coordinator(coordinator, ask.principal, store)
    removed = registry.CoordinatorRemovedPayload(coordinator_id=coordinator_id)
    return await change_entry(
        store, ask, "remove", coordinator, snapshot, registry.CoordinatorRemoved, removed
    )
