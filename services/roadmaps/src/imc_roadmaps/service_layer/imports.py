"""Import a roadmap from a CSV or XLSX sheet: one row per milestone, all or nothing.

Columns (header row, any order): ``milestone_id`` (the external id), ``title_ar``,
``title_fr``, ``title_nl``, ``title_en`` (at least one), ``due_date`` (YYYY-MM-DD),
``responsible_municipality_id``, and optionally ``objective_id``, ``phase``, ``weight``,
``target``, ``backfill`` (yes/no), plus ``objective_theme`` and ``objective_title_<lang>`` to
create an objective the roadmap does not have yet.

Every row is checked against the same rules as a request from the registry before anything
is written; one error anywhere and nothing is imported, and every error names its row and
column. Each change is then written with an id made of the import's key and the row, so an
import interrupted half-way is finished, not doubled, by sending it again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from imc_contracts import LANGUAGES, Actor, Event, Language
from imc_contracts.roadmaps import ObjectivePlanned, ObjectivePlannedPayload
from imc_runtime.commitlog import commit_id
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from imc_roadmaps.adapters.store import RoadmapsStore, objective_stream
from imc_roadmaps.domain.model import Milestone, ObjectiveRef, Refused, plan_milestone
from imc_roadmaps.domain.reasons import reason
from imc_roadmaps.service_layer.handlers import milestone_decision

MAX_ROWS = 2000
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
COLUMN_OF_RULE = {
    "milestone_exists": "milestone_id",
    "responsible_not_partner": "responsible_municipality_id",
    "due_date_past": "due_date",
    "objective_unknown": "objective_id",
    "phase_unknown": "phase",
    "phase_mismatch": "phase",
}


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


@dataclass(frozen=True)
class Imported:
    milestones: int
    objectives: int
    already_imported: int


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


async def import_roadmap(
    store: RoadmapsStore,
    partnership_id: str,
    rows: list[Row],
    *,
    key: str,
    actor: Actor,
    today: dt.date,
    language: Language | None,
) -> Imported:
    """Check every row, then write them all; ``ImportRefused`` lists every problem found."""
    partnership = await store.partnership(partnership_id)
    if partnership is None:
        raise ImportRefused(
            [
                ImportProblem(
                    1,
                    "-",
                    "partnership_unknown",
                    reason("partnership_unknown", language, partnership_id=partnership_id),
                )
            ]
        )
    problems: list[ImportProblem] = []
    objectives: dict[str, ObjectivePlanned] = {}
    planned: list[tuple[int, Milestone, list[Event]]] = []
    seen: dict[str, int] = {}
    already = 0

    def problem(row: int, column: str, code: str, message: str) -> None:
        problems.append(ImportProblem(row, column, code, message))

    for index, row in enumerate(rows, start=2):  # row 1 is the header
        milestone_id = row.get("milestone_id", "")
        if not milestone_id:
            problem(index, "milestone_id", "required", "milestone_id is empty")
            continue
        if milestone_id in seen:
            problem(
                index,
                "milestone_id",
                "repeated",
                f"{milestone_id} is also on row {seen[milestone_id]}",
            )
            continue
        seen[milestone_id] = index
        if await store.commits.get(_row_id(key, partnership_id, milestone_id)) is not None:
            already += 1  # written by an earlier attempt of this same import
            continue
        title: dict[Language, str] = {
            language: row[f"title_{language}"]
            for language in LANGUAGES
            if row.get(f"title_{language}")
        }
        if not title:
            problem(index, "title_fr", "required", "at least one title is required")
        try:
            due_date = dt.date.fromisoformat(row.get("due_date", ""))
        except ValueError:
            problem(
                index,
                "due_date",
                "invalid_date",
                f"{row.get('due_date')!r} is not a date (YYYY-MM-DD)",
            )
            continue
        weight: float | None = None
        if row.get("weight"):
            try:
                weight = float(row["weight"])
                if not 0 < weight <= 1000:
                    raise ValueError
            except ValueError:
                problem(
                    index,
                    "weight",
                    "invalid_weight",
                    f"{row['weight']!r} is not a weight above 0 and up to 1000",
                )
        backfill_text = row.get("backfill", "").lower()
        if backfill_text not in ("", "yes", "no", "true", "false", "1", "0"):
            problem(index, "backfill", "invalid_flag", f"{row['backfill']!r} is not yes or no")
        objective_ref = None
        objective_id = row.get("objective_id") or None
        if objective_id:
            found = await store.objective(partnership_id, objective_id)
            if found is not None:
                objective_ref = ObjectiveRef(found.id, found.phase)
            elif objective_id in objectives:
                objective_ref = ObjectiveRef(objective_id, objectives[objective_id].payload.phase)
            elif row.get("objective_theme"):
                phase = row.get("phase") or ""
                objective_title: dict[Language, str] = {
                    language: row[f"objective_title_{language}"]
                    for language in LANGUAGES
                    if row.get(f"objective_title_{language}")
                }
                if not phase:
                    problem(index, "phase", "required", "a new objective needs its phase")
                elif partnership.phases and phase not in partnership.phases:
                    problem(
                        index,
                        "phase",
                        "phase_unknown",
                        reason(
                            "phase_unknown", language, phase=phase, partnership_id=partnership_id
                        ),
                    )
                elif not objective_title:
                    problem(
                        index, "objective_title_fr", "required", "a new objective needs a title"
                    )
                else:
                    objectives[objective_id] = ObjectivePlanned.create(
                        ObjectivePlannedPayload(
                            objective_id=objective_id,
                            phase=phase,
                            theme=row["objective_theme"],
                            title=objective_title,
                        ),
                        partnership_id=partnership_id,
                        correlation_id=f"import:{key}"[:200],
                        actor=actor,
                    )
                    objective_ref = ObjectiveRef(objective_id, phase)
        if not title or (weight is None and row.get("weight")):
            continue
        try:
            event = plan_milestone(
                partnership=partnership,
                existing=await store.milestone(partnership_id, milestone_id),
                partnership_id=partnership_id,
                milestone_id=milestone_id,
                title=title,
                due_date=due_date,
                responsible_municipality_id=row.get("responsible_municipality_id", ""),
                target=row.get("target") or None,
                today=today,
                cause=None,
                submission_id=None,
                actor=actor,
                objective=objective_ref,
                objective_id=objective_id,
                phase=row.get("phase") or None,
                weight=weight,
                backfill=backfill_text in ("yes", "true", "1"),
            )
        except Refused as refused:
            problem(
                index,
                COLUMN_OF_RULE.get(refused.code, "-"),
                refused.code,
                reason(refused.code, language, **refused.details),
            )
            continue
        milestone = Milestone.from_history([event])
        assert milestone is not None
        planned.append((index, milestone, [event]))
    if problems:
        raise ImportRefused(problems)

    for objective_id, objective in objectives.items():
        await store.record(
            commit_id("import", key, partnership_id, "objective", objective_id),
            objective_stream(partnership_id, objective_id),
            0,
            [objective],
        )
    for _, milestone, events in planned:
        decision = await milestone_decision(
            store, milestone, events, None, before=None, actor=actor
        )
        await store.record(
            _row_id(key, partnership_id, milestone.id),
            decision.stream,
            decision.expected_version,
            decision.events,
        )
    return Imported(len(planned), len(objectives), already)


def _row_id(key: str, partnership_id: str, milestone_id: str) -> str:
    return commit_id("import", key, partnership_id, "milestone", milestone_id)
