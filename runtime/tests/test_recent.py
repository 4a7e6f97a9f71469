"""Reads kept for a moment (``imc_runtime.recent``): served again while young enough for the
reader, forgotten by a write, shared by readers asking at once."""

from __future__ import annotations

import asyncio

from imc_runtime.recent import Recent


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Database:
    """What the reads would ask: a value that changes, and how often it was asked."""

    def __init__(self) -> None:
        self.value = "v1"
        self.reads = 0
        self.gate: asyncio.Event | None = None

    async def read(self) -> str:
        self.reads += 1
        seen = self.value
        if self.gate is not None:
            await self.gate.wait()
        return seen


async def test_a_value_is_served_again_while_younger_than_the_reader_accepts() -> None:
    clock, database = Clock(), Database()
    recent: Recent[str, str] = Recent(clock=clock)
    assert await recent.get("p", database.read, within=1.0) == "v1"
    database.value = "v2"  # another replica's write
    clock.now += 0.5
    assert await recent.get("p", database.read, within=1.0) == "v1"
    assert database.reads == 1
    assert await recent.get("p", database.read, within=0.4) == "v2"  # this reader wants fresher
    clock.now += 1.0
    database.value = "v3"
    assert await recent.get("p", database.read, within=1.0) == "v3"
    assert database.reads == 3


async def test_within_zero_reads_every_time_and_keeps_nothing() -> None:
    database = Database()
    recent: Recent[str, str] = Recent(clock=Clock())
    for _ in range(3):
        await recent.get("p", database.read, within=0)
    assert database.reads == 3
    assert len(recent) == 0


async def test_a_write_here_is_seen_at_once() -> None:
    clock, database = Clock(), Database()
    recent: Recent[str, str] = Recent(clock=clock)
    await recent.get("p", database.read, within=60)
    database.value = "v2"
    recent.forget()
    assert await recent.get("p", database.read, within=60) == "v2"


async def test_a_read_under_way_when_a_write_begins_is_not_kept() -> None:
    database = Database()
    recent: Recent[str, str] = Recent(clock=Clock())
    database.gate = asyncio.Event()
    early = asyncio.create_task(recent.get("p", database.read, within=60))
    await asyncio.sleep(0)  # the read has seen "v1" and waits on the database's answer
    database.value = "v2"
    recent.forget()  # the write, made before the read's answer came back
    database.gate.set()
    assert await early == "v1"  # what the database said when asked
    assert await recent.get("p", database.read, within=60) == "v2"


async def test_readers_asking_at_once_share_one_read() -> None:
    database = Database()
    recent: Recent[str, str] = Recent(clock=Clock())
    database.gate = asyncio.Event()
    readers = [asyncio.create_task(recent.get("p", database.read, within=1)) for _ in range(5)]
    await asyncio.sleep(0)
    database.gate.set()
    assert await asyncio.gather(*readers) == ["v1"] * 5
    assert database.reads == 1


async def test_a_reader_after_a_write_does_not_join_a_read_begun_before_it() -> None:
    database = Database()
    recent: Recent[str, str] = Recent(clock=Clock())
    database.gate = asyncio.Event()
    early = asyncio.create_task(recent.get("p", database.read, within=60))
    await asyncio.sleep(0)
    database.value = "v2"
    recent.forget()
    late = asyncio.create_task(recent.get("p", database.read, within=60))
    await asyncio.sleep(0)
    database.gate.set()
    assert (await early, await late) == ("v1", "v2")


async def test_a_failed_read_is_not_kept_and_every_reader_sharing_it_sees_the_error() -> None:
    recent: Recent[str, str] = Recent(clock=Clock())
    gate = asyncio.Event()

    async def failing() -> str:
        await gate.wait()
        raise LookupError("no partnership 'x'")

    readers = [asyncio.create_task(recent.get("x", failing, within=1)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*readers, return_exceptions=True)
    assert [type(result) for result in results] == [LookupError] * 3
    assert len(recent) == 0
    database = Database()
    assert await recent.get("x", database.read, within=1) == "v1"


async def test_only_the_most_recently_read_are_kept() -> None:
    database = Database()
    recent: Recent[int, str] = Recent(most=2, clock=Clock())
    for key in (1, 2, 3):
        await recent.get(key, database.read, within=60)
    await recent.get(1, database.read, within=60)  # pushed out by 3: read again
    assert database.reads == 4
    assert len(recent) == 2
