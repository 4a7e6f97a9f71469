"""A service's process stops when told to, even when its own shutdown would never end."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest
from imc_devstack.processes import free_port, port_accepts
from imc_devstack.testing import eventually
from imc_runtime.server import STOP_MARGIN_SECONDS

pytestmark = pytest.mark.process

_SERVICE = textwrap.dedent(
    """
    import asyncio, contextlib, sys
    from fastapi import FastAPI
    from imc_runtime.server import serve
    from imc_runtime.settings import ServiceSettings

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        if sys.argv[2] == "hangs":
            await asyncio.Event().wait()  # a Kafka client waiting on a broker that is gone

    serve(
        FastAPI(lifespan=lifespan),
        ServiceSettings(http_port=int(sys.argv[1]), shutdown_timeout_seconds=0.5),
    )
    """
)


def _stop(shutdown: str) -> tuple[int, float, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVICE, str(port), shutdown],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        eventually(lambda: port_accepts(port) or None, what="the service listens", timeout=30)
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=60)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
    assert process.stdout is not None
    return status, took, process.stdout.read()


def test_a_clean_stop_exits_0_at_once() -> None:
    status, took, output = _stop("returns")
    assert status == 0, output
    assert took < STOP_MARGIN_SECONDS, output


def test_a_stop_that_would_never_end_is_cut_short_after_the_shutdown_timeout_and_says_so() -> None:
    status, took, output = _stop("hangs")
    assert status == 1, output
    assert 0.5 + STOP_MARGIN_SECONDS - 0.5 < took < 0.5 + STOP_MARGIN_SECONDS + 10, output
    assert "service.stop_overdue" in output
