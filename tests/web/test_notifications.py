"""Notification settings in the browser: a member's choices per kind are kept; the delivery
log is the coordinators' alone."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from imc_devstack.testing import bearer, eventually
from playwright.sync_api import Page, expect

from .conftest import BERKANE_OFFICER, WebSystem
from .steps import member_id, plan_milestone, report_progress, sign_in

pytestmark = pytest.mark.infra


def test_a_member_sets_a_daily_digest_and_an_off_and_finds_them_kept(
    web_system: WebSystem, page: Page
) -> None:
    sign_in(page, web_system, "fr")
    page.get_by_role("link", name="Mes notifications").click()
    expect(page.locator("main h1")).to_have_text("Mes notifications")
    due_soon = page.get_by_role("group", name="Un jalon arrive à échéance")
    status_changed = page.get_by_role("group", name="Le statut d'un partenariat a changé")
    due_soon.get_by_label("Résumé quotidien").check()
    status_changed.get_by_label("Désactivé").check()
    rejected = page.get_by_role("group", name="Un envoi a été refusé")
    expect(rejected.get_by_label("Désactivé")).to_be_disabled()
    page.get_by_role("button", name="Enregistrer les préférences").click()
    expect(page.get_by_role("status")).to_have_text("Préférences enregistrées.")

    page.reload()
    expect(due_soon.get_by_label("Résumé quotidien")).to_be_checked()
    expect(status_changed.get_by_label("Désactivé")).to_be_checked()
    reached = page.get_by_role("group", name="Un jalon est atteint")
    expect(reached.get_by_label("Immédiatement")).to_be_checked()
    recipient = member_id(web_system, "berkane", BERKANE_OFFICER)
    answer = httpx.get(
        f"{web_system.stack.service_url('notifications')}/v1/preferences/{recipient}",
        headers=bearer(web_system.berkane_officer),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    kinds = answer.json()["preferences"]["kinds"]
    assert kinds["milestone_due_soon"] == "digest", kinds
    assert kinds["partnership_status_changed"] == "off", kinds


def test_a_coordinator_reads_the_delivery_log_and_an_officer_cannot(
    web_system: WebSystem, page: Page
) -> None:
    title = f"Inauguration de la ludothèque {uuid.uuid4().hex[:6]}"
    report_progress(web_system, plan_milestone(web_system, title), 100)
    mail = httpx.Client(base_url=web_system.stack.mail_api, timeout=10)

    def delivered() -> list[dict[str, Any]] | None:
        found: list[dict[str, Any]] = mail.get("/api/v1/search", params={"query": title}).json()[
            "messages"
        ]
        return found or None

    recipient = eventually(delivered, what="the milestone-reached email arrives")[0]["To"][0]

    sign_in(page, web_system, "fr", web_system.coordinator)
    page.get_by_role("link", name="Journal des envois").click()
    expect(page.locator("main h1")).to_have_text("Journal des envois")
    # The log shows addresses masked, as everywhere outside the mail itself.
    local, domain = recipient["Address"].split("@")
    masked = f"{local[0]}***@{domain}"
    rows = page.locator("main tbody tr", has_text=title)
    expect(rows.filter(has_text=masked).first).to_contain_text("envoyé")

    page.get_by_role("button", name="Se déconnecter").click()
    sign_in(page, web_system, "fr")
    expect(page.get_by_role("link", name="Journal des envois")).to_have_count(0)
    page.goto(f"{web_system.url}/#/deliveries")
    expect(page.get_by_text("réservé à la coordination du programme")).to_be_visible()
    expect(page.locator("main table")).to_have_count(0)
    refused = httpx.get(
        f"{web_system.stack.service_url('notifications')}/v1/deliveries",
        headers=bearer(web_system.berkane_officer),
        timeout=10,
    )
    assert refused.status_code == 403, refused.text
