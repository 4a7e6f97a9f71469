"""On a phone (390 × 844), Berkane's officer reports progress through the form, in Arabic,
without scrolling sideways, and sees it applied."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .conftest import WebSystem
from .steps import BERKANE, PHONE, open_partnership, plan_milestone, sign_in

pytestmark = pytest.mark.infra


def assert_fits_the_screen(page: Page, what: str) -> None:
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], f"{what}: {widths}"
    outside = page.evaluate(
        """() => [...document.querySelectorAll(
          'form.update-form :is(input, select, textarea, button, label, legend)'
        )].filter((e) => {
          const box = e.getBoundingClientRect();
          return box.width > 0 && (box.left < 0 || box.right > document.documentElement.clientWidth);
        }).map((e) => e.name || e.id || e.textContent)"""
    )
    assert outside == [], f"{what}: these stick out of the screen: {outside}"


def test_berkanes_officer_reports_progress_on_a_phone_and_sees_it_applied(
    web_system: WebSystem, page: Page
) -> None:
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    milestone_id = plan_milestone(web_system, f"Atelier des jeunes {uuid.uuid4().hex[:6]}")
    sign_in(page, web_system, "ar")
    open_partnership(page, web_system, BERKANE)

    page.get_by_role("button", name="الإبلاغ عن التقدم").click()
    assert_fits_the_screen(page, "the progress form, open")
    page.get_by_role("combobox", name=re.compile("^المرحلة ")).select_option(milestone_id)
    page.get_by_label("التقدم (٪)").fill("60")
    women = page.locator("input[name=women-female]")
    women.scroll_into_view_if_needed()
    women.fill("12")
    send = page.get_by_role("button", name="إرسال")
    send.scroll_into_view_if_needed()
    assert_fits_the_screen(page, "the progress form, filled")
    send.click()

    expect(page.locator(".submission[data-status=applied]")).to_be_visible(timeout=60_000)
    milestone = page.locator(
        f"section[aria-labelledby=roadmap-title] [data-milestone='{milestone_id}']"
    )
    sixty = page.evaluate("new Intl.NumberFormat('ar-MA', {style: 'percent'}).format(0.6)")
    expect(milestone.locator(".milestone-progress")).to_have_text(sixty)
    assert_fits_the_screen(page, "the partnership page after the report")
