"""While its database is away, the registry answers 503 with Retry-After — never a 500 —
and serves again once it is back."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest
from imc_devstack.processes import free_port
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, eventually, token

pytestmark = pytest.mark.infra


def test_the_registry_says_503_while_its_database_is_down(infra: Stack, tmp_path: Path) -> None:
    # A registry of its own, on a FerretDB of its own, sharing the session's Kafka.
    ports = dataclasses.replace(infra.ports, ferretdb=free_port(), registry=free_port())
    own = Stack(tmp_path / "data", ports, log_dir=tmp_path / "logs", environment="test")
    own.start_ferretdb()
    try:
        registry = own.start_service("registry")
        own.wait_ready("registry", registry)
        url = f"{own.service_url('registry')}/v1/partnerships"
        headers = bearer(token("viewer"))
        assert httpx.get(url, headers=headers, timeout=10).status_code == 200

        own.processes["ferretdb"].stop()
        down = httpx.get(url, headers=headers, timeout=30)
        assert down.status_code == 503
        assert down.headers["Retry-After"].isdigit()
        ready = httpx.get(f"{own.service_url('registry')}/health/ready", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["checks"]["kafka"] == "ok"

        own.start_ferretdb()
        eventually(
            lambda: httpx.get(url, headers=headers, timeout=10).status_code == 200 or None,
            what="the registry serves again",
        )
    finally:
        own.stop()
