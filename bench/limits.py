"""Raw limits of the parts the pipeline is built from, measured on this machine, now.

    .venv/bin/python -m bench.limits [--seconds 5] [--json bench/results/limits.json]

Starts its own Kafka, FerretDB and Mailpit (like the tests), then measures, each for a
fixed time: aiokafka producing and consuming envelope-sized messages; PyMongo async inserting
commit-sized documents with a unique index into FerretDB at the services' concurrency;
aiosmtplib sending rendered-size emails to Mailpit on connections kept open; and a
trivial FastAPI endpoint on uvicorn, loaded by ``wrk``. Prints and saves messages (or requests) per second, with the core count and the
versions used. Pipeline figures are set against these, measured minutes apart.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from email.message import EmailMessage
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiosmtplib
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from imc_devstack.paths import REPO_ROOT
from imc_devstack.processes import free_port, port_accepts, wait_until
from imc_devstack.stack import Stack
from pymongo import ASCENDING, AsyncMongoClient

from bench import wrk

ENVELOPE = json.dumps(
    {
        "event_id": str(uuid.uuid4()),
        "type": "registry.progress.reported.v1",
        "occurred_at": "2026-11-29T10:00:00+00:00",
        "producer": "registry",
        "partnership_id": "berkane--saint-gilles",
        "correlation_id": str(uuid.uuid4()),
        "causation_id": None,
        "actor": {"kind": "officer", "id": "officer@example.org", "municipality_id": "berkane"},
        "payload": {
            "submission_id": str(uuid.uuid4()),
            "milestone_id": "m",
            "progress": 40,
            "reported_on": "2026-11-29",
            "note": "x" * 200,
            "beneficiaries": [],
        },
    }
).encode()


async def for_seconds(seconds: float, workers: int, work: Callable[[], Awaitable[int]]) -> float:
    """Run ``work`` in ``workers`` loops for ``seconds``; units done per second."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            # Not ``done += await work()``: that reads ``done`` before the await, and the
            # other loops' units counted meanwhile would be written over.
            units = await work()
            done += units

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(workers)))
    return done / (time.perf_counter() - started)


LIMIT_TOPIC = "bench.kafka.limit"
"""A topic of its own: envelopes written to a service's topic would be consumed — and
answered, one rejection each — by the services measured next."""


async def kafka(stack: Stack, seconds: float, partitions: int = 6) -> dict[str, float]:
    topic = LIMIT_TOPIC
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, enable_idempotence=True, acks="all", linger_ms=2
    )
    await producer.start()
    sent = 0

    async def batch() -> int:
        nonlocal sent
        futures = [
            await producer.send(topic, ENVELOPE, key=f"p{n % 20}".encode()) for n in range(200)
        ]
        await asyncio.gather(*futures)
        sent += 200
        return 200

    try:
        produce = await for_seconds(seconds, 1, batch)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        group_id=f"bench-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        received, started = 0, time.perf_counter()
        while received < sent:
            batches = await consumer.getmany(timeout_ms=1000, max_records=2000)
            received += sum(len(records) for records in batches.values())
            if batches:
                await consumer.commit()
        consume = received / (time.perf_counter() - started)
    finally:
        await consumer.stop()
    return {"kafka_produce_per_s": produce, "kafka_consume_per_s": consume}


async def store(stack: Stack, seconds: float, concurrency: int) -> dict[str, float]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    commits = client["bench"]["commits"]
    await commits.create_index([("stream", ASCENDING), ("version", ASCENDING)], unique=True)
    document = json.loads(ENVELOPE)

    async def insert() -> int:
        await commits.insert_one(
            {
                "_id": uuid.uuid4().hex,
                "stream": uuid.uuid4().hex,
                "version": 1,
                "events": [document],
                "published": False,
            }
        )
        return 1

    try:
        inserts = await for_seconds(seconds, concurrency, insert)
        reads = await _read_rate(commits)
    finally:
        await client.drop_database("bench")
        await client.close()
    return {"store_inserts_per_s": inserts, "store_reads_per_s": reads}


async def _read_rate(commits: Any) -> float:
    started, count = time.perf_counter(), 0
    async for _document in commits.find({}).batch_size(1000):
        count += 1
    return count / (time.perf_counter() - started)


async def smtp(stack: Stack, seconds: float, concurrency: int) -> dict[str, float]:
    message = EmailMessage()
    message["From"] = "IMC Hub <no-reply@example.org>"
    message["To"] = "bench@example.org"
    message["Subject"] = "Jalon atteint : Lancement du service social — Berkane – Saint-Gilles"
    message.set_content("Bonjour,\n" + "Le jalon a été atteint.\n" * 40)
    message.add_alternative("<p>" + "Le jalon a été atteint.<br>" * 80 + "</p>", subtype="html")

    # Connections kept open between messages, as notifications keeps them.
    idle: list[aiosmtplib.SMTP] = []

    async def send() -> int:
        if idle:
            client = idle.pop()
        else:
            client = aiosmtplib.SMTP(
                hostname="127.0.0.1", port=stack.ports.smtp, local_hostname="bench.example.org"
            )
            await client.connect()
        await client.send_message(message)
        idle.append(client)
        return 1

    rate = await for_seconds(seconds, concurrency, send)
    for client in idle:
        await client.quit()
    return {"smtp_per_s": rate}


@contextlib.contextmanager
def ping_server() -> Iterator[int]:
    """A trivial endpoint served by its own uvicorn process, as each service is: a server in
    a thread of the measuring process would share its interpreter lock and measure that."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our interpreter, our module
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.ping:app",
            "--app-dir",
            str(REPO_ROOT),
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=REPO_ROOT,
    )
    try:
        wait_until(lambda: port_accepts(port), what="bench server", timeout=30)
        yield port
    finally:
        server.terminate()
        server.wait(10)


def http(port: int, seconds: float, concurrency: int) -> dict[str, float]:
    """Requests per second, and the p99 a trivial endpoint shows at this concurrency (``wrk``):
    the floor under any latency the services' APIs can reach on this machine, now."""
    figures = wrk.run(
        f"http://127.0.0.1:{port}",
        connections=concurrency,
        seconds=seconds,
        script=wrk.ROTATE,
        args=["/ping"],
    )
    return {"http_requests_per_s": figures["per_s"], "http_p99_ms": figures["ms"]["p99"]}


RAW_LIMITS = (
    "kafka_produce_per_s",
    "kafka_consume_per_s",
    "store_inserts_per_s",
    "smtp_per_s",
    "http_requests_per_s",
)


def measure(stack: Stack, seconds: float, concurrency: int) -> dict[str, Any]:
    """Every raw limit, one after the other, on the stack's infrastructure."""
    results: dict[str, Any] = {}
    results |= asyncio.run(kafka(stack, seconds))
    results |= asyncio.run(store(stack, seconds, concurrency))
    results |= asyncio.run(smtp(stack, seconds, concurrency))
    with ping_server() as port:
        results |= http(port, seconds, concurrency)
    slowest = min(RAW_LIMITS, key=lambda name: float(results[name]))
    results["slowest_raw_limit"] = {"name": slowest, "per_s": results[slowest]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with Stack.temporary("imc-bench-") as stack:
        stack.start_infrastructure()
        results = measure(stack, args.seconds, args.concurrency)
    report = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "versions": {
            name: version(name)
            for name in ("aiokafka", "pymongo", "aiosmtplib", "fastapi", "uvicorn", "httpx")
        },
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "results": results,
    }
    for key, value in results.items():
        shown = f"{value:,.0f}" if isinstance(value, int | float) else value
        print(f"{key:<24} {shown}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str))
    sys.exit(0)


if __name__ == "__main__":
    main()
