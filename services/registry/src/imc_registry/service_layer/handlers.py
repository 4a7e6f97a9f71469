"""The registry's use cases: one function each, taking a command, the caller and the store."""

from __future__ import annotations

from imc_contracts import Event, new_event_id
from imc_contracts.registry import (
    MemberAdded,
    MemberAddedPayload,
    MilestoneProposed,
    MilestoneProposedPayload,
    MunicipalityRegistered,
    MunicipalityRegisteredPayload,
    PartnershipCreated,
    PartnershipCreatedPayload,
    ProgressReported,
    ProgressReportedPayload,
)
from imc_contracts.roadmaps import (
    MilestonePlanned,
    MilestoneProgressed,
    MilestoneReached,
    SubmissionRejected,
)
from imc_runtime.auth import Principal
from imc_runtime.commitlog import Appended, ConcurrencyConflict, commit_id

from imc_registry.adapters.store import RegistryStore
from imc_registry.domain import commands
from imc_registry.domain.model import (
    Conflict,
    Invalid,
    NotFound,
    Partnership,
    partnership_name,
    require_coordinator,
    require_member_writer,
    require_writer_for,
    slug,
)


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


async def register_municipality(
    command: commands.RegisterMunicipality,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    require_coordinator(principal)
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
        partnership_id="programme",
        actor=principal.as_actor(),
    )
    cause = _cause(principal, f"municipality:{municipality_id}", idempotency_key)
    return await _record_new(
        store, cause, f"municipality:{municipality_id}", event, f"municipality {municipality_id}"
    )


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
    partnership_id = command.id or f"{moroccan.id}--{belgian.id}"
    event = PartnershipCreated.create(
        PartnershipCreatedPayload(
            partnership_id=partnership_id,
            moroccan_municipality_id=moroccan.id,
            belgian_municipality_id=belgian.id,
            name=partnership_name(moroccan, belgian),
            phases=command.phases,
            partners_since=command.partners_since,
            themes=command.themes,
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
        partnership_id="programme",
        actor=principal.as_actor(),
    )
    cause = _cause(principal, "member", idempotency_key)
    return await _record_new(store, cause, f"member:{member_id}", event, f"member {member_id}")


async def _writable_partnership(
    partnership_id: str, principal: Principal, store: RegistryStore
) -> Partnership:
    partnership = await store.partnership(partnership_id)
    if partnership is None:
        raise NotFound(f"no partnership {partnership_id!r}")
    require_writer_for(principal, partnership)
    return partnership


async def propose_milestone(
    partnership_id: str,
    command: commands.ProposeMilestone,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    """Publish a milestone plan for roadmaps to apply; answers with the submission."""
    partnership = await _writable_partnership(partnership_id, principal, store)
    if not partnership.includes(command.responsible_municipality_id):
        raise Invalid(
            f"responsible_municipality_id: {command.responsible_municipality_id!r} "
            f"is not a partner of {partnership.id}"
        )
    cause = _cause(principal, f"propose:{partnership.id}", idempotency_key)
    submission_id = str(new_event_id())
    event = MilestoneProposed.create(
        MilestoneProposedPayload(
            submission_id=submission_id,
            milestone_id=command.milestone_id or str(new_event_id()),
            title=command.title,
            due_date=command.due_date,
            responsible_municipality_id=command.responsible_municipality_id,
            target=command.target,
        ),
        partnership_id=partnership.id,
        actor=principal.as_actor(),
        correlation_id=submission_id,
    )
    return await store.record(cause, f"submission:{submission_id}", 0, [event])


async def report_progress(
    partnership_id: str,
    milestone_id: str,
    command: commands.ReportProgress,
    principal: Principal,
    store: RegistryStore,
    idempotency_key: str | None = None,
) -> Appended:
    partnership = await _writable_partnership(partnership_id, principal, store)
    cause = _cause(principal, f"progress:{partnership.id}:{milestone_id}", idempotency_key)
    submission_id = str(new_event_id())
    event = ProgressReported.create(
        ProgressReportedPayload(
            submission_id=submission_id,
            milestone_id=milestone_id,
            progress=command.progress,
            reported_on=command.reported_on,
            note=command.note,
        ),
        partnership_id=partnership.id,
        actor=principal.as_actor(),
        correlation_id=submission_id,
    )
    return await store.record(cause, f"submission:{submission_id}", 0, [event])


async def record_decision(
    event: MilestonePlanned | MilestoneProgressed | MilestoneReached | SubmissionRejected,
    store: RegistryStore,
) -> None:
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
        )
    else:
        await store.record_outcome(
            submission_id, "applied", event_id=str(event.event_id), code=None, reason=None
        )
