"""The funder's report: what a partnership (or the whole programme) did in a phase, from the
same read models the web shows — roadmap status by objective, the milestone timeline,
indicators' targets against actuals, the people reached by group and sex, the phase's
evaluation (and the one before, to compare), and the evidence.

These functions gather the figures; ``adapters/reports.py`` writes them as HTML and PDF in
a language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from imc_contracts import PROGRAMME_KEY
from imc_contracts.common import DAC_CRITERIA

from imc_roadmaps.service_layer.ports import RoadmapsRepository
from imc_roadmaps.service_layer.views import dashboard, roadmap_view


def _previous(phase: str, phases: list[str]) -> str | None:
    earlier = [p for p in phases if p < phase]
    return max(earlier) if earlier else None


def _indicator(indicator: dict[str, Any]) -> dict[str, Any]:
    """An indicator's periods, each dimension's target beside its actual."""
    periods = []
    for period in indicator["periods"]:
        rows: dict[tuple[str | None, str | None], dict[str, Any]] = {}
        for kind in ("targets", "actuals"):
            for value in period.get(kind, []):
                key = (value.get("group"), value.get("sex"))
                row = rows.setdefault(
                    key, {"group": key[0], "sex": key[1], "target": None, "actual": None}
                )
                row["target" if kind == "targets" else "actual"] = (
                    value.get("value") if value.get("value") is not None else value.get("text")
                )
        periods.append({"period_id": period["period_id"], "rows": list(rows.values())})
    return {
        "indicator_id": indicator["indicator_id"],
        "title": indicator["title"],
        "measure": indicator["measure"],
        "unit": indicator.get("unit"),
        "example": bool(indicator.get("example")),
        "periods": periods,
    }


async def partnership_report(
    store: RoadmapsRepository, partnership_id: str, phase: str, today: dt.date
) -> dict[str, Any] | None:
    view = await roadmap_view(store, partnership_id, phase, today)
    if view is None:
        return None
    partnership = await store.partnership_document(partnership_id) or {}
    municipalities = {m["_id"]: m for m in await store.municipality_documents()}
    milestones = [m for o in view["objectives"] for m in o["milestones"]]
    milestones += view["milestones_without_objective"]
    indicators = [i for o in view["objectives"] for i in o["indicators"]]
    indicators += view["indicators_without_objective"]
    evaluations = {e["phase"]: e for e in await store.evaluations_of(partnership_id)}
    facts = await _programme_facts(store)
    previous = _previous(phase, [p["phase_id"] for p in facts["phases"]])
    return {
        "kind": "partnership",
        "criteria": list(DAC_CRITERIA),
        "partnership_id": partnership_id,
        "name": view["name"],
        "phase": phase,
        "generated_on": today.isoformat(),
        "programme": facts,
        "municipalities": {
            key: municipalities.get(partnership.get(key), {}).get("names", {})
            for key in ("moroccan_municipality_id", "belgian_municipality_id")
        },
        "example": view["example"],
        "progress": view["progress"],
        "milestones_counted": view["milestones_counted"],
        "milestones_reached": view["milestones_reached"],
        "objectives": [
            {
                "objective_id": o["objective_id"],
                "title": o["title"],
                "theme": o["theme"],
                "progress": o["progress"],
                # As the roll-up counts them: a cancelled milestone is not the objective's work.
                "milestones": sum(1 for m in o["milestones"] if m["status"] != "cancelled"),
                "reached": sum(1 for m in o["milestones"] if m["status"] == "reached"),
                "example": bool(o.get("example")),
            }
            for o in view["objectives"]
        ],
        "timeline": [
            {
                **m,
                "responsible": municipalities.get(m["responsible_municipality_id"], {}).get(
                    "names", {"fr": m["responsible_municipality_id"]}
                ),
            }
            for m in sorted(milestones, key=lambda m: m["due_date"])
        ],
        "indicators": [_indicator(i) for i in indicators],
        "beneficiaries": view["beneficiaries"],
        "evaluation": _evaluation(evaluations.get(phase)),
        "previous_phase": previous,
        "previous_evaluation": _evaluation(evaluations.get(previous)) if previous else None,
        "evidence": view["evidence"],
    }


def _evaluation(evaluation: dict[str, Any] | None) -> dict[str, Any] | None:
    if evaluation is None:
        return None
    return {
        "phase": evaluation["phase"],
        "ratings": {criterion: evaluation.get(criterion) for criterion in DAC_CRITERIA},
        "findings": evaluation.get("findings", {}),
        "lessons": evaluation.get("lessons", {}),
        "example": bool(evaluation.get("example")),
    }


async def _programme_facts(store: RoadmapsRepository) -> dict[str, Any]:
    programme = await store.programme_document() or {}
    organisations = await store.organisation_documents()

    def names(organisation_id: str | None) -> dict[str, str]:
        if organisation_id is None:
            return {}
        return dict(organisations.get(organisation_id, {}).get("names") or {"fr": organisation_id})

    return {
        "names": programme.get("names", {}),
        "funder": names(programme.get("funder_id")),
        "coordinators": [names(key) for key in programme.get("coordinating_organisation_ids", [])],
        "iati_identifier": programme.get("iati_identifier"),
        "phases": [
            {key: phase.get(key) for key in ("phase_id", "start", "end", "status")}
            for phase in programme.get("phases", [])
        ],
    }


async def programme_report(store: RoadmapsRepository, phase: str, today: dt.date) -> dict[str, Any]:
    """The whole programme in a phase: its figures and each partnership's line."""
    figures = await dashboard(store, phase)
    names = {p["_id"]: p.get("name", {}) for p in await store.partnership_documents()}
    facts = await _programme_facts(store)
    roadmaps = sorted(
        (r for r in await store.roadmaps_in(phase) if r["partnership_id"] != PROGRAMME_KEY),
        key=lambda r: r["partnership_id"],
    )
    evaluated: dict[str, list[dict[str, Any]]] = {}
    evidence: list[dict[str, Any]] = []
    for partnership_id in names:
        for evaluation in await store.evaluations_of(partnership_id):
            evaluated.setdefault(evaluation["phase"], []).append(evaluation)
        evidence += [
            {**item, "partnership": names[partnership_id]}
            for item in await store.evidence_of(partnership_id)
            if item["phase"] == phase
        ]
    return {
        "kind": "programme",
        "criteria": list(DAC_CRITERIA),
        "phase": phase,
        "generated_on": today.isoformat(),
        "programme": facts,
        "example": bool(figures.get("example_milestones")),
        "progress": figures["progress"],
        "milestones_counted": figures["milestones"],
        "milestones_reached": figures["milestones_reached"],
        "themes": figures["themes"],
        "beneficiaries": figures["beneficiaries"],
        "partnerships": [
            {
                "partnership_id": r["partnership_id"],
                "name": names.get(r["partnership_id"], {}),
                "progress": r.get("progress", 0.0),
                "milestones": r.get("milestones", 0),
                "reached": r.get("reached", 0),
                "beneficiaries": sum(r.get("beneficiaries", {}).values()),
            }
            for r in roadmaps
        ],
        "evaluations": {
            evaluated_phase: _mean_ratings(entries) | {"count": len(entries)}
            for evaluated_phase, entries in sorted(evaluated.items())
        },
        "evidence": sorted(evidence, key=lambda item: item["attached_at"]),
    }


def _mean_ratings(evaluations: list[dict[str, Any]]) -> dict[str, Any]:
    means: dict[str, Any] = {}
    for criterion in DAC_CRITERIA:
        values = [e[criterion] for e in evaluations if e.get(criterion) is not None]
        means[criterion] = round(sum(values) / len(values), 1) if values else None
    return means
