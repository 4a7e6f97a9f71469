"""The people of the programme: municipalities' members (contact people) and programme coordinators."""

from __future__ import annotations

from imc_contracts import new_event_id, registry
from imc_contracts.envelope import PROGRAMME_KEY
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
    cause_of,
    from_command,
    load_snapshot,
    rebuilt,
    record_change,
    record_new,
)
from imc_registry.service_layer.ports import RegistryRepository

# -- members ----------------------------------------------------------------------------


async def add_member(command: commands.AddMember, ask: Ask, store: RegistryRepository) -> Appended:
    require_member_writer(ask.principal, command.municipality_id)
    if await store.municipality(command.municipality_id) is None:
        raise Invalid(f"municipality_id: no municipality {command.municipality_id!r}")
    member_id = str(new_event_id())
    if ask.idempotency_key is not None:
        member_id = commit_id(ask.principal.subject, "member", ask.idempotency_key)
    event = registry.MemberAdded.create(
        from_command(registry.MemberAddedPayload, command, member_id=member_id),
        partnership_id=PROGRAMME_KEY,
        actor=ask.principal.as_actor(),
    )
    cause = cause_of(ask, "member")
    return await record_new(store, cause, f"member:{member_id}", event, f"member {member_id}")


async def _current_member(
    member_id: str, principal: Principal, store: RegistryRepository
) -> Snapshot[registry.MemberAddedPayload]:
    snapshot = await load_snapshot(
        store, f"member:{member_id}", registry.MemberAddedPayload, f"member {member_id!r}"
    )
    if snapshot.removed:
        raise NotFound(f"member {member_id!r} was removed")
    require_member_writer(principal, snapshot.state.municipality_id)
    return snapshot


async def update_member(
    member_id: str, command: commands.UpdateMember, ask: Ask, store: RegistryRepository
) -> Appended:
    snapshot = await _current_member(member_id, ask.principal, store)
    if command.municipality_id is not None:
        # Moving someone to another municipality is a change to that one's members too.
        require_member_writer(ask.principal, command.municipality_id)
        if await store.municipality(command.municipality_id) is None:
            raise Invalid(f"municipality_id: no municipality {command.municipality_id!r}")
    state = rebuilt(registry.MemberAddedPayload, snapshot.state, command.changes())
    event = registry.MemberUpdated.create(
        state, partnership_id=PROGRAMME_KEY, actor=ask.principal.as_actor()
    )
    stream = f"member:{member_id}"
    return await record_change(
        store, ask, "update", stream, snapshot, event, f"member {member_id!r}"
    )


async def remove_member(member_id: str, ask: Ask, store: RegistryRepository) -> Appended:
    """Remove a member from the directory; their past stays in the log and the history."""
    snapshot = await _current_member(member_id, ask.principal, store)
    event = registry.MemberRemoved.create(
        registry.MemberRemovedPayload(
            member_id=member_id, municipality_id=snapshot.state.municipality_id
        ),
        partnership_id=PROGRAMME_KEY,
        actor=ask.principal.as_actor(),
    )
    stream = f"member:{member_id}"
    return await record_change(
        store, ask, "remove", stream, snapshot, event, f"member {member_id!r}"
    )


# -- programme coordinators -------------------------------------------------------------


async def add_coordinator(
    command: commands.AddCoordinator, ask: Ask, store: RegistryRepository
) -> Appended:
    require_coordinator(ask.principal)
    coordinator_id = command.id or slug(str(command.email).replace("@", " at "))
    event = registry.CoordinatorAdded.create(
        from_command(registry.CoordinatorAddedPayload, command, coordinator_id=coordinator_id),
        partnership_id=PROGRAMME_KEY,
        actor=ask.principal.as_actor(),
    )
    stream = f"coordinator:{coordinator_id}"
    cause = cause_of(ask, stream)
    return await record_new(store, cause, stream, event, f"coordinator {coordinator_id}")


async def _current_coordinator(
    coordinator_id: str, principal: Principal, store: RegistryRepository
) -> Snapshot[registry.CoordinatorAddedPayload]:
    require_coordinator(principal)
    snapshot = await load_snapshot(
        store,
        f"coordinator:{coordinator_id}",
        registry.CoordinatorAddedPayload,
        f"coordinator {coordinator_id!r}",
    )
    if snapshot.removed:
        raise NotFound(f"coordinator {coordinator_id!r} was removed")
    return snapshot


async def update_coordinator(
    coordinator_id: str, command: commands.UpdateCoordinator, ask: Ask, store: RegistryRepository
) -> Appended:
    snapshot = await _current_coordinator(coordinator_id, ask.principal, store)
    state = rebuilt(registry.CoordinatorAddedPayload, snapshot.state, command.changes())
    # The contract sends an edited coordinator as a fresh full snapshot.
    event = registry.CoordinatorAdded.create(
        state, partnership_id=PROGRAMME_KEY, actor=ask.principal.as_actor()
    )
    stream = f"coordinator:{coordinator_id}"
    return await record_change(
        store, ask, "update", stream, snapshot, event, f"coordinator {coordinator_id!r}"
    )


async def remove_coordinator(coordinator_id: str, ask: Ask, store: RegistryRepository) -> Appended:
    snapshot = await _current_coordinator(coordinator_id, ask.principal, store)
    event = registry.CoordinatorRemoved.create(
        registry.CoordinatorRemovedPayload(coordinator_id=coordinator_id),
        partnership_id=PROGRAMME_KEY,
        actor=ask.principal.as_actor(),
    )
    stream = f"coordinator:{coordinator_id}"
    return await record_change(
        store, ask, "remove", stream, snapshot, event, f"coordinator {coordinator_id!r}"
    )
