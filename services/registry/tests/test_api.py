"""The registry's HTTP API against the running registry process: who may do what, and how
bad input is refused."""

from __future__ import annotations

import uuid

import httpx
import pytest
from imc_devstack.testing import bearer, token

pytestmark = pytest.mark.infra


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
    registry: httpx.Client, pair: tuple[str, str, str]
) -> None:
    outsider = bearer(token("officer", municipality_id="tanger"))
    response = progress(registry, pair[0], outsider)
    assert response.status_code == 403
    assert "tanger" in response.json()["detail"]


def test_an_officer_of_a_partner_may_report(
    registry: httpx.Client, pair: tuple[str, str, str]
) -> None:
    insider = bearer(token("officer", municipality_id=pair[1]))
    assert progress(registry, pair[0], insider).status_code == 202


def test_a_viewer_may_read_but_not_write(
    registry: httpx.Client, pair: tuple[str, str, str]
) -> None:
    viewer = bearer(token("viewer"))
    assert registry.get(f"/v1/partnerships/{pair[0]}", headers=viewer).status_code == 200
    assert progress(registry, pair[0], viewer).status_code == 403


def test_unknown_fields_are_refused_naming_the_field(
    registry: httpx.Client, pair: tuple[str, str, str]
) -> None:
    coordinator = bearer(token("coordinator"))
    response = registry.post(
        f"/v1/partnerships/{pair[0]}/milestones/m/progress",
        json={"progress": 10, "reported_on": "2026-11-29", "$where": "1"},
        headers=coordinator,
    )
    assert response.status_code == 422
    assert "$where" in response.text


def test_progress_out_of_range_is_refused_before_it_leaves(
    registry: httpx.Client, pair: tuple[str, str, str]
) -> None:
    coordinator = bearer(token("coordinator"))
    response = registry.post(
        f"/v1/partnerships/{pair[0]}/milestones/m/progress",
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
    registry: httpx.Client, pair: tuple[str, str, str]
) -> None:
    moroccan, belgian = pair[1], pair[2]
    response = registry.post(
        "/v1/partnerships",
        json={"moroccan_municipality_id": moroccan, "belgian_municipality_id": belgian},
        headers=bearer(token("coordinator")),
    )
    assert response.status_code == 409


def test_an_unknown_partnership_is_a_404(registry: httpx.Client) -> None:
    response = registry.get("/v1/partnerships/nowhere--nobody", headers=bearer(token("viewer")))
    assert response.status_code == 404
