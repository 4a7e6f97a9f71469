"""The due-date schedule on the real FerretDB (and Kafka): each notice exactly once, even
with several passes or several replicas of roadmaps running at the same moment."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from imc_contracts import Actor, PoisonMessage, UnknownEventType, decode, registry, topic_of
from imc_contracts.roadmaps import MilestoneDueSoon, MilestoneOverdue
from imc_devstack.processes import free_port
from imc_devstack.stack import Stack
from imc_devstack.testing import eventually
from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.domain.streams import notice_stream
from imc_roadmaps.service_layer import handlers, replica
from imc_roadmaps.service_layer.ports import Dependencies
from imc_roadmaps.service_layer.schedule import check_due_dates
from imc_runtime.commitlog import CommitLog
from imc_runtime.mongo import Document
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.infra

ACTOR = Actor(kind="officer", id="officer@example.org", municipality_id="ait-baha", language="fr")


async def open_store(
    infra: Stack, database: str
) -> tuple[AsyncMongoClient[Document], RoadmapsStore]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    commits = CommitLog(client[database])
    await commits.ensure_indexes()
    store = RoadmapsStore(client[database], commits)
    await store.ensure_indexes()
    return client, store


@pytest.fixture
async def store(infra: Stack, database_name: str) -> AsyncIterator[RoadmapsStore]:
    client, opened = await open_store(infra, database_name)
    yield opened
    await client.drop_database(database_name)
    await client.close()


async def seed_partnership(store: RoadmapsStore, partnership_id: str) -> None:
    await replica.partnership_created(
        registry.PartnershipCreated.create(
            registry.PartnershipCreatedPayload(
                partnership_id=partnership_id,
                moroccan_municipality_id="ait-baha",
                belgian_municipality_id="etterbeek",
                name={"fr": "Aït Baha – Etterbeek"},
                phases=["2022-2026"],
                themes=["youth"],
                status="active",
            ),
            partnership_id=partnership_id,
        ),
        Dependencies(store, lambda: dt.date.today()),
    )


async def seed_milestone(
    store: RoadmapsStore, partnership_id: str, milestone_id: str, due: dt.date, planned_on: dt.date
) -> None:
    await handlers.milestone_proposed(
        registry.MilestoneProposed.create(
            registry.MilestoneProposedPayload(
                submission_id=f"sub-{uuid.uuid4().hex}",
                milestone_id=milestone_id,
                title={"fr": f"Jalon {milestone_id}"},
                due_date=due,
                responsible_municipality_id="ait-baha",
            ),
            partnership_id=partnership_id,
            actor=ACTOR,
        ),
        Dependencies(store, lambda: planned_on),
    )


async def notices(
    store: RoadmapsStore, kind: str, partnership_id: str, milestone_id: str, due: dt.date
) -> int:
    return len(
        await store.commits.read_stream(notice_stream(kind, partnership_id, milestone_id, due))
    )


async def test_passes_running_at_once_send_each_notice_once_and_again_after_a_reschedule(
    store: RoadmapsStore,
) -> None:
    partnership = "ait-baha--etterbeek"
    today = dt.date(2027, 3, 1)
    await seed_partnership(store, partnership)
    await seed_milestone(store, partnership, "preschool", dt.date(2027, 3, 10), dt.date(2027, 1, 1))
    await seed_milestone(
        store, partnership, "youth-jobs", dt.date(2027, 2, 20), dt.date(2027, 1, 1)
    )
    await seed_milestone(store, partnership, "far-off", dt.date(2027, 9, 1), dt.date(2027, 1, 1))

    emitted = await asyncio.gather(*(check_due_dates(store, today, 14) for _ in range(3)))
    assert sum(emitted) == 2
    assert await check_due_dates(store, today, 14) == 0
    assert await notices(store, "due_soon", partnership, "preschool", dt.date(2027, 3, 10)) == 1
    assert await notices(store, "overdue", partnership, "youth-jobs", dt.date(2027, 2, 20)) == 1
    [(_, notice)] = await store.stream_events(
        notice_stream("overdue", partnership, "youth-jobs", dt.date(2027, 2, 20))
    )
    assert isinstance(notice, MilestoneOverdue)
    assert notice.payload.days == 9

    # Rescheduled, then missed again: a second overdue notice, for the new due date.
    await handlers.milestone_reschedule_requested(
        registry.MilestoneRescheduleRequested.create(
            registry.MilestoneRescheduleRequestedPayload(
                submission_id="sub-move", milestone_id="youth-jobs", due_date=dt.date(2027, 3, 5)
            ),
            partnership_id=partnership,
            actor=ACTOR,
        ),
        Dependencies(store, lambda: today),
    )
    assert await check_due_dates(store, today, 14) == 1  # due soon for the new date
    assert await check_due_dates(store, dt.date(2027, 3, 6), 14) == 1
    assert await notices(store, "overdue", partnership, "youth-jobs", dt.date(2027, 3, 5)) == 1
    history = [
        e
        for _, e in await store.stream_events(
            notice_stream("due_soon", partnership, "youth-jobs", dt.date(2027, 3, 5))
        )
    ]
    assert [type(e) for e in history] == [MilestoneDueSoon]


async def notices_on_kafka(
    bootstrap: str, partnership: str, *, wanted: int
) -> set[tuple[str, str]]:
    consumer = AIOKafkaConsumer(
        topic_of("roadmaps").name, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    seen: set[tuple[str, str]] = set()
    try:
        async with asyncio.timeout(60):
            async for message in consumer:
                try:
                    event = decode(message.value or b"")
                except (PoisonMessage, UnknownEventType):
                    continue  # other tests publish poison and unknown types here
                if event.partnership_id == partnership and event.type.endswith(
                    ("due_soon.v1", "overdue.v1")
                ):
                    seen.add((event.type, event.payload.milestone_id))
                    if len(seen) >= wanted:
                        break
    finally:
        await consumer.stop()
    return seen


def _ready(port: int) -> bool | None:
    try:
        return (
            httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200 or None
        )
    except httpx.HTTPError:
        return None


def _emitted(log: str) -> list[int]:
    return [int(n) for n in re.findall(r"schedule\.checked.*?emitted[\"=:\s]+(\d+)", log)]


async def test_two_replicas_checking_at_once_send_each_notice_exactly_once(services: Stack) -> None:
    """Two more roadmaps processes join the running one (same group, same database) and check
    due dates every few tenths of a second: each notice is committed once, by one of them."""
    run = uuid.uuid4().hex[:8]
    partnership = f"ait-baha-{run}--etterbeek-{run}"
    today = dt.date.today()
    soon, missed = today + dt.timedelta(days=5), today - dt.timedelta(days=2)
    client, store = await open_store(services, "imc_roadmaps")
    try:
        await seed_partnership(store, partnership)
        # Planned when the missed date still lay ahead, as history would have it.
        await seed_milestone(store, partnership, "preschool", soon, today)
        await seed_milestone(
            store, partnership, "youth-jobs", missed, missed - dt.timedelta(days=30)
        )

        replicas = []
        for name in ("roadmaps-2", "roadmaps-3"):
            port = free_port()
            process = services.start_service(
                "roadmaps",
                name=name,
                extra_env={
                    "IMC_ROADMAPS_PORT": str(port),
                    "IMC_ROADMAPS_SCHEDULE_INTERVAL_SECONDS": "0.2",
                    "IMC_KAFKA_CLIENT_ID_SUFFIX": f"-{name}",
                },
            )
            replicas.append((name, port, process))
        try:
            for name, port, _ in replicas:
                eventually(lambda port=port: _ready(port), what=f"{name} ready", timeout=90)  # type: ignore[misc]
            assert services.log_dir is not None
            logs = {name: services.log_dir / f"{name}.log" for name, _, _ in replicas}

            def both_checked_often() -> bool | None:
                passes = [len(_emitted(path.read_text(errors="replace"))) for path in logs.values()]
                return min(passes) >= 5 or None

            eventually(both_checked_often, what="both replicas ran several passes", timeout=60)
            assert await notices(store, "due_soon", partnership, "preschool", soon) == 1
            assert await notices(store, "overdue", partnership, "youth-jobs", missed) == 1
        finally:
            for _, _, process in replicas:
                process.stop()

        # Every notice ever committed was emitted by exactly one pass of one replica.
        every_log = [*logs.values(), services.log_dir / "roadmaps.log"]
        emitted = sum(sum(_emitted(path.read_text(errors="replace"))) for path in every_log)
        committed = [
            c
            for c in await store.commits.all_commits()
            if c.stream.startswith(("due_soon:", "overdue:"))
        ]
        assert emitted == len(committed)
        assert len({c.stream for c in committed}) == len(committed)
        # …and they leave on Kafka for notifications.
        seen = await notices_on_kafka(services.kafka_bootstrap, partnership, wanted=2)
        assert seen == {
            ("roadmaps.milestone.due_soon.v1", "preschool"),
            ("roadmaps.milestone.overdue.v1", "youth-jobs"),
        }
    finally:
        await client.close()
