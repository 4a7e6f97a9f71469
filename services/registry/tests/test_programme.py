"""The programme itself on the running registry: its funder and coordinating associations,
its phases, and the rules they set for partnerships — plus what a municipality's new name
and a partnership's closing do to the records that depend on them.

The programme is one record for the whole registry, so the tests that define it run on a
registry of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from imc_contracts.registry import (
    MunicipalityUpdated,
    OrganisationRegistered,
    OrganisationUpdated,
    PartnershipUpdated,
    ProgrammeDefined,
    ProgrammeUpdated,
)
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, own_instance, token

from .conftest import Pair, Published

pytestmark = pytest.mark.infra

COORDINATOR = bearer(token("coordinator", subject="hel.dumont@example.org"))
PHASES: list[dict[str, Any]] = [
    {
        "id": "2017-2021",
        "start": "2017-01-01",
        "end": "2021-12-31",
        "status": "closed",
        "evaluated": True,
    },
    {"id": "2022-2026", "start": "2022-01-01", "end": "2026-12-31", "status": "running"},
]


@pytest.fixture(scope="module")
def own(services: Stack) -> Iterator[httpx.Client]:
    with (
        own_instance(services, "registry") as url,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        yield client


def _post(client: httpx.Client, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return client.post(path, json=body, headers={**COORDINATOR, **headers})


def _field(response: httpx.Response) -> str:
    return ".".join(str(part) for part in response.json()["detail"][0]["loc"])


@pytest.fixture(scope="module")
def programme(own: httpx.Client) -> dict[str, Any]:
    """The programme as the seed defines it, on the module's own registry."""
    for body in (
        {
            "id": "dgd",
            "names": {"en": "DGD"},
            "kind": "funder",
            "country": "BE",
            "iati_identifier": "XM-DAC-2-10",
            "iati_type": "10",
        },
        {"id": "brulocalis", "names": {"fr": "Brulocalis"}, "kind": "association", "country": "BE"},
        {"id": "uvcw", "names": {"fr": "UVCW"}, "kind": "association", "country": "BE"},
    ):
        assert _post(own, "/v1/organisations", body).status_code == 201
    definition: dict[str, Any] = {
        "id": "imc-morocco",
        "names": {"fr": "CIC Maroc", "ar": "برنامج التعاون الجماعي الدولي"},
        "funder_id": "dgd",
        "coordinating_organisation_ids": ["brulocalis", "uvcw"],
        "phases": PHASES,
    }
    defined = _post(own, "/v1/programme", definition)
    assert defined.status_code == 201, defined.text
    result: dict[str, Any] = defined.json()
    return result


def test_the_programme_shows_its_funder_associations_and_phases(
    own: httpx.Client, programme: dict[str, Any], published: Published
) -> None:
    shown = own.get("/v1/programme", headers=bearer(token("viewer")))
    assert shown.status_code == 200
    body = shown.json()
    assert body["funder"]["iati_identifier"] == "XM-DAC-2-10"
    assert [o["id"] for o in body["coordinating_organisations"]] == ["brulocalis", "uvcw"]
    assert [(p["phase_id"], p["status"], p["evaluated"]) for p in body["phases"]] == [
        ("2017-2021", "closed", True),
        ("2022-2026", "running", False),
    ]
    assert shown.headers["ETag"] == f'"{programme["version"]}"'

    [(key, event)] = published(
        lambda e: isinstance(e, ProgrammeDefined) and e.payload.programme_id == "imc-morocco"
    )
    assert key == b"programme"
    assert isinstance(event, ProgrammeDefined)
    assert [phase.phase_id for phase in event.payload.phases] == ["2017-2021", "2022-2026"]


def test_the_programme_is_defined_once_and_then_edited_on_its_version(
    own: httpx.Client, programme: dict[str, Any]
) -> None:
    again = _post(own, "/v1/programme", {**_only_command(programme), "phases": PHASES})
    assert again.status_code == 409
    unversioned = own.patch("/v1/programme", json={"note": "x"}, headers=COORDINATOR)
    assert unversioned.status_code == 428
    etag = own.get("/v1/programme", headers=COORDINATOR).headers["ETag"]
    edited = own.patch(
        "/v1/programme",
        json={"note": "Reviewed at the Ouarzazate workshop."},
        headers={**COORDINATOR, "If-Match": etag},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["phases"][0]["evaluated"] is True  # untouched fields stay
    stale = own.patch(
        "/v1/programme", json={"note": "stale"}, headers={**COORDINATOR, "If-Match": etag}
    )
    assert stale.status_code == 409


def _only_command(programme: dict[str, Any]) -> dict[str, Any]:
    keys = ("names", "funder_id", "coordinating_organisation_ids")
    return {"id": programme["programme_id"], **{key: programme[key] for key in keys}}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"funder_id": "brulocalis"}, "body.funder_id"),
        ({"coordinating_organisation_ids": ["dgd"]}, "body.coordinating_organisation_ids"),
        ({"phases": [{**PHASES[1], "end": "2021-12-31"}]}, "body.phases.0"),
        ({"phases": [PHASES[1], PHASES[1]]}, "body.phases"),
        ({"phases": [{**PHASES[1], "evaluated": True}]}, "body.phases.0"),
        ({"phases": [PHASES[1]]}, "body.phases"),  # partnerships still take part in 2017-2021
        ({"phases": [{**PHASES[1], "id": "2022"}]}, "body.phases.0.id"),
    ],
)
def test_an_impossible_programme_edit_names_its_field_and_changes_nothing(
    own: httpx.Client,
    programme: dict[str, Any],
    change: dict[str, Any],
    field: str,
) -> None:
    _partnership(own, phases=["2017-2021", "2022-2026"])
    before = own.get("/v1/programme", headers=COORDINATOR)
    refused = own.patch(
        "/v1/programme", json=change, headers={**COORDINATOR, "If-Match": before.headers["ETag"]}
    )
    assert refused.status_code == 422, refused.text
    assert _field(refused).startswith(field), refused.json()
    after = own.get("/v1/programme", headers=COORDINATOR)
    assert after.headers["ETag"] == before.headers["ETag"]


def test_a_phase_can_close_be_evaluated_and_the_next_one_planned(
    own: httpx.Client, programme: dict[str, Any], published: Published
) -> None:
    etag = own.get("/v1/programme", headers=COORDINATOR).headers["ETag"]
    phases = [*PHASES, {"id": "2027-2031", "start": "2027-01-01", "end": "2031-12-31"}]
    phases[-1]["status"] = "planned"
    edited = own.patch(
        "/v1/programme", json={"phases": phases}, headers={**COORDINATOR, "If-Match": etag}
    )
    assert edited.status_code == 200, edited.text
    assert [p["phase_id"] for p in edited.json()["phases"]] == [
        "2017-2021",
        "2022-2026",
        "2027-2031",
    ]
    assert _partnership(own, phases=["2027-2031"]).status_code == 201
    [(key, _event)] = published(
        lambda e: (
            isinstance(e, ProgrammeUpdated)
            and "2027-2031" in {p.phase_id for p in e.payload.phases}
        )
    )
    assert key == b"programme"


def _municipalities(own: httpx.Client) -> tuple[str, str]:
    run = uuid.uuid4().hex[:8]
    ids = (f"ma-{run}", f"be-{run}")
    for id, country in zip(ids, ("MA", "BE"), strict=True):
        body = {"id": id, "names": {"fr": id}, "country": country, "languages": ["fr"]}
        assert _post(own, "/v1/municipalities", body).status_code == 201
    return ids


def _partnership(own: httpx.Client, phases: list[str]) -> httpx.Response:
    moroccan, belgian = _municipalities(own)
    body = {"moroccan_municipality_id": moroccan, "belgian_municipality_id": belgian}
    return _post(own, "/v1/partnerships", {**body, "phases": phases})


def test_partnerships_take_part_only_in_the_programmes_phases(
    own: httpx.Client, programme: dict[str, Any]
) -> None:
    refused = _partnership(own, phases=["2030-2034"])
    assert refused.status_code == 422
    assert _field(refused) == "body.phases"
    assert "2022-2026" in refused.json()["detail"][0]["msg"]
    assert _partnership(own, phases=["2022-2026"]).status_code == 201
    malformed = _partnership(own, phases=["next phase"])
    assert malformed.status_code == 422
    assert _field(malformed).startswith("body.phases")


def test_a_municipalitys_association_must_be_a_registered_one(
    own: httpx.Client, programme: dict[str, Any]
) -> None:
    body = {"names": {"fr": "Ixelles"}, "country": "BE", "languages": ["fr", "nl"]}
    unknown = _post(own, "/v1/municipalities", {**body, "id": "ixelles", "association": "vvsg"})
    assert unknown.status_code == 422
    assert _field(unknown) == "body.association"
    funder = _post(own, "/v1/municipalities", {**body, "id": "ixelles", "association": "dgd"})
    assert funder.status_code == 422
    known = _post(own, "/v1/municipalities", {**body, "id": "ixelles", "association": "brulocalis"})
    assert known.status_code == 201, known.text


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_only_a_coordinator_shapes_the_programme(
    own: httpx.Client, programme: dict[str, Any], role: str
) -> None:
    caller = bearer(token(role, municipality_id="berkane" if role == "officer" else None))  # type: ignore[arg-type]
    etag = own.get("/v1/programme", headers=caller).headers["ETag"]
    org = {"id": "x", "names": {"fr": "X"}, "kind": "association", "country": "BE"}
    assert own.post("/v1/organisations", json=org, headers=caller).status_code == 403
    assert (
        own.patch(
            "/v1/programme", json={"note": "x"}, headers={**caller, "If-Match": etag}
        ).status_code
        == 403
    )
    assert (
        own.patch(
            "/v1/organisations/dgd", json={"note": "x"}, headers={**caller, "If-Match": '"1"'}
        ).status_code
        == 403
    )


def test_organisations_are_listed_by_kind_and_their_event_is_keyed_to_the_programme(
    own: httpx.Client, programme: dict[str, Any], published: Published
) -> None:
    funders = own.get("/v1/organisations", params={"kind": "funder"}, headers=COORDINATOR).json()
    assert [o["id"] for o in funders["items"]] == ["dgd"]
    [(key, _event)] = published(
        lambda e: (
            isinstance(e, OrganisationRegistered)
            and e.payload.organisation_id == "dgd"
            and e.payload.iati_identifier == "XM-DAC-2-10"
        )
    )
    assert key == b"programme"


# -- on the session's registry: records that depend on others ---------------------------


def test_renaming_a_municipality_renames_its_partnership(
    registry: httpx.Client, pair: Pair, published: Published
) -> None:
    partnership_id, moroccan, belgian = pair
    path = f"/v1/municipalities/{moroccan}"
    etag = registry.get(path, headers=COORDINATOR).headers["ETag"]
    renamed = registry.patch(
        path,
        json={"names": {"fr": "Aït Nouveau", "ar": "آيت الجديد"}},
        headers={**COORDINATOR, "If-Match": etag},
    )
    assert renamed.status_code == 200, renamed.text

    shown = registry.get(f"/v1/partnerships/{partnership_id}", headers=COORDINATOR).json()
    assert shown["name"]["fr"] == f"Aït Nouveau – {belgian}"
    assert shown["name"]["ar"] == f"آيت الجديد – {belgian}"
    found = registry.get("/v1/partnerships", params={"q": "ait nouveau"}, headers=COORDINATOR)
    assert partnership_id in {p["id"] for p in found.json()["items"]}

    [(_, municipality_event)] = published(
        lambda e: isinstance(e, MunicipalityUpdated) and e.payload.municipality_id == moroccan
    )
    [(key, partnership_event)] = published(
        lambda e: isinstance(e, PartnershipUpdated) and e.partnership_id == partnership_id
    )
    assert key == partnership_id.encode()
    assert partnership_event.causation_id == str(municipality_event.event_id)
    assert partnership_event.actor == municipality_event.actor


def test_a_closed_partnership_takes_no_change_until_it_is_reactivated(
    registry: httpx.Client, pair: Pair
) -> None:
    partnership_id, moroccan, _ = pair
    path = f"/v1/partnerships/{partnership_id}"
    etag = registry.get(path, headers=COORDINATOR).headers["ETag"]
    closed = registry.put(
        f"{path}/status",
        json={"status": "closed", "reason": "The municipal council ended the partnership."},
        headers={**COORDINATOR, "If-Match": etag},
    )
    assert closed.status_code == 200, closed.text
    etag = closed.headers["ETag"]
    officer = bearer(token("officer", municipality_id=moroccan))
    milestone = {
        "title": {"fr": "Jalon"},
        "due_date": "2030-01-01",
        "responsible_municipality_id": moroccan,
    }
    for headers in (COORDINATOR, officer):
        edit = registry.patch(path, json={"note": "x"}, headers={**headers, "If-Match": etag})
        assert edit.status_code == 409
        assert "closed" in edit.json()["detail"]
        request = registry.post(f"{path}/milestones", json=milestone, headers=headers)
        assert request.status_code == 409
    assert registry.get(path, headers=COORDINATOR).headers["ETag"] == etag

    reopened = registry.put(
        f"{path}/status",
        json={"status": "active", "reason": "Resumed after the elections."},
        headers={**COORDINATOR, "If-Match": etag},
    )
    assert reopened.status_code == 200
    request = registry.post(f"{path}/milestones", json=milestone, headers=officer)
    assert request.status_code == 202, request.text


def test_an_organisation_is_edited_on_its_version_and_says_so_on_the_topic(
    own: httpx.Client, programme: dict[str, Any], published: Published
) -> None:
    path = "/v1/organisations/uvcw"
    etag = own.get(path, headers=COORDINATOR).headers["ETag"]
    note = f"Coordinates the Walloon partnerships ({uuid.uuid4().hex[:6]})."
    edited = own.patch(path, json={"note": note}, headers={**COORDINATOR, "If-Match": etag})
    assert edited.status_code == 200, edited.text
    assert edited.json()["kind"] == "association"  # untouched fields stay
    [(key, event)] = published(
        lambda e: isinstance(e, OrganisationUpdated) and e.payload.note == note
    )
    assert key == b"programme"
    assert isinstance(event, OrganisationUpdated)
    assert event.payload.names == {"fr": "UVCW"}
