"""Browsers may call a service from the origins the settings name, and from no other."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from imc_runtime.service import Infrastructure, ServiceParts, create_app
from imc_runtime.settings import ServiceSettings

WEB = "http://127.0.0.1:8080"


def client(origins: list[str] | None = None) -> TestClient:
    # No ``with``: the lifespan (Kafka, the database) does not start; the routes answer.
    settings = ServiceSettings(cors_origins=origins or [])
    return TestClient(create_app(Infrastructure.build(settings), ServiceParts("t", None)))


def test_the_origins_are_read_comma_separated_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMC_CORS_ORIGINS", f"{WEB}/, http://localhost:8080")
    assert ServiceSettings().cors_origins == [WEB, "http://localhost:8080"]


def test_a_preflight_from_the_web_frontend_is_allowed_with_a_bearer_token() -> None:
    answer = client([WEB]).options(
        "/health/live",
        headers={
            "Origin": WEB,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == WEB
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= set(allowed.split(", "))


def test_another_origin_gets_no_permission() -> None:
    answer = client([WEB]).get("/health/live", headers={"Origin": "http://elsewhere.example.org"})
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers


def test_without_origins_configured_no_browser_is_allowed() -> None:
    answer = client().get("/health/live", headers={"Origin": WEB})
    assert "access-control-allow-origin" not in answer.headers
