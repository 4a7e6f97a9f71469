"""From 2022–2026 to 2027–2031, on a real stack of its own with the programme loaded (these
tests change programme-wide records): a coordinator opens the next phase, carries a
partnership over and closes 2022–2026 — through the API, then through the web page; the
partnership keeps its history and its 2022–2026 roadmap, read only; new work goes to
2027–2031; the closed phase still takes its evaluation; the phases compare side by side."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from imc_devstack import build
from imc_devstack.stack import Ports, Stack
from imc_devstack.testing import bearer, eventually, token
from imc_registry import seed
from imc_registry.seed.examples import load_examples
from playwright.sync_api import Page, expect

from .conftest import WebSystem
from .steps import sign_in

pytestmark = pytest.mark.infra

BERKANE = "berkane--saint-gilles"
TANGER = "tanger--saint-josse-ten-noode"
NEXT = {"id": "2027-2031", "start": "2027-01-01", "end": "2031-12-31"}


@dataclass
class System:
    registry: httpx.Client
    roadmaps: httpx.Client
    coordinator: dict[str, str]
    officer: dict[str, str]
    web: WebSystem

    def submit(
        self, path: str, body: dict[str, Any], who: dict[str, str], method: str = "POST"
    ) -> dict[str, Any]:
        accepted = self.registry.request(method, path, json=body, headers=who)
        assert accepted.status_code == 202, accepted.text
        submission = accepted.json()["submission_id"]

        def decided() -> dict[str, Any] | None:
            answer: dict[str, Any] = self.registry.get(
                f"/v1/submissions/{submission}", headers=who
            ).json()
            return answer if answer["status"] != "received" else None

        return eventually(decided, what=f"the submission to {path} is decided")

    def roadmap(self, partnership_id: str, phase: str | None = None) -> dict[str, Any]:
        params = {"phase": phase} if phase else {}
        answer = self.roadmaps.get(f"/v1/partnerships/{partnership_id}/roadmap", params=params)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[System]:
    root = tmp_path_factory.mktemp("phases-stack")
    stack = Stack(root / "data", Ports.free(), log_dir=root / "logs", environment="test")
    coordinator = token("coordinator", subject="coordinator@example.org")
    officer = token(
        "officer", subject="karim@example.net", municipality_id="berkane", language="fr"
    )

    def bring_up() -> None:
        stack.start_infrastructure()
        stack.start_services()
        seed.load(stack.service_url("registry"), coordinator)
        loaded = asyncio.run(
            load_examples(stack.service_url("registry"), coordinator, only={BERKANE})
        )
        assert loaded.rejected == []
        stack.start_web(build.web_dist())

    # The stack lives in a thread of its own, up to the end: Playwright's synchronous API
    # keeps an event loop in this one, the stack waits for Kafka with asyncio, and its
    # processes end with the thread that started them.
    with StackThread(stack, bring_up):
        viewer = bearer(token("viewer", subject="viewer@example.org"))
        web = WebSystem(stack, officer, officer, coordinator)
        with (
            httpx.Client(base_url=stack.service_url("registry"), timeout=30) as registry,
            httpx.Client(
                base_url=stack.service_url("roadmaps"), headers=viewer, timeout=30
            ) as roadmaps,
        ):
            yield System(registry, roadmaps, bearer(coordinator), bearer(officer), web)


class StackThread:
    def __init__(self, stack: Stack, bring_up: Callable[[], None]) -> None:
        self.stack, self.bring_up = stack, bring_up
        self.ready, self.done = threading.Event(), threading.Event()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="phases-stack", daemon=True)

    def _run(self) -> None:
        try:
            self.bring_up()
        except BaseException as error:
            self.failure = error
        self.ready.set()
        self.done.wait()
        self.stack.stop()

    def __enter__(self) -> StackThread:
        self.thread.start()
        self.ready.wait()
        if self.failure is not None:
            self.__exit__()
            raise self.failure
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join(timeout=120)


def test_the_next_phase_opens_partnerships_carry_over_and_the_old_one_closes_read_only(
    system: System,
) -> None:
    before = system.roadmap(BERKANE, "2022-2026")
    assert before["milestones_counted"] > 0, "the example roadmap of 2022-2026"
    open_milestone = next(
        m
        for o in before["objectives"]
        for m in o["milestones"]
        if m["status"] in ("planned", "in_progress", "overdue")
    )

    # Only a coordinator opens a phase; it may not overlap another.
    refused = system.registry.post("/v1/programme/phases", json=NEXT, headers=system.officer)
    assert refused.status_code == 403
    overlapping = {**NEXT, "id": "2026-2030", "start": "2026-06-01", "end": "2030-12-31"}
    clash = system.registry.post(
        "/v1/programme/phases", json=overlapping, headers=system.coordinator
    )
    assert clash.status_code == 422
    assert "overlaps phase 2022-2026" in clash.text
    opened = system.registry.post("/v1/programme/phases", json=NEXT, headers=system.coordinator)
    assert opened.status_code == 201, opened.text
    assert [(p["phase_id"], p["status"]) for p in opened.json()["phases"]] == [
        ("2017-2021", "closed"),
        ("2022-2026", "running"),
        ("2027-2031", "running"),
    ]

    # An unknown id refuses the whole carry-over: nothing changes.
    mistaken = system.registry.post(
        "/v1/programme/phases/2027-2031/partnerships",
        json={"partnership_ids": [BERKANE, "nowhere--nothing"]},
        headers=system.coordinator,
    )
    assert mistaken.status_code == 422
    assert "nowhere--nothing" in mistaken.text
    partnership = system.registry.get(
        f"/v1/partnerships/{BERKANE}", headers=system.coordinator
    ).json()
    assert "2027-2031" not in partnership["phases"]

    carried = system.registry.post(
        "/v1/programme/phases/2027-2031/partnerships",
        json={"partnership_ids": [BERKANE]},
        headers=system.coordinator,
        params={},
    )
    assert carried.status_code == 200, carried.text
    assert carried.json()["carried"] == [BERKANE]
    again = system.registry.post(
        "/v1/programme/phases/2027-2031/partnerships",
        json={"partnership_ids": [BERKANE]},
        headers=system.coordinator,
    )
    assert again.json()["already"] == [BERKANE]
    partnership = system.registry.get(
        f"/v1/partnerships/{BERKANE}", headers=system.coordinator
    ).json()
    assert partnership["phases"][-2:] == ["2022-2026", "2027-2031"]

    # New work goes to the latest running phase, once roadmaps has heard of it.
    milestone_id = f"new-phase-{uuid.uuid4().hex[:6]}"
    decided = system.submit(
        f"/v1/partnerships/{BERKANE}/milestones",
        {
            "milestone_id": milestone_id,
            "title": {"fr": "Diagnostic de la nouvelle phase"},
            "due_date": "2027-09-30",
            "responsible_municipality_id": "berkane",
        },
        system.officer,
    )
    assert decided["status"] == "applied", decided
    current = system.roadmap(BERKANE)
    assert current["phase"] == "2027-2031"
    assert [m["id"] for m in current["milestones_without_objective"]] == [milestone_id]

    closed = system.registry.post(
        "/v1/programme/phases/2022-2026/close", json={}, headers=system.coordinator
    )
    assert closed.status_code == 200, closed.text
    assert ("2022-2026", "closed") in [
        (p["phase_id"], p["status"]) for p in closed.json()["phases"]
    ]
    twice = system.registry.post(
        "/v1/programme/phases/2022-2026/close", json={}, headers=system.coordinator
    )
    assert twice.status_code == 409

    # The closed phase's roadmap is kept as it was, and read only — once roadmaps has heard
    # (the programme's events and Berkane's requests travel on different partitions).
    def closed_for_roadmaps() -> bool | None:
        phases = system.roadmaps.get("/v1/dashboard").json()["phases"]
        return (
            True
            if {"phase_id": "2022-2026", "status": "closed"}
            in [{"phase_id": p["phase_id"], "status": p["status"]} for p in phases]
            else None
        )

    eventually(closed_for_roadmaps, what="roadmaps knows 2022-2026 is closed")
    rejected = system.submit(
        f"/v1/partnerships/{BERKANE}/milestones/{open_milestone['id']}/progress",
        {"progress": 90, "reported_on": dt.date.today().isoformat()},
        system.officer,
    )
    assert rejected["status"] == "rejected", rejected
    assert rejected["code"] == "phase_closed"
    assert "clôturée" in rejected["reason"]
    after = system.roadmap(BERKANE, "2022-2026")
    assert after["milestones_counted"] == before["milestones_counted"]
    assert after["progress"] == before["progress"]

    # Closing is not the end of its evaluation; the phases compare side by side.
    evaluated = system.submit(
        f"/v1/partnerships/{BERKANE}/evaluations/2022-2026",
        {
            "relevance": 4,
            "coherence": 3,
            "effectiveness": 3,
            "efficiency": 3,
            "impact": 3,
            "sustainability": 3,
            "findings": {"fr": "Le service social est en place."},
        },
        system.coordinator,
        method="PUT",
    )
    assert evaluated["status"] == "applied", evaluated
    comparison = system.roadmaps.get(
        f"/v1/partnerships/{BERKANE}/phase-comparison",
        params=[("phases", "2017-2021"), ("phases", "2022-2026")],
    ).json()
    assert [p["phase"] for p in comparison["phases"]] == ["2017-2021", "2022-2026"]
    history = system.registry.get(
        f"/v1/partnerships/{BERKANE}/history", headers=system.coordinator
    ).json()["items"]
    assert any("2027-2031" in str(entry) for entry in history)


def test_a_partnership_not_carried_over_stays_in_its_phases(system: System) -> None:
    partnership = system.registry.get(
        f"/v1/partnerships/{TANGER}", headers=system.coordinator
    ).json()
    assert "2027-2031" not in partnership["phases"]
    closed_phase = system.registry.post(
        "/v1/programme/phases/2017-2021/partnerships",
        json={"partnership_ids": [TANGER]},
        headers=system.coordinator,
    )
    assert closed_phase.status_code == 422
    assert "closed" in closed_phase.text


def test_a_coordinator_opens_carries_over_and_closes_a_phase_on_the_web_page(
    system: System, page: Page
) -> None:
    sign_in(page, system.web, "fr", system.web.coordinator)
    table = page.locator("#phases-table")
    expect(table.locator("thead th")).to_have_text(["2017-2021", "2022-2026", "2027-2031"])
    expect(table.locator("tbody tr").nth(1)).to_contain_text("clôturée")

    page.get_by_label("Phase (années)").fill("2032-2036")
    page.get_by_label("Début").fill("2032-01-01")
    page.get_by_label("Fin").fill("2036-12-31")
    page.get_by_role("button", name="Ouvrir la phase").click()
    expect(page.locator("#phases-status")).to_have_text("La phase 2032-2036 est ouverte.")
    expect(table.locator("thead th")).to_have_count(4)

    page.get_by_role("button", name="Reconduire les partenariats de 2027-2031 en 2032-2036").click()
    expect(page.locator("#phases-status")).to_contain_text("1 partenariat reconduit")
    expect(table.locator("thead th")).to_have_count(4)  # the phase just opened stays shown
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Clôturer la phase 2027-2031").click()
    expect(page.locator("#phases-status")).to_have_text("La phase 2027-2031 est clôturée.")

    programme = system.registry.get("/v1/programme", headers=system.coordinator).json()
    assert [(p["phase_id"], p["status"]) for p in programme["phases"]][-2:] == [
        ("2027-2031", "closed"),
        ("2032-2036", "running"),
    ]
    partnership = system.registry.get(
        f"/v1/partnerships/{BERKANE}", headers=system.coordinator
    ).json()
    assert partnership["phases"][-3:] == ["2022-2026", "2027-2031", "2032-2036"]
