"""How roadmaps decided a submission: applied or rejected, recorded once."""

from __future__ import annotations

from imc_contracts import roadmaps
from imc_contracts.roadmaps import MilestoneRevised as RoadmapMilestoneRevised

from imc_registry.service_layer.ports import RegistryRepository

SubmissionOutcome = (
    roadmaps.EvaluationRecorded
    | roadmaps.MilestonePlanned
    | roadmaps.MilestoneProgressed
    | roadmaps.MilestoneReached
    | roadmaps.SubmissionRejected
    | roadmaps.ObjectivePlanned
    | RoadmapMilestoneRevised
    | roadmaps.MilestoneRescheduled
    | roadmaps.MilestoneCancelled
    | roadmaps.IndicatorDefined
    | roadmaps.IndicatorValueRecorded
    | roadmaps.RoadmapImported
    | roadmaps.EvidenceAttached
)
SUBMISSION_OUTCOMES: tuple[type[SubmissionOutcome], ...] = (
    roadmaps.EvaluationRecorded,
    roadmaps.MilestonePlanned,
    roadmaps.MilestoneProgressed,
    roadmaps.MilestoneReached,
    roadmaps.SubmissionRejected,
    roadmaps.ObjectivePlanned,
    RoadmapMilestoneRevised,
    roadmaps.MilestoneRescheduled,
    roadmaps.MilestoneCancelled,
    roadmaps.IndicatorDefined,
    roadmaps.IndicatorValueRecorded,
    roadmaps.RoadmapImported,
    roadmaps.EvidenceAttached,
)
"""Every roadmaps event that answers a submission."""


async def record_outcome(event: SubmissionOutcome, store: RegistryRepository) -> None:
    """Roadmaps decided a submission: mark it applied or rejected (the first decision stands)."""
    submission_id = event.payload.submission_id
    if submission_id is None:
        return
    if isinstance(event, roadmaps.SubmissionRejected):
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
        await _forget_refused_file(submission_id, store)
    elif isinstance(event, roadmaps.RoadmapImported):
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


async def _forget_refused_file(submission_id: str, store: RegistryRepository) -> None:
    """A file roadmaps would not attach is not kept."""
    submission = await store.submission_state(submission_id)
    if submission is None or submission.kind != "evidence.attach_requested":
        return
    evidence = submission.request.get("evidence")
    if isinstance(evidence, dict) and isinstance(evidence.get("evidence_id"), str):
        await store.forget_evidence(evidence["evidence_id"])
