"""Nothing sticks out sideways: the overview and a partnership page fit the screen's width on
a desktop and on a phone, left to right and right to left."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import WebSystem
from .steps import BERKANE, DESKTOP, PHONE, plan_milestone, sign_in

pytestmark = pytest.mark.infra


@pytest.fixture(scope="module")
def far_milestone(web_system: WebSystem) -> str:
    """The latest milestone on the timeline, with a long title: its label ends at the edge."""
    return plan_milestone(
        web_system,
        "Ouverture de l'espace jeunesse rénové au centre culturel municipal",
        days=400,
        arabic="افتتاح فضاء الشباب المجدد بالمركز الثقافي الجماعي",
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_pages_are_no_wider_than_the_screen(
    web_system: WebSystem, page: Page, far_milestone: str, language: str, size: str
) -> None:
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)  # type: ignore[arg-type]
    sign_in(page, web_system, language)
    for route in ("#/", f"#/partnerships/{BERKANE}"):
        page.goto(f"{web_system.url}/{route}")
        page.wait_for_function("!document.querySelector('main[aria-busy]')")
        expect(page.locator("main h1")).to_be_visible()
        if route != "#/":
            expect(page.locator(f".timeline [data-milestone='{far_milestone}']")).to_have_count(1)
        widths = page.evaluate(
            "({scroll: document.documentElement.scrollWidth,"
            " client: document.documentElement.clientWidth})"
        )
        assert widths["scroll"] <= widths["client"], f"{route} in {language} on a {size}: {widths}"
