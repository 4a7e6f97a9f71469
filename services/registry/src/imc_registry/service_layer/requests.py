"""Roadmap requests: stored as submissions and published for roadmaps to decide."""

from __future__ import annotations

import hashlib

from imc_contracts import new_event_id, registry
from imc_runtime.commitlog import Appended, commit_id

from imc_registry.domain import roadmap_requests
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

DEFAULT_PHASE = "2022-2026"
"""Before the programme is defined (a registry with partnerships only), new work's phase."""


async def propose_objective(
    partnership_id: str,
    command: roadmap_requests.ProposeObjective,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    phase = command.phase or await current_phase(store) or DEFAULT_PHASE

    def payload(partnership: Partnership, submission_id: str) -> registry.ObjectiveProposedPayload:
        objective_id = command.objective_id or str(new_event_id())
        return from_command(
            registry.ObjectiveProposedPayload,
            command,
            submission_id=submission_id,
            objective_id=objective_id,
            phase=phase,
        )

    return await submit_request(
        partnership_id, "objective", ask, store, registry.ObjectiveProposed, payload
    )


async def propose_milestone(
    partnership_id: str,
    command: roadmap_requests.ProposeMilestone,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    """Publish a milestone plan for roadmaps to apply; answers with the submission."""

    def payload(partnership: Partnership, submission_id: str) -> registry.MilestoneProposedPayload:
        require_partner(partnership, command.responsible_municipality_id)
        milestone_id = command.milestone_id or str(new_event_id())
        return from_command(
            registry.MilestoneProposedPayload,
            command,
            submission_id=submission_id,
            milestone_id=milestone_id,
        )

    return await submit_request(
        partnership_id, "propose", ask, store, registry.MilestoneProposed, payload
    )


async def revise_milestone(
    partnership_id: str,
    milestone_id: str,
    command: roadmap_requests.ReviseMilestone,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    def payload(partnership: Partnership, submission_id: str) -> registry.MilestoneRevisedPayload:
        require_partner(partnership, command.responsible_municipality_id)
        return registry.MilestoneRevisedPayload(
            submission_id=submission_id, milestone_id=milestone_id, **command.changes()
        )

    action = f"revise:{milestone_id}"
    return await submit_request(
        partnership_id, action, ask, store, registry.MilestoneRevised, payload
    )


async def reschedule_milestone(
    partnership_id: str,
    milestone_id: str,
    command: roadmap_requests.RescheduleMilestone,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    def payload(
        partnership: Partnership, submission_id: str
    ) -> registry.MilestoneRescheduleRequestedPayload:
        return from_command(
            registry.MilestoneRescheduleRequestedPayload,
            command,
            submission_id=submission_id,
            milestone_id=milestone_id,
        )

    action = f"reschedule:{milestone_id}"
    return await submit_request(
        partnership_id, action, ask, store, registry.MilestoneRescheduleRequested, payload
    )


async def cancel_milestone(
    partnership_id: str,
    milestone_id: str,
    command: roadmap_requests.CancelMilestone,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    def payload(
        partnership: Partnership, submission_id: str
    ) -> registry.MilestoneCancellationRequestedPayload:
        return from_command(
            registry.MilestoneCancellationRequestedPayload,
            command,
            submission_id=submission_id,
            milestone_id=milestone_id,
        )

    action = f"cancel:{milestone_id}"
    return await submit_request(
        partnership_id, action, ask, store, registry.MilestoneCancellationRequested, payload
    )


async def report_progress(
    partnership_id: str,
    milestone_id: str,
    command: roadmap_requests.ReportProgress,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    def payload(partnership: Partnership, submission_id: str) -> registry.ProgressReportedPayload:
        return from_command(
            registry.ProgressReportedPayload,
            command,
            submission_id=submission_id,
            milestone_id=milestone_id,
        )

    action = f"progress:{milestone_id}"
    return await submit_request(
        partnership_id, action, ask, store, registry.ProgressReported, payload
    )


async def propose_indicator(
    partnership_id: str,
    command: roadmap_requests.ProposeIndicator,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    def payload(partnership: Partnership, submission_id: str) -> registry.IndicatorProposedPayload:
        indicator_id = command.indicator_id or str(new_event_id())
        return from_command(
            registry.IndicatorProposedPayload,
            command,
            submission_id=submission_id,
            indicator_id=indicator_id,
        )

    return await submit_request(
        partnership_id, "indicator", ask, store, registry.IndicatorProposed, payload
    )


async def report_indicator_value(
    partnership_id: str,
    indicator_id: str,
    command: roadmap_requests.ReportIndicatorValue,
    ask: Ask,
    store: RegistryRepository,
) -> Appended:
    def payload(
        partnership: Partnership, submission_id: str
    ) -> registry.IndicatorValueReportedPayload:
        return from_command(
            registry.IndicatorValueReportedPayload,
            command,
            submission_id=submission_id,
            indicator_id=indicator_id,
        )

    action = f"indicator-value:{indicator_id}"
    return await submit_request(
        partnership_id, action, ask, store, registry.IndicatorValueReported, payload
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

    def payload(
        partnership: Partnership, submission_id: str
    ) -> registry.EvaluationSubmittedPayload:
        return from_command(
            registry.EvaluationSubmittedPayload, command, submission_id=submission_id, phase=phase
        )

    action = f"evaluation:{phase}"
    return await submit_request(
        partnership_id, action, ask, store, registry.EvaluationSubmitted, payload, closed_too=True
    )


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
