"""Importing a roadmap sheet through the registry: its form checked at once, row by row;
then roadmaps applies it all or nothing and the submission says what happened."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
import uuid
from typing import Any

import httpx
import pytest
from imc_contracts.registry import RoadmapImportRequested
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, eventually, token
from openpyxl import Workbook

from .conftest import Pair, Published

pytestmark = pytest.mark.infra

COORDINATOR = bearer(token("coordinator"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = "milestone_id,title_fr,title_ar,due_date,responsible_municipality_id,weight\n"
DUE = (dt.date.today() + dt.timedelta(days=200)).isoformat()


def _import(
    registry: httpx.Client, pair: Pair, sheet: bytes, headers: dict[str, str], kind: str
) -> httpx.Response:
    return registry.post(
        f"/v1/partnerships/{pair[0]}/roadmap/import",
        content=sheet,
        headers={**headers, "content-type": kind},
    )


def _decided(registry: httpx.Client, answer: httpx.Response) -> dict[str, Any]:
    link = answer.json()["links"]["self"]

    def decided() -> dict[str, Any] | None:
        body: dict[str, Any] = registry.get(link, headers=COORDINATOR).json()
        return body if body["status"] != "received" else None

    return eventually(decided, what="roadmaps decides the import", timeout=60)


def test_an_officer_imports_a_sheet_and_roadmaps_plans_every_row(
    registry: httpx.Client, services: Stack, pair: Pair, published: Published
) -> None:
    partnership, moroccan, belgian = pair
    officer = bearer(token("officer", municipality_id=moroccan))
    sheet = HEADER + (
        f"youth-space,Espace jeunes,فضاء الشباب,{DUE},{moroccan},2\n"
        f"accessibility,Accessibilité,,{DUE},{belgian},\n"
    )
    answer = _import(registry, pair, sheet.encode(), officer, "text/csv")
    assert answer.status_code == 202, answer.text
    assert answer.json()["kind"] == "roadmap.import_requested"
    decision = _decided(registry, answer)
    assert decision["status"] == "applied", decision
    assert decision["imported"] == {"milestones": 2, "objectives": 0, "already_imported": 0}

    [(key, event)] = published(
        lambda e: (
            isinstance(e, RoadmapImportRequested)
            and e.payload.submission_id == answer.json()["submission_id"]
        )
    )
    assert key == partnership.encode()
    assert isinstance(event, RoadmapImportRequested)
    assert [row.row for row in event.payload.rows] == [2, 3]
    milestones = httpx.get(
        f"{services.service_url('roadmaps')}/v1/partnerships/{partnership}/milestones",
        headers=bearer(token("viewer")),
    ).json()["items"]
    assert {m["id"]: m["title"] for m in milestones} == {
        "youth-space": {"fr": "Espace jeunes", "ar": "فضاء الشباب"},
        "accessibility": {"fr": "Accessibilité"},
    }


def test_a_sheet_with_faults_of_form_is_refused_at_once_naming_each_cell(
    registry: httpx.Client, pair: Pair
) -> None:
    sheet = HEADER + f"m1,Un,,30/06/2027,{pair[1]},\nm1,Deux,,{DUE},{pair[1]},-1\n"
    refused = _import(registry, pair, sheet.encode(), COORDINATOR, "text/csv")
    assert refused.status_code == 422
    cells = {(d["row"], d["column"], d["type"]) for d in refused.json()["detail"]}
    assert cells == {(2, "due_date", "invalid_date"), (3, "milestone_id", "repeated")}
    unknown = _import(registry, pair, b"milestone,deadline\n", COORDINATOR, "text/csv")
    assert {(d["row"], d["column"]) for d in unknown.json()["detail"]} >= {(1, "milestone")}
    as_json = _import(registry, pair, b"{}", COORDINATOR, "application/json")
    assert as_json.status_code == 415


def test_a_sheet_roadmaps_refuses_is_rejected_whole_with_every_problem(
    registry: httpx.Client, services: Stack, pair: Pair
) -> None:
    sheet = HEADER + (f"fine,Bien,,{DUE},{pair[1]},\nelsewhere,Ailleurs,,{DUE},tanger,\n")
    answer = _import(registry, pair, sheet.encode(), COORDINATOR, "text/csv")
    assert answer.status_code == 202, answer.text
    decision = _decided(registry, answer)
    assert decision["status"] == "rejected"
    assert decision["code"] == "sheet_refused"
    assert [(p["row"], p["column"]) for p in decision["problems"]] == [
        (3, "responsible_municipality_id")
    ]
    milestones = httpx.get(
        f"{services.service_url('roadmaps')}/v1/partnerships/{pair[0]}/milestones",
        headers=bearer(token("viewer")),
    )
    assert milestones.status_code in (200, 404)
    if milestones.status_code == 200:
        assert "fine" not in {m["id"] for m in milestones.json()["items"]}


def test_an_xlsx_sheet_imports_and_sending_it_again_imports_nothing_twice(
    registry: httpx.Client, pair: Pair
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["milestone_id", "title_nl", "due_date", "responsible_municipality_id"])
    sheet.append(
        [
            f"opening-{uuid.uuid4().hex[:6]}",
            "Opening",
            dt.date.today() + dt.timedelta(days=30),
            pair[2],
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    first = _import(registry, pair, buffer.getvalue(), COORDINATOR, XLSX)
    assert first.status_code == 202, first.text
    assert _decided(registry, first)["imported"]["milestones"] == 1
    again = _import(registry, pair, buffer.getvalue(), COORDINATOR, XLSX)
    assert again.status_code == 202
    assert _decided(registry, again)["imported"] == {
        "milestones": 0,
        "objectives": 0,
        "already_imported": 1,
    }


def test_only_a_partner_or_a_coordinator_imports(registry: httpx.Client, pair: Pair) -> None:
    sheet = (HEADER + f"m1,Un,,{DUE},{pair[1]},\n").encode()
    for role, municipality in (("officer", "not-a-partner"), ("viewer", None)):
        caller = bearer(token(role, municipality_id=municipality))  # type: ignore[arg-type]
        assert _import(registry, pair, sheet, caller, "text/csv").status_code == 403


def test_a_hostile_workbook_is_refused_at_once_and_the_registry_keeps_answering(
    registry: httpx.Client, services: Stack, pair: Pair
) -> None:
    """The 73 KB workbook of half a million empty rows that froze the registry for 39 s, and
    a big but honest one read in a thread: the health probe answers throughout."""
    from .test_sheets import rows_sheet, workbook_with_sheet_xml

    officer = bearer(token("officer", municipality_id=pair[1]))
    attack = workbook_with_sheet_xml(rows_sheet(500_000, numbered=False))
    refused = _import(registry, pair, attack, officer, XLSX)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["type"] in ("too_large", "zip_bomb")

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["milestone_id", "title_fr", "title_nl", "due_date", "responsible_municipality_id"]
    )
    for n in range(1_990):
        sheet.append([f"m-{n}", "Jalon " * 30, "Mijlpaal " * 30, DUE, pair[1]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    probes: list[float] = []
    done = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=services.service_url("registry"), timeout=30) as client:
            while not done.is_set():
                started = time.monotonic()
                assert client.get("/health/live").status_code == 200
                probes.append(time.monotonic() - started)
                time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        answer = _import(registry, pair, buffer.getvalue(), officer, XLSX)
    finally:
        done.set()
        prober.join()
    assert answer.status_code == 422, answer.text  # 1,990 rows: over the 300 of one import
    assert {p["type"] for p in answer.json()["detail"]} == {"too_many_rows"}
    assert probes
    assert max(probes) < 2.0, probes  # it waited 38.6 s on the sheet before
