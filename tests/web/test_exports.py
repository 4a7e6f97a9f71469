"""Exports from the browser: the files the buttons download are the real CSV, IATI XML and
the funder's report in PDF (read back by pypdf)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import Page
from pypdf import PdfReader

from .conftest import WebSystem
from .steps import BERKANE, open_partnership, plan_milestone, sign_in

pytestmark = pytest.mark.infra


def download(page: Page, label: str) -> tuple[str, str]:
    with page.expect_download() as started:
        page.get_by_role("button", name=label).click()
    file = started.value
    return file.suggested_filename, Path(file.path()).read_text(encoding="utf-8")


def test_the_overview_downloads_the_milestones_csv_and_the_iati_file(
    web_system: WebSystem, page: Page
) -> None:
    milestone_id = plan_milestone(web_system, "Forum des associations de jeunes")
    sign_in(page, web_system, "fr")
    name, text = download(page, "Jalons (CSV)")
    assert name == "milestones.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0].startswith("partnership_id,milestone_id,phase,objective_id,")
    assert any(row["milestone_id"] == milestone_id for row in rows), "the new milestone is in it"

    name, text = download(page, "Activités IATI (XML)")
    assert name == "iati-activities.xml"
    root = etree.fromstring(text.encode())
    assert root.tag == "iati-activities"
    assert root.findall("iati-activity"), "the programme and its partnerships are activities"


def test_a_partnerships_csv_holds_its_milestones_only(web_system: WebSystem, page: Page) -> None:
    milestone_id = plan_milestone(web_system, "Échange de jeunes animateurs")
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    name, text = download(page, "Jalons (CSV)")
    assert name == f"milestones-{BERKANE}.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert milestone_id in {row["milestone_id"] for row in rows}
    assert {row["partnership_id"] for row in rows} == {BERKANE}


@pytest.mark.parametrize(
    ("language", "button", "title", "milestone"),
    [
        ("fr", "Français", "Rapport au bailleur", "Journée portes ouvertes du service jeunesse"),
        ("ar", "العربية", "تقرير إلى الجهة المانحة", "يوم الأبواب المفتوحة لمصلحة الشباب"),
    ],
)
def test_a_partnerships_page_downloads_its_funders_report_as_a_pdf(
    web_system: WebSystem, page: Page, language: str, button: str, title: str, milestone: str
) -> None:
    plan_milestone(
        web_system,
        "Journée portes ouvertes du service jeunesse",
        arabic="يوم الأبواب المفتوحة لمصلحة الشباب",
    )
    sign_in(page, web_system, "fr")
    open_partnership(page, web_system, BERKANE)
    with page.expect_download() as started:
        page.get_by_role("button", name=button).click()
    file = started.value
    assert file.suggested_filename == f"report-{BERKANE}-{language}.pdf"
    text = "\n".join(sheet.extract_text() for sheet in PdfReader(file.path()).pages)
    assert title in text
    assert milestone in text, "the milestone just planned is on the report's timeline"
