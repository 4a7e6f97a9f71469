"""The delivery and digest stores on the real FerretDB: attempts are found by ``_id`` alone;
a digest is claimed once."""

from __future__ import annotations

import datetime as dt

import pytest
from imc_notifications.adapters.store import DeliveryStore, DigestStore
from imc_notifications.service_layer.ports import DigestClaim, DigestItem
from imc_runtime.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase

pytestmark = pytest.mark.infra

AT = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
async def store(database: AsyncDatabase[Document]) -> DeliveryStore:
    deliveries = DeliveryStore(database)
    await deliveries.ensure_indexes()
    return deliveries


async def test_a_delivery_never_attempted_has_no_attempts(store: DeliveryStore) -> None:
    attempts = await store.attempts("d1")
    assert (attempts.started, attempts.failed, attempts.in_doubt) == (0, 0, False)


async def test_attempts_count_each_start_and_failure_of_that_delivery_only(
    store: DeliveryStore,
) -> None:
    for attempt in (1, 2, 3):
        await store.attempt_started("d1", attempt, AT + dt.timedelta(minutes=attempt))
    await store.attempt_failed("d1", 1, "421 busy", False, AT)
    await store.attempt_failed("d1", 2, "421 still busy", False, AT)
    await store.attempt_started("d2", 1, AT)  # another delivery's attempt is not counted
    attempts = await store.attempts("d1")
    assert attempts.started == 3
    assert attempts.failed == 2
    assert attempts.last_error == "421 still busy"
    assert attempts.last_started_at == AT + dt.timedelta(minutes=3)
    assert attempts.in_doubt  # the third began and neither failed nor was recorded sent


async def test_a_reservation_records_the_first_attempt_and_later_ones_follow_it(
    store: DeliveryStore,
) -> None:
    assert await store.reserve({"_id": "d1", "created_at": AT, "first_attempt_at": AT})
    assert not await store.reserve({"_id": "d1", "created_at": AT, "first_attempt_at": AT})
    first = await store.attempts("d1")
    assert (first.started, first.failed, first.last_started_at) == (1, 0, AT)
    assert first.in_doubt  # begun, and neither failed nor recorded sent
    await store.attempt_failed("d1", 1, "421 busy", False, AT)
    await store.attempt_started("d1", 2, AT + dt.timedelta(minutes=1))
    second = await store.attempts("d1")
    assert (second.started, second.failed, second.last_error) == (2, 1, "421 busy")
    assert second.last_started_at == AT + dt.timedelta(minutes=1)


async def test_a_reservation_that_does_not_say_so_leaves_the_first_attempt_to_its_own_record(
    store: DeliveryStore,
) -> None:
    assert await store.reserve({"_id": "d1", "created_at": AT})
    assert (await store.attempts("d1")).started == 0
    await store.attempt_started("d1", 1, AT)
    assert (await store.attempts("d1")).started == 1


@pytest.fixture
async def digests(database: AsyncDatabase[Document]) -> DigestStore:
    store = DigestStore(database)
    await store.ensure_indexes()
    return store


def item(id: str, recipient_id: str = "lotte") -> DigestItem:
    return DigestItem(
        id=id,
        recipient_id=recipient_id,
        digest_date=AT.date(),
        time_zone="Europe/Brussels",
        hour=18,
        kind="milestone_reached",
        event_id=f"event-{id}",
        title=f"Mijlpaal {id}",
        link="http://127.0.0.1:8080/#/partnerships/berkane--saint-gilles",
        queued_at=AT,
    )


async def test_a_digest_is_claimed_once_and_its_items_leave_the_queue_when_it_is_sent(
    digests: DigestStore,
) -> None:
    for id, recipient in (("i1", "lotte"), ("i2", "lotte"), ("i3", "amina")):
        await digests.queue(item(id, recipient))
    await digests.queue(item("i1"))  # the same event again: waiting already
    claim = DigestClaim("digest-1", "lotte", AT.date(), ("i1", "i2"))
    assert await digests.claim(claim)
    assert not await digests.claim(claim)  # another replica's claim of the same digest
    assert await digests.claims_of("lotte", AT.date()) == [claim]
    assert await digests.claims_of("lotte", AT.date() + dt.timedelta(days=1)) == []
    assert await digests.claims_of("amina", AT.date()) == []
    await digests.sent(claim)
    assert [waiting.id for waiting in await digests.all_items()] == ["i3"]
    await digests.sent(claim)  # again, after a crash in between: nothing more goes
    assert [waiting.id for waiting in await digests.all_items()] == ["i3"]
