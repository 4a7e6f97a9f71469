"""The main path, end to end: each service its own process, on real Kafka, FerretDB and SMTP.

A coordinator registers two municipalities, pairs them and adds a member; an officer plans a
milestone and reports it done; roadmaps decides it is reached; notifications mails the member
in their language, and the registry shows the submission applied.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, eventually, token

pytestmark = pytest.mark.infra


def test_a_milestone_reported_done_reaches_the_members_inbox(services: Stack) -> None:
    run = uuid.uuid4().hex[:8]
    coordinator = bearer(token("coordinator"))
    registry = httpx.Client(base_url=services.service_url("registry"), timeout=10)
    mail = httpx.Client(base_url=services.mail_api, timeout=10)

    moroccan, belgian = f"berkane-{run}", f"saint-gilles-{run}"
    for body in (
        {
            "id": moroccan,
            "names": {"fr": f"Berkane {run}", "ar": "بركان"},
            "country": "MA",
            "languages": ["ar", "fr"],
        },
        {
            "id": belgian,
            "names": {"fr": f"Saint-Gilles {run}", "nl": f"Sint-Gillis {run}"},
            "country": "BE",
            "languages": ["fr", "nl"],
        },
    ):
        assert (
            registry.post("/v1/municipalities", json=body, headers=coordinator).status_code == 201
        )

    created = registry.post(
        "/v1/partnerships",
        json={
            "moroccan_municipality_id": moroccan,
            "belgian_municipality_id": belgian,
            "themes": ["youth", "women"],
            "partners_since": 2007,
        },
        headers=coordinator,
    )
    assert created.status_code == 201, created.text
    partnership = created.json()
    assert partnership["name"]["fr"] == f"Berkane {run} – Saint-Gilles {run}"

    email = f"sophie.{run}@example.net"
    member = registry.post(
        "/v1/members",
        json={
            "name": "Sophie Lambert",
            "email": email,
            "municipality_id": belgian,
            "role": "IMC officer",
            "language": "fr",
        },
        headers=coordinator,
    )
    assert member.status_code == 201, member.text

    officer = bearer(
        token(
            "officer", subject=f"officer-{run}@example.org", municipality_id=moroccan, language="fr"
        )
    )
    milestone_id = f"social-service-{run}"
    planned = registry.post(
        f"/v1/partnerships/{partnership['partnership_id']}/milestones",
        json={
            "milestone_id": milestone_id,
            "title": {"fr": f"Ouverture du service social {run}", "ar": "افتتاح المصلحة"},
            "due_date": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
            "responsible_municipality_id": moroccan,
        },
        headers=officer,
    )
    assert planned.status_code == 202, planned.text
    wait_for_status(registry, planned.json()["submission_id"], officer, "applied")

    reported = registry.post(
        f"/v1/partnerships/{partnership['partnership_id']}/milestones/{milestone_id}/progress",
        json={"progress": 100, "reported_on": dt.date.today().isoformat()},
        headers=officer,
    )
    assert reported.status_code == 202, reported.text
    wait_for_status(registry, reported.json()["submission_id"], officer, "applied")

    def delivered() -> dict[str, Any] | None:
        listing = mail.get("/api/v1/search", params={"query": email}).json()
        return listing["messages"][0] if listing["messages"] else None

    message = eventually(delivered, what="the milestone email arrives")
    assert [to["Address"] for to in message["To"]] == [email]
    assert f"Ouverture du service social {run}" in message["Subject"]
    assert f"Berkane {run} – Saint-Gilles {run}" in message["Subject"]
    assert message["Subject"].startswith("Jalon atteint")
    full = mail.get(f"/api/v1/message/{message['ID']}").json()
    assert milestone_id in full["Text"]


def test_a_refused_report_shows_its_reason_on_the_submission(services: Stack) -> None:
    registry = httpx.Client(base_url=services.service_url("registry"), timeout=10)
    officer = bearer(
        token("officer", subject="karim@example.net", municipality_id="berkane", language="nl")
    )
    coordinator = bearer(token("coordinator"))
    run = uuid.uuid4().hex[:8]
    for body in (
        {"id": "berkane", "names": {"fr": "Berkane"}, "country": "MA", "languages": ["ar", "fr"]},
        {
            "id": "saint-gilles",
            "names": {"fr": "Saint-Gilles"},
            "country": "BE",
            "languages": ["fr", "nl"],
        },
    ):
        registry.post(
            "/v1/municipalities",
            json=body,
            headers={**coordinator, "Idempotency-Key": f"e2e:{body['id']}"},
        )
    registry.post(
        "/v1/partnerships",
        headers={**coordinator, "Idempotency-Key": "e2e:bsg"},
        json={"moroccan_municipality_id": "berkane", "belgian_municipality_id": "saint-gilles"},
    )
    reported = registry.post(
        f"/v1/partnerships/berkane--saint-gilles/milestones/never-planned-{run}/progress",
        json={"progress": 40, "reported_on": dt.date.today().isoformat()},
        headers=officer,
    )
    assert reported.status_code == 202, reported.text
    submission = wait_for_status(registry, reported.json()["submission_id"], officer, "rejected")
    assert submission["code"] == "milestone_unknown"
    assert submission["reason"].startswith("Mijlpaal")  # the submitter reads Dutch


def wait_for_status(
    registry: httpx.Client, submission_id: str, headers: dict[str, str], status: str
) -> dict[str, Any]:
    def decided() -> dict[str, Any] | None:
        body: dict[str, Any] = registry.get(
            f"/v1/submissions/{submission_id}", headers=headers
        ).json()
        return body if body["status"] != "received" else None

    submission = eventually(decided, what=f"submission {submission_id} is decided")
    assert submission["status"] == status, submission
    return submission
