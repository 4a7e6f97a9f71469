"""Editing the directory on the running registry: versions, stale writes, removals, and
the events each change publishes."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from imc_contracts import Event
from imc_contracts.registry import (
    CoordinatorAdded,
    CoordinatorRemoved,
    MemberRemoved,
    MemberUpdated,
    MunicipalityUpdated,
    PartnershipStatusChanged,
    PartnershipUpdated,
)
from imc_devstack.testing import bearer, token

pytestmark = pytest.mark.infra

Pair = tuple[str, str, str]
Published = Callable[..., list[tuple[bytes | None, Event]]]
COORDINATOR = bearer(token("coordinator", subject="hel.dumont@example.org"))


def edit(
    registry: httpx.Client, method: str, path: str, body: object, version: str | None
) -> httpx.Response:
    headers = dict(COORDINATOR)
    if version is not None:
        headers["If-Match"] = version
    return registry.request(method, path, json=body, headers=headers)


def add_member(registry: httpx.Client, municipality: str) -> httpx.Response:
    body = {
        "name": "Amal Berrada",
        "email": f"amal.{uuid.uuid4().hex[:6]}@example.org",
        "municipality_id": municipality,
        "role": "IMC officer",
        "language": "ar",
    }
    response = registry.post("/v1/members", json=body, headers=COORDINATOR)
    assert response.status_code == 201, response.text
    return response


def test_a_partnership_answers_with_its_version_as_etag(registry: httpx.Client, pair: Pair) -> None:
    response = registry.get(f"/v1/partnerships/{pair[0]}", headers=COORDINATOR)
    assert response.headers["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_an_edit_on_the_version_read_succeeds_and_a_stale_one_is_a_conflict(
    registry: httpx.Client, pair: Pair, published: Published
) -> None:
    path = f"/v1/partnerships/{pair[0]}"
    first = edit(registry, "PATCH", path, {"description": {"fr": "Action sociale"}}, '"1"')
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"2"'
    assert first.json()["themes"] == ["youth"]  # untouched fields stay

    stale = edit(registry, "PATCH", path, {"note": "written on version 1"}, '"1"')
    assert stale.status_code == 409
    assert "version 2" in stale.json()["detail"]
    current = registry.get(path, headers=COORDINATOR).json()
    assert current["description"] == {"fr": "Action sociale"}
    assert current["note"] is None

    [(key, event)] = published(
        lambda e: isinstance(e, PartnershipUpdated) and e.partnership_id == pair[0]
    )
    assert key == pair[0].encode()
    assert isinstance(event, PartnershipUpdated)
    assert event.payload.description == {"fr": "Action sociale"}


def test_an_edit_without_if_match_is_refused_as_precondition_required(
    registry: httpx.Client, pair: Pair
) -> None:
    response = edit(registry, "PATCH", f"/v1/partnerships/{pair[0]}", {"note": "x"}, None)
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]


def test_a_replayed_edit_answers_as_the_first_time_even_after_later_edits(
    registry: httpx.Client, pair: Pair
) -> None:
    path = f"/v1/partnerships/{pair[0]}"
    headers = {**COORDINATOR, "If-Match": '"1"', "Idempotency-Key": f"k-{uuid.uuid4()}"}
    first = registry.patch(path, json={"note": "first"}, headers=headers)
    assert edit(registry, "PATCH", path, {"note": "second"}, '"2"').status_code == 200
    again = registry.patch(path, json={"note": "first"}, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert registry.get(path, headers=COORDINATOR).json()["note"] == "second"


def test_suspending_a_partnership_records_the_reason_and_publishes_it(
    registry: httpx.Client, pair: Pair, published: Published
) -> None:
    response = edit(
        registry,
        "PUT",
        f"/v1/partnerships/{pair[0]}/status",
        {"status": "suspended", "reason": "Municipal elections"},
        '"1"',
    )
    assert response.status_code == 200, response.text
    shown = registry.get(f"/v1/partnerships/{pair[0]}", headers=COORDINATOR).json()
    assert (shown["status"], shown["status_reason"]) == ("suspended", "Municipal elections")
    suspended = registry.get(
        "/v1/partnerships", params={"status": "suspended"}, headers=COORDINATOR
    )
    assert pair[0] in {p["id"] for p in suspended.json()["items"]}
    [(key, event)] = published(
        lambda e: isinstance(e, PartnershipStatusChanged) and e.partnership_id == pair[0]
    )
    assert key == pair[0].encode()
    assert isinstance(event, PartnershipStatusChanged)
    assert (event.payload.previous_status, event.payload.status) == ("active", "suspended")


def test_an_edit_after_a_suspension_keeps_the_reason_shown(
    registry: httpx.Client, pair: Pair
) -> None:
    path = f"/v1/partnerships/{pair[0]}"
    suspended = {"status": "suspended", "reason": "Municipal elections"}
    assert edit(registry, "PUT", f"{path}/status", suspended, '"1"').status_code == 200
    described = {"description": {"fr": "Action sociale pour les jeunes"}}
    assert edit(registry, "PATCH", path, described, '"2"').status_code == 200
    shown = registry.get(path, headers=COORDINATOR).json()
    assert shown["description"] == {"fr": "Action sociale pour les jeunes"}
    assert (shown["status"], shown["status_reason"]) == ("suspended", "Municipal elections")


def test_a_status_change_needs_a_reason(registry: httpx.Client, pair: Pair) -> None:
    response = edit(
        registry, "PUT", f"/v1/partnerships/{pair[0]}/status", {"status": "closed"}, '"1"'
    )
    assert response.status_code == 422
    assert "reason" in response.text


def test_a_municipality_edit_keeps_what_it_does_not_name(
    registry: httpx.Client, pair: Pair, published: Published
) -> None:
    path = f"/v1/municipalities/{pair[1]}"
    assert registry.get(path, headers=COORDINATOR).headers["ETag"] == '"1"'
    response = edit(registry, "PATCH", path, {"region": "Souss-Massa"}, '"1"')
    assert response.status_code == 200, response.text
    shown = registry.get(path, headers=COORDINATOR).json()
    assert (shown["region"], shown["country"], shown["version"]) == ("Souss-Massa", "MA", 2)
    [(key, event)] = published(
        lambda e: isinstance(e, MunicipalityUpdated) and e.payload.municipality_id == pair[1]
    )
    assert key == b"programme"
    assert event.payload.region == "Souss-Massa"


def test_a_removed_member_leaves_the_directory_but_not_the_history(
    registry: httpx.Client, pair: Pair, published: Published
) -> None:
    member_id = add_member(registry, pair[1]).json()["member_id"]
    path = f"/v1/members/{member_id}"
    renamed = edit(registry, "PATCH", path, {"role": "mayor's adviser"}, '"1"')
    assert renamed.status_code == 200, renamed.text
    removed = edit(registry, "DELETE", path, None, '"2"')
    assert removed.status_code == 200, removed.text

    shown = registry.get(path, headers=COORDINATOR).json()
    assert shown["removed"] is True
    assert shown["role"] == "mayor's adviser"
    listed = registry.get("/v1/members", params={"municipality": pair[1]}, headers=COORDINATOR)
    assert member_id not in {m["id"] for m in listed.json()["items"]}
    with_removed = registry.get(
        "/v1/members",
        params={"municipality": pair[1], "include_removed": "true"},
        headers=COORDINATOR,
    )
    assert member_id in {m["id"] for m in with_removed.json()["items"]}
    partnership = registry.get(f"/v1/partnerships/{pair[0]}", headers=COORDINATOR).json()
    assert member_id not in {m["id"] for m in partnership["members"]}
    assert edit(registry, "PATCH", path, {"role": "x"}, '"3"').status_code == 404

    events = published(
        lambda e: isinstance(e, MemberUpdated | MemberRemoved) and e.payload.member_id == member_id,
        count=2,
    )
    assert [type(event) for _, event in events] == [MemberUpdated, MemberRemoved]


def test_an_officer_edits_members_of_their_own_municipality_only(
    registry: httpx.Client, pair: Pair
) -> None:
    member_id = add_member(registry, pair[1]).json()["member_id"]
    own = bearer(token("officer", municipality_id=pair[1]))
    other = bearer(token("officer", municipality_id=pair[2]))
    path = f"/v1/members/{member_id}"
    body = {"language": "fr"}
    refused = registry.patch(path, json=body, headers={**other, "If-Match": '"1"'})
    assert refused.status_code == 403
    moved = registry.patch(
        path, json={"municipality_id": pair[2]}, headers={**own, "If-Match": '"1"'}
    )
    assert moved.status_code == 403
    allowed = registry.patch(path, json=body, headers={**own, "If-Match": '"1"'})
    assert allowed.status_code == 200, allowed.text


def test_coordinators_are_added_edited_and_removed_by_coordinators(
    registry: httpx.Client, published: Published
) -> None:
    run = uuid.uuid4().hex[:6]
    body = {
        "id": f"coord-{run}",
        "name": "Hélène Dumont",
        "email": f"helene.{run}@example.org",
        "organisation": "Brulocalis",
        "language": "fr",
    }
    officer = bearer(token("officer", municipality_id="berkane"))
    assert registry.post("/v1/coordinators", json=body, headers=officer).status_code == 403
    added = registry.post("/v1/coordinators", json=body, headers=COORDINATOR)
    assert added.status_code == 201, added.text
    path = f"/v1/coordinators/coord-{run}"
    assert edit(registry, "PATCH", path, {"language": "nl"}, '"1"').json()["language"] == "nl"
    assert edit(registry, "DELETE", path, None, '"2"').status_code == 200
    listed = registry.get("/v1/coordinators", headers=COORDINATOR).json()
    assert f"coord-{run}" not in {c["id"] for c in listed["items"]}

    events = published(
        lambda e: (
            isinstance(e, CoordinatorAdded | CoordinatorRemoved)
            and e.payload.coordinator_id == f"coord-{run}"
        ),
        count=3,
    )
    assert [type(e) for _, e in events] == [CoordinatorAdded, CoordinatorAdded, CoordinatorRemoved]
    assert {key for key, _ in events} == {b"programme"}


def test_an_unknown_time_zone_is_refused_naming_the_field(registry: httpx.Client) -> None:
    body = {
        "name": "X",
        "email": "x@example.org",
        "organisation": "UVCW",
        "language": "fr",
        "time_zone": "Mars/Olympus",
    }
    response = registry.post("/v1/coordinators", json=body, headers=COORDINATOR)
    assert response.status_code == 422
    assert "time_zone" in response.text
