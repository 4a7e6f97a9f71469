"""Hostile and mistaken input on the running registry: always a 4xx naming the field."""

from __future__ import annotations

import httpx
import pytest
from imc_devstack.testing import bearer, token

pytestmark = pytest.mark.infra

Pair = tuple[str, str, str]
COORDINATOR = bearer(token("coordinator"))


def member(**changes: object) -> dict[str, object]:
    return {
        "name": "Amal Berrada",
        "email": "amal@example.org",
        "municipality_id": "berkane",
        "role": "officer",
        "language": "ar",
        **changes,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (member(email="not-an-email"), "email"),
        (member(language="de"), "language"),
        (member(name="x" * 201), "name"),
        (member(extra="?"), "extra"),
        ({**member(), "$set": {"role": "mayor"}}, "$set"),
        ({**member(), ".role": "mayor"}, ".role"),
    ],
)
def test_a_bad_member_is_refused_naming_the_field(
    registry: httpx.Client, body: dict[str, object], field: str
) -> None:
    response = registry.post("/v1/members", json=body, headers=COORDINATOR)
    assert response.status_code == 422
    assert field in response.text


def test_an_operator_key_deep_inside_a_body_is_refused_with_its_path(
    registry: httpx.Client, pair: Pair
) -> None:
    response = registry.post(
        f"/v1/partnerships/{pair[0]}/indicators",
        json={"title": {"fr": "x"}, "measure": "unit", "baseline": {"$where": "1"}},
        headers=COORDINATOR,
    )
    assert response.status_code == 422
    assert "baseline.$where" in response.text


def test_an_impossible_date_is_refused_naming_the_field(registry: httpx.Client, pair: Pair) -> None:
    response = registry.post(
        f"/v1/partnerships/{pair[0]}/milestones/m/progress",
        json={"progress": 10, "reported_on": "2026-02-30"},
        headers=COORDINATOR,
    )
    assert response.status_code == 422
    assert "reported_on" in response.text


def test_an_oversized_body_is_refused_before_it_is_read_whole(registry: httpx.Client) -> None:
    body = member(name="x" * 400_000)
    response = registry.post("/v1/members", json=body, headers=COORDINATOR)
    assert response.status_code == 413
    assert response.json()["detail"][0]["loc"] == ["body"]


@pytest.mark.parametrize(
    "content",
    [b"{", b"[]", b"null", b"\xff\xfe", b"[" * 5000 + b"]" * 5000, b'{"progress": NaN}'],
)
def test_malformed_json_is_a_4xx_never_a_5xx(
    registry: httpx.Client, pair: Pair, content: bytes
) -> None:
    response = registry.post(
        f"/v1/partnerships/{pair[0]}/milestones/m/progress",
        content=content,
        headers={**COORDINATOR, "content-type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text


def test_a_malformed_if_match_is_refused_naming_the_header(
    registry: httpx.Client, pair: Pair
) -> None:
    response = registry.patch(
        f"/v1/partnerships/{pair[0]}",
        json={"note": "x"},
        headers={**COORDINATOR, "If-Match": "yesterday"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "If-Match"]
