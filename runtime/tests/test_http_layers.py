"""The layers every service's HTTP requests pass through: a correlation id bound to the
request's log lines and handed back, and each request timed by its route's template."""

from __future__ import annotations

import uuid

import structlog
from fastapi import APIRouter, HTTPException
from fastapi.testclient import TestClient
from imc_runtime.service import Infrastructure, ServiceParts, create_app
from imc_runtime.settings import ServiceSettings
from prometheus_client.parser import text_string_to_metric_families

router = APIRouter()


@router.get("/things/{thing_id}")
async def thing(thing_id: str) -> dict[str, object]:
    if thing_id == "missing":
        raise HTTPException(404, "no such thing")
    return {"bound": structlog.contextvars.get_contextvars()}


@router.get("/v1/partnerships/{partnership_id}/milestones")
async def milestones(partnership_id: str) -> dict[str, object]:
    return {"bound": structlog.contextvars.get_contextvars()}


def client() -> TestClient:
    # No ``with``: the lifespan (Kafka, the database) does not start; the routes answer.
    infra = Infrastructure.build(ServiceSettings())
    return TestClient(create_app(infra, ServiceParts("t", None, routers=[router])))


def test_the_callers_correlation_id_is_bound_to_the_request_and_handed_back() -> None:
    answer = client().get("/things/a", headers={"X-Correlation-ID": "report-42"})
    assert answer.headers["x-correlation-id"] == "report-42"
    assert answer.json()["bound"] == {
        "correlation_id": "report-42",
        "method": "GET",
        "path": "/things/a",
    }


def test_a_request_about_one_partnership_binds_its_id_to_its_log_lines() -> None:
    answer = client().get("/v1/partnerships/berkane--saint-gilles/milestones")
    assert answer.json()["bound"]["partnership_id"] == "berkane--saint-gilles"
    assert "partnership_id" not in client().get("/things/a").json()["bound"]


def test_a_request_without_one_gets_a_new_id_and_an_overlong_one_is_cut() -> None:
    web = client()
    fresh = web.get("/things/a").headers["x-correlation-id"]
    assert uuid.UUID(fresh)
    assert web.get("/things/a").headers["x-correlation-id"] != fresh
    long = web.get("/things/a", headers={"X-Correlation-ID": "x" * 500})
    assert long.headers["x-correlation-id"] == "x" * 100


def test_an_error_answer_carries_the_correlation_id_too() -> None:
    answer = client().get("/things/missing", headers={"X-Correlation-ID": "c-1"})
    assert answer.status_code == 404
    assert answer.headers["x-correlation-id"] == "c-1"


def test_each_request_is_timed_under_its_routes_template_and_status() -> None:
    web = client()
    web.get("/things/a")
    web.get("/things/b")
    web.get("/things/missing")
    web.get("/nowhere")
    counts = {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(web.get("/metrics").text)
        if family.name == "imc_http_request_duration_seconds"
        for s in family.samples
        if s.name.endswith("_count")
    }
    assert counts[("GET", "/things/{thing_id}", "200")] == 2
    assert counts[("GET", "/things/{thing_id}", "404")] == 1
    assert counts[("GET", "unmatched", "404")] == 1
