"""Roadmap requests: stored as submissions and published for roadmaps to decide."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from imc_contracts import Event, new_event_id, registry
from imc_contracts.envelope import Contract
from imc_runtime.commits import Appended, commit_id

from imc_registry.domain import roadmap_requests
from imc_registry.domain.commands import Command
from imc_registry.domain.model import Invalid, Partnership, require_coordinator
from imc_registry.service_layer import sheets
from imc_registry.service_layer.changes import (
    Ask,
    from_command,
    require_partner,
    submit_request,
    writable_partnership,
)
from imc_registry.service_layer.phases import current_phase
from imc_registry.service_layer.ports import RegistryRepository

C = TypeVar("C", bound=Command)

DEFAULT_PHASE = "2022-2026"
"""Before the programme is defined (a registry with partnerships only), new work's phase."""


async def _request(
    partnership_id: str,
    action: str,
    ask: Ask,
    store: RegistryRepository,
    request: type[Event],
    fields: dict[str, Any],
    check: Callable[[Partnership], None] | None = None,
    closed_too: bool = False,
) -> Appended:
    """Submit a roadmap request whose payload is ``fields`` (the command's, and the ids of
    what it is about), once ``check`` holds of the partnership."""
    payload_type = request.payload_type()

    def payload(partnership: Partnership, submission_id: str) -> Contract:
        if check is not None:
            check(partnership)
        return from_command(payload_type, fields, submission_id=submission_id)

    return await submit_request(
        partnership_id, action, ask, store, request, payload, closed_too=closed_too
    )


def _responsible_is_partner(municipality_id: str | None) -> Callable[[Partnership], None]:
    return lambda partnership: require_partner(partnership, municipality_id)


async def propose_objective(
    partnership_id: str,
    command: roadmap_requests.ProposeObjective,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    fields = command.model_dump(mode="json")
    fields["objective_id"] = command.objective_id or str(new_event_id())
    fields["phase"] = command.phase or await current_phase(store) or DEFAULT_PHASE
    return await _request(
        partnership_id, "objective", ask, store, registry.ObjectiveProposed, fields
    )


async def propose_milestone(
    partnership_id: str,
    command: roadmap_requests.ProposeMilestone,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    """Publish a milestone plan for roadmaps to apply; answers with the submission."""
    fields = command.model_dump(mode="json")
    fields["milestone_id"] = command.milestone_id or str(new_event_id())
    check = _responsible_is_partner(command.responsible_municipality_id)
    return await _request(
        partnership_id, "propose", ask, store, registry.MilestoneProposed, fields, check
    )


async def revise_milestone(
    partnership_id: str,
    milestone_id: str,
    command: roadmap_requests.ReviseMilestone,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    """Only the fields given change."""
    fields = {**command.changes(), "milestone_id": milestone_id}
    check = _responsible_is_partner(command.responsible_municipality_id)
    action = f"revise:{milestone_id}"
    return await _request(
        partnership_id, action, ask, store, registry.MilestoneRevised, fields, check
    )


async def propose_indicator(
    partnership_id: str,
    command: roadmap_requests.ProposeIndicator,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    fields = command.model_dump(mode="json")
    fields["indicator_id"] = command.indicator_id or str(new_event_id())
    return await _request(
        partnership_id, "indicator", ask, store, registry.IndicatorProposed, fields
    )


RequestAbout = Callable[[str, str, C, Ask, RegistryRepository], Awaitable[Appended]]


def _about(key: str, action: str, request: type[Event], _command: type[C]) -> RequestAbout[C]:
    """A request about one milestone or indicator of the roadmap (``key`` names its id):
    the command's fields and that id, under the action ``{action}:{id}``. ``_command`` is
    there for the type checker: the use case takes that command and no other."""

    async def submit(
        partnership_id: str, subject_id: str, command: C, ask: Ask, store: RegistryRepository
    ) -> Appended:
        fields = {**command.model_dump(mode="json"), key: subject_id}
        action_on = f"{action}:{subject_id}"
        return await _request(partnership_id, action_on, ask, store, request, fields)

    return submit


reschedule_milestone = _about(
    "milestone_id",
    "reschedule",
    registry.MilestoneRescheduleRequested,
    roadmap_requests.RescheduleMilestone,
)
cancel_milestone = _about(
    "milestone_id",
    "cancel",
    registry.MilestoneCancellationRequested,
    roadmap_requests.CancelMilestone,
)
report_progress = _about(
    "milestone_id", "progress", registry.ProgressReported, roadmap_requests.ReportProgress
)
report_indicator_value = _about(
    "indicator_id",
    "indicator-value",
    registry.IndicatorValueReported,
    roadmap_requests.ReportIndicatorValue,
)


async def submit_evaluation(
    partnership_id: str,
    phase: str,
    command: roadmap_requests.SubmitEvaluation,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    """A coordinator evaluates a roadmap for a phase — a closed partnership's too: that is
    when evaluations are written."""
    require_coordinator(ask.principal)
    found = await store.partnership(partnership_id)
    if found is not None and phase not in found.phases:
        raise Invalid(
            f"phase: partnership {partnership_id} takes part in "
            f"{', '.join(found.phases) or 'no phase'}, not {phase}"
        )

    fields = {**command.model_dump(mode="json"), "phase": phase}
    action = f"evaluation:{phase}"
    request = registry.EvaluationSubmitted
    return await _request(partnership_id, action, ask, store, request, fields, closed_too=True)


async def import_roadmap(
    partnership_id: str, sheet: bytes, kind: str, ask: Ask, store: RegistryRepository
) -> Appended:
    """A roadmap sheet, checked for form here (every problem named by row and column), for
    roadmaps to apply all or nothing. The same sheet sent again is the same import."""
    await writable_partnership(partnership_id, ask.principal, store)
    rows = sheets.milestone_rows(await sheets.read_sheet_off_loop(sheet, kind))
    import_id = ask.idempotency_key or hashlib.sha256(sheet).hexdigest()

    def payload(
        partnership: Partnership, submission_id: str
    ) -> registry.RoadmapImportRequestedPayload:
        return registry.RoadmapImportRequestedPayload(
            submission_id=submission_id,
            import_id=commit_id(ask.principal.subject, partnership.id, import_id),
            rows=rows,
        )

    action = f"import:{import_id}"
    return await submit_request(
        partnership_id, action, ask, store, registry.RoadmapImportRequested, payload
    )
