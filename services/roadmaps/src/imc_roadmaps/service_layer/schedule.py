"""The due-date check: one pass emits every notice that is due and not yet sent.

Each notice is one insert with an id made of (kind, partnership, milestone, due date), so
when several replicas run the pass at once, exactly one insert wins and the others get a
duplicate: no locks, no leader, no duplicates, and a pass that failed half-way is simply
finished by the next one.
"""

from __future__ import annotations

import datetime as dt

from imc_runtime.commits import ConcurrencyConflict, commit_id
from imc_runtime.logging import get_logger

from imc_roadmaps.domain.schedule import due_notice, notice_kind
from imc_roadmaps.domain.streams import notice_stream
from imc_roadmaps.service_layer.phases import read_only
from imc_roadmaps.service_layer.ports import Dependencies, RoadmapsRepository

log = get_logger(__name__)


async def check_due_dates_now(deps: Dependencies) -> int:
    """The due-date check of today, as a periodic step: how many notices it emitted."""
    today = deps.today()
    emitted = await check_due_dates(deps.store, today, deps.due_soon_days)
    log.info("schedule.checked", today=today.isoformat(), emitted=emitted)
    return emitted


async def check_due_dates(store: RoadmapsRepository, today: dt.date, due_soon_days: int) -> int:
    """Emit the notices due on ``today``; returns how many this call emitted. What is
    ``read_only`` (a closed phase's or a closed partnership's milestones) is not chased."""
    emitted = 0
    history = await read_only(store)
    for milestone in await store.open_milestones():
        if history.holds(milestone):
            continue
        notice = due_notice(milestone, today, due_soon_days)
        if notice is None:
            continue
        kind = notice_kind(notice)
        key = (kind, milestone.partnership_id, milestone.id, milestone.due_date.isoformat())
        notice_id = commit_id(*key)
        stream = notice_stream(kind, milestone.partnership_id, milestone.id, milestone.due_date)
        if await store.stream_version(stream):
            continue  # sent already, by this replica or another
        try:
            appended = await store.record(notice_id, stream, 0, [notice])
        except ConcurrencyConflict:
            continue  # cannot happen with one id per stream; another replica won anyway
        emitted += not appended.duplicate
    return emitted
