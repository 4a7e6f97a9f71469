"""Read a roadmap sheet — CSV or XLSX, one row per milestone — and check its form.

Columns (header row, any order): ``milestone_id`` (the external id), ``title_ar``,
``title_fr``, ``title_nl``, ``title_en`` (at least one), ``due_date`` (YYYY-MM-DD),
``responsible_municipality_id``, and optionally ``objective_id``, ``phase``, ``weight``,
``target``, ``backfill`` (yes/no), plus ``objective_theme`` and ``objective_title_<lang>`` to
create an objective the roadmap does not have yet.

The registry checks what it can see in the sheet itself — columns, dates, numbers, flags,
repeated ids, sizes — and names the row and column of every problem at once. What depends
on the roadmap (a milestone that exists already, a due date in the past, an objective's
phase) roadmaps checks when it applies the sheet, all or nothing, and answers on the
submission, again row by row.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from imc_contracts import LANGUAGES, Language
from imc_contracts.registry import RoadmapRow
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError

from imc_registry.domain.roadmap_requests import SheetRow

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_ROWS = 300
"""One import is one event; 300 rows of four-language titles stay well inside Kafka's 1 MB."""
MAX_COLUMNS = 40
"""The known columns are 21; a sheet with more than this is not a roadmap sheet."""
MAX_SCANNED_ROWS = 2000
"""Rows read at most, empty ones too: a sheet's trailing empty rows are dropped, but a
sheet of half a million empty rows is refused after this many, not read to its end."""
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 16 * 1024 * 1024
"""An XLSX is a zip: what its parts may unpack to, together (a 300-row sheet is ~1 MB)."""
MAX_RATIO = 100
"""An XLSX part over 1 MB unpacking to more than this many times its packed size is a zip
bomb (XML compresses 5 to 20 times)."""
READ_SECONDS = 10.0
READING_AT_ONCE = 2
"""Sheets read at the same time (each in a thread, off the event loop); others wait."""
REQUIRED = ("milestone_id", "due_date", "responsible_municipality_id")
KNOWN = frozenset(
    {
        *REQUIRED,
        "objective_id",
        "phase",
        "weight",
        "target",
        "backfill",
        "objective_theme",
        *(f"title_{language}" for language in LANGUAGES),
        *(f"objective_title_{language}" for language in LANGUAGES),
    }
)
FLAGS = {"": False, "no": False, "false": False, "0": False, "yes": True, "true": True, "1": True}


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    code: str
    message: str


class ImportRefused(Exception):
    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


Row = dict[str, str]


_reading = asyncio.Semaphore(READING_AT_ONCE)


async def read_sheet_off_loop(content: bytes, kind: str) -> list[Row]:
    """``read_sheet`` in a thread, at most ``READ_SECONDS``: the service goes on answering
    (its probes, its consumers) while a sheet is read."""
    async with _reading:
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(read_sheet, content, kind), READ_SECONDS
            )
        except TimeoutError:
            raise ImportRefused(
                [
                    ImportProblem(
                        1, "-", "too_slow", f"the sheet took over {READ_SECONDS:g} s to read"
                    )
                ]
            ) from None


def read_sheet(content: bytes, kind: str) -> list[Row]:
    """The sheet's rows as text cells keyed by header, from CSV (UTF-8) or XLSX; the limits
    above hold before the work they bound."""
    try:
        if kind == "xlsx":
            _check_package(content)
        rows = _bounded(_xlsx_rows(content) if kind == "xlsx" else _csv_rows(content))
    except ImportRefused:
        raise
    except (
        ValueError,
        KeyError,
        OSError,
        zipfile.BadZipFile,
        csv.Error,
        InvalidFileException,
    ) as error:
        message = f"unreadable {kind}: {type(error).__name__}: {error}"
        raise ImportRefused([ImportProblem(1, "-", "unreadable", message[:300])]) from error
    if not rows:
        raise ImportRefused([ImportProblem(1, "-", "empty", "the sheet has no header row")])
    header = [cell.strip() for cell in rows[0]]
    problems = [
        ImportProblem(1, name, "unknown_column", f"unknown column {name!r}")
        for name in header
        if name and name not in KNOWN
    ]
    problems += [
        ImportProblem(1, name, "repeated_column", f"column {name!r} is there {count} times")
        for name, count in Counter(name for name in header if name).items()
        if count > 1
    ]
    problems += [
        ImportProblem(1, name, "missing_column", f"column {name!r} is required")
        for name in REQUIRED
        if name not in header
    ]
    if not any(f"title_{language}" in header for language in LANGUAGES):
        problems.append(
            ImportProblem(1, "title_fr", "missing_column", "a title_<language> column is required")
        )
    if len(rows) - 1 > MAX_ROWS:
        problems.append(
            ImportProblem(MAX_ROWS + 2, "-", "too_many_rows", f"at most {MAX_ROWS} rows")
        )
    if problems:
        raise ImportRefused(problems)
    return [
        {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header) if name}
        for row in rows[1:]
    ]


def _check_package(content: bytes) -> None:
    """Refuse an XLSX whose zip would unpack to too much, before anything unpacks it."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        entries = package.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        _refuse("too_many_parts", f"the workbook has over {MAX_ZIP_ENTRIES} parts")
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        _refuse("too_large", f"the workbook unpacks to over {MAX_UNCOMPRESSED_BYTES} bytes")
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            _refuse(
                "zip_bomb", f"{entry.filename[:60]!r} unpacks to over {MAX_RATIO} times its size"
            )


def _refuse(code: str, message: str) -> None:
    raise ImportRefused([ImportProblem(1, "-", code, message)])


def _bounded(rows: Iterator[list[str]]) -> list[list[str]]:
    """At most ``MAX_SCANNED_ROWS`` rows of ``MAX_COLUMNS`` cells, trailing empty ones
    dropped; refused beyond, without reading the rest."""
    found: list[list[str]] = []
    for row in rows:
        if len(found) == MAX_SCANNED_ROWS:
            _refuse("too_many_rows", f"the sheet has over {MAX_SCANNED_ROWS} rows, empty ones too")
        if any(cell.strip() for cell in row[MAX_COLUMNS:]):
            _refuse("too_many_columns", f"the sheet has over {MAX_COLUMNS} columns")
        found.append(row[:MAX_COLUMNS])
    while found and not any(cell.strip() for cell in found[-1]):
        found.pop()
    return found


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = content.decode("utf-8-sig")
    # Excel in French or Dutch saves "CSV" with semicolons: the header line says which.
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # Bounded here too: read-only openpyxl parses a row only when it is asked for.
        for values in sheet.iter_rows(
            max_row=MAX_SCANNED_ROWS + 1, max_col=MAX_COLUMNS + 1, values_only=True
        ):
            yield [_text(value) for value in values]
    finally:
        workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def milestone_rows(rows: list[Row]) -> list[RoadmapRow]:
    """The sheet's rows as milestones, or ``ImportRefused`` naming every problem's cell."""
    problems: list[ImportProblem] = []
    found: list[RoadmapRow] = []
    seen: dict[str, int] = {}

    def problem(row: int, column: str, code: str, message: str) -> None:
        problems.append(ImportProblem(row, column, code, message))

    if not rows:
        problem(2, "-", "empty", "the sheet has a header but no rows")
    for index, row in enumerate(rows, start=2):  # row 1 is the header
        milestone_id = row.get("milestone_id", "")
        if not milestone_id:
            problem(index, "milestone_id", "required", "milestone_id is empty")
            continue
        if milestone_id in seen:
            message = f"{milestone_id} is also on row {seen[milestone_id]}"
            problem(index, "milestone_id", "repeated", message)
            continue
        seen[milestone_id] = index
        cells = _cells(row, index, problem)
        if cells is None:
            continue
        try:
            checked = SheetRow.model_validate(cells)
            found.append(RoadmapRow(row=index, **checked.model_dump()))
        except ValidationError as error:
            for item in error.errors():
                column = str(item["loc"][0]) if item["loc"] else "-"
                problem(index, COLUMNS.get(column, column), "invalid", str(item["msg"]))
    if problems:
        raise ImportRefused(problems)
    return found


COLUMNS = {"title": "title_fr", "objective_title": "objective_title_fr"}
"""A field of a row that spans several columns, by the column its problems name."""


def _cells(
    row: Row, index: int, problem: Callable[[int, str, str, str], None]
) -> dict[str, Any] | None:
    """A row's cells as a ``RoadmapRow``'s fields; ``None`` when one cannot be read."""
    title = _localized(row, "title_")
    if not title:
        problem(index, "title_fr", "required", "at least one title is required")
    try:
        due = row.get("due_date", "")
        if not ISO_DATE.fullmatch(due):  # fromisoformat takes 2027-W26 and 20270630 too
            raise ValueError(due)
        due_date = dt.date.fromisoformat(due)
    except ValueError:
        problem(index, "due_date", "invalid_date", f"{due!r} is not a date (YYYY-MM-DD)")
        return None
    weight: float | None = None
    if row.get("weight"):
        try:
            weight = float(row["weight"])
            if not 0 < weight <= 1000:
                raise ValueError
        except ValueError:
            message = f"{row['weight']!r} is not a weight above 0 and up to 1000"
            problem(index, "weight", "invalid_weight", message)
            return None
    flag = row.get("backfill", "").lower()
    if flag not in FLAGS:
        problem(index, "backfill", "invalid_flag", f"{row['backfill']!r} is not yes or no")
        return None
    if not title:
        return None
    return {
        "milestone_id": row["milestone_id"],
        "title": title,
        "due_date": due_date,
        "responsible_municipality_id": row.get("responsible_municipality_id", ""),
        "objective_id": row.get("objective_id") or None,
        "phase": row.get("phase") or None,
        "weight": weight,
        "target": row.get("target") or None,
        "backfill": FLAGS[flag],
        "objective_theme": row.get("objective_theme") or None,
        "objective_title": _localized(row, "objective_title_"),
    }


def _localized(row: Row, prefix: str) -> dict[Language, str]:
    return {
        language: row[prefix + language] for language in LANGUAGES if row.get(prefix + language)
    }
