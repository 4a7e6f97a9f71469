"""The pipeline against its own parts: progress reports posted to the registry until each is
applied (milestone reached) and its emails accepted by SMTP.

    .venv/bin/python -m bench.pipeline [--seconds 20] [--json out.json]

On a stack of its own (or the one ``bench.run`` hands it): ten partnerships of two
municipalities with one member each, milestones planned through the registry for a while,
then one 100 % report per milestone:

1. saturation: ``in_flight`` reports at a time, each followed until its milestone is reached
   and both its emails are accepted by SMTP; completions per second is the pipeline's
   maximum sustained rate (a closed loop, so no backlog hides behind the figure);
2. open-loop runs at 25 %, 50 % and 90 % of that rate, with latency percentiles from the
   ``202`` to ``milestone.reached`` on Kafka and to the last email accepted by SMTP;
3. CPU seconds and peak RSS of each process;
4. the database commands each service made per report during saturation, and the time they
   took, by command and collection (the services' ``imc_db_command_duration_seconds``), and
   the CPU each process (this one too) used per report meanwhile.

Every phase is bounded by time, not by a count, so the whole fits a fixed budget.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from imc_contracts import PoisonMessage, UnknownEventType, decode
from imc_contracts.roadmaps import MilestonePlanned, MilestoneReached, SubmissionRejected
from imc_devstack.faults import Programme, Workload
from imc_devstack.mailpit import created
from imc_devstack.stack import SERVICES, Stack
from prometheus_client.parser import text_string_to_metric_families

TICKS = os.sysconf("SC_CLK_TCK")
PARTNERSHIPS = 10
EMAILS_PER_MILESTONE = 2
"""One member in each municipality of the partnership; the run adds no coordinator."""


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        single = round(values[0], 3) if values else float("nan")
        return {"p50": single, "p95": single, "p99": single, "n": len(values)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 3),
        "p95": round(cuts[94], 3),
        "p99": round(cuts[98], 3),
        "n": len(values),
    }


class Waiters:
    """Futures resolved when a milestone's moment arrives (reached, or mailed)."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self._waiting: dict[str, asyncio.Future[float]] = {}

    def record(self, milestone: str, moment: float) -> None:
        if milestone in self.at:
            return
        self.at[milestone] = moment
        future = self._waiting.pop(milestone, None)
        if future is not None and not future.done():
            future.set_result(moment)

    async def wait(self, milestone: str, within: float) -> float | None:
        if milestone in self.at:
            return self.at[milestone]
        future = self._waiting.setdefault(milestone, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(future), within)
        except TimeoutError:
            return None


class RoadmapsWatcher:
    """Follows roadmaps' topic: which milestones were planned and when each was reached."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.planned = Waiters()
        self.rejected = 0
        self.reached = Waiters()
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
            batch = await self.consumer.getmany(timeout_ms=100)
            now = time.time()
            for records in batch.values():
                for record in records:
                    try:
                        event = decode(record.value)
                    except (PoisonMessage, UnknownEventType):
                        continue
                    if isinstance(event, MilestoneReached):
                        self.reached.record(event.payload.milestone_id, now)
                    elif isinstance(event, MilestonePlanned):
                        self.planned.record(event.payload.milestone_id, now)
                    elif isinstance(event, SubmissionRejected):
                        self.rejected += 1

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.consumer.stop()


class MailWatcher:
    """Follows Mailpit's listing (newest first) and records, per milestone, when its last
    expected email was accepted — the time Mailpit received it."""

    def __init__(self, mail_api: str, interval: float = 0.05) -> None:
        self.mail_api = mail_api
        self.interval = interval
        self.mailed = Waiters()
        self.emails: dict[str, list[float]] = {}
        self._seen: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._http = httpx.AsyncClient(base_url=self.mail_api, timeout=30)
        await self.scan(record=False)  # what earlier phases left is not ours
        self._task = asyncio.create_task(self._run())

    async def scan(self, *, record: bool = True) -> None:
        """Read pages until one holds a message seen before: the new ones come first."""
        assert self._http is not None
        start = 0
        while True:
            response = await self._http.get(
                "/api/v1/messages", params={"start": start, "limit": 200}
            )
            response.raise_for_status()
            page = response.json()["messages"]
            known = False
            for summary in page:
                if summary["ID"] in self._seen:
                    known = True
                    continue
                self._seen.add(summary["ID"])
                if record:
                    self._record(summary)
            start += len(page)
            if known or not page:
                return

    def _record(self, summary: dict[str, Any]) -> None:
        milestone = next((w for w in summary["Subject"].split() if w.startswith("ms-")), None)
        if milestone is None:
            return
        times = self.emails.setdefault(milestone, [])
        times.append(created(summary).timestamp())
        if len(times) == EMAILS_PER_MILESTONE:
            self.mailed.record(milestone, max(times))

    async def _run(self) -> None:
        while True:
            await self.scan()
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._http is not None:
            await self._http.aclose()


@dataclass
class Bench:
    """The programme slice a run works on, and the planned milestones not reported yet."""

    stack: Stack
    programme: Programme
    roadmaps: RoadmapsWatcher
    mail: MailWatcher
    pool: list[tuple[str, str]] = field(default_factory=list)

    def officer(self, partnership: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.programme.officers[partnership]}"}

    async def report(self, client: httpx.AsyncClient, partnership: str, milestone: str) -> float:
        """Report the milestone done; the time of the ``202`` (raises on anything else)."""
        response = await client.post(
            f"/v1/partnerships/{partnership}/milestones/{milestone}/progress",
            json={"progress": 100, "reported_on": dt.date.today().isoformat()},
            headers=self.officer(partnership),
        )
        if response.status_code != 202:
            raise RuntimeError(f"report of {milestone}: {response.status_code} {response.text}")
        return time.time()


def setup(stack: Stack) -> Programme:
    """Municipalities, members and partnerships (the registry answers these at once)."""
    programme = Programme(stack, Workload(partnerships=PARTNERSHIPS, milestones=0))
    programme.create()
    return programme


async def plan(bench: Bench, seconds: float, in_flight: int, most: int) -> dict[str, Any]:
    """Plan milestones for ``seconds`` (or ``most`` of them), ``in_flight`` at a time, each
    waited for until roadmaps has planned it — so planning never leaves a backlog behind
    for the phases that follow; they fill ``bench.pool``."""
    started = time.time()
    deadline = started + seconds
    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    counter = iter(range(most))
    run = bench.programme.run
    posted = 0
    async with httpx.AsyncClient(base_url=bench.stack.service_url("registry"), timeout=60) as c:

        async def worker() -> None:
            nonlocal posted
            for n in counter:
                if time.time() > deadline:
                    return
                index = n % len(bench.programme.partnerships)
                partnership = bench.programme.partnerships[index]
                milestone = f"ms-{run}-{n}"
                response = await c.post(
                    f"/v1/partnerships/{partnership}/milestones",
                    json={
                        "milestone_id": milestone,
                        "title": {"fr": f"Jalon {milestone}"},
                        "due_date": due,
                        "responsible_municipality_id": f"ma-{run}-{index}",
                    },
                    headers=bench.officer(partnership),
                )
                if response.status_code != 202:
                    continue
                posted += 1
                if await bench.roadmaps.planned.wait(milestone, 60) is not None:
                    bench.pool.append((partnership, milestone))

        await asyncio.gather(*(worker() for _ in range(in_flight)))
    bench.pool.reverse()  # popped from the end: oldest first
    return {
        "posted": posted,
        "planned": len(bench.pool),
        "planned_per_s": round(len(bench.pool) / (time.time() - started), 1),
    }


Commands = dict[str, dict[str, list[float]]]
"""Per service, per ``command collection``: [count, seconds]."""


async def db_commands(urls: dict[str, str]) -> Commands:
    """What each service's ``/metrics`` (``urls``: service → base URL) says of its database
    commands so far."""
    commands: Commands = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for service, url in urls.items():
            text = (await client.get(f"{url}/metrics")).text
            counted = commands.setdefault(service, {})
            for family in text_string_to_metric_families(text):
                if family.name != "imc_db_command_duration_seconds":
                    continue
                for sample in family.samples:
                    key = f"{sample.labels['command']} {sample.labels['collection']}".strip()
                    if sample.name.endswith("_count"):
                        counted.setdefault(key, [0.0, 0.0])[0] += sample.value
                    elif sample.name.endswith("_sum"):
                        counted.setdefault(key, [0.0, 0.0])[1] += sample.value
    return commands


def service_urls(stack: Stack) -> dict[str, str]:
    return {name: stack.service_url(name) for name in SERVICES if name in stack.processes}


BENCH = "bench (load and watchers)"
"""This process: the clients posting the reports and the watchers of Kafka and the mailbox."""

WRITES = ("insert", "update", "delete")
"""The commands that write (``update`` is also how PyMongo sends a replace)."""


def per_report(before: Commands, after: Commands, reports: int) -> dict[str, Any]:
    """Each service's commands per report between two readings: in all, the time they took,
    and the busiest commands."""
    result: dict[str, Any] = {}
    for service, counted in after.items():
        earlier = before.get(service, {})
        spent = {
            key: (
                count - earlier.get(key, [0.0, 0.0])[0],
                seconds - earlier.get(key, [0.0, 0.0])[1],
            )
            for key, (count, seconds) in counted.items()
        }
        n = max(reports, 1)
        ranked = sorted(spent.items(), key=lambda item: -item[1][0])
        result[service] = {
            "commands_per_report": round(sum(c for c, _ in spent.values()) / n, 1),
            "writes_per_report": round(
                sum(c for key, (c, _) in spent.items() if key.startswith(WRITES)) / n, 1
            ),
            "db_ms_per_report": round(1000 * sum(s for _, s in spent.values()) / n, 1),
            "by_command": {
                key: {"per_report": round(count / n, 2), "ms_per_report": round(1000 * s / n, 1)}
                for key, (count, s) in ranked
                if count
            },
        }
    return result


def closed_loop(in_flight: int, elapsed: float, completed: int, unfinished: int) -> dict[str, Any]:
    """What a saturation run did: how many in flight, how long, how many done, at what rate."""
    return {
        "in_flight": in_flight,
        "seconds": round(elapsed, 1),
        "completed": completed,
        "unfinished": unfinished,
        "per_s": round(completed / elapsed, 1),
    }


def cpu_per_report(
    before: dict[str, float], after: dict[str, float], reports: int, elapsed: float
) -> dict[str, dict[str, float]]:
    """Each process's CPU between two readings: per report, and as a share of a core."""
    n = max(reports, 1)
    return {
        name: {
            "ms_per_report": round(1000 * (used - before.get(name, 0.0)) / n, 1),
            "share_of_a_core": round((used - before.get(name, 0.0)) / elapsed, 2),
        }
        for name, used in after.items()
    }


async def saturate(bench: Bench, seconds: float, in_flight: int) -> dict[str, Any]:
    """``in_flight`` reports at a time, each followed to its last email; completions/s."""
    commands_before = await db_commands(service_urls(bench.stack))
    cpu_before = {**cpu_seconds(bench.stack), BENCH: time.process_time()}
    started = time.time()
    deadline = started + seconds
    to_reached: list[float] = []
    to_mailed: list[float] = []
    unfinished = 0
    async with httpx.AsyncClient(base_url=bench.stack.service_url("registry"), timeout=60) as c:

        async def worker() -> None:
            nonlocal unfinished
            while time.time() < deadline and bench.pool:
                partnership, milestone = bench.pool.pop()
                accepted = await bench.report(c, partnership, milestone)
                reached = await bench.roadmaps.reached.wait(milestone, 60)
                mailed = await bench.mail.mailed.wait(milestone, 60)
                if reached is None or mailed is None:
                    unfinished += 1
                    continue
                to_reached.append(reached - accepted)
                to_mailed.append(mailed - accepted)

        await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.time() - started
    cpu_after = {**cpu_seconds(bench.stack), BENCH: time.process_time()}
    after = await db_commands(service_urls(bench.stack))
    commands = per_report(commands_before, after, len(to_mailed))
    cpu = cpu_per_report(cpu_before, cpu_after, len(to_mailed), elapsed)
    return {
        **closed_loop(in_flight, elapsed, len(to_mailed), unfinished),
        "to_reached_s": percentiles(to_reached),
        "to_email_s": percentiles(to_mailed),
        "db_commands": commands,
        "cpu": cpu,
    }


async def open_loop(bench: Bench, rate: float, seconds: float, settle: float) -> dict[str, Any]:
    """Reports at a steady ``rate`` for ``seconds``, whatever the answers; latencies."""
    count = min(len(bench.pool), max(2, int(rate * seconds)))
    targets = [bench.pool.pop() for _ in range(count)]
    accepted: dict[str, float] = {}
    failed = 0
    started = time.time()
    async with httpx.AsyncClient(
        base_url=bench.stack.service_url("registry"),
        timeout=60,
        limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
    ) as c:

        async def send(partnership: str, milestone: str) -> None:
            nonlocal failed
            try:
                accepted[milestone] = await bench.report(c, partnership, milestone)
            except (RuntimeError, httpx.HTTPError):
                failed += 1

        tasks = []
        for n, (partnership, milestone) in enumerate(targets):
            await asyncio.sleep(max(0.0, started + n / rate - time.time()))
            tasks.append(asyncio.create_task(send(partnership, milestone)))
        await asyncio.gather(*tasks)
    sent_for = time.time() - started
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(settle):
            for milestone in list(accepted):
                await bench.mail.mailed.wait(milestone, settle)
    to_reached = [
        bench.roadmaps.reached.at[m] - t
        for m, t in accepted.items()
        if m in bench.roadmaps.reached.at
    ]
    to_mailed = [
        bench.mail.mailed.at[m] - t for m, t in accepted.items() if m in bench.mail.mailed.at
    ]
    return {
        "rate_per_s": round(rate, 1),
        "achieved_per_s": round(len(accepted) / sent_for, 1) if sent_for else 0.0,
        "sent": count,
        "accepted": len(accepted),
        "failed": failed,
        "reached": len(to_reached),
        "mailed": len(to_mailed),
        "to_reached_s": percentiles(to_reached),
        "to_email_s": percentiles(to_mailed),
    }


def process_usage(stack: Stack) -> dict[str, dict[str, float]]:
    """CPU seconds and peak RSS (VmHWM) of each process the stack started and still runs.

    The CPU counts its children too, live and ended (PostgreSQL serves each connection from
    a process of its own); the RSS is the process's own."""
    stats = _all_stats()
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        children.setdefault(int(stat[1]), []).append(pid)
    usage: dict[str, dict[str, float]] = {}
    for name, process in stack.processes.items():
        if process.popen is None or process.popen.poll() is not None:
            continue
        pid = process.popen.pid
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        if pid not in stats:
            continue
        ticks, family = 0, [pid]
        while family:
            member = family.pop()
            times = stats.get(member)
            if times is not None:
                ticks += int(times[11]) + int(times[12]) + int(times[13]) + int(times[14])
            family += children.get(member, [])
        fields = {
            key: (value.split() or ["0"])[0]
            for key, _, value in (line.partition(":") for line in status.splitlines())
        }
        usage[name] = {
            "cpu_seconds": round(ticks / TICKS, 1),
            "peak_rss_mb": round(int(fields.get("VmHWM", 0)) / 1024, 1),
            "rss_mb": round(int(fields.get("VmRSS", 0)) / 1024, 1),
        }
    return usage


def _all_stats() -> dict[int, list[str]]:
    """Every process's ``/proc/<pid>/stat`` fields after the command name (state, ppid, …)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
    return stats


def cpu_seconds(stack: Stack) -> dict[str, float]:
    return {name: usage["cpu_seconds"] for name, usage in process_usage(stack).items()}


async def start_watchers(stack: Stack, programme: Programme) -> Bench:
    roadmaps = RoadmapsWatcher(stack.kafka_bootstrap)
    await roadmaps.start()
    mail = MailWatcher(stack.mail_api)
    await mail.start()
    return Bench(stack, programme, roadmaps, mail)


async def stop_watchers(bench: Bench) -> None:
    await bench.roadmaps.stop()
    await bench.mail.stop()


async def measure(
    bench: Bench,
    *,
    saturation_seconds: float,
    phase_seconds: float,
    in_flight: int,
    settle: float = 30.0,
) -> dict[str, Any]:
    """Saturation, then 25 %, 50 % and 90 % of it; CPU used by each process meanwhile."""
    cpu_before = cpu_seconds(bench.stack)
    started = time.time()
    results: dict[str, Any] = {"saturation": await saturate(bench, saturation_seconds, in_flight)}
    max_rate = max(results["saturation"]["per_s"], 0.5)
    for fraction in (0.25, 0.5, 0.9):
        results[f"{int(fraction * 100)}%"] = await open_loop(
            bench, fraction * max_rate, phase_seconds, settle
        )
    elapsed = time.time() - started
    usage = process_usage(bench.stack)
    for name, figures in usage.items():
        used = figures["cpu_seconds"] - cpu_before.get(name, 0.0)
        figures["cpu_share"] = round(used / elapsed, 2)  # of one core, over the phases
    results["processes"] = usage
    results["rejected"] = bench.roadmaps.rejected
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="saturation phase")
    parser.add_argument("--phase-seconds", type=float, default=12.0)
    parser.add_argument("--plan-seconds", type=float, default=40.0)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with Stack.temporary("imc-bench-") as stack:
        stack.start_infrastructure()
        stack.start_services()
        programme = setup(stack)

        async def run() -> dict[str, Any]:
            bench = await start_watchers(stack, programme)
            try:
                planning = await plan(bench, args.plan_seconds, 32, 100_000)
                results = await measure(
                    bench,
                    saturation_seconds=args.seconds,
                    phase_seconds=args.phase_seconds,
                    in_flight=args.in_flight,
                )
                return {"planning": planning, **results}
            finally:
                await stop_watchers(bench)

        results = asyncio.run(run())
    report = {"machine": {"cores": os.cpu_count()}, "results": results}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
