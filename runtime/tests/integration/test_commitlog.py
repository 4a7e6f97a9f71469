"""The commit log on the real FerretDB: idempotent appends and racing writers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from imc_contracts.registry import ProgressReported, ProgressReportedPayload
from imc_devstack.stack import Stack
from imc_runtime.commitlog import CommitLog, ConcurrencyConflict, commit_id
from imc_runtime.mongo import Document
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.infra


def reported(progress: int) -> ProgressReported:
    return ProgressReported.create(
        ProgressReportedPayload(
            submission_id=f"s-{progress}",
            milestone_id="m",
            progress=progress,
            reported_on=dt.date(2026, 5, 9),
        ),
        partnership_id="berkane--saint-gilles",
    )


@pytest.fixture
async def log(infra: Stack, database_name: str) -> AsyncIterator[CommitLog]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    commits = CommitLog(client[database_name])
    await commits.ensure_indexes()
    yield commits
    await client.drop_database(database_name)
    await client.close()


async def test_appends_are_read_back_in_version_order(log: CommitLog) -> None:
    for version, progress in enumerate((10, 50, 100)):
        await log.append(commit_id(str(progress)), "milestone:m", version, [reported(progress)])
    commits = await log.read_stream("milestone:m")
    assert [c.version for c in commits] == [1, 2, 3]
    assert [c.events[0].payload.progress for c in commits] == [10, 50, 100]
    assert await log.stream_version("milestone:m") == 3


async def test_a_replayed_cause_is_a_duplicate_not_a_second_commit(log: CommitLog) -> None:
    first = await log.append("cause-1", "milestone:m", 0, [reported(10)])
    again = await log.append("cause-1", "milestone:m", 1, [reported(10)])
    assert not first.duplicate
    assert again.duplicate
    assert again.commit.events == first.commit.events
    assert len(await log.read_stream("milestone:m")) == 1


async def test_two_writers_racing_on_one_stream_one_wins_and_nothing_is_lost(
    log: CommitLog,
) -> None:
    """Many writers take the same version at once: exactly one wins each round; the
    losers get a conflict, reload, and retry until every change is in."""
    writers = 8

    async def writer(n: int) -> int:
        conflicts = 0
        while True:
            version = await log.stream_version("milestone:race")
            try:
                await log.append(f"writer-{n}", "milestone:race", version, [reported(n)])
                return conflicts
            except ConcurrencyConflict:
                conflicts += 1

    conflicts = await asyncio.gather(*(writer(n) for n in range(writers)))
    commits = await log.read_stream("milestone:race")
    assert [c.version for c in commits] == list(range(1, writers + 1))
    assert sorted(c.id for c in commits) == sorted(f"writer-{n}" for n in range(writers))
    assert sum(conflicts) > 0  # they did race


async def test_unpublished_commits_are_listed_in_order_until_marked(log: CommitLog) -> None:
    await log.append("a1", "stream:a", 0, [reported(1)])
    await log.append("b1", "stream:b", 0, [reported(2)])
    await log.append("a2", "stream:a", 1, [reported(3)])
    pending = await log.unpublished(10)
    assert [(c.stream, c.version) for c in pending] == [
        ("stream:a", 1),
        ("stream:a", 2),
        ("stream:b", 1),
    ]
    await log.mark_published([c.id for c in pending[:2]])
    assert [c.id for c in await log.unpublished(10)] == ["b1"]
    assert await log.count_unpublished() == 1


# -- the positions and the outbox: derived, so a crash can only leave one missing ---------


async def _forget(log: CommitLog, collection: str, id: str) -> None:
    """What a crash between the commit's insert and its index's leaves behind."""
    result = await log._commits.database[f"commits_{collection}"].delete_one({"_id": id})
    assert result.deleted_count == 1


async def test_a_lost_position_costs_one_conflict_then_the_stream_is_whole(log: CommitLog) -> None:
    await log.append("c1", "milestone:m", 0, [reported(10)])
    await log.append("c2", "milestone:m", 1, [reported(50)])
    await _forget(log, "positions", "milestone:m#2")
    assert [c.version for c in await log.read_stream("milestone:m")] == [1]  # stale, not wrong
    with pytest.raises(ConcurrencyConflict):
        await log.append("c3", "milestone:m", 1, [reported(60)])
    assert [c.id for c in await log.read_stream("milestone:m")] == ["c1", "c2"]
    await log.append("c3", "milestone:m", 2, [reported(60)])
    assert await log.stream_version("milestone:m") == 3


async def test_a_lost_outbox_entry_is_swept_back_and_published(log: CommitLog) -> None:
    await log.append("c1", "milestone:m", 0, [reported(10)])
    await _forget(log, "outbox", "c1")
    assert await log.unpublished(10) == []
    assert await log.sweep() == 1
    assert [c.id for c in await log.unpublished(10)] == ["c1"]
    await log.mark_published(["c1"])
    assert await log.sweep() == 0  # published commits stay out


async def test_replaying_an_append_finishes_the_index_a_crash_cut_short(log: CommitLog) -> None:
    await log.append("c1", "milestone:m", 0, [reported(10)])
    await _forget(log, "positions", "milestone:m#1")
    await _forget(log, "outbox", "c1")
    again = await log.append("c1", "milestone:m", 0, [reported(10)])
    assert again.duplicate
    assert [c.id for c in await log.read_stream("milestone:m")] == ["c1"]
    assert [c.id for c in await log.unpublished(10)] == ["c1"]


async def test_repair_rebuilds_the_index_of_a_log_written_without_one(log: CommitLog) -> None:
    for version in range(3):
        await log.append(f"a{version}", "stream:a", version, [reported(version)])
    await log.append("b0", "stream:b", 0, [reported(9)])
    await log.mark_published(["a0"])
    db = log._commits.database
    await db["commits_ids"].delete_many({})
    await db["commits_positions"].delete_many({})
    await db["commits_outbox"].delete_many({})
    assert await log.repair() == (4, 3)
    assert [c.id for c in await log.read_stream("stream:a")] == ["a0", "a1", "a2"]
    assert [c.id for c in await log.unpublished(10)] == ["a1", "a2", "b0"]
    assert await log.get("b0") is not None
    assert await log.repair() == (0, 0)


async def test_a_lost_id_entry_still_cannot_make_a_second_commit(log: CommitLog) -> None:
    await log.append("c1", "milestone:m", 0, [reported(10)])
    await _forget(log, "ids", "c1")
    assert await log.get("c1") is None  # the quick answer is stale …
    again = await log.append("c1", "milestone:m", 1, [reported(10)])
    assert again.duplicate  # … but the log's unique id still refuses a second commit
    assert await log.get("c1") is not None  # and the entry is back
    assert [c.id for c in await log.read_stream("milestone:m")] == ["c1"]
