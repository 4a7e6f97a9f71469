"""The relay and a consumer on the real Kafka and FerretDB."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import OutOfOrderSequenceNumber
from faststream.kafka import KafkaBroker
from imc_contracts import decode, encode
from imc_contracts.registry import ProgressReported, ProgressReportedPayload
from imc_devstack.stack import Stack
from imc_runtime.commitlog import CommitLog
from imc_runtime.consumer import EventRouter, Retry, subscribe
from imc_runtime.kafka import EventPublisher, make_broker, partitions_of
from imc_runtime.relay import Relay
from imc_runtime.settings import ServiceSettings
from pymongo.errors import AutoReconnect

pytestmark = pytest.mark.infra


def reported(partnership: str, progress: int) -> ProgressReported:
    return ProgressReported.create(
        ProgressReportedPayload(
            submission_id=str(uuid.uuid4()),
            milestone_id="m",
            progress=progress,
            reported_on=dt.date(2026, 5, 9),
        ),
        partnership_id=partnership,
    )


async def read_registry_topic_until(infra: Stack, wanted: set[str]) -> list[ProgressReported]:
    """Events on the registry topic whose submission ids are in ``wanted``, in arrival order."""
    consumer = AIOKafkaConsumer(
        "imc.registry.events",
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=f"test-{uuid.uuid4()}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: list[ProgressReported] = []
    try:
        async with asyncio.timeout(60):
            while {e.payload.submission_id for e in found} != wanted:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        event = decode(record.value)
                        if (
                            isinstance(event, ProgressReported)
                            and event.payload.submission_id in wanted
                        ):
                            found.append(event)
    finally:
        await consumer.stop()
    return found


async def test_the_relay_publishes_every_commit_in_order_per_stream(
    infra: Stack, log: CommitLog
) -> None:
    partnership = f"p-{uuid.uuid4()}"
    events = [reported(partnership, progress) for progress in range(0, 101, 10)]
    for version, event in enumerate(events):
        await log.append(str(uuid.uuid4()), f"milestone:{partnership}", version, [event])
    broker = make_broker(ServiceSettings(kafka_bootstrap_servers=infra.kafka_bootstrap))
    await broker.start()
    try:
        relay = Relay(log, EventPublisher(broker), batch_size=4)
        while await relay.publish_pending():
            pass
    finally:
        await broker.stop()
    assert (await log.backlog())[0] == 0
    assert relay.backlog() == (0, None)
    received = await read_registry_topic_until(infra, {e.payload.submission_id for e in events})
    assert [e.payload.progress for e in received] == list(range(0, 101, 10))


def aiokafka_producer(broker: KafkaBroker) -> Any:
    """The aiokafka producer inside FastStream's broker (test only: to break it for real)."""
    return broker.config.producer._producer.producer  # type: ignore[attr-defined]


async def test_a_producer_whose_sequence_kafka_refuses_is_replaced_and_the_relay_goes_on(
    infra: Stack, log: CommitLog
) -> None:
    """Kafka refuses an idempotent producer's sends for good once their sequence numbers no
    longer follow (as after a broker restart mid-send); aiokafka does not recover by itself.
    The gap is made for real here, and Kafka itself refuses it."""
    partnership = f"p-{uuid.uuid4()}"
    events = [reported(partnership, progress) for progress in (10, 20, 30)]
    for version, event in enumerate(events):
        await log.append(str(uuid.uuid4()), f"milestone:{partnership}", version, [event])
    broker = make_broker(ServiceSettings(kafka_bootstrap_servers=infra.kafka_bootstrap))
    await broker.start()
    try:
        relay = Relay(log, EventPublisher(broker), batch_size=1)
        assert await relay.publish_pending() == 1
        broken = aiokafka_producer(broker)
        for partition in await partitions_of(infra.kafka_bootstrap, "imc.registry.events"):
            topic_partition = TopicPartition("imc.registry.events", partition)
            broken._txn_manager.increment_sequence_number(topic_partition, 7)

        with pytest.raises(OutOfOrderSequenceNumber):
            await relay.publish_pending()
        assert (await log.backlog())[0] == 2  # nothing marked published that was not
        assert relay.backlog()[0] == 2

        while await relay.publish_pending():
            pass
        renewed = aiokafka_producer(broker)
        assert renewed is not broken
        assert renewed._txn_manager.producer_id != broken._txn_manager.producer_id
    finally:
        await broker.stop()
    received = await read_registry_topic_until(infra, {e.payload.submission_id for e in events})
    assert [e.payload.progress for e in received] == [10, 20, 30]


async def test_a_consumer_skips_poison_to_the_dead_letter_topic_and_moves_on(
    infra: Stack,
) -> None:
    """Poison first, a good event after it on the same partition (same key): the good one
    is handled and the poison sits in the group's dead-letter topic with its origin."""
    group = "registry"  # a real group of the catalog, so its topics and DLQ exist
    # ... in a Kafka group of its own: the registry service of the tests' stack may be in
    # the real one, and Kafka could hand it this partition.
    kafka_group = f"test-{uuid.uuid4()}"
    partnership = f"p-{uuid.uuid4()}"
    good = reported(partnership, 50)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait("imc.roadmaps.events", b"{oops", key=partnership.encode())
        await producer.send_and_wait("imc.roadmaps.events", encode(good), key=partnership.encode())
    finally:
        await producer.stop()

    handled = asyncio.Event()
    router = EventRouter(group)

    async def any_event(event: ProgressReported) -> None:
        if event.event_id == good.event_id:
            handled.set()

    # The registry group does not consume ProgressReported in production; here a test
    # router listens on the topics of the group, so we publish a roadmaps-topic message
    # of a type it routes.
    router.add(ProgressReported, any_event)
    broker = make_broker(ServiceSettings(kafka_bootstrap_servers=infra.kafka_bootstrap))
    subscribe(broker, router, retry=Retry(attempts=2, base=0.01, cap=0.01), group_id=kafka_group)
    await broker.start()
    try:
        async with asyncio.timeout(60):
            await handled.wait()
    finally:
        await broker.stop()

    dlq = AIOKafkaConsumer(
        "imc.registry.dlq",
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=f"test-{uuid.uuid4()}",
        auto_offset_reset="earliest",
    )
    await dlq.start()
    try:
        async with asyncio.timeout(30):
            while True:
                batch = await dlq.getmany(timeout_ms=500)
                records = [r for rs in batch.values() for r in rs if r.key == partnership.encode()]
                if records:
                    break
    finally:
        await dlq.stop()
    headers = {key: value.decode() for key, value in records[0].headers}
    assert records[0].value == b"{oops"
    assert headers["dlq-source-topic"] == "imc.roadmaps.events"
    assert headers["dlq-error"].startswith("PoisonMessage")
    assert headers["dlq-source-offset"].isdigit()


class KafkaAway:
    async def publish(self, events: object, traces: object = ()) -> None:
        raise ConnectionError("broker unreachable")


async def test_a_failed_publication_leaves_the_commits_unpublished(log: CommitLog) -> None:
    await log.append("c1", "stream:x", 0, [reported("p", 10)])
    relay = Relay(log, KafkaAway())  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    assert (await log.backlog())[0] == 1
    assert relay.backlog()[0] == 1  # held, to be sent again


async def test_the_relay_holds_what_is_appended_and_takes_up_what_others_left(
    log: CommitLog,
) -> None:
    """A commit appended beside a relay is held by it at once; one another process appended
    and never published is taken up by a sweep once it is older than the grace."""
    sent: list[str] = []

    class Kafka:
        async def publish(self, events: list[ProgressReported], traces: object = ()) -> None:
            sent.extend(str(event.payload.progress) for event in events)

    relay = Relay(log, Kafka())  # type: ignore[arg-type]
    assert await relay.publish_pending() == 0  # its start: nothing left over
    other = CommitLog(log._commits.database)  # a replica that stops before publishing
    await other.append("theirs", "stream:y", 0, [reported("p", 20)])
    await log.append("ours", "stream:x", 0, [reported("p", 10)])
    assert relay.backlog()[0] == 1
    assert await relay.publish_pending() == 1
    assert await relay.sweep(grace=3600) == 0  # too young: its writer may be publishing it
    assert await relay.sweep() == 1
    assert await relay.publish_pending() == 1
    assert sent == ["10", "20"]
    assert await log.unpublished() == []


async def test_an_offset_is_committed_only_after_the_effect_is_stored(infra: Stack) -> None:
    """The handler's database is away for longer than the in-process retries: the message
    is not committed and comes back, and is applied once the database is back."""
    partnership = f"p-{uuid.uuid4()}"
    event = reported(partnership, 30)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            "imc.roadmaps.events", encode(event), key=partnership.encode()
        )
    finally:
        await producer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await admin.start()
    # The registry's topics, in a Kafka group of its own (the tests' registry service may be
    # in the real one, and be handed this partition).
    group = f"test-{uuid.uuid4()}"

    async def committed() -> int:
        offsets = await admin.list_consumer_group_offsets(group)
        meta = offsets.get(TopicPartition(sent.topic, sent.partition))
        return -1 if meta is None else int(meta.offset)

    deliveries: list[int] = []
    committed_while_failing: list[int] = []
    applied = asyncio.Event()
    router = EventRouter("registry")

    async def store_when_back(received: ProgressReported) -> None:
        if received.event_id != event.event_id:
            return
        deliveries.append(1)
        if len(deliveries) <= 4:  # two deliveries of two attempts each fail
            committed_while_failing.append(await committed())
            raise AutoReconnect("database away")
        applied.set()

    router.add(ProgressReported, store_when_back)
    broker = make_broker(ServiceSettings(kafka_bootstrap_servers=infra.kafka_bootstrap))
    subscribe(broker, router, retry=Retry(attempts=2, base=0.01, cap=0.01), group_id=group)
    await broker.start()
    try:
        async with asyncio.timeout(60):
            await applied.wait()
    finally:
        await broker.stop()
    try:
        after = await committed()
    finally:
        await admin.close()
    assert len(deliveries) == 5
    assert all(offset <= sent.offset for offset in committed_while_failing)
    assert after > sent.offset


async def test_a_replica_handed_partitions_is_told_so(infra: Stack) -> None:
    """What a replica kept of the streams its new partitions carry may be stale: the service
    is told when Kafka assigns it partitions (the commit log then forgets its streams)."""
    assigned = asyncio.Event()
    broker = make_broker(ServiceSettings(kafka_bootstrap_servers=infra.kafka_bootstrap))
    subscribe(
        broker, EventRouter("registry"), group_id=f"test-{uuid.uuid4()}", on_assigned=assigned.set
    )
    await broker.start()
    try:
        async with asyncio.timeout(60):
            await assigned.wait()
    finally:
        await broker.stop()


async def test_published_ids_gather_for_one_ledger_write_and_a_stopping_relay_writes_them(
    log: CommitLog,
) -> None:
    sent: list[str] = []
    forty = asyncio.Event()

    class Kafka:
        async def publish(self, events: list[ProgressReported], traces: object = ()) -> None:
            sent.extend(str(event.payload.progress) for event in events)
            if "40" in sent:
                forty.set()

    relay = Relay(log, Kafka(), ledger_interval=3600)  # type: ignore[arg-type]
    for version, progress in enumerate((10, 20, 30)):
        await log.append(f"c{progress}", "stream:x", version, [reported("p", progress)])
        assert await relay.publish_pending() == 1
    assert sent == ["10", "20", "30"]
    assert len(await log.unpublished()) == 3  # on Kafka, not yet in the ledger
    await relay.mark_published()
    assert await log.unpublished() == []
    assert await log._published.count_documents({}) == 3

    running = asyncio.create_task(relay.run())
    await log.append("c40", "stream:x", 3, [reported("p", 40)])
    async with asyncio.timeout(30):
        await forty.wait()
    assert [c.id for c in await log.unpublished()] == ["c40"]  # the hour has not passed
    relay.stop()
    await running
    assert await log.unpublished() == []


async def test_a_replay_of_a_commit_published_before_its_ledger_entry_is_not_published_again(
    log: CommitLog,
) -> None:
    sent: list[str] = []

    class Kafka:
        async def publish(self, events: list[ProgressReported], traces: object = ()) -> None:
            sent.extend(str(event.payload.progress) for event in events)

    relay = Relay(log, Kafka(), ledger_interval=3600)  # type: ignore[arg-type]
    await log.append("c1", "stream:x", 0, [reported("p", 10)])
    assert await relay.publish_pending() == 1
    replay = await log.append("c1", "stream:x", 0, [reported("p", 10)])
    assert replay.duplicate
    assert relay.backlog()[0] == 0
    assert await relay.publish_pending() == 0
    assert sent == ["10"]
