"""The pipeline against its own parts: progress reports posted to the registry until each is
applied (milestone reached) and its emails accepted by SMTP.

    .venv/bin/python bench/pipeline.py [--milestones 600] [--seconds 20] [--json out.json]

Starts its own stack (Kafka, FerretDB, mail catcher, the three services as processes), plans
one milestone per report, then:
1. saturation: reports as fast as ``--concurrency`` clients can send them; the rate at which
   milestones are reached is the pipeline's maximum sustained rate;
2. open-loop runs at 25 %, 50 % and 90 % of that rate, with latency percentiles from the
   ``202`` to ``milestone.reached`` on Kafka and to the email accepted by SMTP;
3. CPU seconds and peak RSS of each process.
Set the figures against ``bench/limits.py``, run minutes apart on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from imc_contracts import PoisonMessage, UnknownEventType, decode
from imc_contracts.roadmaps import MilestoneReached
from imc_devstack.faults import Programme, Workload, wait_decided
from imc_devstack.stack import Ports, Stack

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    name: str
    target_rate: float | None
    sent: int = 0
    duration: float = 0.0
    accepted_at: dict[str, float] = field(default_factory=dict)  # milestone → time of 202


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {
            "p50": values[0] if values else float("nan"),
            "p95": float("nan"),
            "p99": float("nan"),
        }
    cuts = statistics.quantiles(values, n=100)
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


class ReachedWatcher:
    """Records when each milestone's ``milestone.reached`` arrives on Kafka."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.reached_at: dict[str, float] = {}
        self.arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.consumer = AIOKafkaConsumer(
            "imc.roadmaps.events",
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="latest",
            enable_auto_commit=False,
            group_id=None,
        )
        await self.consumer.start()
        await self.consumer.seek_to_end()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=200)
            now = time.monotonic()
            for records in batch.values():
                for record in records:
                    try:
                        event = decode(record.value)
                    except (PoisonMessage, UnknownEventType):
                        continue
                    if isinstance(event, MilestoneReached):
                        self.reached_at.setdefault(event.payload.milestone_id, now)
                        self.arrived.set()

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        await self.consumer.stop()


async def drive(
    stack: Stack,
    programme: Programme,
    milestones: list[tuple[str, str]],
    phase: Phase,
    concurrency: int,
) -> None:
    """Send one 100 % report per milestone, open-loop at ``phase.target_rate`` or as fast as
    ``concurrency`` clients go."""
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in milestones:
        queue.put_nowait(item)
    interval = 1 / phase.target_rate if phase.target_rate else 0.0
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=stack.service_url("registry"), timeout=60) as client:

        async def send(partnership: str, milestone: str) -> None:
            response = await client.post(
                f"/v1/partnerships/{partnership}/milestones/{milestone}/progress",
                json={"progress": 100, "reported_on": dt.date.today().isoformat()},
                headers={"Authorization": f"Bearer {programme.officers[partnership]}"},
            )
            if response.status_code == 202:
                phase.accepted_at[milestone] = time.monotonic()

        if phase.target_rate:
            tasks = []
            for n in range(len(milestones)):
                due = started + n * interval
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                tasks.append(asyncio.create_task(send(*queue.get_nowait())))
                phase.sent += 1
            await asyncio.gather(*tasks)
        else:

            async def worker() -> None:
                while not queue.empty():
                    await send(*queue.get_nowait())
                    phase.sent += 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
    phase.duration = time.monotonic() - started


def email_times(stack: Stack, since: dt.datetime) -> dict[str, list[float]]:
    """Milestone → wall-clock times its emails were accepted by the catcher."""
    found: dict[str, list[float]] = {}
    start = 0
    with httpx.Client(base_url=stack.mail_api, timeout=60) as client:
        while True:
            page = client.get("/api/v1/messages", params={"start": start, "limit": 1000}).json()
            for message in page["messages"]:
                created = dt.datetime.fromisoformat(message["Created"].replace("Z", "+00:00"))
                if created < since:
                    continue
                for word in message["Subject"].split():
                    if word.startswith("ms-"):
                        found.setdefault(word, []).append(created.timestamp())
            start += len(page["messages"])
            if not page["messages"] or start >= page["total"]:
                return found


def process_usage(stack: Stack) -> dict[str, dict[str, float]]:
    usage: dict[str, dict[str, float]] = {}
    for name, process in stack.processes.items():
        if process.popen is None or process.popen.poll() is not None:
            continue
        pid = process.popen.pid
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(stat[11]) + int(stat[12])) / TICKS
        status = Path(f"/proc/{pid}/status").read_text()
        peak = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")
        )
        usage[name] = {"cpu_seconds": round(cpu, 1), "peak_rss_mb": round(peak / 1024, 1)}
    return usage


async def measure(stack: Stack, programme: Programme, args: argparse.Namespace) -> dict[str, Any]:
    watcher = ReachedWatcher(stack.kafka_bootstrap)
    await watcher.start()
    results: dict[str, Any] = {}
    try:
        share = len(programme.milestones) // 4
        groups = [programme.milestones[i * share : (i + 1) * share] for i in range(4)]
        saturation = Phase("saturation", None)
        await drive(stack, programme, groups[0], saturation, args.concurrency)
        await _settle(watcher, saturation, args.settle)
        done = [watcher.reached_at[m] for m in saturation.accepted_at if m in watcher.reached_at]
        first = min(saturation.accepted_at.values())
        max_rate = len(done) / (max(done) - first) if done else 0.0
        results["max_sustained_per_s"] = round(max_rate, 1)
        for fraction, group in zip((0.25, 0.5, 0.9), groups[1:], strict=True):
            wall_start = dt.datetime.now(dt.UTC)
            mono_start = time.monotonic()
            phase = Phase(f"{int(fraction * 100)}%", max(fraction * max_rate, 0.5))
            await drive(stack, programme, group, phase, args.concurrency)
            await _settle(watcher, phase, args.settle)
            to_reached = [
                watcher.reached_at[m] - t
                for m, t in phase.accepted_at.items()
                if m in watcher.reached_at
            ]
            mails = email_times(stack, wall_start)
            to_email = [
                max(mails[m]) - (wall_start.timestamp() + (t - mono_start))
                for m, t in phase.accepted_at.items()
                if m in mails
            ]
            results[phase.name] = {
                "rate_per_s": round(phase.target_rate or 0, 1),
                "sent": phase.sent,
                "accepted": len(phase.accepted_at),
                "reached": len(to_reached),
                "emails_for": len(to_email),
                "to_reached_s": {k: round(v, 3) for k, v in percentiles(to_reached).items()},
                "to_email_s": {k: round(v, 3) for k, v in percentiles(to_email).items()},
            }
    finally:
        await watcher.stop()
    results["processes"] = process_usage(stack)
    return results


async def _settle(watcher: ReachedWatcher, phase: Phase, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while not set(phase.accepted_at) <= set(watcher.reached_at):
                watcher.arrived.clear()
                await watcher.arrived.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--milestones", type=int, default=400, help="reports in all (4 phases)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--settle", type=float, default=120.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    partnerships = 10
    workload = Workload(
        partnerships=partnerships, milestones=args.milestones // partnerships, steps=1
    )
    with tempfile.TemporaryDirectory(prefix="imc-bench-") as root:
        stack = Stack(
            Path(root) / "data",
            Ports.free(),
            log_dir=Path(root) / "logs",
            partitions=6,
            environment="test",
        )
        try:
            stack.start_infrastructure()
            stack.start_services()
            programme = Programme(stack, workload)
            setup = time.monotonic()
            programme.create()
            with httpx.Client(base_url=stack.service_url("registry")) as client:
                wait_decided(client, programme.coordinator, "none", deadline=0)
            results = asyncio.run(measure(stack, programme, args))
            results["setup_seconds"] = round(time.monotonic() - setup, 1)
        finally:
            stack.stop()
    report = {
        "machine": {"cores": os.cpu_count()},
        "milestones": args.milestones,
        "concurrency": args.concurrency,
        "results": results,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
