"""Example roadmaps are marked as such where a person sees them: the overview says its figures
hold example data, a partnership's roadmap says it is an example, and each example milestone
carries the label — in the reader's language."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from imc_devstack.testing import token
from imc_registry.seed.examples import load_examples
from playwright.sync_api import Page, expect

from .conftest import WebSystem
from .steps import open_partnership, sign_in

pytestmark = pytest.mark.infra

KARAMA = "karama--la-hulpe"
"""A partnership no other browser test plans anything for."""


@pytest.fixture(scope="module")
def examples(web_system: WebSystem) -> None:
    # In a thread of its own: Playwright's synchronous API keeps an event loop in this one.
    loading = load_examples(
        web_system.stack.service_url("registry"),
        token("coordinator", subject="coordinator@example.org"),
        only={KARAMA},
    )
    with ThreadPoolExecutor(1) as thread:
        report = thread.submit(asyncio.run, loading).result()
    assert report.rejected == []
    assert report.requests > 10


def test_the_overview_says_its_figures_hold_example_data(
    web_system: WebSystem, examples: None, page: Page
) -> None:
    sign_in(page, web_system, "fr", web_system.coordinator)
    note = page.locator(".example-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Données d’exemple")


@pytest.mark.parametrize(
    ("language", "note", "badge"),
    [
        ("fr", "cette feuille de route a été chargée pour montrer le produit", "Exemple"),
        ("ar", "بيانات توضيحية", "مثال"),
        ("nl", "Voorbeeldgegevens", "Voorbeeld"),
    ],
)
def test_an_example_roadmap_and_its_milestones_are_labelled_in_the_readers_language(
    web_system: WebSystem, examples: None, page: Page, language: str, note: str, badge: str
) -> None:
    sign_in(page, web_system, language, web_system.coordinator)
    open_partnership(page, web_system, KARAMA)
    expect(page.locator("#roadmap-title ~ .example-note")).to_contain_text(note)
    labels = page.locator(".milestone .badge.example")
    expect(labels.first).to_have_text(badge)
    assert labels.count() == 6  # two milestones for each of its three objectives
    expect(page.locator(".milestone.mstatus-overdue")).to_have_count(1)
    expect(page.locator(".milestone.mstatus-reached")).to_have_count(4)


AUDERGHEM = "ait-zineb--auderghem"
"""A partnership of both phases, 2017–2021 and 2022–2026."""


def test_example_roadmaps_load_once_and_say_so_in_the_api(web_system: WebSystem) -> None:
    url = web_system.stack.service_url("registry")
    coordinator = token("coordinator", subject="coordinator@example.org")
    viewer = {"Authorization": f"Bearer {token('viewer')}"}
    roadmaps = web_system.stack.service_url("roadmaps")

    def load() -> dict[str, object]:
        with ThreadPoolExecutor(1) as thread:
            report = thread.submit(
                asyncio.run, load_examples(url, coordinator, only={AUDERGHEM})
            ).result()
        assert report.rejected == []
        roadmap: dict[str, object] = httpx.get(
            f"{roadmaps}/v1/partnerships/{AUDERGHEM}/roadmap", headers=viewer, timeout=10
        ).json()
        return roadmap

    first, again = load(), load()
    assert first["example"] is True
    assert again == first  # nothing loaded twice: every version as it was
    objectives = first["objectives"]
    assert isinstance(objectives, list)
    assert {o["theme"] for o in objectives} == {"youth", "women", "disability"}
    milestones = [m for o in objectives for m in o["milestones"]]
    assert all(m["example"] for m in milestones)
    assert {m["status"] for m in milestones} == {"reached", "overdue", "in_progress"}
    indicators = [i for o in objectives for i in o["indicators"]]
    assert {i["measure"] for i in indicators} == {"unit", "qualitative"}
    people = next(i for i in indicators if i["measure"] == "unit")
    assert {(a["group"], a["sex"]) for p in people["periods"] for a in p["actuals"]} == {
        ("youth", "female"),
        ("youth", "male"),
        ("women", "female"),  # women are all women: no ("women", "male")
    }
    assert first["evaluation"] is None  # 2022–2026 is not evaluated yet; 2017–2021 is
    compared = httpx.get(
        f"{roadmaps}/v1/partnerships/{AUDERGHEM}/phase-comparison",
        params=[("phases", "2017-2021"), ("phases", "2022-2026")],
        headers=viewer,
        timeout=10,
    ).json()
    earlier, current = compared["phases"]
    assert earlier["evaluated"] is True
    assert set(earlier["ratings"]) == {
        "relevance",
        "coherence",
        "effectiveness",
        "efficiency",
        "impact",
        "sustainability",
    }
    assert all(1 <= rating <= 4 for rating in earlier["ratings"].values())
    assert current["evaluated"] is False
    dashboard = httpx.get(f"{roadmaps}/v1/dashboard", headers=viewer, timeout=10).json()
    assert dashboard["example_milestones"] >= 6
    assert dashboard["milestones_reached"] >= 4
