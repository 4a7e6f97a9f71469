"""Reading a roadmap sheet (CSV or XLSX): its header first, then every row's form, each
problem named by row and column."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from imc_registry.service_layer.sheets import ImportRefused, milestone_rows, read_sheet
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


HEADER = (
    "milestone_id,title_fr,title_ar,due_date,responsible_municipality_id,weight,backfill,phase\n"
)


def test_rows_become_milestones_with_their_row_numbers() -> None:
    rows = milestone_rows(
        read_sheet(
            (HEADER + "m1,Lancement,إطلاق,2027-06-30,berkane,2,yes,2022-2026\n").encode(), "csv"
        )
    )
    [row] = rows
    assert (row.row, row.milestone_id, row.weight, row.backfill) == (2, "m1", 2.0, True)
    assert row.title == {"fr": "Lancement", "ar": "إطلاق"}
    assert row.due_date == dt.date(2027, 6, 30)


def test_every_problem_of_form_is_named_by_row_and_column_at_once() -> None:
    sheet = HEADER + (
        "m1,Un,,2027-06-30,berkane,,,\n"
        "m1,Deux,,2027-06-30,berkane,,,\n"
        "m3,,,2027-06-30,berkane,,,\n"
        "m4,Quatre,,30/06/2027,berkane,,,\n"
        "m5,Cinq,,2027-06-30,berkane,-4,,\n"
        "m6,Six,,2027-06-30,berkane,,perhaps,\n"
        "M 7,Sept,,2027-06-30,berkane,,,\n"
        "m8,Huit,,2027-06-30,berkane,,,next\n"
        ",Neuf,,2027-06-30,berkane,,,\n"
    )
    with pytest.raises(ImportRefused) as refused:
        milestone_rows(read_sheet(sheet.encode(), "csv"))
    assert {(p.row, p.column, p.code) for p in refused.value.problems} == {
        (3, "milestone_id", "repeated"),
        (4, "title_fr", "required"),
        (5, "due_date", "invalid_date"),
        (6, "weight", "invalid_weight"),
        (7, "backfill", "invalid_flag"),
        (8, "milestone_id", "invalid"),
        (9, "phase", "invalid"),
        (10, "milestone_id", "required"),
    }


def test_a_sheet_with_a_header_and_no_rows_is_refused() -> None:
    with pytest.raises(ImportRefused) as refused:
        milestone_rows(read_sheet(HEADER.encode(), "csv"))
    assert refused.value.problems[0].code == "empty"
