"""Steps the browser tests share: signing in as a person does, opening a partnership, and
preparing a roadmap through the registry's API the way another member would."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import httpx
from imc_devstack import build
from imc_devstack.testing import bearer, eventually
from playwright.sync_api import Page, expect

from .conftest import WebSystem

BERKANE = "berkane--saint-gilles"
TANGER = "tanger--saint-josse-ten-noode"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def paste_token(page: Page, system: WebSystem, language: str, token: str) -> None:
    """On the sign-in page, as a person does: choose the language, paste the token, send."""
    page.goto(f"{system.url}/")
    page.select_option("#language-select", language)
    page.locator("textarea[name=token]").fill(token)
    page.locator("form.signin button[type=submit]").click()


def sign_in(page: Page, system: WebSystem, language: str, token: str | None = None) -> None:
    """Through the sign-in page, into the programme's overview."""
    paste_token(page, system, language, token or system.berkane_officer)
    expect(page.locator("main h1")).to_be_visible()


def open_partnership(page: Page, system: WebSystem, partnership_id: str) -> None:
    page.goto(f"{system.url}/#/partnerships/{partnership_id}")
    expect(page.locator("#roadmap-title")).to_be_visible()


def registry(system: WebSystem) -> httpx.Client:
    return httpx.Client(base_url=system.stack.service_url("registry"), timeout=10)


def submit_and_wait(
    system: WebSystem, path: str, body: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    """Send a roadmap request to the registry and wait until roadmaps has decided it."""
    headers = bearer(token or system.berkane_officer)
    with registry(system) as client:
        accepted = client.post(path, json=body, headers=headers)
        assert accepted.status_code == 202, accepted.text
        submission = accepted.json()["submission_id"]

        def decided() -> dict[str, Any] | None:
            answer: dict[str, Any] = client.get(
                f"/v1/submissions/{submission}", headers=headers
            ).json()
            return answer if answer["status"] != "received" else None

        return eventually(decided, what=f"the submission to {path} is decided")


def plan_milestone(
    system: WebSystem, title: str, *, days: int = 60, arabic: str = "افتتاح فضاء الشباب"
) -> str:
    milestone_id = f"youth-centre-{uuid.uuid4().hex[:8]}"
    decided = submit_and_wait(
        system,
        f"/v1/partnerships/{BERKANE}/milestones",
        {
            "milestone_id": milestone_id,
            "title": {"fr": title, "ar": arabic},
            "due_date": (dt.date.today() + dt.timedelta(days=days)).isoformat(),
            "responsible_municipality_id": "berkane",
        },
    )
    assert decided["status"] == "applied", decided
    return milestone_id


def define_indicator(system: WebSystem, title: str) -> str:
    indicator_id = f"young-people-{uuid.uuid4().hex[:8]}"
    decided = submit_and_wait(
        system,
        f"/v1/partnerships/{BERKANE}/indicators",
        {
            "indicator_id": indicator_id,
            "title": {"fr": title},
            "measure": "unit",
            "unit": "personnes",
            "periods": [
                {
                    "period_id": "2026",
                    "start": "2026-01-01",
                    "end": "2026-12-31",
                    "targets": [{"value": 200}, {"group": "youth", "value": 120}],
                }
            ],
        },
    )
    assert decided["status"] == "applied", decided
    return indicator_id


def report_progress(system: WebSystem, milestone_id: str, progress: int) -> None:
    decided = submit_and_wait(
        system,
        f"/v1/partnerships/{BERKANE}/milestones/{milestone_id}/progress",
        {"progress": progress, "reported_on": dt.date.today().isoformat()},
    )
    assert decided["status"] == "applied", decided


def member_id(system: WebSystem, municipality_id: str, email: str) -> str:
    with registry(system) as client:
        members = client.get(
            "/v1/members",
            params={"municipality": municipality_id, "limit": 200},
            headers=bearer(system.coordinator),
        ).json()["items"]
    return next(str(m["id"]) for m in members if m["email"] == email)


def assert_no_serious_violation(page: Page) -> None:
    """Run axe-core on the page as it stands; fail on any serious or critical violation."""
    page.add_script_tag(path=str(build.axe_core_script()))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    assert results["passes"], "axe-core checked nothing"


def wait_for_page(page: Page) -> None:
    page.wait_for_function("!document.querySelector('main[aria-busy]')")
    expect(page.locator("main h1")).to_be_visible()
