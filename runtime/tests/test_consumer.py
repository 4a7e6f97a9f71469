"""Consumer plumbing on fakes: poison, unknown types, retries, dead letters."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from types import SimpleNamespace

import pytest
from imc_contracts import Event, encode
from imc_contracts.registry import ProgressReported, ProgressReportedPayload
from imc_runtime.consumer import EventRouter, Retry, drain, handle_message
from pymongo.errors import AutoReconnect

NO_WAIT = Retry(attempts=3, base=0.0, cap=0.0)


def progress_event() -> ProgressReported:
    return ProgressReported.create(
        ProgressReportedPayload(
            submission_id="s", milestone_id="m", progress=10, reported_on=dt.date(2026, 1, 1)
        ),
        partnership_id="p",
    )


class DeadLetters:
    def __init__(self) -> None:
        self.received: list[tuple[str, int]] = []

    async def __call__(self, error: Exception, attempts: int) -> None:
        self.received.append((type(error).__name__, attempts))


async def test_a_handled_event_reaches_its_handler_once() -> None:
    router, seen = EventRouter("test"), []

    @router.on(ProgressReported)
    async def handle(event: ProgressReported) -> None:
        seen.append(event)

    dlq = DeadLetters()
    await handle_message(encode(progress_event()), router=router, retry=NO_WAIT, dead_letter=dlq)
    assert len(seen) == 1
    assert dlq.received == []


async def test_poison_goes_to_the_dead_letter_topic_without_retries() -> None:
    dlq = DeadLetters()
    await handle_message(b"not json", router=EventRouter("test"), retry=NO_WAIT, dead_letter=dlq)
    assert dlq.received == [("PoisonMessage", 1)]


async def test_unknown_types_are_counted_and_skipped() -> None:
    router, dlq = EventRouter("test"), DeadLetters()
    document = json.loads(encode(progress_event()))
    document["type"] = "registry.harvest.gathered.v1"
    await handle_message(
        json.dumps(document).encode(), router=router, retry=NO_WAIT, dead_letter=dlq
    )
    assert router.skipped["registry.harvest.gathered.v1"] == 1
    assert dlq.received == []


async def test_a_handler_bug_is_retried_then_dead_lettered() -> None:
    router, calls = EventRouter("test"), []

    @router.on(ProgressReported)
    async def broken(event: Event) -> None:
        calls.append(event)
        raise KeyError("bug")

    dlq = DeadLetters()
    await handle_message(encode(progress_event()), router=router, retry=NO_WAIT, dead_letter=dlq)
    assert len(calls) == 3
    assert dlq.received == [("KeyError", 3)]


async def test_a_database_outage_that_outlasts_retries_leaves_the_message_uncommitted() -> None:
    router = EventRouter("test")

    @router.on(ProgressReported)
    async def unreachable(event: Event) -> None:
        raise AutoReconnect("database away")

    dlq = DeadLetters()
    with pytest.raises(AutoReconnect):
        await handle_message(
            encode(progress_event()), router=router, retry=NO_WAIT, dead_letter=dlq
        )
    assert dlq.received == []


async def test_a_transient_failure_that_clears_is_applied() -> None:
    router, attempts = EventRouter("test"), []

    @router.on(ProgressReported)
    async def flaky(event: Event) -> None:
        attempts.append(1)
        if len(attempts) < 2:
            raise AutoReconnect("blip")

    dlq = DeadLetters()
    await handle_message(encode(progress_event()), router=router, retry=NO_WAIT, dead_letter=dlq)
    assert len(attempts) == 2


def test_backoff_grows_and_is_capped() -> None:
    retry = Retry(attempts=10, base=0.1, cap=1.0)
    assert all(0 <= retry.delay(n) <= min(1.0, 0.1 * 2**n) for n in range(10) for _ in range(20))


def test_a_group_cannot_register_two_handlers_for_one_type() -> None:
    router = EventRouter("test")

    async def one(event: ProgressReported) -> None:
        return None

    router.add(ProgressReported, one)
    with pytest.raises(ValueError, match="already handles"):
        router.add(ProgressReported, one)


@pytest.mark.parametrize(
    ("failures", "error", "outcomes"),
    [
        (0, None, ["handled"]),
        (1, AutoReconnect, ["retried", "handled"]),
        (3, ValueError, ["retried", "retried", "dead_lettered"]),
        (3, AutoReconnect, ["retried", "retried", "failed"]),
    ],
)
async def test_each_outcome_is_reported_for_the_metrics(
    failures: int, error: type[Exception] | None, outcomes: list[str]
) -> None:
    router, attempts = EventRouter("test"), [0]
    seen: list[str] = []

    @router.on(ProgressReported)
    async def handle(_event: ProgressReported) -> None:
        attempts[0] += 1
        if error is not None and attempts[0] <= failures:
            raise error("not yet")

    # A transient failure that outlasts the retries is raised: the message comes again.
    with contextlib.suppress(AutoReconnect):
        await handle_message(
            encode(progress_event()),
            router=router,
            retry=NO_WAIT,
            dead_letter=DeadLetters(),
            on_outcome=seen.append,
        )
    assert seen == outcomes


async def test_a_stopping_consumer_does_not_wait_out_an_outage_it_leaves_the_message_for_later() -> (
    None
):
    router, attempts = EventRouter("test"), []

    @router.on(ProgressReported)
    async def database_away(event: Event) -> None:
        attempts.append(1)
        raise AutoReconnect("database away")

    retry = Retry(attempts=5, base=0.0, cap=0.0)
    retry.stop()  # the service was told to stop
    dlq = DeadLetters()
    with pytest.raises(AutoReconnect):  # not committed: read again after the restart
        await handle_message(encode(progress_event()), router=router, retry=retry, dead_letter=dlq)
    assert len(attempts) == 1
    assert dlq.received == []


class _HeldLock:
    """A subscriber's lock with a message in hand whose offset commit never completes."""

    def __init__(self) -> None:
        self.released = asyncio.Event()
        self.abandoned = False

    async def wait_release(self, timeout: float) -> None:  # noqa: ASYNC109 (FastStream's)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), timeout)
        except asyncio.CancelledError:
            self.abandoned = True
            raise


class _Broker:
    def __init__(self, *, kafka_answers: bool) -> None:
        self.lock = _HeldLock()
        self.subscribers = [SimpleNamespace(running=True, lock=self.lock)]
        self.kafka_answers = kafka_answers
        self.pings = 0
        self.asked_again = asyncio.Event()

    async def ping(self, timeout: float | None) -> bool:  # noqa: ASYNC109 (FastStream's)
        self.pings += 1
        if self.pings >= 3:
            self.asked_again.set()
        return self.kafka_answers


async def test_a_stop_with_kafka_gone_does_not_wait_for_a_commit_that_cannot_happen() -> None:
    broker = _Broker(kafka_answers=False)
    await drain(broker, within=3600, kafka_check=0.01)  # type: ignore[arg-type]
    assert broker.lock.abandoned  # the message is read again after the restart
    assert not broker.subscribers[0].running


async def test_a_stop_with_kafka_there_waits_for_the_message_in_hand() -> None:
    broker = _Broker(kafka_answers=True)
    stopping = asyncio.create_task(drain(broker, within=3600, kafka_check=0.01))  # type: ignore[arg-type]
    await broker.asked_again.wait()  # Kafka asked, and asked again: the drain still waits
    assert not stopping.done()
    broker.lock.released.set()
    await stopping
    assert not broker.lock.abandoned
