"""Roadmaps' read models rebuilt from 100,000 commits, set against reading the log raw.

    .venv/bin/python -m bench.rebuild [--commits 100000]

Fills a fresh database on a real FerretDB with a log in the shape roadmaps writes it:
``--partnerships`` partnerships of milestones, each milestone a stream of one
``milestone.planned`` and nine ``milestone.progressed`` commits (documents made as
``CommitLog`` makes them, inserted in bulk so filling takes seconds, not the hours a
pipeline would). Then measures:

- the raw read rate of the log: every commit document through PyMongo, nothing decoded;
- the rebuild: ``RoadmapsStore.catch_up``, the code ``imc-ops rebuild roadmaps`` and every
  start-up run — every commit decoded, every milestone folded, every read model written.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import functools
import json
import time
import uuid
from typing import Any

from imc_contracts import roadmaps
from imc_contracts.codec import to_document
from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.domain.streams import milestone_stream
from imc_runtime.commitlog import CommitLog, commit_id
from imc_runtime.mongo import Document
from pymongo import AsyncMongoClient

from bench.database import database_url

STREAM_LENGTH = 10
PHASE = "2022-2026"


@functools.cache
def _templates() -> tuple[dict[str, Any], dict[str, Any]]:
    title = {"fr": "Lancement du service social", "ar": "إطلاق المصلحة الاجتماعية"}
    planned = roadmaps.MilestonePlanned.create(
        roadmaps.MilestonePlannedPayload(
            milestone_id="m",
            title=title,
            due_date=dt.date(2026, 6, 30),
            responsible_municipality_id="berkane",
            phase=PHASE,
        ),
        partnership_id="p",
    )
    progressed = roadmaps.MilestoneProgressed.create(
        roadmaps.MilestoneProgressedPayload(
            submission_id=str(uuid.uuid4()),
            milestone_id="m",
            title=title,
            progress=10,
            previous_progress=0,
            reported_on=dt.date(2026, 3, 1),
            note="Réunion tenue avec les associations du quartier." * 3,
        ),
        partnership_id="p",
    )
    return to_document(planned), to_document(progressed)


def commit_documents(partnership: str, milestone: str) -> list[Document]:
    """One milestone's stream: planned, then progressed nine times."""
    planned, progressed = _templates()
    recorded_at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    documents = []
    for version in range(1, STREAM_LENGTH + 1):
        event = copy.deepcopy(planned if version == 1 else progressed)
        event["event_id"] = str(uuid.uuid4())
        event["partnership_id"] = partnership
        event["payload"]["milestone_id"] = milestone
        if version > 1:
            event["payload"]["progress"] = (version - 1) * 10
            event["payload"]["previous_progress"] = (version - 2) * 10
        documents.append(
            {
                "_id": commit_id("roadmaps", event["event_id"]),
                "stream": milestone_stream(partnership, milestone),
                "version": version,
                "events": [event],
                "recorded_at": recorded_at,
                "published": True,
                "trace": {},
            }
        )
    return documents


async def fill(db: Any, first: int, end: int, partnerships: int) -> float:
    """Insert milestones ``first``..``end`` (ten commits each) in bulk; seconds taken."""
    collection = db["commits"]
    started = time.perf_counter()
    batch: list[Document] = []
    for n in range(first, end):
        batch += commit_documents(f"p{n % partnerships:03d}", f"m{n:05d}")
        if len(batch) >= 2000:
            await collection.insert_many(batch, ordered=False)
            batch = []
    if batch:
        await collection.insert_many(batch, ordered=False)
    return time.perf_counter() - started


async def raw_read(db: Any) -> tuple[int, float]:
    """Every commit document, undecoded; (count, seconds)."""
    started = time.perf_counter()
    count = 0
    async for _document in db["commits"].find({}).batch_size(1000):
        count += 1
    return count, time.perf_counter() - started


PROBE = 5_000
"""Commits written and read first, to learn this machine's rates before sizing the log."""


async def measure(
    url: str, commits: int, partnerships: int, budget: float | None = None
) -> dict[str, Any]:
    """Fill, read raw, rebuild. With a ``budget`` (seconds), a probe of 5,000 commits first
    measures the write and read rates, and the log holds as many of ``commits`` as the
    budget allows for filling it, reading it raw and rebuilding from it: the rebuild reads it
    once more and decodes it, and a long read goes slower than the probe's, so the estimate
    counts 3.5 probe reads per commit."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(url, tz_aware=True)
    db = client[f"bench_rebuild_{uuid.uuid4().hex[:8]}"]
    try:
        target = commits
        filled = 0.0
        if budget is not None and commits > PROBE:
            filled = await fill(db, 0, PROBE // STREAM_LENGTH, partnerships)
            probed, probe_read = await raw_read(db)
            per_commit = filled / PROBE + 3.5 * probe_read / probed
            fits = int((budget - filled - probe_read) / per_commit) // 10_000 * 10_000
            target = max(PROBE, min(commits, fits))
            filled += await fill(db, PROBE // STREAM_LENGTH, target // STREAM_LENGTH, partnerships)
        else:
            filled = await fill(db, 0, commits // STREAM_LENGTH, partnerships)
        print(f"rebuild: {target} commits written in {filled:.1f} s", flush=True)
        count, raw_seconds = await raw_read(db)
        print(f"rebuild: read raw in {raw_seconds:.1f} s", flush=True)
        store = RoadmapsStore(db, CommitLog(db))
        await store.ensure_indexes()
        started = time.perf_counter()
        rebuilt = await store.catch_up()
        rebuild_seconds = time.perf_counter() - started
        milestones = len(await store.all_milestones())
    finally:
        await client.drop_database(db.name)
        await client.close()
    raw_rate = count / raw_seconds
    rate = rebuilt / rebuild_seconds
    return {
        "commits": rebuilt,
        "asked_for": commits,
        "partnerships": partnerships,
        "milestones_rebuilt": milestones,
        "fill_seconds": round(filled, 1),
        "raw_read_per_s": round(raw_rate, 1),
        "raw_read_seconds": round(raw_seconds, 1),
        "rebuild_seconds": round(rebuild_seconds, 1),
        "rebuild_per_s": round(rate, 1),
        "ratio": round(rate / raw_rate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--partnerships", type=int, default=100)
    args = parser.parse_args()
    with database_url() as url:
        print(json.dumps(asyncio.run(measure(url, args.commits, args.partnerships)), indent=2))


if __name__ == "__main__":
    main()
