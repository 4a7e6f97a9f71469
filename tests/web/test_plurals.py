"""Counts read as each language says them: French counts 0 as one, Dutch has one and other,
Arabic has zero, one, two, few (3–10), many and other, and the words agree with the number."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import WebSystem
from .steps import sign_in, submit_and_wait

pytestmark = pytest.mark.infra

# Partnerships no other browser test plans milestones for, so their counts are known.
TWO_DUE_SOON = "belfaa--jette"
ONE_DUE_SOON = "oued-safa--evere"


def plan_due_soon(system: WebSystem, partnership_id: str, municipality_id: str) -> None:
    decided = submit_and_wait(
        system,
        f"/v1/partnerships/{partnership_id}/milestones",
        {
            "milestone_id": f"kick-off-{uuid.uuid4().hex[:8]}",
            "title": {"fr": "Réunion de lancement", "ar": "اجتماع الانطلاق"},
            "due_date": (dt.date.today() + dt.timedelta(days=5)).isoformat(),
            "responsible_municipality_id": municipality_id,
        },
        token=system.coordinator,
    )
    assert decided["status"] == "applied", decided


@pytest.fixture(scope="module")
def due_soon(web_system: WebSystem) -> None:
    plan_due_soon(web_system, TWO_DUE_SOON, "belfaa")
    plan_due_soon(web_system, TWO_DUE_SOON, "jette")
    plan_due_soon(web_system, ONE_DUE_SOON, "oued-safa")


def card(page: Page, partnership_id: str) -> Locator:
    return page.locator("li.card", has=page.locator(f"a[href='#/partnerships/{partnership_id}']"))


def open_overview(page: Page, system: WebSystem, language: str) -> None:
    sign_in(page, system, language)
    page.wait_for_function("!document.querySelector('main[aria-busy]')")
    expect(page.locator("ul.cards li.card")).to_have_count(10)


def open_roadmap(page: Page, system: WebSystem, partnership_id: str) -> Locator:
    page.goto(f"{system.url}/#/partnerships/{partnership_id}")
    headline = page.locator("section[aria-labelledby=roadmap-title] .headline .muted")
    expect(headline).to_be_visible()
    return headline


# Each: the cards' counts (two due soon, none overdue; one due soon), the partnerships shown
# (all ten, then one municipality's), a roadmap's headline and timeline with two milestones
# and with one.
EXPECTED = {
    "fr": {
        "two": ("2 jalons à échéance proche", "0 jalon en retard"),
        "one": "1 jalon à échéance proche",
        "shown": ("10 partenariats affichés sur 10", "1 partenariat affiché sur 10"),
        "roadmap two": ("0 jalon atteint sur 2", "2 jalons du "),
        "roadmap one": ("0 jalon atteint sur 1", "1 jalon, le "),
    },
    "nl": {
        "two": ("2 mijlpalen verlopen binnenkort", "0 achterstallige mijlpalen"),
        "one": "1 mijlpaal verloopt binnenkort",
        "shown": ("10 van 10 partnerschappen getoond", "1 van 10 partnerschappen getoond"),
        "roadmap two": ("0 van 2 mijlpalen bereikt", "2 mijlpalen van "),
        "roadmap one": ("0 van 1 mijlpaal bereikt", "1 mijlpaal, op "),
    },
    "ar": {
        "two": ("مرحلتان قريبتا الأجل", "لا توجد مراحل متأخرة"),
        "one": "مرحلة واحدة قريبة الأجل",
        "shown": ("عرض 10 من أصل 10 شراكات", "عرض 1 من أصل 10 شراكات"),
        "roadmap two": ("تم بلوغ 0 من أصل مرحلتين", "مرحلتان من "),
        "roadmap one": ("تم بلوغ 0 من أصل مرحلة واحدة", "مرحلة واحدة بتاريخ "),
    },
}


@pytest.mark.parametrize("language", ["fr", "nl", "ar"])
def test_counts_take_the_plural_form_of_the_language_on_screen(
    web_system: WebSystem, page: Page, due_soon: None, language: str
) -> None:
    expected = EXPECTED[language]
    open_overview(page, web_system, language)

    two, none = expected["two"]
    expect(card(page, TWO_DUE_SOON).locator(".counts .badge")).to_have_text([none, two])
    expect(card(page, ONE_DUE_SOON).locator(".counts .badge.soon")).to_have_text(expected["one"])

    everything, one_municipality = expected["shown"]
    shown = page.locator("section[aria-labelledby=partnerships-title] [role=status]")
    expect(shown).to_have_text(everything)
    page.locator(".filters select").nth(2).select_option("belfaa")
    expect(shown).to_have_text(one_municipality)
    page.locator(".filters button[type=reset]").click()

    for partnership_id, key in ((TWO_DUE_SOON, "roadmap two"), (ONE_DUE_SOON, "roadmap one")):
        reached, timeline = expected[key]
        expect(open_roadmap(page, web_system, partnership_id)).to_have_text(reached)
        summary = page.locator("section[aria-labelledby=timeline-title] p.sr-only")
        expect(summary).to_have_text(re.compile(f"^{re.escape(timeline)}"))
