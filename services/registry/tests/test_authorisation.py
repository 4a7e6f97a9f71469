"""The authorisation matrix, on the running registry: every role × every write endpoint ×
the caller's own and another partnership → the expected status. Nothing crosses.

The officer is bound to the Moroccan municipality of the "own" partnership. For members,
"own" is a member of that municipality, "other" one of the other partnership's.

It runs on a registry of its own, with the programme defined, so the programme's own
writes are in the matrix too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import httpx
import pytest
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, own_instance, token

from .conftest import new_pair

pytestmark = pytest.mark.infra

Pair = tuple[str, str, str]
Role = Literal["coordinator", "officer", "viewer"]
Target = Literal["own", "other"]
COORDINATOR = bearer(token("coordinator"))


@dataclass(frozen=True)
class Write:
    name: str
    allowed: Literal["coordinator", "partner"]
    """Who besides a coordinator may: nobody, or an officer of a partner municipality."""
    success: int
    act: Callable[[httpx.Client, dict[str, str], Pair], httpx.Response]


def _version(client: httpx.Client, path: str) -> str:
    return client.get(path, headers=COORDINATOR).headers["ETag"]


def _edit(
    method: str, path_of: Callable[[httpx.Client, Pair], str], body: object
) -> Callable[[httpx.Client, dict[str, str], Pair], httpx.Response]:
    def act(client: httpx.Client, headers: dict[str, str], pair: Pair) -> httpx.Response:
        path = path_of(client, pair)
        version = _version(client, path)
        return client.request(method, path, json=body, headers={**headers, "If-Match": version})

    return act


def _post(
    path_of: Callable[[Pair], str], body_of: Callable[[Pair], object]
) -> Callable[[httpx.Client, dict[str, str], Pair], httpx.Response]:
    def act(client: httpx.Client, headers: dict[str, str], pair: Pair) -> httpx.Response:
        return client.post(path_of(pair), json=body_of(pair), headers=headers)

    return act


def _fresh_member(client: httpx.Client, pair: Pair) -> str:
    body = {
        "name": "Amal Berrada",
        "email": f"amal.{uuid.uuid4().hex[:6]}@example.org",
        "municipality_id": pair[1],
        "role": "officer",
        "language": "ar",
    }
    return f"/v1/members/{client.post('/v1/members', json=body, headers=COORDINATOR).json()['id']}"


def _fresh_coordinator(client: httpx.Client, _pair: Pair) -> str:
    run = uuid.uuid4().hex[:8]
    body = {
        "id": f"c-{run}",
        "name": "Hélène Dumont",
        "email": f"h.{run}@example.org",
        "organisation": "UVCW",
        "language": "fr",
    }
    return f"/v1/coordinators/{client.post('/v1/coordinators', json=body, headers=COORDINATOR).json()['id']}"


def _fresh_organisation(client: httpx.Client, _pair: Pair) -> str:
    body = {"id": _new_id(), "names": {"fr": "Association"}, "kind": "association", "country": "BE"}
    created = client.post("/v1/organisations", json=body, headers=COORDINATOR)
    return f"/v1/organisations/{created.json()['id']}"


def _toggle_status(client: httpx.Client, headers: dict[str, str], pair: Pair) -> httpx.Response:
    path = f"/v1/partnerships/{pair[0]}"
    current = client.get(path, headers=COORDINATOR)
    status = "suspended" if current.json()["status"] == "active" else "active"
    return client.put(
        f"{path}/status",
        json={"status": status, "reason": "matrix"},
        headers={**headers, "If-Match": current.headers["ETag"]},
    )


def _new_id() -> str:
    return f"x-{uuid.uuid4().hex[:8]}"


def _milestone(pair: Pair) -> str:
    return f"/v1/partnerships/{pair[0]}/milestones/m"


PROGRAMME: dict[str, object] = {
    "id": "imc-matrix",
    "names": {"fr": "Matrice"},
    "funder_id": "funder",
    "coordinating_organisation_ids": ["association"],
    "phases": [
        {"id": "2022-2026", "start": "2022-01-01", "end": "2026-12-31", "status": "running"}
    ],
}


WRITES = [
    Write(
        "register a municipality",
        "coordinator",
        201,
        _post(
            lambda _: "/v1/municipalities",
            lambda _: {"id": _new_id(), "names": {"fr": "X"}, "country": "MA", "languages": ["fr"]},
        ),
    ),
    Write(
        "edit a municipality",
        "coordinator",
        200,
        _edit("PATCH", lambda _, pair: f"/v1/municipalities/{pair[1]}", {"region": "Souss"}),
    ),
    Write(
        "create a partnership",
        "coordinator",
        201,
        _post(
            lambda _: "/v1/partnerships",
            lambda pair: {
                "id": _new_id(),
                "moroccan_municipality_id": pair[1],
                "belgian_municipality_id": pair[2],
            },
        ),
    ),
    Write(
        "edit a partnership",
        "partner",
        200,
        _edit("PATCH", lambda _, pair: f"/v1/partnerships/{pair[0]}", {"note": "matrix"}),
    ),
    Write("change a partnership's status", "coordinator", 200, _toggle_status),
    Write(
        "add a member",
        "partner",
        201,
        _post(
            lambda _: "/v1/members",
            lambda pair: {
                "name": "Amal Berrada",
                "email": "amal@example.org",
                "municipality_id": pair[1],
                "role": "officer",
                "language": "ar",
            },
        ),
    ),
    Write("edit a member", "partner", 200, _edit("PATCH", _fresh_member, {"language": "fr"})),
    Write("remove a member", "partner", 200, _edit("DELETE", _fresh_member, None)),
    Write(
        "add a coordinator",
        "coordinator",
        201,
        _post(
            lambda _: "/v1/coordinators",
            lambda _: {
                "name": "Julie Marchal",
                "email": f"{_new_id()}@example.net",
                "organisation": "UVCW",
                "language": "fr",
            },
        ),
    ),
    Write(
        "edit a coordinator",
        "coordinator",
        200,
        _edit("PATCH", _fresh_coordinator, {"language": "nl"}),
    ),
    Write("remove a coordinator", "coordinator", 200, _edit("DELETE", _fresh_coordinator, None)),
    Write(
        "register an organisation",
        "coordinator",
        201,
        _post(
            lambda _: "/v1/organisations",
            lambda _: {"id": _new_id(), "names": {"fr": "A"}, "kind": "funder", "country": "BE"},
        ),
    ),
    Write(
        "edit an organisation",
        "coordinator",
        200,
        _edit("PATCH", _fresh_organisation, {"note": "matrix"}),
    ),
    # Defined when the module starts: a coordinator passes the role check and meets the
    # one-programme rule (409); nobody else gets that far.
    Write(
        "define the programme",
        "coordinator",
        409,
        _post(lambda _: "/v1/programme", lambda _: PROGRAMME),
    ),
    Write(
        "edit the programme",
        "coordinator",
        200,
        _edit("PATCH", lambda _, _pair: "/v1/programme", {"note": "matrix"}),
    ),
    Write(
        "propose an objective",
        "partner",
        202,
        _post(
            lambda pair: f"/v1/partnerships/{pair[0]}/objectives",
            lambda _: {"theme": "youth", "title": {"fr": "Jeunesse"}},
        ),
    ),
    Write(
        "propose a milestone",
        "partner",
        202,
        _post(
            lambda pair: f"/v1/partnerships/{pair[0]}/milestones",
            lambda pair: {
                "title": {"fr": "Jalon"},
                "due_date": "2027-06-30",
                "responsible_municipality_id": pair[1],
            },
        ),
    ),
    Write(
        "revise a milestone",
        "partner",
        202,
        lambda client, headers, pair: client.patch(
            _milestone(pair), json={"target": "more"}, headers=headers
        ),
    ),
    Write(
        "reschedule a milestone",
        "partner",
        202,
        _post(lambda pair: f"{_milestone(pair)}/reschedule", lambda _: {"due_date": "2027-12-31"}),
    ),
    Write(
        "cancel a milestone",
        "partner",
        202,
        _post(lambda pair: f"{_milestone(pair)}/cancellation", lambda _: {"reason": "merged"}),
    ),
    Write(
        "report progress",
        "partner",
        202,
        _post(
            lambda pair: f"{_milestone(pair)}/progress",
            lambda _: {"progress": 10, "reported_on": "2026-11-29"},
        ),
    ),
    Write(
        "propose an indicator",
        "partner",
        202,
        _post(
            lambda pair: f"/v1/partnerships/{pair[0]}/indicators",
            lambda _: {"title": {"fr": "Jeunes"}, "measure": "unit"},
        ),
    ),
    Write(
        "evaluate a roadmap",
        "coordinator",
        202,
        lambda client, headers, pair: client.put(
            f"/v1/partnerships/{pair[0]}/evaluations/2022-2026",
            json={"relevance": 3},
            headers=headers,
        ),
    ),
    Write(
        "import a roadmap sheet",
        "partner",
        202,
        lambda client, headers, pair: client.post(
            f"/v1/partnerships/{pair[0]}/roadmap/import",
            content=(
                "milestone_id,title_fr,due_date,responsible_municipality_id\n"
                f"{_new_id()},Jalon,2030-06-30,{pair[1]}\n"
            ),
            headers={**headers, "content-type": "text/csv"},
        ),
    ),
    Write(
        "report an indicator value",
        "partner",
        202,
        _post(
            lambda pair: f"/v1/partnerships/{pair[0]}/indicators/i/values",
            lambda _: {"period_id": "2026", "values": [{"value": 1}]},
        ),
    ),
]


def expected(write: Write, role: Role, target: Target) -> int:
    if role == "coordinator":
        return write.success
    if role == "officer" and write.allowed == "partner" and target == "own":
        return write.success
    return 403


@pytest.fixture(scope="module")
def registry_client(services: Stack) -> Iterator[httpx.Client]:
    with (
        own_instance(services, "registry") as url,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        for kind in ("funder", "association"):
            body = {"id": kind, "names": {"fr": kind}, "kind": kind, "country": "BE"}
            assert client.post("/v1/organisations", json=body, headers=COORDINATOR).is_success
        defined = client.post("/v1/programme", json=PROGRAMME, headers=COORDINATOR)
        assert defined.status_code == 201, defined.text
        yield client


@pytest.fixture(scope="module")
def two_pairs(registry_client: httpx.Client) -> tuple[Pair, Pair]:
    return new_pair(registry_client), new_pair(registry_client)


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ["coordinator", "officer", "viewer"])
@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_each_role_may_write_exactly_where_it_is_allowed(
    registry_client: httpx.Client,
    two_pairs: tuple[Pair, Pair],
    write: Write,
    role: Role,
    target: Target,
) -> None:
    own, other = two_pairs
    headers = bearer(token(role, municipality_id=own[1] if role == "officer" else None))
    response = write.act(registry_client, headers, own if target == "own" else other)
    assert response.status_code == expected(write, role, target), response.text
