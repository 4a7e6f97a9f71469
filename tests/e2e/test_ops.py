"""The ops CLI against the running system: health, lag, relay backlog, a rebuild, tokens."""

from __future__ import annotations

import subprocess
import sys
import uuid

import httpx
import pytest
from imc_devstack.stack import SERVICES, Stack
from imc_devstack.testing import bearer, token

pytestmark = pytest.mark.infra


def ops(services: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **services.service_env(),
        **{f"IMC_{s.upper()}_URL": services.service_url(s) for s in SERVICES},
    }
    return subprocess.run(
        [sys.executable, "-m", "imc_runtime.ops", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_health_names_every_service_ready(services: Stack) -> None:
    result = ops(services, "health")
    assert result.returncode == 0, result.stdout + result.stderr
    for service in SERVICES:
        assert any(
            line.startswith(service) and " ready " in f"{line} "
            for line in result.stdout.splitlines()
        ), result.stdout


def test_lag_lists_every_group_and_partition(services: Stack) -> None:
    result = ops(services, "lag")
    assert result.returncode == 0, result.stderr
    groups = {line.split()[0] for line in result.stdout.splitlines()}
    assert groups == {"registry", "roadmaps", "notifications"}
    assert "message(s) behind" in result.stderr


def test_backlog_reports_each_service_database(services: Stack) -> None:
    result = ops(services, "backlog")
    assert result.returncode == 0, result.stderr
    assert {line.split()[0] for line in result.stdout.splitlines()} == set(SERVICES)


def test_rebuild_re_projects_the_registry_while_it_runs(services: Stack) -> None:
    body = {
        "names": {"fr": f"Tafraout {uuid.uuid4().hex[:6]}"},
        "country": "MA",
        "languages": ["fr"],
    }
    created = httpx.post(
        f"{services.service_url('registry')}/v1/municipalities",
        json=body,
        headers=bearer(token("coordinator")),
        timeout=10,
    )
    assert created.status_code == 201, created.text
    result = ops(services, "rebuild", "registry")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("registry: rebuilt from ")
    assert int(result.stdout.split()[3]) > 0


def test_token_and_dlq_are_reached_through_the_same_command(services: Stack) -> None:
    token = ops(services, "token", "--subject", "ops@example.org", "--role", "viewer")
    assert token.returncode == 0, token.stderr
    assert token.stdout.count(".") == 2  # a JWT
    letters = ops(services, "dlq", "list", "roadmaps")
    assert letters.returncode == 0, letters.stderr
    assert "dead letter(s) in imc.roadmaps.dlq" in letters.stderr


def test_help_lists_every_subcommand() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "imc_runtime.ops", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    for command in ("health", "lag", "backlog", "dlq", "rebuild", "topics", "token"):
        assert command in result.stdout
