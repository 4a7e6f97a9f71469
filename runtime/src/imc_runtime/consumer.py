"""Consumers: one named group per service, offsets committed only after the effect is stored.

A service declares which events it handles on an ``EventRouter``; ``subscribe`` wires the
router to the broker. Poison messages (not JSON, wrong schema) go to the group's
dead-letter topic and the partition moves on; unknown event types are counted and skipped;
a handler that fails is retried with backoff, and a message it still cannot handle is
either left uncommitted to be read again (database or broker away) or dead-lettered.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from aiokafka import ConsumerRebalanceListener
from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from imc_contracts import Event, PoisonMessage, UnknownEventType, dead_letter_topic, decode
from imc_contracts.catalog import topics_consumed_by
from pymongo.errors import PyMongoError

from imc_runtime.kafka import BROKEN_PRODUCER, renew_producer
from imc_runtime.logging import get_logger
from imc_runtime.metrics import Metrics

log = get_logger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Any], Awaitable[None]]

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    PyMongoError,
    KafkaError,
    OSError,
    TimeoutError,
)
"""Errors that mean a dependency is away, not that the message is wrong."""


class EventRouter:
    """Which handler a consumer group runs for which event type: one place, explicit."""

    def __init__(self, group: str) -> None:
        self.group = group
        self._handlers: dict[str, Handler] = {}
        self.skipped: Counter[str] = Counter()

    def on(
        self, event_type: type[E]
    ) -> Callable[[Callable[[E], Awaitable[None]]], Callable[[E], Awaitable[None]]]:
        def register(handler: Callable[[E], Awaitable[None]]) -> Callable[[E], Awaitable[None]]:
            self.add(event_type, handler)
            return handler

        return register

    def add(self, event_type: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
        if event_type.TYPE in self._handlers:
            raise ValueError(f"{self.group} already handles {event_type.TYPE}")
        self._handlers[event_type.TYPE] = handler

    def handler_for(self, event: Event) -> Handler | None:
        return self._handlers.get(event.type)

    async def dispatch(self, event: Event) -> None:
        handler = self.handler_for(event)
        if handler is None:
            self.skipped[event.type] += 1
            return
        await handler(event)


class Retry:
    """Bounded retries with exponential backoff and full jitter — until ``stop``: a service
    stopping does not wait out a dependency's absence; the message in hand is left
    uncommitted, to be read again."""

    def __init__(self, attempts: int = 5, base: float = 0.1, cap: float = 5.0) -> None:
        self.attempts = attempts
        self.base = base
        self.cap = cap
        self.stopping = False

    def stop(self) -> None:
        self.stopping = True

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))  # noqa: S311


async def handle_message(
    raw: bytes,
    *,
    router: EventRouter,
    retry: Retry,
    dead_letter: Callable[[Exception, int], Awaitable[None]],
    on_outcome: Callable[[str], None] = lambda _outcome: None,
) -> None:
    """Decode, dispatch with retries, dead-letter what cannot succeed.

    Raises only for transient failures that outlast the retries, so the message is not
    committed and is read again.
    """
    try:
        event = decode(raw)
    except PoisonMessage as error:
        log.error("message.poison", error=str(error))
        await dead_letter(error, 1)
        on_outcome("dead_lettered")
        return
    except UnknownEventType as error:
        router.skipped[error.type_name] += 1
        log.info("message.unknown_type", type=error.type_name)
        on_outcome("skipped")
        return
    structlog.contextvars.bind_contextvars(
        event_id=str(event.event_id),
        event_type=event.type,
        correlation_id=event.correlation_id,
        partnership_id=event.partnership_id,
    )
    try:
        for attempt in range(retry.attempts):
            try:
                await router.dispatch(event)
                on_outcome("handled")
                return
            except TRANSIENT_ERRORS as error:
                if attempt + 1 == retry.attempts or retry.stopping:
                    log.warning(
                        "message.transient_failure",
                        error=repr(error),
                        attempts=attempt + 1,
                        stopping=retry.stopping,
                    )
                    on_outcome("failed")  # kept: the message is delivered again
                    raise
                on_outcome("retried")
                await asyncio.sleep(retry.delay(attempt))
            except Exception as error:
                log.exception("message.handler_failed", attempts=attempt + 1)
                if attempt + 1 == retry.attempts:
                    await dead_letter(error, attempt + 1)
                    on_outcome("dead_lettered")
                    return
                on_outcome("retried")
                await asyncio.sleep(retry.delay(attempt))
    finally:
        structlog.contextvars.unbind_contextvars(
            "event_id", "event_type", "correlation_id", "partnership_id"
        )


def subscribe(
    broker: KafkaBroker,
    router: EventRouter,
    *,
    retry: Retry | None = None,
    group_id: str | None = None,
    metrics: Metrics | None = None,
    workers: int = 1,
    session_timeout: float = 10.0,
    on_assigned: Callable[[], None] = lambda: None,
) -> None:
    """Subscribe ``router``'s group to every topic the catalog says it consumes.

    Each topic gets ``workers`` consumers in the group (FastStream's concurrency between
    partitions): Kafka gives each its share of the partitions, so a replica works on that
    many partitions at once while each partition's messages stay in order, and each
    consumer commits only its own partitions, after the effect is stored. A message's
    handling is mostly waiting on the database and SMTP; with one message at a time a
    replica's core sat idle through those waits. ``group_id`` overrides the Kafka consumer group (tests use a fresh one); the
    topics and the dead-letter topic stay those of ``router.group``. ``on_assigned`` is
    called whenever Kafka hands this replica partitions (what it kept of the streams those
    partitions carry may have moved on in another replica meanwhile). A replica that stops
    heartbeating for ``session_timeout`` seconds (it crashed) loses its partitions to the
    others; it heartbeats every third of that.
    """
    retry = retry or Retry()
    listener = _Assigned(on_assigned)
    for topic in topics_consumed_by(router.group):
        _subscribe_to(
            broker,
            router,
            topic.name,
            retry=retry,
            group_id=group_id or router.group,
            metrics=metrics,
            workers=workers,
            session_timeout=session_timeout,
            listener=listener,
        )


class _Assigned(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, on_assigned: Callable[[], None]) -> None:
        self._on_assigned = on_assigned

    async def on_partitions_revoked(self, revoked: object) -> None:
        return None

    async def on_partitions_assigned(self, assigned: object) -> None:
        self._on_assigned()


async def drain(broker: KafkaBroker, within: float, *, kafka_check: float = 2.0) -> bool:
    """Stop fetching and let the messages in hand finish (and commit) within ``within`` s;
    whether Kafka still answered.

    Run before ``broker.stop()``: FastStream's concurrent subscriber closes its consumers
    before it waits for their work, and a message finished after its consumer closed cannot
    commit (it is read again, harmlessly, but needlessly). With Kafka gone (the host shutting
    down, ``make run``'s launcher killed), a finished message's offset commit would wait for a
    coordinator that never comes back: once Kafka does not answer for ``kafka_check`` s, the
    wait ends. Nothing is lost by it: an offset not committed is read again after the restart,
    and applying it again changes nothing."""
    for subscriber in broker.subscribers:
        subscriber.running = False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within

    async def released() -> None:
        for subscriber in broker.subscribers:
            wait_release = getattr(subscriber.lock, "wait_release", None)  # a started one's
            if wait_release is not None:
                await wait_release(max(0.0, deadline - loop.time()))

    async def kafka_gone() -> None:
        while True:
            if not await broker.ping(timeout=kafka_check):
                return
            await asyncio.sleep(kafka_check / 2)

    waiting = asyncio.create_task(released(), name="drain")
    watching = asyncio.create_task(kafka_gone(), name="drain.kafka")
    try:
        await asyncio.wait({waiting, watching}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiting, watching):
            task.cancel()
        await asyncio.gather(waiting, watching, return_exceptions=True)
    if waiting.cancelled():
        log.warning("consumer.drain_abandoned", reason="kafka unreachable")
        return False
    return True


def _subscribe_to(
    broker: KafkaBroker,
    router: EventRouter,
    topic: str,
    *,
    retry: Retry,
    group_id: str,
    metrics: Metrics | None,
    workers: int,
    session_timeout: float,
    listener: ConsumerRebalanceListener,
) -> None:
    dlq = dead_letter_topic(router.group)

    @broker.subscriber(
        topic,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        max_workers=workers,
        listener=listener,
        title=f"{router.group}:{topic}",
        session_timeout_ms=round(session_timeout * 1000),
        heartbeat_interval_ms=round(session_timeout * 1000 / 3),
    )
    async def consume(message: KafkaMessage) -> None:
        record = message.raw_message

        async def dead_letter(error: Exception, attempts: int) -> None:
            try:
                await broker.publish(
                    message.body,
                    topic=dlq,
                    key=getattr(record, "key", None),
                    headers={
                        "dlq-error": f"{type(error).__name__}: {error}"[:2000],
                        "dlq-attempts": str(attempts),
                        "dlq-source-topic": str(getattr(record, "topic", "")),
                        "dlq-source-partition": str(getattr(record, "partition", "")),
                        "dlq-source-offset": str(getattr(record, "offset", "")),
                        "dlq-group": router.group,
                    },
                )
            except BROKEN_PRODUCER:
                # Not sent: the message is read again, and then goes out on a new producer.
                await renew_producer(broker)
                raise

        await handle_message(
            message.body,
            router=router,
            retry=retry,
            dead_letter=dead_letter,
            on_outcome=metrics.consumed(router.group, topic) if metrics else lambda _: None,
        )
