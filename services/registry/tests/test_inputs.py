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


@pytest.mark.parametrize(
    ("content", "loc"),
    [
        (b'{"progress": NaN, "reported_on": "2026-11-29"}', ["body", "progress"]),
        (b'{"progress": Infinity, "reported_on": "2026-11-29"}', ["body", "progress"]),
        (b'{"progress": 10, "progress": 90, "reported_on": "2026-11-29"}', ["body", "progress"]),
    ],
)
def test_json_that_is_no_number_or_says_a_field_twice_is_refused_naming_the_field(
    registry: httpx.Client, pair: Pair, content: bytes, loc: list[str]
) -> None:
    response = registry.post(
        f"/v1/partnerships/{pair[0]}/milestones/m/progress",
        content=content,
        headers={**COORDINATOR, "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(
    ("character", "field"),
    [("\x00", "name"), ("\x1b", "name"), ("\x85", "role"), ("\u2028", "name"), ("\n", "name")],
)
def test_a_control_character_in_a_name_is_refused_naming_the_field(
    registry: httpx.Client, character: str, field: str
) -> None:
    response = registry.post(
        "/v1/members", json=member(**{field: f"Amal{character}Berrada"}), headers=COORDINATOR
    )
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", field]
    assert "control characters" in problem["msg"]


def test_a_control_character_in_a_milestone_title_is_refused_naming_its_language(
    registry: httpx.Client, pair: Pair
) -> None:
    response = registry.post(
        f"/v1/partnerships/{pair[0]}/milestones",
        json={
            "title": {"fr": "Ouverture", "ar": "افتتاح\x00"},
            "due_date": "2027-06-30",
            "responsible_municipality_id": pair[1],
        },
        headers=COORDINATOR,
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "title", "ar"]


def test_a_note_keeps_its_lines_and_tabs(registry: httpx.Client, pair: Pair) -> None:
    response = registry.patch(
        f"/v1/partnerships/{pair[0]}",
        json={"note": "Deux lignes:\n\t- une\r\n\t- deux"},
        headers={**COORDINATOR, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["note"] == "Deux lignes:\n\t- une\r\n\t- deux"


def test_an_idempotency_key_reused_with_another_body_is_refused_and_the_first_stands(
    registry: httpx.Client, pair: Pair
) -> None:
    key = {"Idempotency-Key": f"progress-{pair[0]}"}
    path = f"/v1/partnerships/{pair[0]}/milestones/m/progress"
    first = registry.post(
        path, json={"progress": 40, "reported_on": "2026-11-29"}, headers={**COORDINATOR, **key}
    )
    assert first.status_code == 202, first.text
    other = registry.post(
        path, json={"progress": 90, "reported_on": "2026-11-29"}, headers={**COORDINATOR, **key}
    )
    assert other.status_code == 422, other.text
    [problem] = other.json()["detail"]
    assert problem["loc"] == ["header", "Idempotency-Key"]
    assert problem["type"] == "idempotency_key_reused"
    # The same request again, fields in another order, is the first one answered again.
    again = registry.post(
        path,
        content=b'{"reported_on": "2026-11-29", "progress": 40}',
        headers={**COORDINATOR, **key, "content-type": "application/json"},
    )
    assert again.status_code == 202, again.text
    assert again.json()["submission_id"] == first.json()["submission_id"]


def test_the_idempotency_key_and_its_refusal_are_documented(registry: httpx.Client) -> None:
    document = registry.get("/openapi.json").json()
    operation = document["paths"][
        "/v1/partnerships/{partnership_id}/milestones/{milestone_id}/progress"
    ]["post"]
    [header] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert "different" in header["description"]
    assert "422" in operation["responses"]
