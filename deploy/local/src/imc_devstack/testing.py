"""Pytest fixtures that start the real infrastructure for integration and e2e tests.

The suite runs its own stack on free ports and in a temporary data directory, so it can run
while ``make run`` is up, and stops it afterwards whether the tests passed or not.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from imc_contracts import Language
from imc_contracts.catalog import topics_consumed_by
from imc_runtime.auth import Role, mint
from imc_runtime.kafka import partitions_of
from imc_runtime.mongo import Document
from imc_runtime.settings import ServiceSettings
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from imc_devstack.processes import Process, free_port
from imc_devstack.stack import Ports, Stack

T = TypeVar("T")


def token(
    role: Role,
    subject: str = "tester@example.org",
    municipality_id: str | None = None,
    language: Language | None = None,
) -> str:
    return mint(
        ServiceSettings(),
        subject=subject,
        role=role,
        municipality_id=municipality_id,
        language=language,
    )


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def eventually(probe: Callable[[], T | None], *, what: str, timeout: float = 60) -> T:
    """Poll ``probe`` until it returns something; the system is asynchronous by design."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: did not happen within {timeout:.0f} s")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


def start_group_at_the_end(bootstrap: str, group: str, service: str) -> None:
    """Commit the current end offsets of ``service``'s topics for a new consumer group, so
    an instance that joins it reads what is published from now on, not the session's
    whole history."""

    async def commit_ends() -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            partitions = [
                TopicPartition(topic.name, p)
                for topic in topics_consumed_by(service)
                for p in await partitions_of(bootstrap, topic.name)
            ]
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.commit(dict(ends.items()))
        finally:
            await consumer.stop()

    asyncio.run(commit_ends())


@contextlib.contextmanager
def own_instance(
    stack: Stack, service: str, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """A second instance of ``service`` on the session's Kafka and FerretDB, with its own
    port, database and consumer group (starting at the topics' end): a test that changes
    programme-wide records there cannot disturb the others. ``extra_env``: settings of its
    own. Yields its base URL."""
    run = uuid.uuid4().hex[:8]
    port = free_port()
    group = f"{service}-own-{run}"
    start_group_at_the_end(stack.kafka_bootstrap, group, service)
    process: Process = stack.start_service(
        service,
        name=f"{service}-{run}",
        extra_env={
            f"IMC_{service.upper()}_PORT": str(port),
            f"IMC_{service.upper()}_DATABASE": f"{service}_own_{run}",
            f"IMC_{service.upper()}_CONSUMER_GROUP": group,
            **(extra_env or {}),
        },
    )
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(
            lambda: _answers(f"{url}/health/ready") or None,
            what=f"the second {service} instance is ready",
            timeout=90,
        )
        yield url
    finally:
        process.stop()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _report_logs(stack: Stack) -> None:
    assert stack.log_dir is not None
    for log in sorted(stack.log_dir.glob("*.log")):
        print(f"\n----- {log.name} (last lines) -----\n{_tail(log)}")


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Kafka, FerretDB and Mailpit, real, for the whole test session."""
    root = tmp_path_factory.mktemp("stack")
    stack = Stack(
        root / "data", Ports.free(), log_dir=root / "logs", partitions=3, environment="test"
    )
    try:
        stack.start_infrastructure()
    except BaseException:
        _report_logs(stack)
        stack.stop()
        raise
    try:
        yield stack
    finally:
        if os.environ.get("IMC_TEST_SHOW_LOGS"):
            _report_logs(stack)
        stack.stop()


@pytest.fixture(scope="session")
def services(infra: Stack) -> Iterator[Stack]:
    """The three services as separate processes on the test infrastructure."""
    try:
        infra.start_services()
    except BaseException:
        _report_logs(infra)
        raise
    yield infra
    for name in ("notifications", "roadmaps", "registry"):
        infra.processes[name].stop()


@pytest.fixture
def database_name() -> str:
    """A fresh database per test: tests never see each other's data."""
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def database(infra: Stack, database_name: str) -> AsyncIterator[AsyncDatabase[Document]]:
    """That fresh database on the real FerretDB, dropped after the test."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(infra.mongo_url, tz_aware=True)
    yield client[database_name]
    await client.drop_database(database_name)
    await client.close()
