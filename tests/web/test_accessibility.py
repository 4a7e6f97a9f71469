"""The accessibility scan (axe-core) finds nothing serious or critical on any screen a person
meets: signing in, the programme, a partnership with each update form open, their
notification settings, the coordinators' delivery log, in French and in Arabic, and the
programme and a partnership on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import WebSystem
from .steps import BERKANE, PHONE, assert_no_serious_violation, sign_in, wait_for_page

pytestmark = pytest.mark.infra

FORM_BUTTONS = {
    "fr": {
        "progress": "Rapporter l'avancement",
        "milestone": "Planifier ou modifier un jalon",
        "indicator": "Enregistrer une valeur d'indicateur",
    },
    "ar": {
        "progress": "الإبلاغ عن التقدم",
        "milestone": "تخطيط مرحلة أو تعديلها",
        "indicator": "تسجيل قيمة مؤشر",
    },
}


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_sign_in_page_has_no_serious_violation(
    web_system: WebSystem, page: Page, language: str
) -> None:
    page.goto(f"{web_system.url}/")
    page.select_option("#language-select", language)
    page.locator("form.signin").wait_for()
    assert_no_serious_violation(page)


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize(
    ("route", "who"),
    [
        ("#/", "berkane_officer"),
        (f"#/partnerships/{BERKANE}", "berkane_officer"),
        ("#/preferences", "berkane_officer"),
        ("#/deliveries", "coordinator"),
    ],
)
def test_each_page_has_no_serious_violation(
    web_system: WebSystem, page: Page, language: str, route: str, who: str
) -> None:
    sign_in(page, web_system, language, getattr(web_system, who))
    page.goto(f"{web_system.url}/{route}")
    wait_for_page(page)
    if route == "#/deliveries":
        page.locator("main table").wait_for()
    assert_no_serious_violation(page)


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("form", ["progress", "milestone", "indicator"])
def test_each_update_form_open_has_no_serious_violation(
    web_system: WebSystem, page: Page, language: str, form: str
) -> None:
    sign_in(page, web_system, language)
    page.goto(f"{web_system.url}/#/partnerships/{BERKANE}")
    wait_for_page(page)
    page.get_by_role("button", name=FORM_BUTTONS[language][form]).click()
    page.locator("form.update-form").wait_for()
    assert_no_serious_violation(page)


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("route", ["#/", f"#/partnerships/{BERKANE}"])
def test_the_pages_on_a_phone_have_no_serious_violation(
    web_system: WebSystem, page: Page, language: str, route: str
) -> None:
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    sign_in(page, web_system, language)
    page.goto(f"{web_system.url}/{route}")
    wait_for_page(page)
    assert_no_serious_violation(page)
