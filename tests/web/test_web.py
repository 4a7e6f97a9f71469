"""The web frontend in a real browser against the running system: an officer publishes an
update and sees it applied and mailed; cannot edit another partnership; Arabic is laid out
right to left; the keyboard alone reaches the forms."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import httpx
import pytest
from imc_devstack.testing import bearer, eventually
from playwright.sync_api import Page, expect

from .conftest import WebSystem
from .steps import (
    BERKANE,
    TANGER,
    open_partnership,
    paste_token,
    plan_milestone,
    sign_in,
    submit_and_wait,
)

pytestmark = pytest.mark.infra


def test_an_officer_of_berkane_reports_a_milestone_complete_sees_it_applied_and_mailed(
    web_system: WebSystem, page: Page
) -> None:
    title = f"Ouverture de l'espace jeunesse {uuid.uuid4().hex[:6]}"
    milestone_id = plan_milestone(web_system, title)
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)

    page.get_by_role("button", name="Rapporter l'avancement").click()
    page.get_by_label("Jalon").select_option(milestone_id)
    page.get_by_label("Avancement (%)").fill("100")
    page.get_by_label("Jeunes · femmes").fill("25")
    page.get_by_role("button", name="Envoyer").click()

    expect(page.locator(".submission[data-status=received]")).to_be_visible()
    expect(page.locator(".submission[data-status=applied]")).to_have_text(
        "Appliqué.", timeout=60_000
    )
    milestone = page.locator(f"[data-milestone='{milestone_id}']")
    expect(milestone.locator(".milestone-progress")).to_have_text("100 %")
    expect(milestone.locator(".badge")).to_have_text("atteint")

    mail = httpx.Client(base_url=web_system.stack.mail_api, timeout=10)

    def delivered() -> list[dict[str, Any]] | None:
        found = mail.get("/api/v1/search", params={"query": title}).json()["messages"]
        return found or None

    messages = eventually(delivered, what="the milestone-reached email arrives")
    assert any(title in message["Subject"] for message in messages)


def test_an_invalid_report_is_refused_before_it_is_sent(web_system: WebSystem, page: Page) -> None:
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    page.get_by_role("button", name="Rapporter l'avancement").click()
    page.get_by_label("Avancement (%)").fill("140")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_label("Avancement (%)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Saisissez un nombre entier de 0 à 100.")).to_be_visible()
    expect(page.locator(".submission")).to_have_count(0)


def test_the_officer_cannot_edit_another_partnership(web_system: WebSystem, page: Page) -> None:
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, TANGER)
    expect(page.locator("[data-action]")).to_have_count(0)
    expect(page.get_by_text("seuls ses agents et la coordination publient")).to_be_visible()
    open_partnership(page, web_system, BERKANE)
    expect(page.locator("[data-action]")).to_have_count(3)

    refused = httpx.post(
        f"{web_system.stack.service_url('registry')}/v1/partnerships/{TANGER}/milestones",
        json={
            "milestone_id": "not-ours",
            "title": {"fr": "Pas le nôtre"},
            "due_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            "responsible_municipality_id": "tanger",
        },
        headers=bearer(web_system.berkane_officer),
        timeout=10,
    )
    assert refused.status_code == 403, refused.text


def test_the_arabic_interface_is_laid_out_right_to_left(web_system: WebSystem, page: Page) -> None:
    sign_in(page, web_system, "ar")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("main h1")).to_have_text("نظرة عامة على البرنامج")
    brand = page.locator(".top .brand").bounding_box()
    session = page.locator(".top .session").bounding_box()
    assert brand is not None
    assert session is not None
    assert brand["x"] > session["x"], "the brand stands at the right, the session at the left"
    bar = page.locator(".card .bar").first.bounding_box()
    label = page.locator(".card .progress-line span").first.bounding_box()
    assert bar is not None
    assert label is not None
    assert label["x"] > bar["x"], "the progress label reads first, at the right"

    page.reload()  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.select_option("#language-select", "nl")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("main h1")).to_have_text("Programmaoverzicht")


def test_the_keyboard_alone_reaches_the_content_and_the_forms(
    web_system: WebSystem, page: Page
) -> None:
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    page.reload()  # focus starts at the top of the document, as on arrival
    expect(page.locator("#roadmap-title")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page).to_have_url(f"{web_system.url}/#/partnerships/{BERKANE}")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.action") == "report-progress":
            break
    else:
        pytest.fail("Tab never reached the 'report progress' button")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Jalon")).to_be_focused()


@pytest.mark.parametrize(
    ("language", "reason"),
    [("ar", "ليس رمزا"), ("nl", "het is geen token"), ("fr", "ce n'est pas un jeton")],
)
def test_a_token_that_is_none_is_refused_in_the_readers_words(
    web_system: WebSystem, page: Page, language: str, reason: str
) -> None:
    paste_token(page, web_system, language, "not-a-token")
    refusal = page.locator("form.signin [role=alert]")
    expect(refusal).to_contain_text(reason)
    expect(refusal).not_to_contain_text("JWT")


def test_a_token_the_services_refuse_leads_back_to_signing_in_with_the_reason(
    web_system: WebSystem, page: Page
) -> None:
    header, claims, signature = web_system.berkane_officer.split(".")
    forged = ".".join([header, claims, signature[::-1]])  # its claims read, its signature fails
    paste_token(page, web_system, "nl", forged)
    expect(page.locator("form.signin")).to_be_visible()
    expect(page.locator("form.signin")).to_contain_text("De diensten aanvaarden dit token niet")
    expect(page.locator("main")).not_to_contain_text("signature")


def test_the_progress_form_starts_from_the_people_reached_so_far(
    web_system: WebSystem, page: Page
) -> None:
    milestone_id = plan_milestone(web_system, f"Forum des jeunes {uuid.uuid4().hex[:6]}")
    reached = [
        {"group": "youth", "sex": "female", "count": 12},
        {"group": "women", "sex": "female", "count": 5},
    ]
    decided = submit_and_wait(
        web_system,
        f"/v1/partnerships/{BERKANE}/milestones/{milestone_id}/progress",
        {"progress": 30, "reported_on": dt.date.today().isoformat(), "beneficiaries": reached},
    )
    assert decided["status"] == "applied", decided
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    page.get_by_role("button", name="Rapporter l'avancement").click()
    page.get_by_role("combobox", name=re.compile("^Jalon ")).select_option(milestone_id)
    # A report says who was reached in all: the next one starts from these, not from zero.
    expect(page.locator("input[name=youth-female]")).to_have_value("12")
    expect(page.locator("input[name=women-female]")).to_have_value("5")
    expect(page.locator("input[name=youth-male]")).to_have_value("")
    expect(page.locator("fieldset.beneficiaries legend")).to_contain_text("à ce jour (en tout")


def test_an_earlier_phases_roadmap_is_read_by_choosing_the_phase(
    web_system: WebSystem, page: Page
) -> None:
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    heading = page.locator("#roadmap-title")
    expect(heading).to_have_text("Feuille de route 2022-2026")
    choice = page.get_by_label("Phase", exact=True)
    expect(choice.locator("option")).to_have_text(["en cours", "2017-2021", "2022-2026"])
    choice.select_option("2017-2021")
    expect(heading).to_have_text("Feuille de route 2017-2021")
    page.get_by_label("Phase", exact=True).select_option("")
    expect(heading).to_have_text("Feuille de route 2022-2026")
