"""The registry's use cases: one function each, taking a command, the caller and the store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from imc_contracts import Event, new_event_id
from imc_contracts.common import BeneficiaryCount, DisaggregatedValue, ReportingPeriod
from imc_contracts.envelope import PROGRAMME_KEY, Contract
from imc_contracts.registry import (
    CoordinatorAdded,
    CoordinatorAddedPayload,
    CoordinatorRemoved,
    CoordinatorRemovedPayload,
    EvaluationSubmitted,
    EvaluationSubmittedPayload,
    IndicatorProposed,
    IndicatorProposedPayload,
    IndicatorValueReported,
    IndicatorValueReportedPayload,
    MemberAdded,
    MemberAddedPayload,
    MemberRemoved,
    MemberRemovedPayload,
    MemberUpdated,
    MilestoneCancellationRequested,
    MilestoneCancellationRequestedPayload,
    MilestoneProposed,
    MilestoneProposedPayload,
    MilestoneRescheduleRequested,
    MilestoneRescheduleRequestedPayload,
    MilestoneRevised,
    MilestoneRevisedPayload,
    MunicipalityRegistered,
    MunicipalityRegisteredPayload,
    MunicipalityUpdated,
    ObjectiveProposed,
    ObjectiveProposedPayload,
    OrganisationRegistered,
    OrganisationRegisteredPayload,
    OrganisationUpdated,
    PartnershipCreated,
    PartnershipCreatedPayload,
    PartnershipStatusChanged,
    PartnershipStatusChangedPayload,
    PartnershipUpdated,
    Phase,
    ProgrammeDefined,
    ProgrammeDefinedPayload,
    ProgrammeUpdated,
    ProgressReported,
    ProgressReportedPayload,
    RoadmapImportRequested,
    RoadmapImportRequestedPayload,
)
from imc_contracts.roadmaps import (
    EvaluationRecorded,
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneCancelled,
    MilestonePlanned,
    MilestoneProgressed,
    MilestoneReached,
    MilestoneRescheduled,
    ObjectivePlanned,
    RoadmapImported,
    SubmissionRejected,
)
from imc_contracts.roadmaps import MilestoneRevised as RoadmapMilestoneRevised
from imc_runtime.commitlog import Appended, ConcurrencyConflict, commit_id
from imc_runtime.principal import Principal
from pydantic import ValidationError

from imc_registry.adapters.store import RegistryStore
from imc_registry.domain import commands
from imc_registry.domain.commands import STANDARD_THEMES
from imc_registry.domain.model import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Partnership,
    Snapshot,
    check_version,
    partnership_name,
    require_coordinator,
    require_known_themes,
    require_member_writer,
    require_open,
    require_writer_for,
    slug,
)
from imc_registry.service_layer import sheets

State = TypeVar("State", bound=Contract)

SubmissionOutcome = (
    EvaluationRecorded
    | MilestonePlanned
    | MilestoneProgressed
    | MilestoneReached
    | SubmissionRejected
    | ObjectivePlanned
    | RoadmapMilestoneRevised
    | MilestoneRescheduled
    | MilestoneCancelled
    | IndicatorDefined
    | IndicatorValueRecorded
    | RoadmapImported
)
SUBMISSION_OUTCOMES: tuple[type[SubmissionOutcome], ...] = (
    EvaluationRecorded,
    MilestonePlanned,
    MilestoneProgressed,
    MilestoneReached,
    SubmissionRejected,
    ObjectivePlanned,
    RoadmapMilestoneRevised,
    MilestoneRescheduled,
    MilestoneCancelled,
    IndicatorDefined,
    IndicatorValueRecorded,
    RoadmapImported,
)
"""Every roadmaps event that answers a submission."""


def _cause(principal: Principal, action: str, idempotency_key: str | None) -> str:
    """The commit id: the same key from the same caller for the same action is one change."""
    if idempotency_key is None:
        return commit_id(action, str(new_event_id()))
    return commit_id(principal.subject, action, idempotency_key)


async def _record_new(
    store: RegistryStore, cause: str, stream: str, event: Event, what: str
) -> Appended:
    try:
        return await store.record(cause, stream, 0, [event])
    except ConcurrencyConflict:
        raise Conflict(f"{what} already exists") from None


async def _load(store: RegistryStore, stream: str, kind: type[State], what: str) -> Snapshot[State]:
    snapshot = await store.load(stream)
    if snapshot is None or not isinstance(snapshot.state, kind):
        raise NotFound(f"no {what}")
    return Snapshot(snapshot.state, snapshot.version, snapshot.removed)


async def _record_change(
    store: RegistryStore,
    cause: str,
    stream: str,
    snapshot: Snapshot[Any],
    expected_version: int | None,
    event: Event,
    what: str,
) -> Appended:
    """Append an edit on top of the version the caller read; a stale one is a 409.

    A replay of an edit already made (same Idempotency-Key) answers as it did, even though
    the record has moved on since.
    """
    if expected_version is not None and expected_version != snapshot.version:
        earlier = await store.commits.get(cause)
        if earlier is not None:
            return Appended(earlier, duplicate=True)
    version = check_version(snapshot, expected_version, what)
    try:
        return await store.record(cause, stream, version, [event])
    except ConcurrencyConflict:
        raise Conflict(f"{what} changed while you edited it; reload and try again") from None


def _rebuild(kind: type[State], current: State, changes: dict[str, Any]) -> State:
    """The record with the edit applied, checked against its contract."""
    try:
        return kind.model_validate({**current.model_dump(mode="json"), **changes})
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise Invalid(f"{field}: {first['msg']}") from None


async def _require_organisation(
    store: RegistryStore, organisation_id: str | None, kind: str, field: str
) -> None:
    if organisation_id is None:
        return
    organisation = await store.organisation_document(organisation_id)
    if organisation is None or organisation["kind"] != kind:
        raise Invalid(f"{field}: no {kind} {organisation_id!r} is registered")


async def _require_phases(store: RegistryStore, phases: list[str] | None) -> None:
    """Once the programme is defined, a partnership takes part only in its phases."""
    if not phases:
        return
    programme = await store.programme_document()
    if programme is None:
        return
    known = [phase["phase_id"] for phase in programme["phases"]]
    unknown = [phase for phase in phases if phase not in known]
    if unknown:
        raise Invalid(
            f"phases: {', '.join(unknown)} is not a phase of the programme "
            f"(its phases: {', '.join(known)})"
        )


# -- municipalities ---------------------------------------------------------------------


async def register_municipality(
    command: commands.RegisterMunicipality,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    require_coordinator(principal)
    await _require_organisation(store, command.association, "association", "association")
    municipality_id = command.id or slug(
        command.names.get("fr") or next(iter(command.names.values()))
    )
    event = MunicipalityRegistered.create(
        MunicipalityRegisteredPayload(
            municipality_id=municipality_id,
            names=command.names,
            country=command.country,
            region=command.region,
            association=command.association,
            languages=command.languages,
            note=command.note,
        ),
        partnership_id=PROGRAMME_KEY,
        actor=principal.as_actor(),
    )
    cause = _cause(principal, f"municipality:{municipality_id}", idempotency_key)
    return await _record_new(
        store, cause, f"municipality:{municipality_id}", event, f"municipality {municipality_id}"
    )


async def update_municipality(
    municipality_id: str,
    command: commands.UpdateMunicipality,
    principal: Principal,
    store: RegistryStore,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> Appended:
    """Edit a municipality; a new name renames its partnerships too.

    The partnerships' renames follow the municipality's own commit, each as its own
    ``partnership.updated`` caused by it, with commit ids derived from it: replaying the
    request (same Idempotency-Key) after a crash in between finishes what is missing and
    repeats nothing.
    """
    require_coordinator(principal)
    await _require_organisation(store, command.association, "association", "association")
    stream = f"municipality:{municipality_id}"
    what = f"municipality {municipality_id!r}"
    snapshot = await _load(store, stream, MunicipalityRegisteredPayload, what)
    state = _rebuild(MunicipalityRegisteredPayload, snapshot.state, command.changes())
    event = MunicipalityUpdated.create(
        state, partnership_id=PROGRAMME_KEY, actor=principal.as_actor()
    )
    cause = _cause(principal, f"update:{stream}", idempotency_key)
    appended = await _record_change(store, cause, stream, snapshot, expected_version, event, what)
    await _rename_partnerships_of(municipality_id, appended, store)
    return appended


async def _rename_partnerships_of(
    municipality_id: str, appended: Appended, store: RegistryStore
) -> None:
    renamed_by = appended.commit.events[0]
    for document in await store.partnerships_of(municipality_id):
        partnership_id = document["_id"]
        stream = f"partnership:{partnership_id}"
        for _attempt in range(5):
            snapshot = await _load(
                store, stream, PartnershipCreatedPayload, f"partnership {partnership_id!r}"
            )
            moroccan = await store.municipality(snapshot.state.moroccan_municipality_id)
            belgian = await store.municipality(snapshot.state.belgian_municipality_id)
            if moroccan is None or belgian is None:
                break
            name = partnership_name(moroccan, belgian)
            if name == snapshot.state.name:
                break
            event = PartnershipUpdated.create(
                snapshot.state.model_copy(update={"name": name}),
                partnership_id=partnership_id,
                caused_by=renamed_by,
            )
            try:
                await store.record(
                    commit_id(appended.commit.id, partnership_id),
                    stream,
                    snapshot.version,
                    [event],
                )
                break
            except ConcurrencyConflict:
                continue  # edited meanwhile: rename the newer version


# -- partnerships -----------------------------------------------------------------------


async def create_partnership(
    command: commands.CreatePartnership,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    require_coordinator(principal)
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
    await _require_phases(store, command.phases)
    partnership_id = command.id or f"{moroccan.id}--{belgian.id}"
    event = PartnershipCreated.create(
        PartnershipCreatedPayload(
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
        actor=principal.as_actor(),
    )
    cause = _cause(principal, f"partnership:{partnership_id}", idempotency_key)
    return await _record_new(
        store, cause, f"partnership:{partnership_id}", event, f"partnership {partnership_id}"
    )


async def update_partnership(
    partnership_id: str,
    command: commands.UpdatePartnership,
    principal: Principal,
    store: RegistryStore,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> Appended:
    partnership = await _writable_partnership(partnership_id, principal, store)
    stream = f"partnership:{partnership.id}"
    what = f"partnership {partnership.id!r}"
    snapshot = await _load(store, stream, PartnershipCreatedPayload, what)
    changes = command.changes()
    await _require_phases(store, command.phases)
    if command.themes is not None:
        changes["themes"] = list(dict.fromkeys(command.themes))
        known = STANDARD_THEMES | await store.known_themes()
        require_known_themes(principal, command.themes, known)
    state = _rebuild(PartnershipCreatedPayload, snapshot.state, changes)
    event = PartnershipUpdated.create(
        state, partnership_id=partnership.id, actor=principal.as_actor()
    )
    cause = _cause(principal, f"update:{stream}", idempotency_key)
    return await _record_change(store, cause, stream, snapshot, expected_version, event, what)


async def change_partnership_status(
    partnership_id: str,
    command: commands.ChangePartnershipStatus,
    principal: Principal,
    store: RegistryStore,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> Appended:
    """Suspend, close or reactivate a partnership: a programme decision, with its reason."""
    require_coordinator(principal)
    stream = f"partnership:{partnership_id}"
    what = f"partnership {partnership_id!r}"
    snapshot = await _load(store, stream, PartnershipCreatedPayload, what)
    if snapshot.state.status == command.status:
        raise Invalid(f"status: partnership {partnership_id!r} is {command.status} already")
    event = PartnershipStatusChanged.create(
        PartnershipStatusChangedPayload(
            partnership_id=partnership_id,
            status=command.status,
            previous_status=snapshot.state.status,
            reason=command.reason,
        ),
        partnership_id=partnership_id,
        actor=principal.as_actor(),
    )
    cause = _cause(principal, f"status:{stream}", idempotency_key)
    return await _record_change(store, cause, stream, snapshot, expected_version, event, what)


# -- members ----------------------------------------------------------------------------


async def add_member(
    command: commands.AddMember,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    require_member_writer(principal, command.municipality_id)
    if await store.municipality(command.municipality_id) is None:
        raise Invalid(f"municipality_id: no municipality {command.municipality_id!r}")
    member_id = str(new_event_id())
    if idempotency_key is not None:
        member_id = commit_id(principal.subject, "member", idempotency_key)
    event = MemberAdded.create(
        MemberAddedPayload(
            member_id=member_id,
            name=command.name,
            email=str(command.email),
            municipality_id=command.municipality_id,
            role=command.role,
            language=command.language,
        ),
        partnership_id=PROGRAMME_KEY,
        actor=principal.as_actor(),
    )
    cause = _cause(principal, "member", idempotency_key)
    return await _record_new(store, cause, f"member:{member_id}", event, f"member {member_id}")


async def _current_member(
    member_id: str, principal: Principal, store: RegistryStore
) -> Snapshot[MemberAddedPayload]:
    snapshot = await _load(
        store, f"member:{member_id}", MemberAddedPayload, f"member {member_id!r}"
    )
    if snapshot.removed:
        raise NotFound(f"member {member_id!r} was removed")
    require_member_writer(principal, snapshot.state.municipality_id)
    return snapshot


async def update_member(
    member_id: str,
    command: commands.UpdateMember,
    principal: Principal,
    store: RegistryStore,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> Appended:
    snapshot = await _current_member(member_id, principal, store)
    if command.municipality_id is not None:
        # Moving someone to another municipality is a change to that one's members too.
        require_member_writer(principal, command.municipality_id)
        if await store.municipality(command.municipality_id) is None:
            raise Invalid(f"municipality_id: no municipality {command.municipality_id!r}")
    state = _rebuild(MemberAddedPayload, snapshot.state, command.changes())
    event = MemberUpdated.create(state, partnership_id=PROGRAMME_KEY, actor=principal.as_actor())
    stream = f"member:{member_id}"
    cause = _cause(principal, f"update:{stream}", idempotency_key)
    return await _record_change(
        store, cause, stream, snapshot, expected_version, event, f"member {member_id!r}"
    )


async def remove_member(
    member_id: str,
    principal: Principal,
    store: RegistryStore,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> Appended:
    """Remove a member from the directory; their past stays in the log and the history."""
    snapshot = await _current_member(member_id, principal, store)
    event = MemberRemoved.create(
        MemberRemovedPayload(member_id=member_id, municipality_id=snapshot.state.municipality_id),
        partnership_id=PROGRAMME_KEY,
        actor=principal.as_actor(),
    )
    stream = f"member:{member_id}"
    cause = _cause(principal, f"remove:{stream}", idempotency_key)
    return await _record_change(
        store, cause, stream, snapshot, expected_version, event, f"member {member_id!r}"
    )


# -- programme coordinators -------------------------------------------------------------


async def add_coordinator(
    command: commands.AddCoordinator,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    require_coordinator(principal)
    coordinator_id = command.id or slug(str(command.email).replace("@", " at "))
    event = CoordinatorAdded.create(
        CoordinatorAddedPayload(
            coordinator_id=coordinator_id,
            name=command.name,
            email=str(command.email),
            organisation=command.organisation,
            language=command.language,
            time_zone=command.time_zone,
        ),
        partnership_id=PROGRAMME_KEY,
        actor=principal.as_actor(),
    )
    stream = f"coordinator:{coordinator_id}"
    cause = _cause(principal, stream, idempotency_key)
    return await _record_new(store, cause, stream, event, f"coordinator {coordinator_id}")


async def _current_coordinator(
    coordinator_id: str, principal: Principal, store: RegistryStore
) -> Snapshot[CoordinatorAddedPayload]:
    require_coordinator(principal)
    snapshot = await _load(
        store,
        f"coordinator:{coordinator_id}",
        CoordinatorAddedPayload,
        f"coordinator {coordinator_id!r}",
    )
    if snapshot.removed:
        raise NotFound(f"coordinator {coordinator_id!r} was removed")
    return snapshot


async def update_coordinator(
    coordinator_id: str,
    command: commands.UpdateCoordinator,
    principal: Principal,
    store: RegistryStore,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> Appended:
    snapshot = await _current_coordinator(coordinator_id, principal, store)
    state = _rebuild(CoordinatorAddedPayload, snapshot.state, command.changes())
    # The contract sends an edited coordinator as a fresh full snapshot.
    event = CoordinatorAdded.create(state, partnership_id=PROGRAMME_KEY, actor=principal.as_actor())
    stream = f"coordinator:{coordinator_id}"
    cause = _cause(principal, f"update:{stream}", idempotency_key)
    return await _record_change(
        store, cause, stream, snapshot, expected_version, event, f"coordinator {coordinator_id!r}"
    )


async def remove_coordinator(
    coordinator_id: str,
    principal: Principal,
    store: RegistryStore,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> Appended:
    snapshot = await _current_coordinator(coordinator_id, principal, store)
    event = CoordinatorRemoved.create(
        CoordinatorRemovedPayload(coordinator_id=coordinator_id),
        partnership_id=PROGRAMME_KEY,
        actor=principal.as_actor(),
    )
    stream = f"coordinator:{coordinator_id}"
    cause = _cause(principal, f"remove:{stream}", idempotency_key)
    return await _record_change(
        store, cause, stream, snapshot, expected_version, event, f"coordinator {coordinator_id!r}"
    )


# -- the programme and the organisations behind it ---------------------------------------


async def register_organisation(
    command: commands.RegisterOrganisation,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    require_coordinator(principal)
    organisation_id = command.id or slug(
        command.names.get("fr") or next(iter(command.names.values()))
    )
    event = OrganisationRegistered.create(
        OrganisationRegisteredPayload(
            organisation_id=organisation_id,
            names=command.names,
            kind=command.kind,
            country=command.country,
            iati_identifier=command.iati_identifier,
            iati_type=command.iati_type,
            note=command.note,
        ),
        partnership_id=PROGRAMME_KEY,
        actor=principal.as_actor(),
    )
    stream = f"organisation:{organisation_id}"
    cause = _cause(principal, stream, idempotency_key)
    return await _record_new(store, cause, stream, event, f"organisation {organisation_id}")


async def update_organisation(
    organisation_id: str,
    command: commands.UpdateOrganisation,
    principal: Principal,
    store: RegistryStore,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> Appended:
    require_coordinator(principal)
    stream = f"organisation:{organisation_id}"
    what = f"organisation {organisation_id!r}"
    snapshot = await _load(store, stream, OrganisationRegisteredPayload, what)
    state = _rebuild(OrganisationRegisteredPayload, snapshot.state, command.changes())
    event = OrganisationUpdated.create(
        state, partnership_id=PROGRAMME_KEY, actor=principal.as_actor()
    )
    cause = _cause(principal, f"update:{stream}", idempotency_key)
    return await _record_change(store, cause, stream, snapshot, expected_version, event, what)


PROGRAMME_STREAM = "programme"


def _phases(phases: list[commands.PhaseInput]) -> list[Phase]:
    return [
        Phase(
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
    store: RegistryStore, funder_id: str, coordinating_organisation_ids: list[str]
) -> None:
    await _require_organisation(store, funder_id, "funder", "funder_id")
    for organisation_id in coordinating_organisation_ids:
        await _require_organisation(
            store, organisation_id, "association", "coordinating_organisation_ids"
        )


async def define_programme(
    command: commands.DefineProgramme,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    """Define the programme this registry runs: once; later changes are edits."""
    require_coordinator(principal)
    await _require_programme_organisations(
        store, command.funder_id, command.coordinating_organisation_ids
    )
    await _require_kept_phases(store, {phase.id for phase in command.phases})
    event = ProgrammeDefined.create(
        ProgrammeDefinedPayload(
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
        partnership_id=PROGRAMME_KEY,
        actor=principal.as_actor(),
    )
    cause = _cause(principal, PROGRAMME_STREAM, idempotency_key)
    return await _record_new(store, cause, PROGRAMME_STREAM, event, "the programme")


async def _require_kept_phases(store: RegistryStore, phases: set[str]) -> None:
    """No phase disappears while partnerships still take part in it."""
    orphans: dict[str, list[str]] = {}
    for partnership in await store.partnership_documents():
        for phase in partnership.get("phases", []):
            if phase not in phases:
                orphans.setdefault(phase, []).append(partnership["_id"])
    if orphans:
        listed = "; ".join(
            f"{phase} ({', '.join(sorted(ids)[:5])}{', …' if len(ids) > 5 else ''})"
            for phase, ids in sorted(orphans.items())
        )
        raise Invalid(f"phases: partnerships take part in phases this list leaves out: {listed}")


async def update_programme(
    command: commands.UpdateProgramme,
    principal: Principal,
    store: RegistryStore,
    expected_version: int | None,
    idempotency_key: str | None = None,
) -> Appended:
    """Edit the programme: close a phase, mark it evaluated, add the next one…"""
    require_coordinator(principal)
    snapshot = await _load(store, PROGRAMME_STREAM, ProgrammeDefinedPayload, "programme yet")
    changes = command.changes()
    if command.phases is not None:
        await _require_kept_phases(store, {phase.id for phase in command.phases})
        changes["phases"] = [phase.model_dump(mode="json") for phase in _phases(command.phases)]
    state = _rebuild(ProgrammeDefinedPayload, snapshot.state, changes)
    await _require_programme_organisations(
        store, state.funder_id, state.coordinating_organisation_ids
    )
    event = ProgrammeUpdated.create(state, partnership_id=PROGRAMME_KEY, actor=principal.as_actor())
    cause = _cause(principal, f"update:{PROGRAMME_STREAM}", idempotency_key)
    return await _record_change(
        store, cause, PROGRAMME_STREAM, snapshot, expected_version, event, "the programme"
    )


# -- roadmap requests: published for roadmaps to decide ---------------------------------


async def _writable_partnership(
    partnership_id: str, principal: Principal, store: RegistryStore, *, closed_too: bool = False
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


def _require_partner(partnership: Partnership, municipality_id: str | None) -> None:
    if municipality_id is not None and not partnership.includes(municipality_id):
        raise Invalid(
            f"responsible_municipality_id: {municipality_id!r} is not a partner of {partnership.id}"
        )


async def _submit(
    partnership_id: str,
    action: str,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None,
    event_for: Callable[[Partnership, str], Event],
    *,
    closed_too: bool = False,
) -> Appended:
    """Store a request as a submission, with its event, and answer with it."""
    partnership = await _writable_partnership(
        partnership_id, principal, store, closed_too=closed_too
    )
    cause = _cause(principal, f"{action}:{partnership.id}", idempotency_key)
    submission_id = str(new_event_id())
    event = event_for(partnership, submission_id)
    return await store.record(cause, f"submission:{submission_id}", 0, [event])


async def propose_objective(
    partnership_id: str,
    command: commands.ProposeObjective,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    def event(partnership: Partnership, submission_id: str) -> Event:
        return ObjectiveProposed.create(
            ObjectiveProposedPayload(
                submission_id=submission_id,
                objective_id=command.objective_id or str(new_event_id()),
                phase=command.phase,
                theme=command.theme,
                title=command.title,
                description=command.description,
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    return await _submit(partnership_id, "objective", principal, store, idempotency_key, event)


async def propose_milestone(
    partnership_id: str,
    command: commands.ProposeMilestone,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    """Publish a milestone plan for roadmaps to apply; answers with the submission."""

    def event(partnership: Partnership, submission_id: str) -> Event:
        _require_partner(partnership, command.responsible_municipality_id)
        return MilestoneProposed.create(
            MilestoneProposedPayload(
                submission_id=submission_id,
                milestone_id=command.milestone_id or str(new_event_id()),
                title=command.title,
                due_date=command.due_date,
                responsible_municipality_id=command.responsible_municipality_id,
                target=command.target,
                objective_id=command.objective_id,
                phase=command.phase,
                weight=command.weight,
                backfill=command.backfill,
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    return await _submit(partnership_id, "propose", principal, store, idempotency_key, event)


async def revise_milestone(
    partnership_id: str,
    milestone_id: str,
    command: commands.ReviseMilestone,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    def event(partnership: Partnership, submission_id: str) -> Event:
        _require_partner(partnership, command.responsible_municipality_id)
        return MilestoneRevised.create(
            MilestoneRevisedPayload(
                submission_id=submission_id, milestone_id=milestone_id, **command.changes()
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    action = f"revise:{milestone_id}"
    return await _submit(partnership_id, action, principal, store, idempotency_key, event)


async def reschedule_milestone(
    partnership_id: str,
    milestone_id: str,
    command: commands.RescheduleMilestone,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    def event(partnership: Partnership, submission_id: str) -> Event:
        return MilestoneRescheduleRequested.create(
            MilestoneRescheduleRequestedPayload(
                submission_id=submission_id,
                milestone_id=milestone_id,
                due_date=command.due_date,
                reason=command.reason,
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    action = f"reschedule:{milestone_id}"
    return await _submit(partnership_id, action, principal, store, idempotency_key, event)


async def cancel_milestone(
    partnership_id: str,
    milestone_id: str,
    command: commands.CancelMilestone,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    def event(partnership: Partnership, submission_id: str) -> Event:
        return MilestoneCancellationRequested.create(
            MilestoneCancellationRequestedPayload(
                submission_id=submission_id, milestone_id=milestone_id, reason=command.reason
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    action = f"cancel:{milestone_id}"
    return await _submit(partnership_id, action, principal, store, idempotency_key, event)


async def report_progress(
    partnership_id: str,
    milestone_id: str,
    command: commands.ReportProgress,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    def event(partnership: Partnership, submission_id: str) -> Event:
        return ProgressReported.create(
            ProgressReportedPayload(
                submission_id=submission_id,
                milestone_id=milestone_id,
                progress=command.progress,
                reported_on=command.reported_on,
                note=command.note,
                beneficiaries=[
                    BeneficiaryCount.model_validate(b.model_dump()) for b in command.beneficiaries
                ],
                correction=command.correction,
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    action = f"progress:{milestone_id}"
    return await _submit(partnership_id, action, principal, store, idempotency_key, event)


def _value(value: commands.Value) -> DisaggregatedValue:
    return DisaggregatedValue.model_validate(value.model_dump())


async def propose_indicator(
    partnership_id: str,
    command: commands.ProposeIndicator,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    def event(partnership: Partnership, submission_id: str) -> Event:
        return IndicatorProposed.create(
            IndicatorProposedPayload(
                submission_id=submission_id,
                indicator_id=command.indicator_id or str(new_event_id()),
                objective_id=command.objective_id,
                title=command.title,
                description=command.description,
                measure=command.measure,
                unit=command.unit,
                baseline=None if command.baseline is None else _value(command.baseline),
                baseline_year=command.baseline_year,
                periods=[
                    ReportingPeriod(
                        period_id=period.period_id,
                        start=period.start,
                        end=period.end,
                        targets=[_value(target) for target in period.targets],
                    )
                    for period in command.periods
                ],
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    return await _submit(partnership_id, "indicator", principal, store, idempotency_key, event)


async def report_indicator_value(
    partnership_id: str,
    indicator_id: str,
    command: commands.ReportIndicatorValue,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    def event(partnership: Partnership, submission_id: str) -> Event:
        return IndicatorValueReported.create(
            IndicatorValueReportedPayload(
                submission_id=submission_id,
                indicator_id=indicator_id,
                period_id=command.period_id,
                values=[_value(value) for value in command.values],
                note=command.note,
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    action = f"indicator-value:{indicator_id}"
    return await _submit(partnership_id, action, principal, store, idempotency_key, event)


async def submit_evaluation(
    partnership_id: str,
    phase: str,
    command: commands.SubmitEvaluation,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    """A coordinator evaluates a roadmap for a phase — a closed partnership's too: that is
    when evaluations are written."""
    require_coordinator(principal)
    document = await store.partnership_document(partnership_id)
    if document is not None and phase not in document.get("phases", []):
        raise Invalid(
            f"phase: partnership {partnership_id} takes part in "
            f"{', '.join(document.get('phases', [])) or 'no phase'}, not {phase}"
        )

    def event(partnership: Partnership, submission_id: str) -> Event:
        return EvaluationSubmitted.create(
            EvaluationSubmittedPayload(
                submission_id=submission_id, phase=phase, **command.model_dump()
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    action = f"evaluation:{phase}"
    return await _submit(
        partnership_id, action, principal, store, idempotency_key, event, closed_too=True
    )


async def import_roadmap(
    partnership_id: str,
    sheet: bytes,
    kind: str,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    """A roadmap sheet, checked for form here (every problem named by row and column), for
    roadmaps to apply all or nothing. The same sheet sent again is the same import."""
    await _writable_partnership(partnership_id, principal, store)
    rows = sheets.milestone_rows(await sheets.read_sheet_off_loop(sheet, kind))
    import_id = idempotency_key or hashlib.sha256(sheet).hexdigest()

    def event(partnership: Partnership, submission_id: str) -> Event:
        return RoadmapImportRequested.create(
            RoadmapImportRequestedPayload(
                submission_id=submission_id,
                import_id=commit_id(principal.subject, partnership.id, import_id),
                rows=rows,
            ),
            partnership_id=partnership.id,
            actor=principal.as_actor(),
            correlation_id=submission_id,
        )

    action = f"import:{import_id}"
    return await _submit(partnership_id, action, principal, store, idempotency_key, event)


async def record_outcome(event: SubmissionOutcome, store: RegistryStore) -> None:
    """Roadmaps decided a submission: mark it applied or rejected (the first decision stands)."""
    submission_id = event.payload.submission_id
    if submission_id is None:
        return
    if isinstance(event, SubmissionRejected):
        await store.record_outcome(
            submission_id,
            "rejected",
            event_id=str(event.event_id),
            code=event.payload.code,
            reason=event.payload.reason,
            details={"problems": [p.model_dump() for p in event.payload.problems]}
            if event.payload.problems
            else None,
        )
    elif isinstance(event, RoadmapImported):
        counts = event.payload.model_dump(exclude={"submission_id"})
        await store.record_outcome(
            submission_id,
            "applied",
            event_id=str(event.event_id),
            code=None,
            reason=None,
            details={"imported": counts},
        )
    else:
        await store.record_outcome(
            submission_id, "applied", event_id=str(event.event_id), code=None, reason=None
        )
