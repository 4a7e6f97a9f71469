"""Evidence on the partnership page: an officer attaches a PDF and a photo to progress reports
and finds them listed — the photo with its preview —, downloads them unchanged, and an
email's deep link opens the page at the file, highlighted; an officer of another partnership
reads the roadmap but is refused its files; a file whose content is not of a type taken is
refused with the reason shown, and one over the limit is refused before anything is sent."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from imc_devstack.testing import bearer, eventually, token
from PIL import Image
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfWriter

from .conftest import BERKANE_OFFICER, WebSystem
from .steps import (
    BERKANE,
    assert_no_serious_violation,
    define_indicator,
    open_partnership,
    plan_milestone,
    registry,
    sign_in,
    submit_and_wait,
    wait_for_page,
)

pytestmark = pytest.mark.infra

PDF = "application/pdf"
MIB = 1024 * 1024


def a_pdf() -> bytes:
    """A small, valid one-page PDF, with a title of its own (each file differs)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"Liste de présence {uuid.uuid4().hex[:6]}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def a_png() -> bytes:
    """A photo of the workshop, as far as a test can take one: a small PNG of one colour."""
    out = io.BytesIO()
    shade = int(uuid.uuid4().hex[:2], 16)
    Image.new("RGB", (120, 80), (shade, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def saved(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def officer_of_tanger() -> str:
    return token("officer", subject="youssef.tanger@example.net", municipality_id="tanger")


def viewer() -> str:
    return token("viewer", subject="viewer@example.org")


def reported(system: WebSystem, milestone_id: str, progress: int) -> str:
    """A progress report, applied; its submission id."""
    decided = submit_and_wait(
        system,
        f"/v1/partnerships/{BERKANE}/milestones/{milestone_id}/progress",
        {"progress": progress, "reported_on": dt.date.today().isoformat()},
    )
    assert decided["status"] == "applied", decided
    return str(decided["submission_id"])


def attach(
    system: WebSystem, report: str, name: str, content: bytes, who: str | None = None
) -> httpx.Response:
    with registry(system) as client:
        return client.post(
            f"/v1/submissions/{report}/evidence",
            files={"file": (name, content, "application/octet-stream")},
            headers={**bearer(who or system.berkane_officer), "Idempotency-Key": str(uuid.uuid4())},
        )


def attached(system: WebSystem, report: str, name: str, content: bytes) -> dict[str, Any]:
    """Attach a file through the registry's API and wait until it is evidence of the report."""
    answer = attach(system, report, name, content)
    assert answer.status_code == 202, answer.text
    body: dict[str, Any] = answer.json()
    headers = bearer(system.berkane_officer)
    with registry(system) as client:

        def decided() -> dict[str, Any] | None:
            state: dict[str, Any] = client.get(
                f"/v1/submissions/{body['submission_id']}", headers=headers
            ).json()
            return state if state["status"] != "received" else None

        state = eventually(decided, what=f"the evidence {name} is decided")
    assert state["status"] == "applied", state
    return body


def listed(system: WebSystem, evidence_id: str) -> dict[str, Any]:
    """The evidence as Berkane's roadmap lists it, once roadmaps has it."""
    roadmaps = httpx.Client(base_url=system.stack.service_url("roadmaps"), timeout=10)

    def found() -> dict[str, Any] | None:
        roadmap = roadmaps.get(
            f"/v1/partnerships/{BERKANE}/roadmap", headers=bearer(viewer())
        ).json()
        return next(
            (e for e in roadmap.get("evidence", []) if e["evidence_id"] == evidence_id), None
        )

    with roadmaps:
        return eventually(found, what=f"the roadmap lists the evidence {evidence_id}")


def latest_history(system: WebSystem) -> list[dict[str, Any]]:
    """Berkane's newest changes: the registry lists them oldest first, 200 at most a page."""
    path = f"/v1/partnerships/{BERKANE}/history"
    headers = bearer(system.coordinator)
    with registry(system) as client:
        first: dict[str, Any] = client.get(path, params={"limit": 200}, headers=headers).json()
        total = first.get("total") or len(first["items"])
        if total <= len(first["items"]):
            return list(first["items"])
        params = {"limit": 200, "offset": total - 200}
        return list(client.get(path, params=params, headers=headers).json()["items"])


def evidence_item(page: Page, name: str) -> Locator:
    return page.locator("#evidence li.evidence-item", has=page.get_by_role("heading", name=name))


def open_progress_form(page: Page, milestone_id: str, progress: str) -> None:
    page.get_by_role("button", name="Rapporter l'avancement").click()
    page.get_by_role("combobox", name=re.compile("^Jalon ")).select_option(milestone_id)
    page.get_by_label("Avancement (%)").fill(progress)


def report_panel(page: Page) -> Locator:
    return page.locator(".submission-panel:not(.evidence-panel) .submission")


def evidence_panel(page: Page) -> Locator:
    return page.locator(".evidence-panel .submission")


def test_an_officer_attaches_a_pdf_and_a_photo_and_downloads_them_unchanged(
    web_system: WebSystem, page: Page, tmp_path: Path
) -> None:
    title = f"Atelier des jeunes {uuid.uuid4().hex[:6]}"
    milestone_id = plan_milestone(web_system, title)
    pdf, png = a_pdf(), a_png()
    pdf_name, png_name = f"presence-{uuid.uuid4().hex[:6]}.pdf", "photo-atelier.png"
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)

    open_progress_form(page, milestone_id, "40")
    file_input = page.get_by_label("Joindre une pièce justificative (facultatif)")
    expect(file_input).to_have_attribute("accept", re.compile(r"\.pdf.*\.png.*\.docx.*\.odt"))
    expect(page.get_by_text(re.compile(r"10\sMo au plus"))).to_be_visible()
    file_input.set_input_files(saved(tmp_path, pdf_name, pdf))
    page.get_by_role("button", name="Envoyer").click()
    expect(report_panel(page)).to_have_attribute("data-status", "applied", timeout=60_000)
    expect(evidence_panel(page)).to_have_text(
        f"Le fichier « {pdf_name} » est joint.", timeout=60_000
    )
    document = evidence_item(page, pdf_name)
    expect(document).to_be_visible()
    expect(document.locator(".evidence-type")).to_have_text("Document PDF")
    expect(document.locator(".evidence-subject")).to_have_text(
        f"Rapport d'avancement du jalon « {title} »"
    )
    expect(document.locator(".evidence-attached")).to_contain_text("par")
    expect(document.locator(".evidence-digest code")).to_have_attribute("title", sha256(pdf))
    expect(document.locator(".evidence-digest code")).to_have_text(f"{sha256(pdf)[:12]}…")
    expect(document.locator("img")).to_have_count(0)

    # The same form, a second report: a photo this time, shown by its preview.
    page.get_by_label("Avancement (%)").fill("60")
    file_input.set_input_files(saved(tmp_path, png_name, png))
    page.get_by_role("button", name="Envoyer").click()
    expect(evidence_panel(page)).to_have_text(
        f"Le fichier « {png_name} » est joint.", timeout=60_000
    )
    photo = evidence_item(page, png_name)
    thumbnail = photo.get_by_role("img", name=png_name)
    expect(thumbnail).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    expect(photo.locator(".evidence-type")).to_have_text("Image PNG")
    expect(page.locator("#evidence li.evidence-item").first).to_have_attribute(
        "data-sha256", sha256(png)
    )  # newest first

    for item, name, content in ((document, pdf_name, pdf), (photo, png_name, png)):
        with page.expect_download() as arrival:
            item.locator(".evidence-download").click()
        download = arrival.value
        assert download.suggested_filename == name
        assert sha256(Path(download.path()).read_bytes()) == sha256(content)

    evidence_id = (document.get_attribute("id") or "").removeprefix("evidence-")
    shown = listed(web_system, evidence_id)
    assert shown["milestone_id"] == milestone_id
    assert shown["subject"] == "progress"
    assert shown["sha256"] == sha256(pdf)
    assert shown["size"] == len(pdf)
    assert shown["media_type"] == PDF
    assert shown["attached_by"] == BERKANE_OFFICER
    assert shown["phase"] == "2022-2026"
    assert shown["title"] == {"fr": title, "ar": "افتتاح فضاء الشباب"}
    assert shown["links"] == {"download": f"/v1/evidence/{evidence_id}", "thumbnail": None}
    assert shown["thumbnail"] is False
    assert dt.datetime.fromisoformat(shown["attached_at"]).tzinfo is not None

    open_partnership(page, web_system, BERKANE)  # the history says it in the reader's words
    history = page.locator("section[aria-labelledby=history-title]")
    expect(history).to_contain_text(f"Fichier « {pdf_name} » joint comme justificatif")


def test_an_indicator_value_takes_a_photo_as_evidence(
    web_system: WebSystem, page: Page, tmp_path: Path
) -> None:
    title = f"Jeunes inscrits {uuid.uuid4().hex[:6]}"
    indicator_id = define_indicator(web_system, title)
    name = f"inscrits-{uuid.uuid4().hex[:6]}.png"
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    page.get_by_role("button", name="Enregistrer une valeur d'indicateur").click()
    page.get_by_role("combobox", name=re.compile("^Indicateur ")).select_option(indicator_id)
    page.get_by_role("combobox", name=re.compile("^Période ")).select_option("2026")
    page.get_by_label("Valeur totale").fill("42")
    page.get_by_label("Joindre une pièce justificative (facultatif)").set_input_files(
        saved(tmp_path, name, a_png())
    )
    page.get_by_role("button", name="Envoyer").click()
    expect(evidence_panel(page)).to_have_text(f"Le fichier « {name} » est joint.", timeout=60_000)
    item = evidence_item(page, name)
    expect(item.locator(".evidence-subject")).to_have_text(
        f"Valeur de l'indicateur « {title} » pour 2026"
    )
    expect(item.get_by_role("img", name=name)).to_be_visible()


def test_a_deep_link_opens_the_partnership_at_the_file_highlighted(
    web_system: WebSystem, page: Page
) -> None:
    title = f"Inscriptions au centre {uuid.uuid4().hex[:6]}"
    report = reported(web_system, plan_milestone(web_system, title), 30)
    name = f"inscriptions-{uuid.uuid4().hex[:6]}.png"
    evidence = attached(web_system, report, name, a_png())["evidence"]
    assert evidence["thumbnail"] is True
    shown = listed(web_system, evidence["evidence_id"])
    assert shown["links"]["thumbnail"] == f"/v1/evidence/{evidence['evidence_id']}/thumbnail"
    assert shown["media_type"] == "image/png"

    sign_in(page, web_system, "fr")
    page.goto(f"{web_system.url}/#/partnerships/{BERKANE}/evidence/{evidence['evidence_id']}")
    wait_for_page(page)
    item = page.locator(f"#evidence-{evidence['evidence_id']}")
    expect(item).to_be_focused()
    expect(item).to_have_class(re.compile(r"\bhighlight\b"))
    expect(item).to_have_attribute("aria-current", "true")
    expect(item).to_be_in_viewport()
    expect(item.get_by_role("img", name=name)).to_be_visible()
    expect(item.locator(".evidence-subject")).to_have_text(
        f"Rapport d'avancement du jalon « {title} »"
    )
    expect(page.locator("#evidence .highlight")).to_have_count(1)
    assert_no_serious_violation(page)

    page.goto(f"{web_system.url}/#/partnerships/{BERKANE}/evidence/nothing-like-it")
    wait_for_page(page)
    expect(page.locator("#evidence .notice[data-deep-link]")).to_be_focused()
    expect(page.locator("#evidence .notice[data-deep-link]")).to_contain_text("nothing-like-it")


def test_an_officer_of_another_partnership_reads_the_list_but_is_refused_the_files(
    web_system: WebSystem, page: Page
) -> None:
    report = reported(web_system, plan_milestone(web_system, "Forum des associations"), 50)
    content = a_png()
    name = f"forum-{uuid.uuid4().hex[:6]}.png"
    evidence = attached(web_system, report, name, content)["evidence"]
    listed(web_system, evidence["evidence_id"])
    download = f"/v1/evidence/{evidence['evidence_id']}"

    with registry(web_system) as client:
        ours = client.get(download, headers=bearer(web_system.saint_gilles_officer))
        assert ours.status_code == 200, ours.text
        assert sha256(ours.content) == sha256(content)
        assert f"filename*=UTF-8''{name}" in ours.headers["content-disposition"]
        preview = client.get(f"{download}/thumbnail", headers=bearer(web_system.coordinator))
        assert preview.status_code == 200, preview.text
        assert preview.content.startswith(b"\x89PNG")
        for path in (download, f"{download}/thumbnail"):
            theirs = client.get(path, headers=bearer(officer_of_tanger()))
            assert theirs.status_code == 403, theirs.text

    sign_in(page, web_system, "fr", officer_of_tanger())
    open_partnership(page, web_system, BERKANE)
    expect(page.get_by_text("Seuls les agents du partenariat")).to_be_visible()
    item = evidence_item(page, name)
    expect(item.locator("img")).to_have_count(0)  # no preview asked for, to be refused
    item.locator(".evidence-download").click()
    expect(item.get_by_role("status")).to_contain_text(
        "Le téléchargement a échoué : Vous n'êtes pas autorisé à faire ceci."
    )


def test_a_file_whose_content_is_not_of_a_type_taken_is_refused_with_the_reason_shown(
    web_system: WebSystem, page: Page, tmp_path: Path
) -> None:
    milestone_id = plan_milestone(web_system, f"Journée portes ouvertes {uuid.uuid4().hex[:6]}")
    fake = f"faux-{uuid.uuid4().hex[:6]}.pdf"
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    open_progress_form(page, milestone_id, "20")
    file_input = page.get_by_label("Joindre une pièce justificative (facultatif)")
    file_input.set_input_files(
        saved(tmp_path, fake, b"Ceci n'est pas un PDF, seulement du texte.\n")
    )
    page.get_by_role("button", name="Envoyer").click()

    expect(report_panel(page)).to_have_attribute("data-status", "applied", timeout=60_000)
    alert = page.locator("form.update-form [role=alert]")
    expect(alert).to_contain_text(
        "Le rapport est appliqué, mais le fichier n'a pas été joint : "
        "Ce type de fichier n'est pas accepté",
        timeout=30_000,
    )
    expect(alert).not_to_contain_text("whatever its name says")  # the reader's words only
    expect(alert).to_be_focused()
    expect(evidence_item(page, fake)).to_have_count(0)

    # The report stands: the next send attaches a real file to it, without reporting again.
    send = page.get_by_role("button", name="Joindre le fichier au rapport")
    expect(send).to_be_visible()
    real = f"vraie-{uuid.uuid4().hex[:6]}.pdf"
    file_input.set_input_files(saved(tmp_path, real, a_pdf()))
    send.click()
    expect(evidence_panel(page)).to_have_text(f"Le fichier « {real} » est joint.", timeout=60_000)
    expect(evidence_item(page, real)).to_be_visible()
    reports = [
        entry
        for entry in latest_history(web_system)
        if "progress" in entry["what"]
        and (entry.get("change") or {}).get("milestone_id") == milestone_id
    ]
    assert len(reports) == 1, reports


def test_a_file_over_the_limit_is_refused_before_anything_is_sent(
    web_system: WebSystem, page: Page
) -> None:
    milestone_id = plan_milestone(web_system, f"Caravane médicale {uuid.uuid4().hex[:6]}")
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    open_progress_form(page, milestone_id, "70")
    file_input = page.get_by_label("Joindre une pièce justificative (facultatif)")
    file_input.set_input_files(
        {"name": "scan-complet.pdf", "mimeType": PDF, "buffer": b"%PDF-1.7\n" + b"0" * (12 * MIB)}
    )
    page.get_by_role("button", name="Envoyer").click()
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(
        page.get_by_text(re.compile(r"Ce fichier fait 12\sMo ; la limite est de 10\sMo\."))
    ).to_be_visible()
    expect(page.locator(".submission")).to_have_count(0)


def test_the_registry_refuses_what_it_cannot_take_as_evidence(web_system: WebSystem) -> None:
    report = reported(web_system, plan_milestone(web_system, "Maraude sociale"), 10)
    pdf = a_pdf()

    assert attach(web_system, report, "liste.pdf", pdf, who=viewer()).status_code == 403
    assert attach(web_system, report, "liste.pdf", pdf, who=officer_of_tanger()).status_code == 403
    assert attach(web_system, "no-such-submission", "liste.pdf", pdf).status_code == 404
    assert attach(web_system, report, "vide.pdf", b"").status_code == 422
    assert attach(web_system, report, "texte.pdf", b"rien qu'un texte").status_code == 415
    over = b"%PDF-1.7\n" + b"0" * (10 * MIB + 1)
    assert attach(web_system, report, "trop-gros.pdf", over).status_code == 413

    # A milestone planned is no report: it takes no evidence.
    with registry(web_system) as client:
        planned = client.post(
            f"/v1/partnerships/{BERKANE}/milestones",
            json={
                "milestone_id": f"no-evidence-{uuid.uuid4().hex[:6]}",
                "title": {"fr": "Sans pièce"},
                "due_date": "2027-06-30",
                "responsible_municipality_id": "berkane",
            },
            headers=bearer(web_system.berkane_officer),
        )
    assert planned.status_code == 202, planned.text
    proposal = planned.json()["submission_id"]
    eventually(
        lambda: True if attach(web_system, proposal, "x.pdf", pdf).status_code != 409 else None,
        what="the milestone proposal is decided",
    )
    assert attach(web_system, proposal, "x.pdf", pdf).status_code == 422

    accepted = attach(web_system, report, "liste.pdf", pdf)
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    # Announced as "evidence"; the registry names it as it names every submission, after its
    # event (registry.evidence.attach_requested.v1 → evidence.attach_requested).
    assert body["kind"] in ("evidence", "evidence.attach_requested")
    assert body["status"] == "received"
    evidence = body["evidence"]
    assert body["links"]["self"] == f"/v1/submissions/{body['submission_id']}"
    assert body["links"]["download"] == f"/v1/evidence/{evidence['evidence_id']}"
    assert evidence["report_submission_id"] == report
    assert evidence["subject"] == "progress"
    assert evidence["sha256"] == sha256(pdf)
    assert evidence["media_type"] == PDF
    assert evidence["thumbnail"] is False
