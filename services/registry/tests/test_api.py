"""The registry's HTTP API against the running registry process: who may do what, and how
bad input is refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, token

pytestmark = pytest.mark.infra


@pytest.fixture
def registry(services: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=services.service_url("registry"), timeout=10) as client:
        yield client


@pytest.fixture
def pair(registry: httpx.Client) -> str:
    """A fresh partnership of two fresh municipalities; its id."""
    run = uuid.uuid4().hex[:8]
    coordinator = bearer(token("coordinator"))
    for id, country in ((f"ma-{run}", "MA"), (f"be-{run}", "BE")):
        body = {"id": id, "names": {"fr": id}, "country": country, "languages": ["fr"]}
        assert (
            registry.post("/v1/municipalities", json=body, headers=coordinator).status_code == 201
        )
    created = registry.post(
        "/v1/partnerships",
        json={"moroccan_municipality_id": f"ma-{run}", "belgian_municipality_id": f"be-{run}"},
        headers=coordinator,
    )
    assert created.status_code == 201
    partnership_id: str = created.json()["partnership_id"]
    return partnership_id


def progress(
    registry: httpx.Client, partnership_id: str, headers: dict[str, str]
) -> httpx.Response:
    return registry.post(
        f"/v1/partnerships/{partnership_id}/milestones/m/progress",
        json={"progress": 10, "reported_on": "2026-11-29"},
        headers=headers,
    )


def test_every_v1_endpoint_wants_a_bearer_token(registry: httpx.Client) -> None:
    response = registry.get("/v1/partnerships")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert registry.get("/v1/partnerships", headers=bearer("not-a-jwt")).status_code == 401


def test_health_needs_no_token(registry: httpx.Client) -> None:
    assert registry.get("/health/live").status_code == 200
    ready = registry.get("/health/ready").json()
    assert ready["checks"] == {"database": "ok", "kafka": "ok"}


def test_an_officer_cannot_report_progress_for_another_partnership(
    registry: httpx.Client, pair: str
) -> None:
    outsider = bearer(token("officer", municipality_id="tanger"))
    response = progress(registry, pair, outsider)
    assert response.status_code == 403
    assert "tanger" in response.json()["detail"]


def test_an_officer_of_a_partner_may_report(registry: httpx.Client, pair: str) -> None:
    insider = bearer(token("officer", municipality_id=pair.split("--")[0]))
    assert progress(registry, pair, insider).status_code == 202


def test_a_viewer_may_read_but_not_write(registry: httpx.Client, pair: str) -> None:
    viewer = bearer(token("viewer"))
    assert registry.get(f"/v1/partnerships/{pair}", headers=viewer).status_code == 200
    assert progress(registry, pair, viewer).status_code == 403


def test_unknown_fields_are_refused_naming_the_field(registry: httpx.Client, pair: str) -> None:
    coordinator = bearer(token("coordinator"))
    response = registry.post(
        f"/v1/partnerships/{pair}/milestones/m/progress",
        json={"progress": 10, "reported_on": "2026-11-29", "$where": "1"},
        headers=coordinator,
    )
    assert response.status_code == 422
    assert "$where" in response.text


def test_progress_out_of_range_is_refused_before_it_leaves(
    registry: httpx.Client, pair: str
) -> None:
    coordinator = bearer(token("coordinator"))
    response = registry.post(
        f"/v1/partnerships/{pair}/milestones/m/progress",
        json={"progress": 140, "reported_on": "2026-11-29"},
        headers=coordinator,
    )
    assert response.status_code == 422
    assert "progress" in response.text


def test_a_replay_with_the_same_idempotency_key_has_one_effect(registry: httpx.Client) -> None:
    coordinator = {**bearer(token("coordinator")), "Idempotency-Key": f"k-{uuid.uuid4()}"}
    body = {
        "id": f"x-{uuid.uuid4().hex[:8]}",
        "names": {"fr": "X"},
        "country": "MA",
        "languages": ["fr"],
    }
    first = registry.post("/v1/municipalities", json=body, headers=coordinator)
    again = registry.post("/v1/municipalities", json=body, headers=coordinator)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()


def test_creating_an_existing_partnership_again_is_a_conflict(
    registry: httpx.Client, pair: str
) -> None:
    moroccan, belgian = pair.split("--")
    response = registry.post(
        "/v1/partnerships",
        json={"moroccan_municipality_id": moroccan, "belgian_municipality_id": belgian},
        headers=bearer(token("coordinator")),
    )
    assert response.status_code == 409


def test_an_unknown_partnership_is_a_404(registry: httpx.Client) -> None:
    response = registry.get("/v1/partnerships/nowhere--nobody", headers=bearer(token("viewer")))
    assert response.status_code == 404
