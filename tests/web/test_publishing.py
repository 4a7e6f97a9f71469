"""Publishing updates from the partnership page: an indicator value lands in the indicators
table beside its target; a request roadmaps refuses shows why, in the person's language."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .conftest import WebSystem
from .steps import (
    BERKANE,
    define_indicator,
    open_partnership,
    plan_milestone,
    sign_in,
    submit_and_wait,
)

pytestmark = pytest.mark.infra


def test_berkanes_officer_records_an_indicator_value_and_sees_it_against_the_target(
    web_system: WebSystem, page: Page
) -> None:
    title = f"Jeunes touchés {uuid.uuid4().hex[:6]}"
    indicator_id = define_indicator(web_system, title)
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)

    page.get_by_role("button", name="Enregistrer une valeur d'indicateur").click()
    page.get_by_role("combobox", name=re.compile("^Indicateur ")).select_option(indicator_id)
    page.get_by_role("combobox", name=re.compile("^Période ")).select_option("2026")
    page.get_by_label("Valeur totale").fill("150")
    page.get_by_label("Valeur pour : Jeunes").fill("90")
    page.get_by_role("button", name="Envoyer").click()

    expect(page.locator(".submission[data-status=applied]")).to_have_text(
        "Appliqué.", timeout=60_000
    )
    table = page.get_by_role("region", name=title)
    total = table.locator("tbody tr", has=page.locator("td", has_text="Total"))
    expect(total.locator("th")).to_have_text("2026")
    expect(total.locator("td")).to_have_text(["Total", "200", "150"])
    youth = table.locator("tbody tr", has=page.locator("td", has_text="Jeunes"))
    expect(youth.locator("td")).to_have_text(["Jeunes", "120", "90"])


def test_berkanes_officer_records_a_qualitative_indicator_in_words_and_sees_them_shown(
    web_system: WebSystem, page: Page
) -> None:
    title = f"Conseil communal des jeunes {uuid.uuid4().hex[:6]}"
    indicator_id = f"youth-council-{uuid.uuid4().hex[:8]}"
    target = "Un conseil des jeunes élu siège chaque trimestre"
    decided = submit_and_wait(
        web_system,
        f"/v1/partnerships/{BERKANE}/indicators",
        {
            "indicator_id": indicator_id,
            "title": {"fr": title},
            "measure": "qualitative",
            "periods": [
                {
                    "period_id": "2026",
                    "start": "2026-01-01",
                    "end": "2026-12-31",
                    "targets": [{"text": target}],
                }
            ],
        },
    )
    assert decided["status"] == "applied", decided
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)

    page.get_by_role("button", name="Enregistrer une valeur d'indicateur").click()
    page.get_by_role("combobox", name=re.compile("^Indicateur ")).select_option(indicator_id)
    reached = "Le conseil a siégé deux fois ; ses membres ont été élus en mars"
    page.get_by_label("Valeur totale").fill(reached)
    page.get_by_role("button", name="Envoyer").click()

    expect(page.locator(".submission[data-status=applied]")).to_have_text(
        "Appliqué.", timeout=60_000
    )
    table = page.get_by_role("region", name=title)
    total = table.locator("tbody tr", has=page.locator("td", has_text="Total"))
    expect(total.locator("th")).to_have_text("2026")
    expect(total.locator("td")).to_have_text(["Total", target, reached])


def test_an_indicator_value_below_zero_is_refused_before_it_is_sent(
    web_system: WebSystem, page: Page
) -> None:
    indicator_id = define_indicator(web_system, f"Jeunes touchés {uuid.uuid4().hex[:6]}")
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    page.get_by_role("button", name="Enregistrer une valeur d'indicateur").click()
    page.get_by_role("combobox", name=re.compile("^Indicateur ")).select_option(indicator_id)
    page.get_by_label("Valeur totale").fill("-5")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_label("Valeur totale")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".submission")).to_have_count(0)


@pytest.mark.parametrize(
    ("language", "who", "rejected"),
    [
        # Each person reads the screen in the other's language: the screen's choice wins.
        ("fr", "berkane_officer", "Refusé : Le jalon {id} a été annulé."),
        ("ar", "saint_gilles_officer", "مرفوض: تم إلغاء المرحلة {id}."),
    ],
)
def test_progress_on_a_milestone_cancelled_meanwhile_is_refused_in_the_language_on_screen(
    web_system: WebSystem, page: Page, language: str, who: str, rejected: str
) -> None:
    milestone_id = plan_milestone(web_system, f"Fête de quartier {uuid.uuid4().hex[:6]}")
    sign_in(page, web_system, language, getattr(web_system, who))
    open_partnership(page, web_system, BERKANE)
    labels = {
        "fr": ("Rapporter l'avancement", "Jalon", "Avancement (%)", "Envoyer"),
        "ar": ("الإبلاغ عن التقدم", "المرحلة", "التقدم (٪)", "إرسال"),
    }[language]
    page.get_by_role("button", name=labels[0]).click()
    page.get_by_role("combobox", name=re.compile(f"^{labels[1]} ")).select_option(milestone_id)
    page.get_by_label(labels[2]).fill("40")

    # While the form is open, the partnership's other side cancels the milestone.
    cancelled = submit_and_wait(
        web_system,
        f"/v1/partnerships/{BERKANE}/milestones/{milestone_id}/cancellation",
        {"reason": "Remplacé par un jalon commun"},
    )
    assert cancelled["status"] == "applied", cancelled

    page.get_by_role("button", name=labels[3]).click()
    expect(page.locator(".submission[data-status=rejected]")).to_have_text(
        rejected.format(id=milestone_id), timeout=60_000
    )
