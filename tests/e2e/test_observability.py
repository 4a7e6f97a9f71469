"""Every service exposes its Prometheus metrics and health without a token."""

from __future__ import annotations

import httpx
import pytest
from imc_devstack.stack import SERVICES, Stack
from imc_devstack.testing import bearer, eventually, token

pytestmark = pytest.mark.infra


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_exposes_its_metrics(services: Stack, service: str) -> None:
    url = services.service_url(service)
    httpx.get(f"{url}/health/ready", timeout=10)
    text = httpx.get(f"{url}/metrics", timeout=10).text
    for family in (
        "imc_http_request_duration_seconds",
        "imc_relay_backlog_commits",
        "imc_relay_backlog_age_seconds",
        "process_resident_memory_bytes",
    ):
        assert family in text, family


def test_http_metrics_name_the_route_not_the_raw_path(services: Stack) -> None:
    url = services.service_url("registry")
    httpx.get(f"{url}/v1/partnerships/some-id", headers=bearer(token("viewer")), timeout=10)
    text = httpx.get(f"{url}/metrics", timeout=10).text
    assert 'route="/v1/partnerships/{partnership_id}"' in text
    assert "some-id" not in text


def test_consumers_report_their_lag_and_outcomes(services: Stack) -> None:
    url = services.service_url("roadmaps")

    def lag_reported() -> str | None:
        text = httpx.get(f"{url}/metrics", timeout=10).text
        return text if 'imc_consumer_lag_messages{group="roadmaps"' in text else None

    text = eventually(lag_reported, what="roadmaps reports its consumer lag", timeout=60)
    assert 'topic="imc.registry.events"' in text


def test_database_commands_are_counted_by_collection(services: Stack) -> None:
    """A read of one partnership shows as a find on the registry's partnerships read model."""
    url = services.service_url("registry")
    httpx.get(f"{url}/v1/partnerships/some-id", headers=bearer(token("viewer")), timeout=10)
    text = httpx.get(f"{url}/metrics", timeout=10).text
    counted = [
        line
        for line in text.splitlines()
        if line.startswith("imc_db_command_duration_seconds_count{")
        and 'command="find"' in line
        and 'outcome="ok"' in line
    ]
    assert counted, "no find counted"
    reads = [line for line in counted if 'collection="partnerships"' in line]
    assert reads, counted
    assert float(reads[0].rsplit(" ", 1)[1]) >= 1
