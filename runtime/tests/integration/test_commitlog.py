"""The commit log on the real FerretDB: idempotent appends and racing writers."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from imc_contracts.registry import ProgressReported, ProgressReportedPayload
from imc_devstack.stack import Stack
from imc_runtime.commitlog import CommitLog, ConcurrencyConflict, commit_id
from imc_runtime.mongo import Document
from pymongo import AsyncMongoClient, monitoring

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


async def test_a_kept_stream_another_process_moved_on_costs_one_conflict(
    log: CommitLog,
) -> None:
    """A decision may use the stream as this process kept it; if another process appended
    since, the append conflicts, and the next read asks the database."""
    await log.append("c1", "milestone:m", 0, [reported(10)])
    assert [c.id for c in await log.read_stream("milestone:m", kept=True)] == ["c1"]
    other = CommitLog(log._commits.database)
    await other.append("c2", "milestone:m", 1, [reported(50)])
    assert [c.id for c in await log.read_stream("milestone:m", kept=True)] == ["c1"]  # stale
    with pytest.raises(ConcurrencyConflict):
        await log.append("c3", "milestone:m", 1, [reported(60)])
    assert [c.id for c in await log.read_stream("milestone:m", kept=True)] == ["c1", "c2"]
    log.forget_streams()
    await other.append("c3", "milestone:m", 2, [reported(60)])
    assert [c.id for c in await log.read_stream("milestone:m", kept=True)] == ["c1", "c2", "c3"]


async def test_unpublished_commits_are_listed_in_order_until_marked(log: CommitLog) -> None:
    await log.append("a1", "stream:a", 0, [reported(1)])
    await log.append("b1", "stream:b", 0, [reported(2)])
    await log.append("a2", "stream:a", 1, [reported(3)])
    pending = await log.unpublished()
    assert [(c.stream, c.version) for c in pending] == [
        ("stream:a", 1),
        ("stream:a", 2),
        ("stream:b", 1),
    ]
    await log.mark_published([c.id for c in pending[:2]])
    await log.mark_published([pending[0].id])  # marking twice is harmless
    assert [c.id for c in await log.unpublished()] == ["b1"]
    count, oldest = await log.backlog()
    assert count == 1
    assert oldest == pending[2].recorded_at


async def test_only_commits_older_than_asked_are_listed(log: CommitLog) -> None:
    await log.append("a1", "stream:a", 0, [reported(1)])
    first = (await log.unpublished())[0]
    await log.append("a2", "stream:a", 1, [reported(2)])
    assert [c.id for c in await log.unpublished(older_than=first.recorded_at)] == []
    later = first.recorded_at + dt.timedelta(microseconds=1)
    assert [c.id for c in await log.unpublished(older_than=later)] == ["a1"]


async def test_each_new_commit_is_handed_to_the_listeners_once(log: CommitLog) -> None:
    handed: list[str] = []
    log.on_append(lambda commit: handed.append(commit.id))
    await log.append("c1", "milestone:m", 0, [reported(10)])
    await log.append("c2", "milestone:m", 1, [reported(20)])
    await log.mark_published(["c1"])
    await log.append("c1", "milestone:m", 2, [reported(10)])  # a replay of a published one
    assert handed == ["c1", "c2"]


async def test_a_replay_of_a_commit_a_crash_left_unpublished_hands_it_on_again(
    log: CommitLog,
) -> None:
    await log.append("c1", "milestone:m", 0, [reported(10)])
    handed: list[str] = []
    log.on_append(lambda commit: handed.append(commit.id))  # as after a restart
    again = await log.append("c1", "milestone:m", 0, [reported(10)])
    assert again.duplicate
    assert handed == ["c1"]


async def test_a_commit_written_before_the_ledger_joins_it(log: CommitLog) -> None:
    await log.append("c1", "milestone:m", 0, [reported(10)])
    await log._commits.update_one({"_id": "c1"}, {"$set": {"published": True}})
    assert await log.unpublished() == []
    assert await log._published.find_one({"_id": "c1"}) is not None


# -- the positions: derived, so a crash can only leave one missing -------------------------


async def _forget(log: CommitLog, collection: str, id: str) -> None:
    """What a crash between the commit's insert and its position's leaves behind."""
    result = await log._commits.database[f"commits_{collection}"].delete_one({"_id": id})
    assert result.deleted_count == 1


async def test_a_lost_position_costs_one_conflict_then_the_stream_is_whole(log: CommitLog) -> None:
    await log.append("c1", "milestone:m", 0, [reported(10)])
    await log.append("c2", "milestone:m", 1, [reported(50)])
    await _forget(log, "positions", "milestone:m#2")
    reader = CommitLog(log._commits.database)  # another process: nothing cached
    assert [c.version for c in await reader.read_stream("milestone:m")] == [1]  # stale only
    with pytest.raises(ConcurrencyConflict):
        await reader.append("c3", "milestone:m", 1, [reported(60)])
    assert [c.id for c in await reader.read_stream("milestone:m")] == ["c1", "c2"]
    await reader.append("c3", "milestone:m", 2, [reported(60)])
    assert await reader.stream_version("milestone:m") == 3


async def test_replaying_an_append_finishes_the_position_a_crash_cut_short(
    log: CommitLog,
) -> None:
    await log.append("c1", "milestone:m", 0, [reported(10)])
    await _forget(log, "positions", "milestone:m#1")
    again = await log.append("c1", "milestone:m", 0, [reported(10)])
    assert again.duplicate
    reader = CommitLog(log._commits.database)
    assert [c.id for c in await reader.read_stream("milestone:m")] == ["c1"]


async def test_repair_rebuilds_the_positions_of_a_log_written_without_them(
    log: CommitLog,
) -> None:
    for version in range(3):
        await log.append(f"a{version}", "stream:a", version, [reported(version)])
    await log.append("b0", "stream:b", 0, [reported(9)])
    db = log._commits.database
    await db["commits_positions"].delete_many({})
    reader = CommitLog(db)
    assert await reader.repair() == 4
    assert [c.id for c in await reader.read_stream("stream:a")] == ["a0", "a1", "a2"]
    assert await reader.get("b0") is not None
    assert await reader.get("nothing") is None
    assert await reader.repair() == 0


async def test_a_commit_read_only_by_its_id_is_appended_without_a_position(log: CommitLog) -> None:
    first = await log.append("outcome-1", "delivery:d1", 0, [reported(10)], positioned=False)
    assert not first.duplicate
    stored = await log.get("outcome-1")
    assert stored is not None
    assert stored.events == first.commit.events
    assert await log._positions.count_documents({}) == 0
    assert await log.repair() == 0  # nothing to restore: it never had one
    assert await log.repair_stream("delivery:d1") == 0
    again = await log.append("outcome-1", "delivery:d1", 0, [reported(10)], positioned=False)
    assert again.duplicate
    with pytest.raises(ConcurrencyConflict):  # the (stream, version) index still holds
        await log.append("outcome-2", "delivery:d1", 0, [reported(20)], positioned=False)
    assert await log._positions.count_documents({}) == 0
    assert [c.id for c in await log.unpublished()] == ["outcome-1"]  # and it is published


class Reads(monitoring.CommandListener):
    """The finds sent, by collection."""

    def __init__(self) -> None:
        self.finds: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.finds.append(str(event.command["find"]))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None


async def test_a_replay_of_a_commit_appended_here_reads_nothing_and_elsewhere_reads_it(
    infra: Stack, database_name: str
) -> None:
    reads = Reads()
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        infra.mongo_url, tz_aware=True, event_listeners=[reads]
    )
    here = CommitLog(client[database_name])
    await here.ensure_indexes()
    handed: list[str] = []
    here.on_append(lambda commit: handed.append(commit.id))
    first = await here.append("c1", "milestone:m", 0, [reported(10)])
    await here.mark_published(["c1"])
    again = await here.append("c1", "milestone:m", 0, [reported(10)])
    assert again.duplicate
    assert again.commit == first.commit
    assert await here.get("c1") == first.commit
    assert reads.finds == []  # neither the log nor the ledger was read
    assert handed == ["c1"]  # marked published: not handed on again
    elsewhere = CommitLog(client[database_name])  # another process, or this one restarted
    replayed = await elsewhere.append("c1", "milestone:m", 0, [reported(10)])
    assert replayed.duplicate
    assert replayed.commit.id == "c1"
    assert "commits" in reads.finds
    await client.drop_database(database_name)
    await client.close()
