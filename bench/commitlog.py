"""How the commit log's hot paths cost as the log grows, on a real FerretDB.

    .venv/bin/python bench/commitlog.py [--sizes 1000 5000 20000] [--json out.json]

Fills one log to each size in turn (streams of 10 commits, like a milestone's history, every
commit published as the relay leaves them), and at each size measures what the services do
for every message or every relay round:

- ``append``: commits per second, one at a time (a request's write);
- ``read_stream``: the median time to read one stream of 10 (loading a record to decide), the
  first time, and ``again`` (the log keeps the streams it read: only what is new is fetched);
- ``get``: the median idempotency lookup by commit id;
- ``sweep``: one look through the log for unpublished commits when there are none (the relay
  does this when it starts and every five minutes; between, it publishes what is appended
  beside it, from memory, and reads nothing).

A flat line across sizes is the goal; a line that grows with the log is a full scan (the
sweep is one by design, and so is ``get`` on FerretDB's SQLite backend). Runs its
own FerretDB in a temporary directory, or the one at ``IMC_MONGO_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from imc_contracts import registry
from imc_contracts.envelope import Event
from imc_runtime.commitlog import CommitLog
from imc_runtime.mongo import Document
from pymongo import AsyncMongoClient

from bench.database import database_url

STREAM_LENGTH = 10


def report(number: int) -> Event:
    return registry.ProgressReported.create(
        registry.ProgressReportedPayload(
            submission_id=str(uuid.uuid4()),
            milestone_id=f"m-{number}",
            progress=number % 100,
            reported_on="2026-11-29",
            note="x" * 200,
        ),
        partnership_id="berkane--saint-gilles",
    )


async def median_ms(action: Callable[[], Awaitable[Any]], times: int = 30) -> float:
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        await action()
        durations.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(durations), 3)


async def fill(commits: CommitLog, start: int, end: int) -> float:
    """Append commits ``start``..``end`` (publishing them, as the relay would); commits/s."""
    started = time.perf_counter()
    for number in range(start, end):
        stream, version = divmod(number, STREAM_LENGTH)
        await commits.append(f"c-{number}", f"milestone:{stream}", version, [report(number)])
    elapsed = time.perf_counter() - started
    await commits.mark_published([f"c-{n}" for n in range(start, end)])
    return (end - start) / elapsed if elapsed else 0.0


async def measure(db_url: str, sizes: list[int]) -> list[dict[str, Any]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(db_url, tz_aware=True)
    db = client[f"bench_{uuid.uuid4().hex[:8]}"]
    commits = CommitLog(db)
    await commits.ensure_indexes()
    rows = []
    filled = 0
    try:
        for size in sizes:
            rate = await fill(commits, filled, size)
            filled = size
            streams = size // STREAM_LENGTH
            picks = iter(range(0, streams, max(1, streams // 30)))
            ids = iter(range(0, size, max(1, size // 30)))

            def read_one(picks: Any = picks) -> Awaitable[Any]:
                return commits.read_stream(f"milestone:{next(picks, 0)}")

            warm = f"milestone:{streams // 2}"
            await commits.read_stream(warm)

            def read_again(warm: str = warm) -> Awaitable[Any]:
                return commits.read_stream(warm)

            def get_one(ids: Any = ids) -> Awaitable[Any]:
                return commits.get(f"c-{next(ids, 0)}")

            row = {
                "commits": size,
                "append_per_s": round(rate, 1),
                "read_stream_ms": await median_ms(read_one),
                "read_stream_again_ms": await median_ms(read_again),
                "get_ms": await median_ms(get_one),
                "sweep_ms": await median_ms(commits.unpublished, times=5),
            }
            print(
                f"{size:>7} commits: append {row['append_per_s']:>7}/s  "
                f"read_stream {row['read_stream_ms']:>8} ms (again {row['read_stream_again_ms']} ms)  "
                f"get {row['get_ms']:>6} ms  "
                f"sweep {row['sweep_ms']:>8} ms",
                flush=True,
            )
            rows.append(row)
    finally:
        await client.drop_database(db.name)
        await client.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with database_url() as url:
        rows = asyncio.run(measure(url, sorted(args.sizes)))
    result = {"machine": {"cores": os.cpu_count(), "python": platform.python_version()}}
    result["rows"] = rows  # type: ignore[assignment]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
