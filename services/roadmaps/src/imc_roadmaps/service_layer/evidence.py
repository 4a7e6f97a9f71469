"""Evidence: roadmaps decides whether a file may be attached to one of its reports.

The file stays in the registry; roadmaps records that it is evidence of a milestone's
progress report, an indicator's value or a phase's evaluation — under the same rules as the
report itself (a closed phase is read only, but for a coordinator's back-fill) — and lists
it with the roadmap, in the milestone's history and in the funder's report.
"""

from __future__ import annotations

from imc_contracts import Localized, registry
from imc_contracts.roadmaps import EvidenceAttached, EvidenceAttachedPayload

from imc_roadmaps.domain.model import Refused
from imc_roadmaps.domain.streams import evidence_stream
from imc_roadmaps.service_layer.handlers import Decision, deciding
from imc_roadmaps.service_layer.phases import current_phase, require_open
from imc_roadmaps.service_layer.ports import Dependencies, RoadmapsRepository


@deciding
async def evidence_attach_requested(
    event: registry.EvidenceAttachRequested, deps: Dependencies
) -> Decision:
    store = deps.store
    p = event.payload
    evidence = p.evidence
    phase, title = await _subject(store, event)
    attached = EvidenceAttached.create(
        EvidenceAttachedPayload(
            submission_id=p.submission_id, evidence=evidence, phase=phase, title=title
        ),
        partnership_id=event.partnership_id,
        caused_by=event,
    )
    return Decision(evidence_stream(event.partnership_id, evidence.evidence_id), 0, [attached])


async def _subject(
    store: RoadmapsRepository, event: registry.EvidenceAttachRequested
) -> tuple[str, Localized]:
    """The phase and title of what the file is evidence of, if it may take one now."""
    evidence = event.payload.evidence
    partnership_id = event.partnership_id
    if evidence.subject == "progress":
        milestone_id = evidence.milestone_id or ""
        milestone = await store.milestone(partnership_id, milestone_id)
        if milestone is None:
            raise Refused("milestone_unknown", milestone_id=milestone_id)
        await require_open(store, milestone.phase, event, backfill=milestone.backfill)
        return milestone.phase, milestone.title
    if evidence.subject == "indicator_value":
        indicator_id = evidence.indicator_id or ""
        indicator = await store.indicator(partnership_id, indicator_id)
        if indicator is None:
            raise Refused("indicator_unknown", indicator_id=indicator_id)
        objective = (
            await store.objective(partnership_id, indicator.objective_id)
            if indicator.objective_id
            else None
        )
        phase = objective.phase if objective else await current_phase(store)
        await require_open(store, phase, event)
        return phase, indicator.title
    # An evaluation: of a phase that is over, so a closed phase takes it.
    phase = evidence.phase or ""
    if not any(e["phase"] == phase for e in await store.evaluations_of(partnership_id)):
        raise Refused("evaluation_unknown", phase=phase)
    return phase, {}
