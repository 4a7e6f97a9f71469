"""Reading a roadmap sheet (CSV or XLSX): its header first, then every row's form, each
problem named by row and column."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

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


def workbook_with_sheet_xml(sheet_xml: bytes) -> bytes:
    """A real workbook (openpyxl's) whose first sheet is ``sheet_xml``, as an attacker would
    make one by hand."""
    workbook = Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(entry.filename, data)
    return out.getvalue()


def rows_sheet(rows: int, *, numbered: bool) -> bytes:
    """``rows`` rows of one empty cell each; unnumbered, they are identical and zip to
    almost nothing."""
    row = b'<row><c t="inlineStr"><is><t></t></is></c></row>'
    cells = (
        b"".join(
            b'<row r="%d"><c r="A%d" t="inlineStr"><is><t></t></is></c></row>' % (n, n)
            for n in range(1, rows + 1)
        )
        if numbered
        else row * rows
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + cells + b"</sheetData></worksheet>"
    )


def test_a_small_workbook_of_half_a_million_empty_rows_is_refused_before_it_is_read() -> None:
    content = workbook_with_sheet_xml(rows_sheet(500_000, numbered=False))
    assert len(content) < 200_000  # what froze the registry was its unpacked size
    with pytest.raises(ImportRefused) as refused:
        read_sheet(content, "xlsx")
    assert [p.code for p in refused.value.problems] in (["too_large"], ["zip_bomb"])


def test_a_sheet_of_thousands_of_empty_rows_is_refused_after_the_limit() -> None:
    content = workbook_with_sheet_xml(rows_sheet(5_000, numbered=True))
    with pytest.raises(ImportRefused) as refused:
        read_sheet(content, "xlsx")
    assert [p.code for p in refused.value.problems] == ["too_many_rows"]


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/sharedStrings.xml", b"\0" * (64 * 1024 * 1024))
    with pytest.raises(ImportRefused) as refused:
        read_sheet(out.getvalue(), "xlsx")
    assert refused.value.problems[0].code in ("too_large", "zip_bomb")


def test_a_workbook_of_many_parts_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for n in range(500):
            package.writestr(f"part{n}.xml", b"<x/>")
    with pytest.raises(ImportRefused) as refused:
        read_sheet(out.getvalue(), "xlsx")
    assert refused.value.problems[0].code == "too_many_parts"


def test_a_sheet_wider_than_any_roadmap_is_refused() -> None:
    header = ",".join(["milestone_id", *(f"c{n}" for n in range(100))])
    with pytest.raises(ImportRefused) as refused:
        read_sheet(f"{header}\n".encode(), "csv")
    assert refused.value.problems[0].code == "too_many_columns"


def test_a_csv_of_many_rows_is_refused_after_the_limit() -> None:
    content = (HEADER + "\n" * 100_000).encode()
    with pytest.raises(ImportRefused) as refused:
        read_sheet(content, "csv")
    assert refused.value.problems[0].code == "too_many_rows"


def test_trailing_empty_rows_of_a_workbook_are_not_rows() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["milestone_id", "title_fr", "due_date", "responsible_municipality_id"])
    sheet.append(["m1", "Ouverture", "2027-06-30", "berkane"])
    for _ in range(50):
        sheet.append([None, None])
    sheet.cell(row=60, column=1).value = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [row["milestone_id"] for row in read_sheet(buffer.getvalue(), "xlsx")] == ["m1"]


def test_a_column_given_twice_is_refused_not_taken_from_its_last_copy() -> None:
    with pytest.raises(ImportRefused) as refused:
        read_sheet(
            b"milestone_id,title_fr,due_date,responsible_municipality_id,due_date\n"
            b"m1,Lancement,2027-06-30,berkane,2030-01-01\n",
            "csv",
        )
    assert [(p.row, p.column, p.code) for p in refused.value.problems] == [
        (1, "due_date", "repeated_column")
    ]


def test_a_csv_with_semicolons_as_french_and_dutch_excel_save_it_reads_the_same() -> None:
    rows = read_sheet(
        b"milestone_id;title_fr;due_date;responsible_municipality_id\n"
        b"m1;Lancement, phase 1;2027-06-30;berkane\n",
        "csv",
    )
    assert rows == [
        {
            "milestone_id": "m1",
            "title_fr": "Lancement, phase 1",
            "due_date": "2027-06-30",
            "responsible_municipality_id": "berkane",
        }
    ]


@pytest.mark.parametrize("written", ["2027-W26", "20270630", "2027-06-30T00:00"])
def test_a_due_date_is_a_day_written_yyyy_mm_dd(written: str) -> None:
    sheet = (HEADER + f"m1,Lancement,إطلاق,{written},berkane,,,\n").encode()
    with pytest.raises(ImportRefused) as refused:
        milestone_rows(read_sheet(sheet, "csv"))
    assert [(p.column, p.code) for p in refused.value.problems] == [("due_date", "invalid_date")]
