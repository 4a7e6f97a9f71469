"""Dead letters on the real Kafka: a handler bug dead-letters an event; once fixed, its
replay is applied exactly once, however often it is replayed."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from imc_contracts import encode
from imc_contracts.registry import ProgressReported, ProgressReportedPayload
from imc_devstack.stack import Stack
from imc_runtime import dlq
from imc_runtime.commitlog import CommitLog, commit_id
from imc_runtime.consumer import EventRouter, Retry, subscribe
from imc_runtime.kafka import make_broker
from imc_runtime.settings import ServiceSettings

pytestmark = pytest.mark.infra


async def test_a_fixed_message_replayed_twice_is_applied_once(infra: Stack, log: CommitLog) -> None:
    partnership = f"p-{uuid.uuid4()}"
    event = ProgressReported.create(
        ProgressReportedPayload(
            submission_id=str(uuid.uuid4()),
            milestone_id="m",
            progress=20,
            reported_on=dt.date(2026, 5, 9),
        ),
        partnership_id=partnership,
    )
    fixed = False
    applied = asyncio.Event()
    router = EventRouter("roadmaps")

    async def apply(received: ProgressReported) -> None:
        if received.payload.submission_id != event.payload.submission_id:
            return
        if not fixed:
            raise KeyError("a bug in the handler")
        await log.append(
            commit_id("test", str(received.event_id)), f"m:{partnership}", 0, [received]
        )
        applied.set()

    router.add(ProgressReported, apply)
    broker = make_broker(ServiceSettings(kafka_bootstrap_servers=infra.kafka_bootstrap))
    subscribe(
        broker,
        router,
        retry=Retry(attempts=2, base=0.01, cap=0.01),
        group_id=f"test-{uuid.uuid4()}",
    )
    await broker.start()
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait("imc.registry.events", encode(event), key=partnership.encode())

        async def dead_lettered() -> list[dlq.DeadLetter]:
            while True:
                letters = [
                    letter
                    for letter in await dlq.read(infra.kafka_bootstrap, "roadmaps")
                    if letter.key == partnership.encode()
                ]
                if letters:
                    return letters
                await asyncio.sleep(0.2)

        async with asyncio.timeout(60):
            letters = await dead_lettered()
        assert letters[0].error.startswith("KeyError")
        assert letters[0].headers["dlq-attempts"] == "2"
        assert letters[0].event_type == ProgressReported.TYPE
        assert not applied.is_set()

        fixed = True
        assert await dlq.replay(infra.kafka_bootstrap, letters) == 1
        async with asyncio.timeout(60):
            await applied.wait()
        applied.clear()
        await dlq.replay(infra.kafka_bootstrap, letters)  # a second replay: no second effect
        marker = ProgressReported.create(event.payload, partnership_id=partnership)
        await producer.send_and_wait(
            "imc.registry.events", encode(marker), key=partnership.encode()
        )
        async with asyncio.timeout(60):
            await applied.wait()  # the marker after the replay has been handled, so it was too
    finally:
        await producer.stop()
        await broker.stop()
    stream = await log.read_stream(f"m:{partnership}")
    assert [commit.events[0].event_id for commit in stream] == [event.event_id]


def test_letters_are_selected_by_error_type_and_offset() -> None:
    def letter(offset: int, error: str, value: bytes) -> dlq.DeadLetter:
        return dlq.DeadLetter(
            "imc.x.dlq", 0, offset, dt.datetime.now(dt.UTC), None, value, {"dlq-error": error}
        )

    letters = [
        letter(0, "PoisonMessage: x", b"{oops"),
        letter(1, "KeyError: y", b'{"type": "a.b.c.v1"}'),
    ]
    assert [x.offset for x in dlq.select(letters, error="keyerror")] == [1]
    assert [x.offset for x in dlq.select(letters, event_type="(not JSON)")] == [0]
    assert [x.offset for x in dlq.select(letters, offset=0)] == [0]
