"""Evaluations: roadmaps' own record of how a roadmap did in a phase, and phase comparison.

No registry request carries them: they are decided by the programme's coordinators about
data roadmaps owns, so they are written where they are owned, through roadmaps' API.
"""

from __future__ import annotations

from typing import Any

from imc_contracts import Actor
from imc_contracts.roadmaps import EvaluationRecorded, EvaluationRecordedPayload
from imc_runtime.commitlog import Appended, commit_id

from imc_roadmaps.adapters.store import RoadmapsStore, evaluation_stream
from imc_roadmaps.domain.model import Refused

CRITERIA = ("relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability")


async def record_evaluation(
    store: RoadmapsStore,
    partnership_id: str,
    payload: EvaluationRecordedPayload,
    actor: Actor,
    idempotency_key: str,
) -> Appended:
    """Record (or replace) the evaluation of a partnership's roadmap for one phase.

    The commit id comes from the caller's idempotency key: a retried request is the same
    change. Raises ``ConcurrencyConflict`` when another evaluation of the phase raced it.
    """
    partnership = await store.partnership(partnership_id)
    if partnership is None:
        raise Refused("partnership_unknown", partnership_id=partnership_id)
    if partnership.phases and payload.phase not in partnership.phases:
        raise Refused("phase_unknown", phase=payload.phase, partnership_id=partnership_id)
    stream = evaluation_stream(partnership_id, payload.phase)
    version = await store.commits.stream_version(stream)
    event = EvaluationRecorded.create(payload, partnership_id=partnership_id, actor=actor)
    return await store.record(
        commit_id("evaluation", partnership_id, idempotency_key), stream, version, [event]
    )


async def compare_phases(
    store: RoadmapsStore, partnership_id: str, phases: list[str]
) -> dict[str, Any]:
    """Two (or more) phases of one partnership side by side: ratings, progress, reach."""
    evaluations = {e["phase"]: e for e in await store.evaluations_of(partnership_id)}
    columns = []
    for phase in phases:
        evaluation = evaluations.get(phase, {})
        rollup = await store.roadmap(partnership_id, phase) or {}
        columns.append(
            {
                "phase": phase,
                "evaluated": bool(evaluation),
                "ratings": {criterion: evaluation.get(criterion) for criterion in CRITERIA},
                "progress": rollup.get("progress"),
                "milestones": rollup.get("milestones", 0),
                "milestones_reached": rollup.get("reached", 0),
                "beneficiaries": sum(rollup.get("beneficiaries", {}).values()),
                "findings": evaluation.get("findings", {}),
                "lessons": evaluation.get("lessons", {}),
            }
        )
    changes: dict[str, int | None] = {}
    if len(columns) >= 2:
        first, last = columns[0]["ratings"], columns[-1]["ratings"]
        for criterion in CRITERIA:
            a, b = first[criterion], last[criterion]
            changes[criterion] = b - a if a is not None and b is not None else None
    return {"partnership_id": partnership_id, "phases": columns, "rating_changes": changes}
