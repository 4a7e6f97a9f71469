"""Roadmaps' use cases: apply the registry's requests, or refuse them with a reason."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from imc_contracts import Actor, Event, registry, roadmaps
from imc_runtime.commits import ConcurrencyConflict, commit_id
from imc_runtime.logging import get_logger

from imc_roadmaps.domain.model import Milestone, ObjectiveRef, Refused, plan_milestone
from imc_roadmaps.domain.objectives import define_indicator, plan_objective
from imc_roadmaps.domain.reasons import reason
from imc_roadmaps.domain.rollup import NO_OBJECTIVE, roll_up_roadmap
from imc_roadmaps.domain.streams import (
    indicator_stream,
    milestone_stream,
    objective_stream,
    submission_stream,
)
from imc_roadmaps.service_layer.phases import current_phase, require_open
from imc_roadmaps.service_layer.ports import Dependencies, RoadmapsRepository

CONFLICT_RETRIES = 5

log = get_logger(__name__)


@dataclass(frozen=True)
class Decision:
    """What a request changes: events to append to one stream at one version."""

    stream: str
    expected_version: int
    events: Sequence[Event]
    others: Sequence[Milestone] | None = None
    """The partnership's other milestones, as read to decide: the store need not read them
    again to write the milestone's group."""


def cause_id(event: Event) -> str:
    """Deterministic: the same incoming event is one change, however often it is delivered."""
    return commit_id("roadmaps", str(event.event_id))


E = TypeVar("E", bound=Event)


def deciding(
    decide: Callable[[E, Dependencies], Awaitable[Decision]],
) -> Callable[[E, Dependencies], Awaitable[None]]:
    """A roadmap request's use case from what it decides: the decision recorded, or the
    request's rejection when it is refused (``decide_or_refuse``)."""

    @functools.wraps(decide)
    async def use_case(event: E, deps: Dependencies) -> None:
        submission_id = event.payload.submission_id
        await decide_or_refuse(event, submission_id, deps.store, lambda: decide(event, deps))

    return use_case


# -- roadmap requests ------------------------------------------------------------------


@deciding
async def objective_proposed(event: registry.ObjectiveProposed, deps: Dependencies) -> Decision:
    store = deps.store
    p = event.payload
    await require_open(store, p.phase, event)
    existing = await store.objective(event.partnership_id, p.objective_id)
    planned = plan_objective(
        partnership=await store.partnership(event.partnership_id),
        partnership_id=event.partnership_id,
        existing=existing,
        objective_id=p.objective_id,
        phase=p.phase,
        theme=p.theme,
        title=p.title,
        description=p.description,
        cause=event,
        submission_id=p.submission_id,
        example=p.example,
    )
    version = existing.version if existing else 0
    return Decision(objective_stream(event.partnership_id, p.objective_id), version, [planned])


@deciding
async def milestone_proposed(event: registry.MilestoneProposed, deps: Dependencies) -> Decision:
    store, today = deps.store, deps.today
    p = event.payload
    objective = None
    if p.objective_id is not None:
        found = await store.objective(event.partnership_id, p.objective_id)
        objective = ObjectiveRef(found.id, found.phase) if found else None
    phase = p.phase or (objective.phase if objective else await current_phase(store))
    await require_open(store, phase, event, backfill=p.backfill)
    planned = plan_milestone(
        partnership=await store.partnership(event.partnership_id),
        existing=await store.milestone(event.partnership_id, p.milestone_id),
        partnership_id=event.partnership_id,
        milestone_id=p.milestone_id,
        title=p.title,
        due_date=p.due_date,
        responsible_municipality_id=p.responsible_municipality_id,
        target=p.target,
        today=today(),
        cause=event,
        submission_id=p.submission_id,
        objective=objective,
        objective_id=p.objective_id,
        phase=phase,
        weight=p.weight,
        backfill=p.backfill,
        example=p.example,
    )
    milestone = Milestone.from_history([planned])
    assert milestone is not None
    return await milestone_decision(store, milestone, [planned], event, before=None)


async def _known_milestone(store: RoadmapsRepository, event: Event, milestone_id: str) -> Milestone:
    milestone = await store.milestone(event.partnership_id, milestone_id)
    if milestone is None:
        raise Refused("milestone_unknown", milestone_id=milestone_id)
    await require_open(store, milestone.phase, event, backfill=milestone.backfill)
    return milestone


@deciding
async def progress_reported(event: registry.ProgressReported, deps: Dependencies) -> Decision:
    store = deps.store
    p = event.payload
    milestone = await _known_milestone(store, event, p.milestone_id)
    events = milestone.report_progress(
        p.progress,
        p.reported_on,
        cause=event,
        submission_id=p.submission_id,
        correction=p.correction,
        beneficiaries=p.beneficiaries,
        note=p.note,
        today=deps.today(),
    )
    return await milestone_decision(store, milestone, events, event, before=milestone)


@deciding
async def milestone_revised(event: registry.MilestoneRevised, deps: Dependencies) -> Decision:
    store = deps.store
    p = event.payload
    milestone = await _known_milestone(store, event, p.milestone_id)
    partnership = await store.partnership(event.partnership_id)
    if partnership is None:
        raise Refused("partnership_unknown", partnership_id=event.partnership_id)
    objective_ids: frozenset[str] = frozenset()
    if p.objective_id is not None:
        found = await store.objective(event.partnership_id, p.objective_id)
        if found is not None and found.phase != milestone.phase:
            raise Refused("phase_mismatch", phase=milestone.phase, objective_phase=found.phase)
        if found is not None:
            objective_ids = frozenset({found.id})
    revised = milestone.revise(
        partnership=partnership,
        objective_ids=objective_ids,
        title=p.title,
        responsible_municipality_id=p.responsible_municipality_id,
        target=p.target,
        objective_id=p.objective_id,
        weight=p.weight,
        cause=event,
        submission_id=p.submission_id,
    )
    return await milestone_decision(store, milestone, [revised], event, before=milestone)


@deciding
async def milestone_reschedule_requested(
    event: registry.MilestoneRescheduleRequested, deps: Dependencies
) -> Decision:
    store, today = deps.store, deps.today
    p = event.payload
    milestone = await _known_milestone(store, event, p.milestone_id)
    rescheduled = milestone.reschedule(
        p.due_date, today=today(), reason=p.reason, cause=event, submission_id=p.submission_id
    )
    return Decision(
        milestone_stream(milestone.partnership_id, milestone.id),
        milestone.version,
        [rescheduled],
    )


@deciding
async def milestone_cancellation_requested(
    event: registry.MilestoneCancellationRequested, deps: Dependencies
) -> Decision:
    store = deps.store
    p = event.payload
    milestone = await _known_milestone(store, event, p.milestone_id)
    cancelled = milestone.cancel(p.reason, cause=event, submission_id=p.submission_id)
    return await milestone_decision(store, milestone, [cancelled], event, before=milestone)


@deciding
async def indicator_proposed(event: registry.IndicatorProposed, deps: Dependencies) -> Decision:
    store = deps.store
    p = event.payload
    existing = await store.indicator(event.partnership_id, p.indicator_id)
    objective_ids: frozenset[str] = frozenset()
    objective = (
        await store.objective(event.partnership_id, p.objective_id)
        if p.objective_id is not None
        else None
    )
    if objective is not None:
        await require_open(store, objective.phase, event)
        objective_ids = frozenset({objective.id})
    defined = define_indicator(
        partnership=await store.partnership(event.partnership_id),
        partnership_id=event.partnership_id,
        existing=existing,
        objective_ids=objective_ids,
        payload=roadmaps.IndicatorDefinedPayload(**p.model_dump()),
        cause=event,
    )
    version = existing.version if existing else 0
    return Decision(indicator_stream(event.partnership_id, p.indicator_id), version, [defined])


@deciding
async def indicator_value_reported(
    event: registry.IndicatorValueReported, deps: Dependencies
) -> Decision:
    store = deps.store
    p = event.payload
    indicator = await store.indicator(event.partnership_id, p.indicator_id)
    if indicator is None:
        raise Refused("indicator_unknown", indicator_id=p.indicator_id)
    if indicator.objective_id is not None:
        objective = await store.objective(event.partnership_id, indicator.objective_id)
        await require_open(store, objective.phase if objective else None, event)
    recorded = indicator.record_values(
        p.period_id, p.values, p.note, cause=event, submission_id=p.submission_id
    )
    return Decision(
        indicator_stream(event.partnership_id, p.indicator_id), indicator.version, [recorded]
    )


# -- shared steps ----------------------------------------------------------------------


async def milestone_decision(
    store: RoadmapsRepository,
    milestone: Milestone,
    events: list[Event],
    cause: Event | None,
    *,
    before: Milestone | None,
    actor: Actor | None = None,
) -> Decision:
    """The milestone's events, plus ``roadmap.progressed`` when its roadmap's roll-up moves.

    Both go in the one commit: the roll-up leaves exactly when the change that moved it is
    stored. One partnership's requests arrive in order on one partition, so the siblings read
    here are not being changed by anyone else meanwhile.
    """
    after = milestone.after(events) if before is not None else milestone
    group, stored = await asyncio.gather(
        store.milestones_of(milestone.partnership_id, kept=True),
        store.roadmap(milestone.partnership_id, milestone.phase, kept=True),
    )
    others = [m for m in group if m.id != milestone.id]
    siblings = [m for m in others if m.phase == milestone.phase]
    previous = float(stored["progress"]) if stored else 0.0
    rollup = roll_up_roadmap([*siblings, after])
    if rollup.changed_from(previous):
        events = [
            *events,
            roadmaps.RoadmapProgressed.create(
                roadmaps.RoadmapProgressedPayload(
                    phase=milestone.phase,
                    progress=rollup.progress,
                    previous_progress=previous,
                    objectives={k: v for k, v in rollup.objectives.items() if k != NO_OBJECTIVE},
                ),
                partnership_id=milestone.partnership_id,
                caused_by=cause,
                actor=actor,
            ),
        ]
    version = milestone.version if before is not None else 0
    stream = milestone_stream(milestone.partnership_id, milestone.id)
    return Decision(stream, version, events, others)


async def decide_or_refuse(
    event: Event,
    submission_id: str,
    store: RoadmapsRepository,
    decide: Callable[[], Awaitable[Decision]],
) -> None:
    """Run ``decide`` and record it; on a refusal record a rejection; on a racing writer
    decide again. The commit id comes from the incoming event, so a redelivery is a no-op:
    its decision, or its refusal (a request accepted since may now be refused), is recorded
    under the same id as the first one's, and is that one's duplicate. A refusal decided on
    the streams this process kept is decided again on the log's before it is recorded."""
    rechecked = False
    for _ in range(CONFLICT_RETRIES):
        try:
            decision = await decide()
            await store.record(
                cause_id(event),
                decision.stream,
                decision.expected_version,
                decision.events,
                others=decision.others,
            )
            return
        except Refused as refused:
            if not rechecked:  # decided on what this process kept: decide on the log's
                rechecked = True
                store.forget_streams()
                continue
            language = event.actor.language if event.actor else None
            await reject(
                event,
                roadmaps.SubmissionRejectedPayload(
                    submission_id=submission_id,
                    code=refused.code,
                    reason=reason(refused.code, language, **refused.details),
                ),
                store,
            )
            return
        except ConcurrencyConflict:
            continue
    raise ConcurrencyConflict(f"submission:{submission_id}", 0)


async def reject(
    event: Event, rejection: roadmaps.SubmissionRejectedPayload, store: RoadmapsRepository
) -> None:
    """Record that the request ``event`` carried is refused, once, however often it arrives.

    A submission is answered once: a second, different request under the id of one refused
    already (the registry never sends one; a hand-made event or a replay of an edited letter
    could) is logged and left, not retried into the dead-letter topic."""
    refused = roadmaps.SubmissionRejected.create(
        rejection, partnership_id=event.partnership_id, caused_by=event
    )
    stream = submission_stream(rejection.submission_id)
    try:
        await store.record(cause_id(event), stream, 0, [refused])
    except ConcurrencyConflict:
        log.warning(
            "submission.answered_already",
            submission_id=rejection.submission_id,
            code=rejection.code,
        )
