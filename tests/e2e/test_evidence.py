"""Evidence end to end, each service its own process on real Kafka, FerretDB (GridFS) and
Mailpit: an officer attaches a PDF and a photo to a progress report; roadmaps attaches them;
the files come back byte for byte to those who may read them and to no one else; the
roadmap, the milestone's history, the partnership's history and the funder's report list
them; the partners' email links to them. Wrong types and sizes are refused before anything
is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import Any

import httpx
import pytest
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, eventually, token
from PIL import Image
from pypdf import PdfWriter

pytestmark = pytest.mark.infra


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Liste de présence — atelier jeunesse"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (30, 120, 200)).save(out, "JPEG", quality=80)
    return out.getvalue()


def decided(registry: httpx.Client, submission_id: str, headers: dict[str, str]) -> dict[str, Any]:
    def answer() -> dict[str, Any] | None:
        body: dict[str, Any] = registry.get(
            f"/v1/submissions/{submission_id}", headers=headers
        ).json()
        return body if body["status"] != "received" else None

    return eventually(answer, what=f"submission {submission_id} is decided")


def filename_of(disposition: str) -> str | None:
    """The name a browser saves the file as: the RFC 2231 ``filename*`` (any script), as the
    standard library decodes it, where given; else the plain ``filename``."""
    message = Message()
    message["Content-Disposition"] = disposition
    params = message.get_params(header="content-disposition") or []
    encoded = [value for key, value in params if key == "filename" and isinstance(value, tuple)]
    if encoded:
        return collapse_rfc2231_value(encoded[0])
    return message.get_filename()


@pytest.fixture(scope="module")
def pair(services: Stack) -> dict[str, Any]:
    """A partnership of its own, a member to mail, an applied progress report."""
    run = uuid.uuid4().hex[:8]
    registry = httpx.Client(base_url=services.service_url("registry"), timeout=30)
    coordinator = bearer(token("coordinator"))
    moroccan, belgian, other = f"tiznit-{run}", f"ixelles-{run}", f"oujda-{run}"
    for id, name, country in (
        (moroccan, "Tiznit", "MA"),
        (belgian, "Ixelles", "BE"),
        (other, "Oujda", "MA"),
    ):
        answer = registry.post(
            "/v1/municipalities",
            json={
                "id": id,
                "names": {"fr": f"{name} {run}"},
                "country": country,
                "languages": ["fr"],
            },
            headers=coordinator,
        )
        assert answer.status_code == 201, answer.text
    created = registry.post(
        "/v1/partnerships",
        json={
            "moroccan_municipality_id": moroccan,
            "belgian_municipality_id": belgian,
            "themes": ["youth"],
        },
        headers=coordinator,
    )
    assert created.status_code == 201, created.text
    partnership_id = created.json()["partnership_id"]
    email = f"ines.{run}@example.net"
    member = registry.post(
        "/v1/members",
        json={
            "name": "Inès Van Damme",
            "email": email,
            "municipality_id": belgian,
            "role": "IMC officer",
            "language": "fr",
        },
        headers=coordinator,
    )
    assert member.status_code == 201, member.text
    officer = bearer(token("officer", subject=f"hafsa-{run}@example.org", municipality_id=moroccan))
    milestone_id = f"youth-workshop-{run}"
    planned = registry.post(
        f"/v1/partnerships/{partnership_id}/milestones",
        json={
            "milestone_id": milestone_id,
            "title": {"fr": f"Atelier jeunesse {run}"},
            "due_date": (dt.date.today() + dt.timedelta(days=120)).isoformat(),
            "responsible_municipality_id": moroccan,
        },
        headers=officer,
    )
    assert planned.status_code == 202, planned.text
    assert decided(registry, planned.json()["submission_id"], officer)["status"] == "applied"
    reported = registry.post(
        f"/v1/partnerships/{partnership_id}/milestones/{milestone_id}/progress",
        json={"progress": 40, "reported_on": dt.date.today().isoformat()},
        headers=officer,
    )
    assert reported.status_code == 202, reported.text
    report_id = reported.json()["submission_id"]
    assert decided(registry, report_id, officer)["status"] == "applied"
    return {
        "registry": registry,
        "roadmaps": httpx.Client(base_url=services.service_url("roadmaps"), timeout=60),
        "mail": httpx.Client(base_url=services.mail_api, timeout=10),
        "partnership_id": partnership_id,
        "milestone_id": milestone_id,
        "report_id": report_id,
        "officer": officer,
        "partner": bearer(
            token("officer", subject=f"b-{run}@example.org", municipality_id=belgian)
        ),
        "stranger": bearer(token("officer", subject=f"o-{run}@example.org", municipality_id=other)),
        "viewer": bearer(token("viewer", subject=f"dgd-{run}@example.org")),
        "email": email,
    }


def attach(pair: dict[str, Any], name: str, content: bytes, media_type: str) -> httpx.Response:
    registry: httpx.Client = pair["registry"]
    return registry.post(
        f"/v1/submissions/{pair['report_id']}/evidence",
        files={"file": (name, content, media_type)},
        headers=pair["officer"],
    )


def test_a_pdf_attached_to_a_report_comes_back_byte_for_byte_to_its_readers_only(
    pair: dict[str, Any],
) -> None:
    registry = pair["registry"]
    content = pdf()
    answer = attach(pair, "liste de présence — تقرير.pdf", content, "application/pdf")
    assert answer.status_code == 202, answer.text
    body = answer.json()
    evidence = body["evidence"]
    assert evidence["media_type"] == "application/pdf"
    assert evidence["sha256"] == hashlib.sha256(content).hexdigest()
    assert evidence["size"] == len(content)
    assert decided(registry, body["submission_id"], pair["officer"])["status"] == "applied"

    for reader in ("officer", "partner", "viewer"):
        download = registry.get(body["links"]["download"], headers=pair[reader])
        assert download.status_code == 200, (reader, download.text)
        assert download.content == content
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["etag"] == f'"{evidence["sha256"]}"'
        assert filename_of(download.headers["content-disposition"]) == (
            "liste de présence — تقرير.pdf"
        )
    refused = registry.get(body["links"]["download"], headers=pair["stranger"])
    assert refused.status_code == 403
    assert "may not read the files" in refused.json()["detail"]
    assert registry.get(body["links"]["download"]).status_code == 401
    assert registry.get("/v1/evidence/nothing-here", headers=pair["officer"]).status_code == 404
    # Nobody but the partners attaches.
    other = pair["registry"].post(
        f"/v1/submissions/{pair['report_id']}/evidence",
        files={"file": ("x.pdf", content, "application/pdf")},
        headers=pair["stranger"],
    )
    assert other.status_code == 403


def test_a_photo_gets_a_preview_and_everything_lists_the_evidence(pair: dict[str, Any]) -> None:
    registry, roadmaps = pair["registry"], pair["roadmaps"]
    answer = attach(pair, "atelier.jpg", photo(), "image/jpeg")
    assert answer.status_code == 202, answer.text
    body = answer.json()
    evidence_id = body["evidence"]["evidence_id"]
    assert body["evidence"]["thumbnail"] is True
    assert decided(registry, body["submission_id"], pair["officer"])["status"] == "applied"
    preview = registry.get(f"/v1/evidence/{evidence_id}/thumbnail", headers=pair["partner"])
    assert preview.status_code == 200
    with Image.open(io.BytesIO(preview.content)) as image:
        assert image.format == "PNG"
        assert image.size == (320, 213)

    partnership_id = pair["partnership_id"]

    def listed() -> list[dict[str, Any]] | None:
        view = roadmaps.get(f"/v1/partnerships/{partnership_id}/roadmap", headers=pair["viewer"])
        items: list[dict[str, Any]] = view.json().get("evidence", [])
        return items if any(i["evidence_id"] == evidence_id for i in items) else None

    items = eventually(listed, what="the roadmap lists the photo")
    listed_photo = next(i for i in items if i["evidence_id"] == evidence_id)
    assert listed_photo["milestone_id"] == pair["milestone_id"]
    assert listed_photo["links"]["download"] == f"/v1/evidence/{evidence_id}"
    assert listed_photo["title"]["fr"].startswith("Atelier jeunesse")

    history = roadmaps.get(
        f"/v1/partnerships/{partnership_id}/milestones/{pair['milestone_id']}/history",
        headers=pair["viewer"],
    ).json()
    entries = history["items"] if isinstance(history, dict) else history
    assert any(
        e["type"] == "roadmaps.evidence.attached.v1" and e["what"]["evidence_id"] == evidence_id
        for e in entries
    )
    registry_history = registry.get(
        f"/v1/partnerships/{partnership_id}/history", params={"limit": 200}, headers=pair["viewer"]
    ).json()
    assert any(
        e["what"] == "registry.evidence.attach_requested.v1"
        and e["change"]["evidence"]["evidence_id"] == evidence_id
        and e["status"] == "applied"
        for e in registry_history["items"]
    )
    report = roadmaps.get(
        f"/v1/reports/partnerships/{partnership_id}",
        params={"format": "html", "language": "fr"},
        headers=pair["viewer"],
    )
    assert report.status_code == 200, report.text
    assert "atelier.jpg" in report.text


def test_the_partners_email_links_to_the_evidence(pair: dict[str, Any]) -> None:
    answer = attach(pair, "compte-rendu.pdf", pdf(), "application/pdf")
    assert answer.status_code == 202, answer.text
    evidence_id = answer.json()["evidence"]["evidence_id"]
    mail = pair["mail"]

    def delivered() -> dict[str, Any] | None:
        found = mail.get("/api/v1/search", params={"query": f"to:{pair['email']}"}).json()
        for message in found["messages"]:
            full: dict[str, Any] = mail.get(f"/api/v1/message/{message['ID']}").json()
            if evidence_id in full["Text"]:
                return full
        return None

    message = eventually(delivered, what="the evidence email arrives")
    assert "compte-rendu.pdf" in message["Text"]
    link = f"#/partnerships/{pair['partnership_id']}/evidence/{evidence_id}"
    assert link in message["Text"]
    assert link in message["HTML"]


def test_a_wrong_type_or_size_is_refused_before_anything_is_stored(
    pair: dict[str, Any],
) -> None:
    text_as_pdf = attach(pair, "rapport.pdf", b"not a PDF at all, only text\n", "application/pdf")
    assert text_as_pdf.status_code == 415
    assert "whatever its name says" in text_as_pdf.json()["detail"]
    too_big = attach(pair, "video.pdf", b"%PDF-1.4\n" + bytes(11 * 1024 * 1024), "application/pdf")
    assert too_big.status_code == 413
    empty = attach(pair, "vide.pdf", b"", "application/pdf")
    assert empty.status_code == 422
    missing = pair["registry"].post(
        f"/v1/submissions/{pair['report_id']}/evidence", headers=pair["officer"]
    )
    assert missing.status_code == 422


def test_a_coordinator_attaches_the_evaluation_report_to_the_evaluation(
    pair: dict[str, Any],
) -> None:
    registry, roadmaps = pair["registry"], pair["roadmaps"]
    coordinator = bearer(token("coordinator", subject="evaluation-lead@example.org"))
    partnership_id = pair["partnership_id"]
    evaluated = registry.put(
        f"/v1/partnerships/{partnership_id}/evaluations/2022-2026",
        json={"relevance": 4, "effectiveness": 3, "findings": {"fr": "Atelier suivi."}},
        headers=coordinator,
    )
    assert evaluated.status_code == 202, evaluated.text
    evaluation_id = evaluated.json()["submission_id"]
    assert decided(registry, evaluation_id, coordinator)["status"] == "applied"
    content = pdf()
    answer = registry.post(
        f"/v1/submissions/{evaluation_id}/evidence",
        files={"file": ("rapport-evaluation.pdf", content, "application/pdf")},
        headers=coordinator,
    )
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["evidence"]["subject"] == "evaluation"
    assert body["evidence"]["phase"] == "2022-2026"
    assert decided(registry, body["submission_id"], coordinator)["status"] == "applied"
    view = roadmaps.get(
        f"/v1/partnerships/{partnership_id}/roadmap",
        params={"phase": "2022-2026"},
        headers=pair["viewer"],
    ).json()
    listed = [e for e in view["evidence"] if e["evidence_id"] == body["evidence"]["evidence_id"]]
    assert [(e["subject"], e["name"]) for e in listed] == [("evaluation", "rapport-evaluation.pdf")]
    # What is not a report takes no evidence.
    milestone_request = registry.post(
        f"/v1/partnerships/{partnership_id}/milestones",
        json={
            "title": {"fr": "Autre jalon"},
            "due_date": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
            "responsible_municipality_id": partnership_id.split("--")[0],
        },
        headers=pair["officer"],
    ).json()["submission_id"]
    decided(registry, milestone_request, pair["officer"])
    not_a_report = registry.post(
        f"/v1/submissions/{milestone_request}/evidence",
        files={"file": ("x.pdf", content, "application/pdf")},
        headers=pair["officer"],
    )
    assert not_a_report.status_code == 422
    assert "progress reports, indicator values and evaluations" in not_a_report.text
