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

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from imc_contracts import LANGUAGES, Language
from imc_contracts.registry import RoadmapRow
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError

from imc_registry.domain.commands import SheetRow

MAX_ROWS = 300
"""One import is one event; 300 rows of four-language titles stay well inside Kafka's 1 MB."""
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


def read_sheet(content: bytes, kind: str) -> list[Row]:
    """The sheet's rows as text cells keyed by header, from CSV (UTF-8) or XLSX."""
    try:
        rows = list(_xlsx_rows(content) if kind == "xlsx" else _csv_rows(content))
    except (
        ValueError,
        KeyError,
        OSError,
        zipfile.BadZipFile,
        csv.Error,
        InvalidFileException,
    ) as error:
        raise ImportRefused(
            [ImportProblem(1, "-", "unreadable", f"unreadable {kind}: {error}")]
        ) from error
    if not rows:
        raise ImportRefused([ImportProblem(1, "-", "empty", "the sheet has no header row")])
    header = [cell.strip() for cell in rows[0]]
    problems = [
        ImportProblem(1, name, "unknown_column", f"unknown column {name!r}")
        for name in header
        if name and name not in KNOWN
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


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    yield from csv.reader(io.StringIO(content.decode("utf-8-sig")))


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
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
        due_date = dt.date.fromisoformat(row.get("due_date", ""))
    except ValueError:
        due = row.get("due_date")
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
