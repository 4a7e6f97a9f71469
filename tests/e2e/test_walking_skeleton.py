"""The main path, end to end: each service its own process, on real Kafka, FerretDB and SMTP.

A coordinator registers two municipalities, pairs them and adds a member; an officer plans a
milestone and reports it done; roadmaps decides it is reached; notifications mails the member
in their language, and the registry shows the submission applied. Each service's Prometheus
counters, scraped before and after, show the flow went through it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from imc_devstack.stack import SERVICES, Stack
from imc_devstack.testing import bearer, eventually, token
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.infra


Counters = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def counters(services: Stack, service: str) -> Counters:
    """Every counter sample the service exposes, by name and labels."""
    text = httpx.get(f"{services.service_url(service)}/metrics", timeout=10).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        if family.type in ("counter", "histogram")
        for sample in family.samples
        if sample.name.endswith(("_total", "_count"))
    }


def moved(before: Counters, after: Counters, name: str, **labels: str) -> float:
    """How much the samples of ``name`` whose labels include ``labels`` grew."""

    def total(counts: Counters) -> float:
        return sum(
            value
            for (sample, sample_labels), value in counts.items()
            if sample == name and set(labels.items()) <= set(sample_labels)
        )

    return total(after) - total(before)


def test_a_milestone_reported_done_reaches_the_members_inbox(services: Stack) -> None:
    before = {service: counters(services, service) for service in SERVICES}
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
    # Mailpit's own checks of what a mail client will make of it.
    assert full["To"] == [{"Name": "Sophie Lambert", "Address": email}]
    assert full["ListUnsubscribe"]["Errors"] == "", full["ListUnsubscribe"]
    assert full["ListUnsubscribe"]["HeaderPost"] == "List-Unsubscribe=One-Click"
    assert len(full["ListUnsubscribe"]["Links"]) == 1
    html_check = mail.get(f"/api/v1/message/{message['ID']}/html-check").json()
    assert html_check["Total"]["Nodes"] > 0
    assert html_check["Total"]["Supported"] >= 90, html_check["Total"]

    after = {service: counters(services, service) for service in SERVICES}
    registry_moved = moved(
        before["registry"],
        after["registry"],
        "imc_http_request_duration_seconds_count",
        route="/v1/municipalities",
        status="201",
    )
    assert registry_moved >= 2
    for service in SERVICES:
        assert moved(before[service], after[service], "imc_relay_published_events_total") >= 1, (
            service
        )
    assert (
        moved(
            before["roadmaps"],
            after["roadmaps"],
            "imc_messages_total",
            group="roadmaps",
            outcome="handled",
        )
        >= 2
    )
    assert (
        moved(
            before["registry"],
            after["registry"],
            "imc_messages_total",
            group="registry",
            outcome="handled",
        )
        >= 2
    )
    assert (
        moved(before["notifications"], after["notifications"], "imc_emails_total", outcome="sent")
        >= 1
    )


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
