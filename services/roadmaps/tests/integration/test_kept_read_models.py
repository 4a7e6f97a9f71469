"""What a roadmaps replica keeps between decisions, on the real FerretDB: a partnership's
milestones and roll-ups as it last wrote them (it is their one writer until Kafka moves the
partition), the programme for a few seconds — and what it lets go, and when."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from imc_contracts import registry
from imc_devstack.stack import Stack
from imc_roadmaps.adapters import replica as replica_module
from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.service_layer import handlers
from imc_roadmaps.service_layer.ports import Dependencies
from imc_runtime.commitlog import CommitLog
from imc_runtime.mongo import Document
from pymongo import AsyncMongoClient, monitoring

from .test_schedule import seed_milestone, seed_partnership

pytestmark = pytest.mark.infra

PAIR = "ait-baha--etterbeek"
PLANNED_ON = dt.date(2027, 1, 1)


class Finds(monitoring.CommandListener):
    """The finds sent, by collection."""

    def __init__(self) -> None:
        self.by_collection: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.by_collection[str(event.command["find"])] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None


@pytest.fixture
async def replicas(
    infra: Stack, database_name: str
) -> AsyncIterator[tuple[RoadmapsStore, RoadmapsStore, Finds]]:
    """Two replicas' stores on one database; the first one's finds are counted."""
    finds = Finds()
    clients: list[AsyncMongoClient[Document]] = [
        AsyncMongoClient(infra.mongo_url, tz_aware=True, event_listeners=[finds]),
        AsyncMongoClient(infra.mongo_url, tz_aware=True),
    ]
    stores = []
    for client in clients:
        commits = CommitLog(client[database_name])
        await commits.ensure_indexes()
        store = RoadmapsStore(client[database_name], commits)
        await store.ensure_indexes()
        stores.append(store)
    yield stores[0], stores[1], finds
    await clients[0].drop_database(database_name)
    for client in clients:
        await client.close()


async def two_milestones(first: RoadmapsStore, second: RoadmapsStore) -> None:
    """The pair's partnership, with a milestone planned through each store."""
    await seed_partnership(first, PAIR)
    await seed_milestone(first, PAIR, "youth-space", dt.date(2027, 6, 1), PLANNED_ON)
    await seed_milestone(second, PAIR, "women-desk", dt.date(2027, 9, 1), PLANNED_ON)


async def test_progress_on_a_partnership_reads_its_milestones_and_roll_up_once(
    replicas: tuple[RoadmapsStore, RoadmapsStore, Finds],
) -> None:
    live, _, finds = replicas
    await two_milestones(live, live)
    finds.by_collection.clear()
    for progress in (20, 40, 60):
        await handlers.progress_reported(
            registry.ProgressReported.create(
                registry.ProgressReportedPayload(
                    submission_id=f"sub-{progress}",
                    milestone_id="youth-space",
                    progress=progress,
                    reported_on=PLANNED_ON,
                ),
                partnership_id=PAIR,
            ),
            Dependencies(live, lambda: PLANNED_ON),
        )
    assert finds.by_collection["milestones_by_partnership"] == 0
    assert finds.by_collection["roadmaps"] == 0
    assert finds.by_collection["objectives_by_partnership"] == 0
    [milestone] = [m for m in await live.milestones_of(PAIR) if m.id == "youth-space"]
    assert milestone.progress == 60
    rollup = await live.roadmap(PAIR, milestone.phase)
    assert rollup is not None
    assert rollup["progress"] == 30.0  # (60 + 0) / 2, written through to the database


async def test_a_view_reads_the_database_and_a_decision_what_was_kept_until_partitions_move(
    replicas: tuple[RoadmapsStore, RoadmapsStore, Finds],
) -> None:
    live, other, _ = replicas
    await two_milestones(live, other)  # the second by a replica that held the partition before
    assert [m.id for m in await live.milestones_of(PAIR)] == ["youth-space", "women-desk"]
    assert [m.id for m in await live.milestones_of(PAIR, kept=True)] == ["youth-space"]
    live.commits.forget_streams()  # what Kafka's assigning partitions does
    both = await live.milestones_of(PAIR, kept=True)
    assert [m.id for m in both] == ["youth-space", "women-desk"]


async def test_the_programme_is_kept_a_few_seconds_and_a_change_made_here_is_seen_at_once(
    replicas: tuple[RoadmapsStore, RoadmapsStore, Finds], monkeypatch: pytest.MonkeyPatch
) -> None:
    live, other, finds = replicas
    await live.remember_programme({"_id": "programme", "phases": [{"phase_id": "2022-2026"}]})
    finds.by_collection.clear()
    for _ in range(3):
        assert (await live.programme_document() or {})["phases"][0]["phase_id"] == "2022-2026"
    assert finds.by_collection["programme"] == 1
    await other.remember_programme({"_id": "programme", "phases": [{"phase_id": "2027-2031"}]})
    assert (await live.programme_document() or {})["phases"][0]["phase_id"] == "2022-2026"
    monkeypatch.setattr(replica_module, "PROGRAMME_SECONDS", 0.0)  # the few seconds have passed
    assert (await live.programme_document() or {})["phases"][0]["phase_id"] == "2027-2031"
    monkeypatch.undo()
    await live.remember_programme({"_id": "programme", "phases": [{"phase_id": "2032-2036"}]})
    assert (await live.programme_document() or {})["phases"][0]["phase_id"] == "2032-2036"


async def test_a_group_is_one_json_text_and_a_group_written_as_an_array_is_still_read(
    replicas: tuple[RoadmapsStore, RoadmapsStore, Finds], infra: Stack, database_name: str
) -> None:
    live, other, _ = replicas
    await two_milestones(live, live)
    client: AsyncMongoClient[Document] = AsyncMongoClient(infra.mongo_url)
    groups = client[database_name]["milestones_by_partnership"]
    stored = await groups.find_one({"_id": PAIR})
    assert stored is not None
    assert set(stored) == {"_id", "items_json"}
    items = json.loads(stored["items_json"])  # a standard parser reads what FerretDB holds
    assert [item["milestone_id"] for item in items] == ["women-desk", "youth-space"]
    await groups.replace_one({"_id": PAIR}, {"_id": PAIR, "items": items})  # as before
    assert [m.id for m in await other.milestones_of(PAIR)] == ["youth-space", "women-desk"]
    assert {m.id for m in await other.all_milestones()} == {"youth-space", "women-desk"}
    await other.catch_up()
    rebuilt = await groups.find_one({"_id": PAIR})
    assert rebuilt is not None
    assert "items" not in rebuilt
    assert json.loads(rebuilt["items_json"]) == items
    await client.close()
