"""Roadmaps' use cases: apply the registry's requests, or refuse them with a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from imc_contracts import Event
from imc_contracts.registry import MilestoneProposed, PartnershipCreated, ProgressReported
from imc_contracts.roadmaps import SubmissionRejected, SubmissionRejectedPayload
from imc_runtime.commitlog import ConcurrencyConflict, commit_id

from imc_roadmaps.adapters.store import RoadmapsStore, milestone_stream
from imc_roadmaps.domain.model import PartnershipMembers, Refused, plan_milestone
from imc_roadmaps.domain.reasons import reason

Today = Callable[[], dt.date]

CONFLICT_RETRIES = 5


def _cause_id(event: Event) -> str:
    """Deterministic: the same incoming event is one change, however often it is delivered."""
    return commit_id("roadmaps", str(event.event_id))


async def partnership_created(event: PartnershipCreated, store: RoadmapsStore) -> None:
    p = event.payload
    await store.remember_partnership(
        PartnershipMembers(
            p.partnership_id,
            frozenset({p.moroccan_municipality_id, p.belgian_municipality_id}),
        )
    )


async def milestone_proposed(event: MilestoneProposed, store: RoadmapsStore, today: Today) -> None:
    p = event.payload

    async def decide() -> None:
        existing = await store.milestone(p.milestone_id)
        planned = plan_milestone(
            partnership=await store.partnership(event.partnership_id),
            existing=existing,
            partnership_id=event.partnership_id,
            milestone_id=p.milestone_id,
            title=p.title,
            due_date=p.due_date,
            responsible_municipality_id=p.responsible_municipality_id,
            target=p.target,
            today=today(),
            cause=event,
            submission_id=p.submission_id,
        )
        await store.record(_cause_id(event), milestone_stream(p.milestone_id), 0, [planned])

    await _decide_or_refuse(event, p.submission_id, store, decide)


async def progress_reported(event: ProgressReported, store: RoadmapsStore) -> None:
    p = event.payload

    async def decide() -> None:
        milestone = await store.milestone(p.milestone_id)
        if milestone is None or milestone.partnership_id != event.partnership_id:
            raise Refused("milestone_unknown", milestone_id=p.milestone_id)
        events = milestone.report_progress(
            p.progress, p.reported_on, cause=event, submission_id=p.submission_id
        )
        await store.record(
            _cause_id(event), milestone_stream(milestone.id), milestone.version, events
        )

    await _decide_or_refuse(event, p.submission_id, store, decide)


async def _decide_or_refuse(
    event: Event, submission_id: str, store: RoadmapsStore, decide: Callable[[], Awaitable[None]]
) -> None:
    """Run ``decide``; on a refusal record a rejection; on a racing writer decide again."""
    for _ in range(CONFLICT_RETRIES):
        if await store.commits.get(_cause_id(event)) is not None:
            return  # already decided: this delivery is a replay
        try:
            await decide()
            return
        except Refused as refused:
            language = event.actor.language if event.actor else None
            rejection = SubmissionRejected.create(
                SubmissionRejectedPayload(
                    submission_id=submission_id,
                    code=refused.code,
                    reason=reason(refused.code, language, **refused.details),
                ),
                partnership_id=event.partnership_id,
                caused_by=event,
            )
            await store.record(_cause_id(event), f"submission:{submission_id}", 0, [rejection])
            return
        except ConcurrencyConflict:
            continue
    raise ConcurrencyConflict(f"submission:{submission_id}", 0)
