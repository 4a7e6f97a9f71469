"""A partnership read is answered again from what the registry read within the last second
(``IMC_READ_MAX_AGE_SECONDS``): its own writes at once, another replica's within that
second, and ``Cache-Control: no-cache`` from the database. Against the running registry,
its real FerretDB and its metrics."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

import httpx
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, token
from imc_registry.adapters.store import RegistryStore
from imc_registry.domain.commands import UpdatePartnership
from imc_registry.service_layer.changes import Ask
from imc_registry.service_layer.partnerships import update_partnership
from imc_registry.settings import RegistrySettings
from imc_runtime.commitlog import CommitLog
from imc_runtime.principal import Principal
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

COORDINATOR = bearer(token("coordinator", subject="hel.dumont@example.org"))
NO_CACHE = {**COORDINATOR, "Cache-Control": "no-cache"}


def finds(registry: httpx.Client) -> float:
    """How many ``find`` commands the registry has sent its database so far."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(registry.get("/metrics").text)
        if family.name == "imc_db_command_duration_seconds"
        for sample in family.samples
        if sample.name.endswith("_count") and sample.labels["command"] == "find"
    )


def description(response: httpx.Response) -> str | None:
    assert response.status_code == 200, response.text
    return (response.json().get("description") or {}).get("fr")


async def another_replica_describes(stack: Stack, partnership_id: str, text: str) -> None:
    """What a second registry replica does for a PATCH: its own store on the same database."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url)
    try:
        db = client[RegistrySettings().mongo_database]
        store = RegistryStore(db, CommitLog(db))
        coordinator = Principal(subject="hel.dumont@example.org", role="coordinator")
        command = UpdatePartnership(description={"fr": text})
        await update_partnership(partnership_id, command, Ask(coordinator, None, 1), store)
    finally:
        await client.close()


def test_repeated_reads_of_a_partnership_cost_the_database_almost_nothing(
    registry: httpx.Client, pair: tuple[str, str, str]
) -> None:
    registry.get(f"/v1/partnerships/{pair[0]}", headers=COORDINATOR)
    before = finds(registry)
    for _ in range(20):
        assert registry.get(f"/v1/partnerships/{pair[0]}", headers=COORDINATOR).status_code == 200
    # Read again once a second at most: two finds (the partnership, its members) each time.
    # Twenty reads take milliseconds; the bound leaves room for a machine stalling seconds.
    assert finds(registry) - before <= 8
    before = finds(registry)
    registry.get(f"/v1/partnerships/{pair[0]}", headers=NO_CACHE)
    assert finds(registry) - before == 2


def test_a_change_made_through_this_registry_is_seen_at_once(
    registry: httpx.Client, pair: tuple[str, str, str]
) -> None:
    assert registry.get(f"/v1/partnerships/{pair[0]}", headers=COORDINATOR).status_code == 200
    text = f"Action sociale {uuid.uuid4().hex[:6]}"
    edited = registry.patch(
        f"/v1/partnerships/{pair[0]}",
        json={"description": {"fr": text}},
        headers={**COORDINATOR, "If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    shown = registry.get(f"/v1/partnerships/{pair[0]}", headers=COORDINATOR)
    assert description(shown) == text
    assert shown.headers["ETag"] == edited.headers["ETag"] == '"2"'


def test_another_replicas_change_is_seen_with_no_cache_at_once_and_without_within_the_age(
    registry: httpx.Client, services: Stack, make_pair: Callable[[], tuple[str, str, str]]
) -> None:
    partnership_id = make_pair()[0]
    assert (
        description(registry.get(f"/v1/partnerships/{partnership_id}", headers=COORDINATOR)) is None
    )
    text = f"Participation citoyenne {uuid.uuid4().hex[:6]}"
    asyncio.run(another_replica_describes(services, partnership_id, text))
    fresh = registry.get(f"/v1/partnerships/{partnership_id}", headers=NO_CACHE)
    assert description(fresh) == text
    assert fresh.headers["ETag"] == '"2"'
    # Without the header, the view read before may answer until it is a second old.
    seen_at = None
    deadline = time.monotonic() + 10
    while seen_at is None and time.monotonic() < deadline:
        shown = registry.get(f"/v1/partnerships/{partnership_id}", headers=COORDINATOR)
        if description(shown) == text:
            seen_at = time.monotonic()
    assert seen_at is not None, "another replica's change was never seen"


def test_a_member_added_is_in_the_partnership_read_next(
    registry: httpx.Client, make_pair: Callable[[], tuple[str, str, str]]
) -> None:
    partnership_id, moroccan, _belgian = make_pair()
    assert (
        registry.get(f"/v1/partnerships/{partnership_id}", headers=COORDINATOR).json()["members"]
        == []
    )
    added = registry.post(
        "/v1/members",
        json={
            "name": "Yasmine Tazi",
            "email": f"yasmine.{uuid.uuid4().hex[:6]}@example.org",
            "municipality_id": moroccan,
            "role": "IMC officer",
            "language": "fr",
        },
        headers=COORDINATOR,
    )
    assert added.status_code == 201, added.text
    members = registry.get(f"/v1/partnerships/{partnership_id}", headers=COORDINATOR).json()
    assert [m["name"] for m in members["members"]] == ["Yasmine Tazi"]
