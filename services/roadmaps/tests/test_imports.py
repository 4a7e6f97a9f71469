"""Reading a roadmap sheet (CSV or XLSX): its header is checked before any row."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from imc_roadmaps.service_layer.imports import ImportRefused, read_sheet
from openpyxl import Workbook


def test_a_csv_sheet_reads_as_rows_keyed_by_header() -> None:
    rows = read_sheet(
        "milestone_id,title_fr,title_ar,due_date,responsible_municipality_id\n"
        "m1,Lancement,إطلاق,2027-06-30,berkane\n".encode(),
        "csv",
    )
    assert rows == [
        {
            "milestone_id": "m1",
            "title_fr": "Lancement",
            "title_ar": "إطلاق",
            "due_date": "2027-06-30",
            "responsible_municipality_id": "berkane",
        }
    ]


def test_an_xlsx_sheet_reads_dates_and_numbers_as_text() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["milestone_id", "title_nl", "due_date", "responsible_municipality_id", "weight"])
    sheet.append(["m1", "Opening", dt.datetime(2027, 6, 30), "saint-gilles", 2.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    [row] = read_sheet(buffer.getvalue(), "xlsx")
    assert (row["due_date"], row["weight"]) == ("2027-06-30", "2")


def test_unknown_and_missing_columns_are_named_on_row_1() -> None:
    with pytest.raises(ImportRefused) as refused:
        read_sheet(b"milestone_id,title_fr,deadline\n", "csv")
    problems = {(p.row, p.column, p.code) for p in refused.value.problems}
    assert (1, "deadline", "unknown_column") in problems
    assert (1, "due_date", "missing_column") in problems
    assert (1, "responsible_municipality_id", "missing_column") in problems


def test_a_file_that_is_not_a_workbook_is_refused_not_crashed_on() -> None:
    with pytest.raises(ImportRefused) as refused:
        read_sheet(b"not a zip", "xlsx")
    assert refused.value.problems[0].code == "unreadable"
