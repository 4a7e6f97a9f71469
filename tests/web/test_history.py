"""The partnership page's history of changes reads as sentences in the reader's language,
naming milestones by their title, never by an event's type name."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, Route, expect

from .conftest import WebSystem
from .steps import BERKANE, open_partnership, plan_milestone, report_progress, sign_in

pytestmark = pytest.mark.infra


def test_each_change_is_told_as_a_sentence_with_the_milestones_title(
    web_system: WebSystem, page: Page
) -> None:
    suffix = uuid.uuid4().hex[:6]
    title, arabic = f"Atelier des jeunes {suffix}", f"ورشة الشباب {suffix}"
    milestone_id = plan_milestone(web_system, title, arabic=arabic)
    report_progress(web_system, milestone_id, 60)

    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    history = page.locator("table.history")
    planned = history.locator("tr[data-kind='milestone.proposed']", has_text=title)
    expect(planned.locator(".history-what")).to_contain_text(f"Jalon « {title} » planifié")
    progressed = history.locator("tr[data-kind='progress.reported']", has_text=title)
    expect(progressed.locator(".history-what")).to_have_text(f"Avancement de « {title} » : 60 %")
    expect(history.locator("tr[data-kind='partnership.created'] .history-what")).to_have_text(
        "Partenariat créé"
    )
    sentences = history.locator(".history-what").all_inner_texts()
    assert sentences, "the history lists something"
    assert all(s.strip() and "registry." not in s for s in sentences), sentences

    page.select_option("#language-select", "ar")
    progressed = history.locator("tr[data-kind='progress.reported']", has_text=arabic)
    expect(progressed.locator(".history-what")).to_contain_text(f"تقدم «{arabic}»")
    expect(progressed.locator(".history-what bdi")).to_have_attribute("lang", "ar")
    expect(history.locator("tr[data-kind='partnership.created'] .history-what")).to_have_text(
        "إنشاء الشراكة"
    )


def test_a_kind_of_change_the_page_does_not_know_still_says_something(
    web_system: WebSystem, page: Page
) -> None:
    # The real history, with one entry of a kind a newer registry might send appended: the
    # page must name it rather than leave the row blank.
    def with_unknown_kind(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        body["items"].append(
            {
                "at": "2026-01-02T10:00:00+00:00",
                "what": "registry.partnership.twinned.v1",
                "who": {"id": "coordinator@example.org"},
                "change": {},
            }
        )
        route.fulfill(response=response, json=body)

    page.route(f"**/v1/partnerships/{BERKANE}/history*", with_unknown_kind)
    sign_in(page, web_system, "nl")
    open_partnership(page, web_system, BERKANE)
    expect(page.locator("tr[data-kind='partnership.twinned'] .history-what")).to_have_text(
        "Andere wijziging (partnership.twinned)"
    )
