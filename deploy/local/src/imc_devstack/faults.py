"""The fault harness: drive a steady stream of progress reports through the registry's
public API, let a scenario break things for real, then check the end state against what was
sent. Used by ``tests/faults`` (short runs) and ``python -m imc_devstack.faults`` (long runs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import random
import signal
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from imc_contracts import PoisonMessage, UnknownEventType, decode
from imc_contracts.roadmaps import MilestoneProgressed, MilestoneReached, SubmissionRejected
from imc_runtime import dlq
from imc_runtime.auth import mint
from imc_runtime.kafka import partitions_of
from imc_runtime.settings import ServiceSettings

from imc_devstack.processes import free_port
from imc_devstack.stack import Stack

RETRYABLE = {502, 503, 504}


@dataclass(frozen=True)
class Workload:
    partnerships: int = 4
    milestones: int = 3
    steps: int = 5
    concurrency: int = 6

    @property
    def reports(self) -> int:
        return self.partnerships * self.milestones * self.steps


@dataclass
class Report:
    scenario: str
    sent: int = 0
    accepted: int = 0
    applied: int = 0
    rejected: int = 0
    lost: int = 0
    duplicated: int = 0
    reached: int = 0
    reached_duplicated: int = 0
    emails_expected: int = 0
    emails_delivered: int = 0
    emails_duplicated: int = 0
    dead_lettered: int = 0
    recovery_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    HEADER = (
        "scenario",
        "sent",
        "applied",
        "lost",
        "duplicated",
        "reached",
        "emails",
        "email repeats",
        "dead-lettered",
        "recovery s",
    )

    def row(self) -> tuple[str, ...]:
        return (
            self.scenario,
            str(self.sent),
            str(self.applied),
            str(self.lost),
            str(self.duplicated),
            f"{self.reached} (+{self.reached_duplicated})",
            f"{self.emails_delivered}/{self.emails_expected}",
            str(self.emails_duplicated),
            str(self.dead_lettered),
            f"{self.recovery_seconds:.1f}",
        )


def table(reports: list[Report]) -> str:
    rows = [Report.HEADER, *(report.row() for report in reports)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(Report.HEADER))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


class Programme:
    """A fictitious slice of the programme made for one run: pairs, members, milestones."""

    def __init__(self, stack: Stack, workload: Workload) -> None:
        self.stack = stack
        self.workload = workload
        self.run = uuid.uuid4().hex[:8]
        settings = ServiceSettings()
        self.coordinator = mint(
            settings, subject=f"coordinator-{self.run}@example.org", role="coordinator"
        )
        self.officers: dict[str, str] = {}
        self.partnerships: list[str] = []
        self.milestones: list[tuple[str, str]] = []  # (partnership, milestone)
        self.member_emails: set[str] = set()

    def create(self) -> None:
        settings = ServiceSettings()
        with httpx.Client(base_url=self.stack.service_url("registry"), timeout=30) as client:
            for p in range(self.workload.partnerships):
                moroccan, belgian = f"ma-{self.run}-{p}", f"be-{self.run}-{p}"
                for id, country, language in ((moroccan, "MA", "ar"), (belgian, "BE", "fr")):
                    post(
                        client,
                        "/v1/municipalities",
                        self.coordinator,
                        f"m:{id}",
                        {
                            "id": id,
                            "names": {"fr": f"Commune {id}"},
                            "country": country,
                            "languages": [language],
                        },
                    )
                    email = f"officer.{id}@example.org"
                    post(
                        client,
                        "/v1/members",
                        self.coordinator,
                        f"member:{id}",
                        {
                            "name": f"Officer {id}",
                            "email": email,
                            "municipality_id": id,
                            "role": "IMC officer",
                            "language": language,
                        },
                    )
                    self.member_emails.add(email)
                body = post(
                    client,
                    "/v1/partnerships",
                    self.coordinator,
                    f"p:{p}",
                    {"moroccan_municipality_id": moroccan, "belgian_municipality_id": belgian},
                )
                partnership = str(body["partnership_id"])
                self.partnerships.append(partnership)
                self.officers[partnership] = mint(
                    settings,
                    subject=f"officer-{moroccan}@example.org",
                    role="officer",
                    municipality_id=moroccan,
                    language="fr",
                )
                for m in range(self.workload.milestones):
                    milestone = f"ms-{self.run}-{p}-{m}"
                    submission = post(
                        client,
                        f"/v1/partnerships/{partnership}/milestones",
                        self.officers[partnership],
                        f"plan:{milestone}",
                        {
                            "milestone_id": milestone,
                            "title": {"fr": f"Jalon {milestone}"},
                            "due_date": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
                            "responsible_municipality_id": moroccan,
                        },
                    )
                    wait_decided(
                        client, self.officers[partnership], str(submission["submission_id"])
                    )
                    self.milestones.append((partnership, milestone))


def post(
    client: httpx.Client,
    path: str,
    token: str,
    key: str,
    body: dict[str, Any],
    deadline: float = 180,
) -> dict[str, Any]:
    """POST until accepted, retrying what a restart or an outage causes — always with the
    same Idempotency-Key, so a retry of a write that did land is not a second one."""
    give_up = time.monotonic() + deadline
    delay = 0.1
    while True:
        try:
            response = client.post(
                path,
                json=body,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            )
            if response.status_code in (200, 201, 202):
                result: dict[str, Any] = response.json()
                return result
            if response.status_code not in RETRYABLE:
                raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
        except httpx.TransportError:
            pass  # the registry is restarting: retry with the same key
        if time.monotonic() > give_up:
            raise TimeoutError(f"POST {path} not accepted within {deadline:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def wait_decided(
    client: httpx.Client, token: str, submission_id: str, deadline: float = 180
) -> str:
    give_up = time.monotonic() + deadline
    delay = 0.05
    while True:
        try:
            response = client.get(
                f"/v1/submissions/{submission_id}", headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code == 200 and response.json()["status"] != "received":
                return str(response.json()["status"])
        except httpx.TransportError:
            pass  # the registry is restarting: retry with the same key
        if time.monotonic() > give_up:
            return "received"
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


class Driver:
    """Sends each milestone's progress reports in order (20 %, 40 %, …, 100 %), milestones in
    parallel, in a background thread; records what the registry accepted."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.accepted: dict[str, tuple[str, str, int]] = {}
        self.sent = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None
        self.finished_at = 0.0

    @property
    def progress(self) -> float:
        return len(self.accepted) / max(self.programme.workload.reports, 1)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        self._thread.join(self.patience)
        if self._thread.is_alive():
            raise TimeoutError("the driver did not finish")
        if self.error is not None:
            raise self.error

    @property
    def patience(self) -> float:
        """How long the driver may take: bounded, but by its workload, and generous — on a
        loaded machine thousands of reports through an outage take a while."""
        return max(600.0, 2.0 * self.programme.workload.reports)

    def wait_for(self, fraction: float) -> None:
        give_up = time.monotonic() + max(300.0, self.patience * fraction)
        while self.progress < fraction and self._thread.is_alive():
            if time.monotonic() > give_up:
                raise TimeoutError(f"the driver did not reach {fraction:.0%}")
            time.sleep(0.05)

    def _run(self) -> None:
        try:
            workload = self.programme.workload
            with ThreadPoolExecutor(workload.concurrency) as pool:
                list(pool.map(self._milestone, self.programme.milestones))
        except BaseException as error:
            self.error = error
        self.finished_at = time.monotonic()

    def _milestone(self, target: tuple[str, str]) -> None:
        partnership, milestone = target
        steps = self.programme.workload.steps
        token = self.programme.officers[partnership]
        with httpx.Client(base_url=self.programme.stack.service_url("registry"), timeout=30) as c:
            for step in range(1, steps + 1):
                progress = round(100 * step / steps)
                with self._lock:
                    self.sent += 1
                body = post(
                    c,
                    f"/v1/partnerships/{partnership}/milestones/{milestone}/progress",
                    token,
                    f"progress:{milestone}:{progress}",
                    {"progress": progress, "reported_on": dt.date.today().isoformat()},
                )
                with self._lock:
                    self.accepted[str(body["submission_id"])] = (partnership, milestone, progress)
                # The next report of a milestone follows only once this one is decided, as an
                # officer's would: otherwise two reports could race in the relay's batch.
                wait_decided(c, token, str(body["submission_id"]), deadline=300)


def read_topic(bootstrap: str, topic: str) -> list[Any]:
    """Every decodable event on ``topic`` now, from the beginning."""

    async def read() -> list[Any]:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [TopicPartition(topic, p) for p in await partitions_of(bootstrap, topic)]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            events: list[Any] = []
            pending = {tp for tp in partitions if ends[tp] > 0}
            while pending:
                batch = await consumer.getmany(*pending, timeout_ms=1000)
                for tp, records in batch.items():
                    for record in records:
                        with contextlib.suppress(PoisonMessage, UnknownEventType):
                            events.append(decode(record.value))
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
            return events
        finally:
            await consumer.stop()

    return asyncio.run(read())


def mail_messages(stack: Stack, recipients: set[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    start = 0
    with httpx.Client(base_url=stack.mail_api, timeout=30) as client:
        while True:
            page = client.get("/api/v1/messages", params={"start": start, "limit": 500}).json()
            for message in page["messages"]:
                if {to["Address"] for to in message["To"]} & recipients:
                    found.append(message)
            start += len(page["messages"])
            if not page["messages"] or start >= page["total"]:
                return found


def verify(
    scenario: str,
    programme: Programme,
    driver: Driver,
    *,
    settle: float = 180,
    poison_groups: tuple[str, ...] = (),
    since: float | None = None,
) -> Report:
    """Wait for the system to settle, then count what happened against what was sent; the
    recovery is counted from ``since`` (the last report sent, or the fault's end if later)."""
    stack = programme.stack
    report = Report(scenario, sent=driver.sent, accepted=len(driver.accepted))
    settled_from = since or driver.finished_at or time.monotonic()
    give_up = time.monotonic() + settle
    milestones_done = {m for (_p, m, progress) in driver.accepted.values() if progress == 100}
    report.emails_expected = 2 * len(milestones_done)
    ours = set(programme.partnerships)

    def counts() -> tuple[
        dict[str, Counter[str]], dict[str, set[str]], dict[str, set[str]], list[dict[str, Any]]
    ]:
        decisions: dict[str, Counter[str]] = defaultdict(Counter)
        reached: dict[str, set[str]] = defaultdict(set)
        progressed: dict[str, set[str]] = defaultdict(set)
        for event in read_topic(stack.kafka_bootstrap, "imc.roadmaps.events"):
            if event.partnership_id not in ours:
                continue
            decided = isinstance(event, MilestoneProgressed | SubmissionRejected)
            if decided and event.payload.submission_id:
                decisions[event.payload.submission_id][type(event).__name__] += 1
                if isinstance(event, MilestoneProgressed):
                    progressed[event.payload.submission_id].add(str(event.event_id))
            if isinstance(event, MilestoneReached):
                reached[event.payload.milestone_id].add(str(event.event_id))
        return decisions, reached, progressed, mail_messages(stack, programme.member_emails)

    while True:
        decisions, reached, progressed, emails = counts()
        decided = set(decisions) & set(driver.accepted)
        complete = (
            len(decided) == len(driver.accepted)
            and milestones_done <= set(reached)
            and len(emails) >= report.emails_expected
        )
        if complete or time.monotonic() > give_up:
            break
        time.sleep(1)
    report.recovery_seconds = time.monotonic() - settled_from
    report.applied = sum(1 for s in driver.accepted if progressed.get(s))
    report.rejected = sum(1 for s in driver.accepted if decisions[s]["SubmissionRejected"])
    report.lost = sum(1 for s in driver.accepted if s not in decisions)
    # Two distinct decisions for one submission would be a second effect; the same event
    # published twice by an at-least-once relay is not (consumers see one event id).
    report.duplicated = sum(1 for ids in progressed.values() if len(ids) > 1)
    report.reached = len(reached)
    report.reached_duplicated = sum(len(ids) - 1 for ids in reached.values())
    per_mail = Counter((tuple(sorted(t["Address"] for t in m["To"])), m["Subject"]) for m in emails)
    report.emails_delivered = len(per_mail)
    report.emails_duplicated = sum(n - 1 for n in per_mail.values())
    for group in poison_groups:
        letters = asyncio.run(dlq.read(stack.kafka_bootstrap, group))
        report.dead_lettered += sum(
            1
            for letter in letters
            if letter.key and letter.key.startswith(f"poison-{programme.run}".encode())
        )
    if report.rejected:
        report.notes.append(f"{report.rejected} reports rejected")
    return report


def inject_poison(stack: Stack, programme: Programme, topics: tuple[str, ...], count: int) -> None:
    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
        await producer.start()
        try:
            for topic in topics:
                for n in range(count):
                    body = b"{not json" if n % 2 else b'{"type": "registry.progress.reported.v1"}'
                    await producer.send(topic, body, key=f"poison-{programme.run}-{n}".encode())
            await producer.flush()
        finally:
            await producer.stop()

    asyncio.run(send())


def restart(stack: Stack, name: str, service: str, *, kill: bool = True) -> None:
    """Kill (or stop) a service process and start it again under the same name."""
    process = stack.processes[name]
    if kill:
        process.kill()
    else:
        asked = time.monotonic()
        code = process.stop(timeout=60)
        if code != 0:
            raise RuntimeError(
                f"{name} did not shut down cleanly on SIGTERM (exit {code} after "
                f"{time.monotonic() - asked:.1f} s)"
            )
    extra = {} if name == service else {f"IMC_{service.upper()}_PORT": str(free_port())}
    started = stack.start_service(service, name=name, extra_env=extra)
    if name == service:
        stack.wait_ready(service, started)


@dataclass(frozen=True)
class Scenario:
    """A fault and how to inject it while the driver runs."""

    name: str
    inject: Callable[[Stack, Driver, float], None]
    poison_groups: tuple[str, ...] = ()
    email_repeats_allowed: int = 0
    expected_dead_letters: int = 0
    prepare: Callable[[Stack], None] = lambda _stack: None
    tidy: Callable[[Stack], None] = lambda _stack: None


def _kill_services(stack: Stack, driver: Driver, _outage: float) -> None:
    rng = random.Random(20260509)  # noqa: S311 - reproducible choice of victims, not crypto
    for fraction in (0.15, 0.35, 0.55, 0.75):
        driver.wait_for(fraction)
        service = rng.choice(["registry", "roadmaps", "notifications"])
        restart(stack, service, service)


def _terminate_services(stack: Stack, driver: Driver, _outage: float) -> None:
    for fraction, service in ((0.2, "roadmaps"), (0.45, "notifications"), (0.7, "registry")):
        driver.wait_for(fraction)
        restart(stack, service, service, kill=False)


def _restart_kafka(stack: Stack, driver: Driver, outage: float) -> None:
    driver.wait_for(0.3)
    stack.processes["kafka"].stop()
    time.sleep(outage)  # the outage itself: Kafka stays down this long
    stack.start_kafka()
    stack.wait_for_kafka()


def _restart_ferretdb(stack: Stack, driver: Driver, outage: float) -> None:
    driver.wait_for(0.3)
    stack.processes["ferretdb"].stop()
    time.sleep(outage)  # the outage itself
    stack.start_ferretdb()


def _smtp_down(stack: Stack, driver: Driver, outage: float) -> None:
    driver.wait_for(0.3)
    stack.processes["mail"].stop()
    time.sleep(2 * outage)  # the outage itself
    stack.start_mail()


def _poison(stack: Stack, driver: Driver, _outage: float) -> None:
    driver.wait_for(0.5)
    inject_poison(stack, driver.programme, ("imc.registry.events", "imc.roadmaps.events"), 100)


def _second_replicas(stack: Stack) -> None:
    for service in ("roadmaps", "notifications"):
        stack.start_service(
            service,
            name=f"{service}-2",
            extra_env={f"IMC_{service.upper()}_PORT": str(free_port())},
        )


def _kill_first_replicas(stack: Stack, driver: Driver, _outage: float) -> None:
    driver.wait_for(0.5)
    stack.processes["roadmaps"].kill()
    stack.processes["notifications"].kill()


def _back_to_one_replica(stack: Stack) -> None:
    for service in ("roadmaps", "notifications"):
        stack.processes[f"{service}-2"].stop()
        restart(stack, service, service)  # the first replica was killed: start it again


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        # A notifications crash between the SMTP server's acceptance and the delivery record
        # may repeat that one email: counted, and bounded by the number of crashes.
        Scenario("services SIGKILLed", _kill_services, email_repeats_allowed=4),
        # SIGTERM: stop fetching, finish what is in hand, commit, exit 0 — nothing repeated.
        Scenario("services SIGTERMed", _terminate_services),
        Scenario("Kafka restarted", _restart_kafka),
        # The same window as a crash: the SMTP server accepted an email whose delivery record
        # the stopped database could not take; the retry cannot tell, and sends it again.
        Scenario("FerretDB restarted", _restart_ferretdb, email_repeats_allowed=2),
        Scenario("SMTP down", _smtp_down),
        # registry topic → roadmaps and notifications; roadmaps topic → registry and
        # notifications: 100 poison messages in each land in two dead-letter topics.
        Scenario(
            "100 poison per topic",
            _poison,
            poison_groups=("registry", "roadmaps", "notifications"),
            expected_dead_letters=400,
        ),
        Scenario(
            "replica killed",
            _kill_first_replicas,
            email_repeats_allowed=2,
            prepare=_second_replicas,
            tidy=_back_to_one_replica,
        ),
    )
}


def run_scenario(stack: Stack, scenario: Scenario, workload: Workload, outage: float) -> Report:
    scenario.prepare(stack)
    try:
        programme = Programme(stack, workload)
        programme.create()
        driver = Driver(programme)
        driver.start()
        scenario.inject(stack, driver, outage)
        restored = time.monotonic()  # the fault is over: what was stopped runs again
        driver.join()
        return verify(
            scenario.name,
            programme,
            driver,
            poison_groups=scenario.poison_groups,
            since=max(restored, driver.finished_at),
        )
    finally:
        scenario.tidy(stack)


def problems(report: Report, scenario: Scenario, workload: Workload) -> list[str]:
    """How a run fell short of exactly-once; empty when it did not."""
    expected = {
        "accepted": (report.accepted, workload.reports),
        "applied": (report.applied, workload.reports),
        "lost": (report.lost, 0),
        "duplicated": (report.duplicated, 0),
        "rejected": (report.rejected, 0),
        "reached": (report.reached, workload.partnerships * workload.milestones),
        "reached duplicated": (report.reached_duplicated, 0),
        "emails delivered": (report.emails_delivered, report.emails_expected),
        "dead-lettered": (report.dead_lettered, scenario.expected_dead_letters),
    }
    found = [
        f"{what}: {got} (expected {want})" for what, (got, want) in expected.items() if got != want
    ]
    if report.emails_duplicated > scenario.email_repeats_allowed:
        found.append(
            f"email repeats: {report.emails_duplicated} (at most {scenario.email_repeats_allowed})"
        )
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imc_devstack.faults", description=__doc__)
    parser.add_argument(
        "--long", action="store_true", help="thousands of reports per scenario, outages of a minute"
    )
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--json", type=Path, help="also write the reports here")
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C: the stack is stopped and its temporary directory removed.
    stopping = threading.Event()

    def on_sigterm(_signum: int, _frame: object) -> None:
        stopping.set()
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_sigterm)
    workload = (
        Workload(partnerships=20, milestones=10, steps=10, concurrency=16)
        if args.long
        else Workload()
    )
    outage = 60.0 if args.long else 5.0
    reports: list[Report] = []
    for name in args.scenario or list(SCENARIOS):
        scenario = SCENARIOS[name]
        began = time.monotonic()
        # Each scenario on a stack of its own: what one leaves behind (a log thousands of
        # commits long, a consumer group's offsets) neither slows nor helps the next.
        with Stack.temporary("imc-faults-") as stack:
            try:
                stack.start_infrastructure()
                stack.start_services()
                report = run_scenario(stack, scenario, workload, outage)
                report.notes += problems(report, scenario, workload)
            except (TimeoutError, RuntimeError) as error:
                if stopping.is_set():
                    # A scenario's tidying-up failed as the stop came: the stop still wins.
                    raise SystemExit(143) from error
                # One scenario that cannot finish says why and lets the others run.
                report = Report(name, notes=[f"did not finish: {error}"])
        reports.append(report)
        print(f"{table([report])}\n({time.monotonic() - began:.0f} s)", flush=True)
        if args.json:  # after each scenario: a run stopped half-way keeps what it found
            args.json.write_text(json.dumps([asdict(r) for r in reports], indent=2))
    print(f"\nworkload: {workload}, outage {outage:.0f} s\n{table(reports)}")
    for report in reports:
        for note in report.notes:
            print(f"{report.scenario}: {note}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in reports], indent=2))
    if any(report.notes for report in reports):
        sys.exit(1)


if __name__ == "__main__":
    main()
