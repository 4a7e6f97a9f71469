"""How long the programme dashboard takes with 10 and with 1,000 partnerships of 50 milestones.

Runs on a real FerretDB: the one at ``IMC_MONGO_URL`` if set, else one started for the run in
a temporary directory. Prints figures; it is not a test.

    .venv/bin/python bench/roadmaps_dashboard.py [--partnerships 10 1000] [--milestones 50]

The dashboard reads one roll-up document per roadmap (kept by the projection whenever a
milestone or objective changes), so its cost grows with the number of partnerships, not with
the number of milestones; the "from milestones" line shows what reading every milestone
instead would cost.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import time
import uuid

from imc_roadmaps.adapters.documents import (
    group_document,
    milestone_document,
    milestone_from_document,
    roadmap_document,
)
from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.domain.model import Milestone, Status
from imc_roadmaps.domain.rollup import roll_up_roadmap
from imc_roadmaps.service_layer import views
from imc_runtime.commitlog import CommitLog
from imc_runtime.mongo import Document
from pymongo import AsyncMongoClient

PHASE = "2022-2026"
THEMES = ("youth", "women", "disability", "migrants", "participation")


def milestones_of(partnership_id: str, count: int, rng: random.Random) -> list[Document]:
    documents = []
    for n in range(count):
        progress = rng.choice((0, 10, 25, 50, 75, 90, 100))
        status: Status = "reached" if progress == 100 else "in_progress" if progress else "planned"
        milestone = Milestone(
            id=f"m{n}",
            partnership_id=partnership_id,
            title={"fr": f"Jalon {n}"},
            due_date=dt.date(2026, 1, 1) + dt.timedelta(days=n * 7),
            responsible_municipality_id="berkane",
            objective_id=f"o{n % len(THEMES)}",
            phase=PHASE,
            weight=rng.choice((None, 1.0, 2.0, 3.0)),
            status=status,
            progress=progress,
        )
        documents.append(milestone_document(milestone))
    return documents


def objectives_of(partnership_id: str) -> list[Document]:
    return [
        {
            "objective_id": f"o{i}",
            "partnership_id": partnership_id,
            "phase": PHASE,
            "theme": theme,
            "title": {"fr": theme},
            "description": {},
        }
        for i, theme in enumerate(THEMES)
    ]


async def measure(url: str, partnerships: int, milestones: int) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(url, tz_aware=True)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    db = client[name]
    store = RoadmapsStore(db, CommitLog(db))
    await store.ensure_indexes()
    rng = random.Random(partnerships)  # noqa: S311 - reproducible sample data, not a secret
    try:
        ids = [f"p{n:04d}" for n in range(partnerships)]
        started = time.perf_counter()
        roadmaps: list[Document] = []
        milestone_groups: list[Document] = []
        objective_groups: list[Document] = []
        for partnership_id in ids:
            documents = milestones_of(partnership_id, milestones, rng)
            objectives = objectives_of(partnership_id)
            milestone_groups.append(group_document(partnership_id, documents))
            objective_groups.append(group_document(partnership_id, objectives))
            roadmaps.append(
                roadmap_document(
                    partnership_id,
                    PHASE,
                    [milestone_from_document(d) for d in documents],
                    objectives,
                )
            )
        for start in range(0, len(ids), 100):
            await db["milestones_by_partnership"].insert_many(milestone_groups[start : start + 100])
            await db["objectives_by_partnership"].insert_many(objective_groups[start : start + 100])
        await db["roadmaps"].insert_many(roadmaps)
        loaded = time.perf_counter() - started

        refresh = []
        for partnership_id in rng.sample(ids, min(10, len(ids))):
            started = time.perf_counter()
            await store.refresh_roadmap(partnership_id, PHASE)
            refresh.append(time.perf_counter() - started)

        dashboard = []
        for _ in range(5):
            started = time.perf_counter()
            figures = await views.dashboard(store, PHASE)
            dashboard.append(time.perf_counter() - started)
        assert len(figures["partnerships"]) == partnerships

        started = time.perf_counter()
        everything = await store.all_milestones()
        by_partnership: dict[str, list[Milestone]] = {}
        for milestone in everything:
            by_partnership.setdefault(milestone.partnership_id, []).append(milestone)
        for group in by_partnership.values():
            roll_up_roadmap(group)
        naive = time.perf_counter() - started

        print(
            f"{partnerships:>5} partnerships x {milestones} milestones "
            f"(loaded in {loaded:.0f} s): "
            f"dashboard {statistics.median(dashboard) * 1000:8.1f} ms (median of 5) | "
            f"one roadmap's roll-up after a change {statistics.median(refresh) * 1000:7.1f} ms | "
            f"dashboard from milestones instead {naive * 1000:9.1f} ms",
            flush=True,
        )
    finally:
        await client.drop_database(name)
        await client.close()


async def run(url: str, sizes: list[int], milestones: int) -> None:
    for partnerships in sizes:
        await measure(url, partnerships, milestones)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--milestones", type=int, default=50)
    args = parser.parse_args()
    url = os.environ.get("IMC_MONGO_URL")
    if url:
        asyncio.run(run(url, args.partnerships, args.milestones))
        return
    from imc_devstack.stack import Stack  # only when we start our own database

    with Stack.temporary("imc-bench-") as stack:
        stack.start_ferretdb()
        asyncio.run(run(stack.mongo_url, args.partnerships, args.milestones))


if __name__ == "__main__":
    main()
