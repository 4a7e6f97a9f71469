"""Exports as CSV: a roadmap's milestones, and its indicators (baseline, target and actual per
period, group and sex), one row each."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Any

from imc_contracts import LANGUAGES
from imc_runtime.text import without_unwanted

from imc_roadmaps.service_layer.ports import RoadmapsRepository
from imc_roadmaps.service_layer.views import display_status

# -- CSV -------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula, and with no character a
    reader may stop at (a NUL, say, in a record stored before inputs refused them)."""
    text = "" if value is None else without_unwanted(str(value))
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


async def milestones_csv(
    store: RoadmapsRepository, today: dt.date, partnership_id: str | None = None
) -> str:
    milestones = (
        await store.milestones_of(partnership_id)
        if partnership_id
        else sorted(await store.all_milestones(), key=lambda m: (m.partnership_id, m.due_date))
    )
    header = [
        "partnership_id",
        "milestone_id",
        "phase",
        "objective_id",
        *(f"title_{language}" for language in LANGUAGES),
        "due_date",
        "responsible_municipality_id",
        "status",
        "progress",
        "weight",
        "target",
        "backfill",
        "reached_on",
    ]
    return _csv(
        header,
        (
            [
                m.partnership_id,
                m.id,
                m.phase,
                m.objective_id,
                *(m.title.get(language, "") for language in LANGUAGES),
                m.due_date.isoformat(),
                m.responsible_municipality_id,
                display_status(m, today),
                m.progress,
                m.weight,
                m.target,
                "yes" if m.backfill else "",
                m.reached_on.isoformat() if m.reached_on else "",
            ]
            for m in milestones
        ),
    )


async def indicators_csv(store: RoadmapsRepository, partnership_id: str | None = None) -> str:
    """One row per indicator, period and dimension (group/sex; blank = total)."""
    indicators = (
        await store.indicators_of(partnership_id)
        if partnership_id
        else await store.all_indicators()
    )
    header = [
        "partnership_id",
        "indicator_id",
        "objective_id",
        *(f"title_{language}" for language in LANGUAGES),
        "measure",
        "unit",
        "baseline",
        "baseline_year",
        "period_id",
        "period_start",
        "period_end",
        "group",
        "sex",
        "target",
        "actual",
        "actual_text",
    ]
    rows: list[list[object]] = []
    for i in sorted(indicators, key=lambda i: (i["partnership_id"], i["indicator_id"])):
        common = [
            i["partnership_id"],
            i["indicator_id"],
            i["objective_id"],
            *(i["title"].get(language, "") for language in LANGUAGES),
            i["measure"],
            i["unit"],
            (i["baseline"] or {}).get("value"),
            i["baseline_year"],
        ]
        if not i["periods"]:
            rows.append([*common, *[""] * 8])
        for period in i["periods"]:
            targets = {_dimension(t): t for t in period["targets"]}
            actuals = {_dimension(a): a for a in period["actuals"]}
            for key in sorted(set(targets) | set(actuals), key=lambda k: (k[0] or "", k[1] or "")):
                target, actual = targets.get(key, {}), actuals.get(key, {})
                rows.append(
                    [
                        *common,
                        period["period_id"],
                        period["start"],
                        period["end"],
                        key[0],
                        key[1],
                        target.get("value"),
                        actual.get("value"),
                        actual.get("text"),
                    ]
                )
            if not targets and not actuals:
                rows.append(
                    [*common, period["period_id"], period["start"], period["end"], *[""] * 5]
                )
    return _csv(header, rows)


def _dimension(value: Mapping[str, Any]) -> tuple[str | None, str | None]:
    return (value.get("group"), value.get("sex"))
