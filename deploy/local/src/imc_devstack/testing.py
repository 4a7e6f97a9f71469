"""Pytest fixtures that start the real infrastructure for integration and e2e tests.

The suite runs its own stack on free ports and in a temporary data directory, so it can run
while ``make run`` is up, and stops it afterwards whether the tests passed or not.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from imc_contracts import Language
from imc_runtime.auth import Role, mint
from imc_runtime.settings import ServiceSettings

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
    """Kafka, FerretDB and the mail catcher, real, for the whole test session."""
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
