"""The steps every registry use case shares: the commit's cause, recording a new record or
an edit on top of the version read, the rules about organisations, phases and partnerships."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from imc_contracts import Event, Localized, new_event_id
from imc_contracts.envelope import PROGRAMME_KEY, Contract
from imc_runtime.commits import (
    Appended,
    CauseReused,
    ConcurrencyConflict,
    commit_id,
    request_fingerprint,
)
from imc_runtime.principal import Principal
from pydantic import BaseModel, ValidationError

from imc_registry.domain.model import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Partnership,
    Snapshot,
    check_version,
    require_open,
    require_writer_for,
)
from imc_registry.service_layer.ports import RegistryRepository

State = TypeVar("State", bound=Contract)
E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Ask:
    """Who asks for a change, and how: every use case's ``ask``. The Idempotency-Key makes a
    retry the same change; the version read (If-Match) makes an edit on a stale copy a 409."""

    principal: Principal
    idempotency_key: str | None = None
    expected_version: int | None = None


def cause_of(ask: Ask, action: str) -> str:
    """The commit id: the same key from the same caller for the same action is one change."""
    if ask.idempotency_key is None:
        return commit_id(action, str(new_event_id()))
    return commit_id(ask.principal.subject, action, ask.idempotency_key)


async def replayed(store: RegistryRepository, cause: str) -> Appended | None:
    """The answer an Idempotency-Key's change had, when it was made already — whatever has
    happened since; ``CauseReused`` (422) when that key came with another request."""
    earlier = await store.earlier(cause)
    if earlier is None:
        return None
    asked = request_fingerprint.get()
    if None not in (earlier.fingerprint, asked) and earlier.fingerprint != asked:
        raise CauseReused(cause)
    return Appended(earlier, duplicate=True)


async def replayed_edit(
    store: RegistryRepository, ask: Ask, verb: str, stream: str
) -> Appended | None:
    """``replayed`` for an edit (``verb`` of ``stream``), before its rules are checked again:
    a retried removal or status change answers as it did, not "removed already"."""
    if ask.idempotency_key is None:
        return None
    return await replayed(store, cause_of(ask, f"{verb}:{stream}"))


async def record_new(
    store: RegistryRepository, cause: str, stream: str, event: Event, what: str
) -> Appended:
    try:
        return await store.record(cause, stream, 0, [event])
    except ConcurrencyConflict:
        raise Conflict(f"{what} already exists") from None


async def load_snapshot(
    store: RegistryRepository, stream: str, kind: type[State], what: str
) -> Snapshot[State]:
    snapshot = await store.load(stream)
    if snapshot is None or not isinstance(snapshot.state, kind):
        raise NotFound(f"no {what}")
    return Snapshot(snapshot.state, snapshot.version, snapshot.removed)


async def record_change(
    store: RegistryRepository,
    ask: Ask,
    verb: str,
    stream: str,
    snapshot: Snapshot[Any],
    event: Event,
    what: str,
) -> Appended:
    """Append an edit (``verb``: update, remove…) on top of the version the caller read
    (``ask.expected_version``); a stale one is a 409.

    A replay of an edit already made (same Idempotency-Key) answers as it did, even though
    the record has moved on since.
    """
    cause = cause_of(ask, f"{verb}:{stream}")
    expected_version = ask.expected_version
    if expected_version is not None and expected_version != snapshot.version:
        earlier = await replayed(store, cause)
        if earlier is not None:
            return earlier
    version = check_version(snapshot, expected_version, what)
    try:
        return await store.record(cause, stream, version, [event])
    except ConcurrencyConflict:
        raise Conflict(f"{what} changed while you edited it; reload and try again") from None


@dataclass(frozen=True)
class Entry:
    """A record of the programme's directory (a municipality, an organisation, a member, a
    coordinator): its own stream, and the name answers give it."""

    kind: str
    id: str

    @property
    def stream(self) -> str:
        return f"{self.kind}:{self.id}"

    def __str__(self) -> str:
        return f"{self.kind} {self.id!r}"


def programme_event(kind: type[E], payload: Contract, ask: Ask) -> E:
    """An event about the programme as a whole, not one partnership (one key keeps them in
    order), by whoever asked."""
    return kind.create(payload, partnership_id=PROGRAMME_KEY, actor=ask.principal.as_actor())


async def add_entry(
    store: RegistryRepository,
    ask: Ask,
    entry: Entry,
    kind: type[Event],
    payload: Contract,
    *,
    action: str | None = None,
) -> Appended:
    """Record a new directory entry; one already there is a 409. ``action`` names the change
    an Idempotency-Key makes one of (default: the entry's stream)."""
    event = programme_event(kind, payload, ask)
    cause = cause_of(ask, action or entry.stream)
    return await record_new(store, cause, entry.stream, event, f"{entry.kind} {entry.id}")


async def load_entry(store: RegistryRepository, entry: Entry, kind: type[State]) -> Snapshot[State]:
    return await load_snapshot(store, entry.stream, kind, str(entry))


async def change_entry(
    store: RegistryRepository,
    ask: Ask,
    verb: str,
    entry: Entry,
    snapshot: Snapshot[Any],
    kind: type[Event],
    payload: Contract,
) -> Appended:
    """Record an edit (``verb``) of a directory entry on top of the version read."""
    event = programme_event(kind, payload, ask)
    return await record_change(store, ask, verb, entry.stream, snapshot, event, str(entry))


def from_command(kind: type[State], command: BaseModel | dict[str, Any], **fields: Any) -> State:
    """The event's payload: the command's fields by name, with ``fields`` (ids the registry
    chose, a submission id…) added or put in their place."""
    given = command if isinstance(command, dict) else command.model_dump(mode="json")
    return kind.model_validate({**given, **fields})


def rebuilt(kind: type[State], current: State, changes: dict[str, Any]) -> State:
    """The record with the edit applied, checked against its contract. A text in several
    languages (names, a description) changes language by language, as in a JSON merge
    patch: an edit of the French name leaves the Arabic one as it was."""
    record = current.model_dump(mode="json")
    for field, value in changes.items():
        declared = kind.model_fields.get(field)
        if declared is not None and declared.annotation == Localized and isinstance(value, dict):
            record[field] = {**record.get(field, {}), **value}
        else:
            record[field] = value
    try:
        return kind.model_validate(record)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise Invalid(f"{field}: {first['msg']}") from None


async def require_organisation(
    store: RegistryRepository, organisation_id: str | None, kind: str, field: str
) -> None:
    if organisation_id is None:
        return
    organisation = await store.organisation(organisation_id)
    if organisation is None or organisation.kind != kind:
        raise Invalid(f"{field}: no {kind} {organisation_id!r} is registered")


async def require_phases(store: RegistryRepository, phases: list[str] | None) -> None:
    """Once the programme is defined, a partnership takes part only in its phases."""
    if not phases:
        return
    known = await store.programme_phases()
    if known is None:
        return
    unknown = [phase for phase in phases if phase not in known]
    if unknown:
        raise Invalid(
            f"phases: {', '.join(unknown)} is not a phase of the programme "
            f"(its phases: {', '.join(known)})"
        )


async def writable_partnership(
    partnership_id: str,
    principal: Principal,
    store: RegistryRepository,
    *,
    closed_too: bool = False,
) -> Partnership:
    partnership = await store.partnership(partnership_id)
    if partnership is None:
        if principal.role == "viewer":
            raise Forbidden("this token may only read")
        raise NotFound(f"no partnership {partnership_id!r}")
    require_writer_for(principal, partnership)
    if not closed_too:
        require_open(partnership)
    return partnership


def require_partner(partnership: Partnership, municipality_id: str | None) -> None:
    if municipality_id is not None and not partnership.includes(municipality_id):
        raise Invalid(
            f"responsible_municipality_id: {municipality_id!r} is not a partner of {partnership.id}"
        )


async def submit_request(
    partnership_id: str,
    action: str,
    ask: Ask,
    store: RegistryRepository,
    request: type[Event],
    payload_for: Callable[[Partnership, str], Contract],
    *,
    closed_too: bool = False,
    cause: str | None = None,
    submission_id: str | None = None,
    before_commit: Callable[[Any], Awaitable[None]] | None = None,
) -> Appended:
    """Store a request of the partnership as a submission, with its ``request`` event (its
    payload made for the partnership and the new submission's id), and answer with it.
    ``before_commit`` stores what the request refers to (a file) before it is published."""
    partnership = await writable_partnership(
        partnership_id, ask.principal, store, closed_too=closed_too
    )
    cause = cause or cause_of(ask, f"{action}:{partnership.id}")
    submission_id = submission_id or str(new_event_id())
    event = request.create(
        payload_for(partnership, submission_id),
        partnership_id=partnership.id,
        actor=ask.principal.as_actor(),
        correlation_id=submission_id,
    )
    if before_commit is not None:
        await before_commit(event)
    # A submission is one commit, read by its projection, never as a stream: no position.
    return await store.record_alone(cause, f"submission:{submission_id}", [event])


PROGRAMME_STREAM = "programme"
