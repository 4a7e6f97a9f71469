"""The reference for the pipeline's figures: the same job done the simplest correct way, from
the same libraries, on the same stack, measured the same way.

Three processes, as the services are: ``api`` (FastAPI on uvicorn) inserts the report, one
document, and produces one Kafka message; ``decide`` (aiokafka) inserts its decision and
produces one event; ``deliver`` inserts a delivery record and sends two emails over SMTP
(aiosmtplib, one connection kept open) — each consumer commits its offsets after the effect,
and a redelivered message finds its document already there (a unique ``_id``), so nothing is
applied twice. Three inserts and no read per report: what a report costs with no registry
rules, no roll-up, no recipients, no templates, no outbox.

    python -m bench.raw_pipeline api|decide|deliver   (started by ``start``, not by hand)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from fastapi import FastAPI
from imc_devstack.processes import free_port, port_accepts, wait_until
from imc_devstack.stack import Stack
from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from bench.pipeline import (
    BENCH,
    MailWatcher,
    closed_loop,
    cpu_per_report,
    percentiles,
    process_usage,
)

REPORTS, DECIDED = "raw.reports", "raw.decided"
ROLES = ("api", "decide", "deliver")


class Report(BaseModel):
    report_id: str
    partnership_id: str
    progress: int


def _database() -> Any:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(os.environ["RAW_MONGO_URL"])
    return client, client["raw_pipeline"]


def api() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client, db = _database()
        producer = AIOKafkaProducer(
            bootstrap_servers=os.environ["RAW_KAFKA"], acks="all", enable_idempotence=True
        )
        await producer.start()
        app.state.reports, app.state.producer = db["reports"], producer
        yield
        await producer.stop()
        await client.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/reports", status_code=202)
    async def report(body: Report) -> dict[str, str]:
        document = {"_id": body.report_id, **body.model_dump(), "received_at": time.time()}
        with contextlib.suppress(DuplicateKeyError):  # the same report again: one effect
            await app.state.reports.insert_one(document)
        await app.state.producer.send_and_wait(
            REPORTS, body.model_dump_json().encode(), key=body.partnership_id.encode()
        )
        return {"status": "received"}

    port = int(os.environ["RAW_PORT"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _consume(topic: str, group: str) -> AsyncIterator[tuple[AIOKafkaConsumer, Any]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=os.environ["RAW_KAFKA"],
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=100)
            for records in batch.values():
                for record in records:
                    yield consumer, json.loads(record.value)
            if batch:
                await consumer.commit()  # after every effect of the batch
    finally:
        await consumer.stop()


async def _insert_once(collection: Any, document: dict[str, Any]) -> None:
    with contextlib.suppress(DuplicateKeyError):
        await collection.insert_one(document)


async def decide() -> None:
    client, db = _database()
    producer = AIOKafkaProducer(
        bootstrap_servers=os.environ["RAW_KAFKA"], acks="all", enable_idempotence=True
    )
    await producer.start()
    async for _consumer, report in _consume(REPORTS, "raw-decide"):
        decision = {"_id": report["report_id"], "reached": report["progress"] >= 100}
        await _insert_once(db["decisions"], decision)
        await producer.send_and_wait(
            DECIDED, json.dumps(report).encode(), key=report["partnership_id"].encode()
        )
    await producer.stop()
    await client.close()


async def deliver() -> None:
    client, db = _database()
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=int(os.environ["RAW_SMTP_PORT"]))
    await smtp.connect()
    async for _consumer, report in _consume(DECIDED, "raw-deliver"):
        await _insert_once(db["deliveries"], {"_id": report["report_id"], "at": time.time()})
        for recipient in ("officer.ma@example.org", "officer.be@example.org"):
            message = EmailMessage()
            message["From"] = "imc-hub@example.org"
            message["To"] = recipient
            message["Subject"] = f"Milestone {report['report_id']} reached"
            message.set_content("A milestone of your partnership is reached.\n" * 20)
            await smtp.send_message(message)
    await client.close()


async def _create_topics(bootstrap: str, partitions: int = 12) -> None:
    """The two topics, partitioned as the services' are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(t, partitions, 1) for t in (REPORTS, DECIDED)])
    finally:
        await admin.close()


@contextlib.contextmanager
def start(stack: Stack) -> Iterator[str]:
    """The three processes on ``stack``'s Kafka, FerretDB and Mailpit; the API's URL."""
    asyncio.run(_create_topics(stack.kafka_bootstrap))
    port = free_port()
    env = {
        **os.environ,
        "RAW_MONGO_URL": stack.mongo_url,
        "RAW_KAFKA": stack.kafka_bootstrap,
        "RAW_SMTP_PORT": str(stack.ports.smtp),
        "RAW_PORT": str(port),
    }
    names = [f"raw-{role}" for role in ROLES]
    for name, role in zip(names, ROLES, strict=True):
        stack.start_process(name, [sys.executable, "-m", "bench.raw_pipeline", role], env)
    try:
        api_process = stack.processes["raw-api"]
        wait_until(lambda: port_accepts(port), what="raw API", timeout=60, process=api_process)
        yield f"http://127.0.0.1:{port}"
    finally:
        for name in names:
            stack.processes.pop(name).stop()


async def saturate(stack: Stack, base_url: str, seconds: float, in_flight: int) -> dict[str, Any]:
    """``in_flight`` reports at a time, each followed to its second email, as
    ``pipeline.saturate`` follows ours: completions/s, latency, CPU per report."""
    mail = MailWatcher(stack.mail_api)
    await mail.start()
    counter = iter(range(10**9))
    run = os.urandom(3).hex()
    to_mailed: list[float] = []
    unfinished = 0
    cpu_before = {**_cpu(stack), BENCH: time.process_time()}
    started = time.time()
    deadline = started + seconds
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:

        async def worker() -> None:
            nonlocal unfinished
            while time.time() < deadline:
                report_id = f"ms-raw{run}-{next(counter)}"
                sent = time.time()
                response = await client.post(
                    "/reports",
                    json={"report_id": report_id, "partnership_id": "p", "progress": 100},
                )
                response.raise_for_status()
                mailed = await mail.mailed.wait(report_id, 60)
                if mailed is None:
                    unfinished += 1
                    continue
                to_mailed.append(mailed - sent)

        await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.time() - started
    cpu_after = {**_cpu(stack), BENCH: time.process_time()}
    await mail.stop()
    return {
        **closed_loop(in_flight, elapsed, len(to_mailed), unfinished),
        "to_email_s": percentiles(to_mailed),
        "db_commands_per_report": 3,
        "cpu": cpu_per_report(cpu_before, cpu_after, len(to_mailed), elapsed),
    }


def _cpu(stack: Stack) -> dict[str, float]:
    return {name: usage["cpu_seconds"] for name, usage in process_usage(stack).items()}


def measure(stack: Stack, seconds: float, in_flight: int) -> dict[str, Any]:
    """The raw pipeline's saturation, after a warm-up (topics made, connections open)."""
    with start(stack) as base_url:
        asyncio.run(saturate(stack, base_url, min(3.0, seconds), 2))
        return asyncio.run(saturate(stack, base_url, seconds, in_flight))


if __name__ == "__main__":
    role = sys.argv[1]
    if role == "api":
        api()
    elif role in ("decide", "deliver"):
        asyncio.run(decide() if role == "decide" else deliver())
    else:
        raise SystemExit(f"usage: python -m bench.raw_pipeline {'|'.join(ROLES)}")
