"""Evaluations: how a roadmap did in a phase, on the OECD-DAC criteria, and phase comparison.

A coordinator's evaluation arrives as the registry's ``evaluation.submitted``; a later one of
the same phase replaces the earlier (the stream keeps both).
"""

from __future__ import annotations

from typing import Any

from imc_contracts import registry
from imc_contracts.common import DAC_CRITERIA
from imc_contracts.roadmaps import EvaluationRecorded, EvaluationRecordedPayload

from imc_roadmaps.domain.model import Refused
from imc_roadmaps.domain.streams import evaluation_stream
from imc_roadmaps.service_layer.handlers import Decision, deciding
from imc_roadmaps.service_layer.ports import Dependencies, RoadmapsRepository


@deciding
async def evaluation_submitted(event: registry.EvaluationSubmitted, deps: Dependencies) -> Decision:
    """Record (or replace) the evaluation of a partnership's roadmap for one phase."""
    store = deps.store
    p = event.payload
    partnership = await store.partnership(event.partnership_id)
    if partnership is None:
        raise Refused("partnership_unknown", partnership_id=event.partnership_id)
    if partnership.phases and p.phase not in partnership.phases:
        raise Refused("phase_unknown", phase=p.phase, partnership_id=event.partnership_id)
    stream = evaluation_stream(event.partnership_id, p.phase)
    recorded = EvaluationRecorded.create(
        EvaluationRecordedPayload.model_validate(p.model_dump()),
        partnership_id=event.partnership_id,
        caused_by=event,
    )
    return Decision(stream, await store.stream_version(stream), [recorded])


async def compare_phases(
    store: RoadmapsRepository, partnership_id: str, phases: list[str]
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
                "ratings": {criterion: evaluation.get(criterion) for criterion in DAC_CRITERIA},
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
        for criterion in DAC_CRITERIA:
            a, b = first[criterion], last[criterion]
            changes[criterion] = b - a if a is not None and b is not None else None
    return {"partnership_id": partnership_id, "phases": columns, "rating_changes": changes}
