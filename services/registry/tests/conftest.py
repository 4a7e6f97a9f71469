"""What the registry's tests share: a client on the running registry, fresh partners, and a
reader of the registry's topic."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from imc_contracts import Event, PoisonMessage, UnknownEventType, decode
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, token

COORDINATOR = bearer(token("coordinator", subject="hel.dumont@example.org"))


@pytest.fixture
def registry(services: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=services.service_url("registry"), timeout=10) as client:
        yield client


Pair = tuple[str, str, str]
"""A partnership's id, its Moroccan and its Belgian municipality's ids."""
Published = Callable[..., list[tuple[bytes | None, Event]]]


def new_pair(
    registry: httpx.Client, names: tuple[dict[str, str], dict[str, str]] | None = None
) -> Pair:
    """A fresh partnership of two fresh municipalities."""
    run = uuid.uuid4().hex[:8]
    moroccan, belgian = f"ma-{run}", f"be-{run}"
    given = names or ({"fr": moroccan}, {"fr": belgian})
    for id, country, localized in ((moroccan, "MA", given[0]), (belgian, "BE", given[1])):
        body = {"id": id, "names": localized, "country": country, "languages": ["fr"]}
        response = registry.post("/v1/municipalities", json=body, headers=COORDINATOR)
        assert response.status_code == 201, response.text
    created = registry.post(
        "/v1/partnerships",
        json={
            "moroccan_municipality_id": moroccan,
            "belgian_municipality_id": belgian,
            "themes": ["youth"],
        },
        headers=COORDINATOR,
    )
    assert created.status_code == 201, created.text
    return (created.json()["partnership_id"], moroccan, belgian)


@pytest.fixture
def pair(registry: httpx.Client) -> Pair:
    return new_pair(registry)


@pytest.fixture
def make_pair(registry: httpx.Client) -> Callable[..., Pair]:
    def make(names: tuple[dict[str, str], dict[str, str]] | None = None) -> Pair:
        return new_pair(registry, names)

    return make


@pytest.fixture
def published(services: Stack) -> Published:
    def read(wanted: Callable[[Event], bool], count: int = 1) -> list[tuple[bytes | None, Event]]:
        return _published(services, wanted, count)

    return read


def _published(
    services: Stack, wanted: Callable[[Event], bool], count: int = 1, timeout: float = 60
) -> list[tuple[bytes | None, Event]]:
    """The first ``count`` events on the registry's topic that ``wanted`` picks, with their
    Kafka keys. Decoding checks each against its contract."""

    async def read() -> list[tuple[bytes | None, Event]]:
        consumer = AIOKafkaConsumer(
            "imc.registry.events",
            bootstrap_servers=services.kafka_bootstrap,
            group_id=f"test-{uuid.uuid4()}",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        found: list[tuple[bytes | None, Event]] = []
        try:
            async with asyncio.timeout(timeout):
                while len(found) < count:
                    for records in (await consumer.getmany(timeout_ms=500)).values():
                        for record in records:
                            try:
                                event = decode(record.value)
                            except (PoisonMessage, UnknownEventType):
                                continue  # other tests publish poison here
                            if wanted(event):
                                found.append((record.key, event))
        finally:
            await consumer.stop()
        return found

    return asyncio.run(read())


@pytest.fixture(scope="module")
def two_pairs(services: Stack) -> tuple[Pair, Pair]:
    """Two partnerships that share no municipality, for tests that write a lot to them."""
    with httpx.Client(base_url=services.service_url("registry"), timeout=10) as client:
        return new_pair(client), new_pair(client)
