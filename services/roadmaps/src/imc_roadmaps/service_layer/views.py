"""What the read API shows: roadmaps with their roll-ups, due lists, the dashboard, history.

Everything here reads projections (or, for a milestone's history, its log) and shapes them;
nothing here changes state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from imc_contracts import PROGRAMME_KEY

from imc_roadmaps.domain.model import MILESTONE_FIELDS, Milestone
from imc_roadmaps.domain.rollup import NO_OBJECTIVE, RoadmapFigures, roll_up_programme
from imc_roadmaps.domain.streams import milestone_stream, notice_stream
from imc_roadmaps.service_layer.phases import phase_span, read_only
from imc_roadmaps.service_layer.ports import RoadmapsRepository

BENEFICIARY_UNITS = frozenset({"people", "persons", "beneficiaries", "participants"})
"""Indicator units that count people: their targets are the programme's beneficiary targets."""

GROUPS = ("youth", "women", "disability", "migrants")
SEXES = ("female", "male", "unspecified")


def display_status(milestone: Milestone, today: dt.date) -> str:
    """Its status, or ``overdue`` when it is still open after its due date."""
    if milestone.status in ("planned", "in_progress") and milestone.due_date < today:
        return "overdue"
    return milestone.status


def milestone_view(milestone: Milestone, today: dt.date) -> dict[str, Any]:
    record: dict[str, Any] = MILESTONE_FIELDS.dump_python(milestone, mode="json")
    return {**record, "status": display_status(milestone, today)}


async def roadmap_view(
    store: RoadmapsRepository, partnership_id: str, phase: str, today: dt.date
) -> dict[str, Any] | None:
    partnership = await store.partnership_document(partnership_id)
    milestones = [m for m in await store.milestones_of(partnership_id) if m.phase == phase]
    every_objective = await store.objectives_of(partnership_id)
    objectives = [o for o in every_objective if o["phase"] == phase]
    if partnership is None and not milestones:
        return None
    rollup = await store.roadmap(partnership_id, phase) or {}
    progress_of = rollup.get("objectives", {})
    objective_ids = {o["objective_id"] for o in objectives}
    # An indicator of another phase's objective belongs to that phase, not to "no objective";
    # one of no objective, to the phases its periods fall in.
    elsewhere = {o["objective_id"] for o in every_objective} - objective_ids
    span = await phase_span(store, phase)
    indicators = [
        i
        for i in await store.indicators_of(partnership_id)
        if i["objective_id"] not in elsewhere
        and (i["objective_id"] in objective_ids or _measured_within(i, span))
    ]
    targets = await beneficiary_targets(store, [{"partnership_id": partnership_id, **rollup}])
    return {
        "partnership_id": partnership_id,
        "name": partnership.get("name", {}) if partnership else {},
        "phase": phase,
        "progress": rollup.get("progress", 0.0),
        "milestones_counted": rollup.get("milestones", 0),
        "milestones_reached": rollup.get("reached", 0),
        "example": any(m.example for m in milestones) or any(o.get("example") for o in objectives),
        "objectives": [
            {
                **objective,
                "progress": progress_of.get(objective["objective_id"], 0.0),
                "milestones": [
                    milestone_view(m, today)
                    for m in milestones
                    if m.objective_id == objective["objective_id"]
                ],
                "indicators": [
                    i for i in indicators if i["objective_id"] == objective["objective_id"]
                ],
            }
            for objective in objectives
        ],
        "milestones_without_objective": [
            milestone_view(m, today) for m in milestones if m.objective_id not in objective_ids
        ],
        "progress_without_objective": progress_of.get(NO_OBJECTIVE),
        "indicators_without_objective": [
            i for i in indicators if i["objective_id"] not in objective_ids
        ],
        "beneficiaries": beneficiary_rows(rollup.get("beneficiaries", {}), targets),
        "evaluation": next(
            (e for e in await store.evaluations_of(partnership_id) if e["phase"] == phase), None
        ),
        "evidence": [e for e in await store.evidence_of(partnership_id) if e["phase"] == phase],
    }


GROUPS = ("youth", "women", "disability", "migrants")
SEXES = ("female", "male", "unspecified")


def _group_order(key: str) -> tuple[int, int, str]:
    group, _, sex = key.partition("/")
    return (
        GROUPS.index(group) if group in GROUPS else len(GROUPS),
        SEXES.index(sex) if sex in SEXES else len(SEXES),
        key,
    )


def beneficiary_rows(reached: dict[str, int], targets: dict[str, int]) -> list[dict[str, Any]]:
    """People reached per group and sex beside their targets, groups in the programme's order."""
    return [
        {
            "group": key.split("/")[0],
            "sex": key.split("/")[1],
            "reached": int(reached.get(key, 0)),
            "target": targets.get(key),
        }
        for key in sorted(set(reached) | set(targets), key=_group_order)
    ]


def _measured_within(indicator: dict[str, Any], span: tuple[str, str] | None) -> bool:
    """Whether a period of the indicator overlaps ``span`` (ISO dates); without periods or
    a span to hold them to, it is shown."""
    periods = indicator.get("periods") or []
    if span is None or not periods:
        return True
    start, end = span
    return any(p["start"] <= end and p["end"] >= start for p in periods)


async def due_lists(
    store: RoadmapsRepository, today: dt.date, due_soon_days: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Open milestones past their due date, and those due within ``due_soon_days``, but
    none that is ``read_only``: a closed phase's or partnership's roadmap is history, not
    late work (what it left undone is in its report)."""
    history = await read_only(store)
    overdue: list[dict[str, Any]] = []
    due_soon: list[dict[str, Any]] = []
    for milestone in sorted(await store.open_milestones(), key=lambda m: m.due_date):
        days = (milestone.due_date - today).days
        if history.holds(milestone):
            continue
        if days < 0:
            overdue.append({**milestone_view(milestone, today), "days_overdue": -days})
        elif days <= due_soon_days:
            due_soon.append({**milestone_view(milestone, today), "days_left": days})
    return overdue, due_soon


async def dashboard(store: RoadmapsRepository, phase: str) -> dict[str, Any]:
    """Programme figures for a phase, from the roadmap roll-ups only (one small document per
    partnership), so it costs the same however many milestones each roadmap holds."""
    everything = await store.roadmaps_in(phase)
    # Programme-level milestones (joint workshops) are shown apart, not as an 11th partnership.
    roadmaps = [r for r in everything if r["partnership_id"] != PROGRAMME_KEY]
    joint = next((r for r in everything if r["partnership_id"] == PROGRAMME_KEY), None)
    figures = roll_up_programme(
        RoadmapFigures(
            partnership_id=r["partnership_id"],
            phase=r["phase"],
            progress=float(r["progress"]),
            weight=float(r.get("weight") or 0.0) or 1.0,
            objectives=r.get("objectives", {}),
            objective_weights=r.get("objective_weights", {}),
            objective_themes=r.get("objective_themes", {}),
        )
        for r in roadmaps
    )
    reached: dict[str, int] = {}
    for roadmap in roadmaps:
        for key, count in roadmap.get("beneficiaries", {}).items():
            reached[key] = reached.get(key, 0) + int(count)
    targets = await beneficiary_targets(store, roadmaps)
    programme = await store.programme_document() or {}
    return {
        "phase": phase,
        "phases": [
            {key: known.get(key) for key in ("phase_id", "start", "end", "status", "evaluated")}
            for known in programme.get("phases", [])
        ],
        "progress": figures.progress,
        "partnerships": figures.partnerships,
        "themes": figures.themes,
        "programme_milestones_progress": joint["progress"] if joint else None,
        "milestones": sum(int(r.get("milestones", 0)) for r in roadmaps),
        "milestones_reached": sum(int(r.get("reached", 0)) for r in roadmaps),
        "example_milestones": sum(int(r.get("examples", 0)) for r in roadmaps),
        "beneficiaries": beneficiary_rows(reached, targets),
    }


async def beneficiary_targets(
    store: RoadmapsRepository, roadmaps: list[dict[str, Any]]
) -> dict[str, int]:
    """Targets per ``group/sex`` from people-counting indicators of these roadmaps (and those
    of their partnerships attached to no objective): each indicator's last period."""
    in_phase = {(r["partnership_id"], o) for r in roadmaps for o in r.get("objective_themes", {})}
    partnerships = {r["partnership_id"] for r in roadmaps}
    targets: dict[str, int] = {}
    for indicator in await store.all_indicators():
        if indicator["partnership_id"] not in partnerships:
            continue
        if indicator["measure"] != "unit" or (indicator["unit"] or "").lower() not in (
            BENEFICIARY_UNITS
        ):
            continue
        objective = indicator["objective_id"]
        if objective is not None and (indicator["partnership_id"], objective) not in in_phase:
            continue
        if not indicator["periods"]:
            continue
        last = max(indicator["periods"], key=lambda period: period["end"])
        for target in last["targets"]:
            if target.get("group") and target.get("value") is not None:
                key = f"{target['group']}/{target.get('sex') or 'unspecified'}"
                targets[key] = targets.get(key, 0) + int(target["value"])
    return targets


async def milestone_history(
    store: RoadmapsRepository, partnership_id: str, milestone_id: str
) -> list[dict[str, Any]] | None:
    """Every change of the milestone, and every notice sent about it: who, what, when, why."""
    entries = await store.stream_events(milestone_stream(partnership_id, milestone_id))
    if not entries:
        return None
    due_dates = sorted({e.payload.due_date for _, e in entries if hasattr(e.payload, "due_date")})
    for due_date in due_dates:
        for kind in ("due_soon", "overdue"):
            entries += await store.stream_events(
                notice_stream(kind, partnership_id, milestone_id, due_date)
            )
    history = [
        {
            "at": evidence["attached_at"],
            "recorded_at": evidence["attached_at"],
            "type": "roadmaps.evidence.attached.v1",
            "who": {"id": evidence["attached_by"]} if evidence["attached_by"] else None,
            "submission_id": evidence["submission_id"],
            "what": {k: v for k, v in evidence.items() if k not in ("submission_id", "title")},
            "why": None,
            "correction": False,
        }
        for evidence in await store.evidence_of(partnership_id)
        if evidence.get("milestone_id") == milestone_id
    ]
    for commit, event in sorted(entries, key=lambda entry: entry[0].recorded_at):
        payload = event.payload.model_dump(mode="json")
        history.append(
            {
                "at": event.occurred_at.isoformat(),
                "recorded_at": commit.recorded_at.isoformat(),
                "type": event.type,
                "who": event.actor.model_dump() if event.actor else None,
                "submission_id": payload.get("submission_id"),
                "what": {k: v for k, v in payload.items() if k not in ("submission_id", "title")},
                "why": payload.get("reason") or payload.get("note"),
                "correction": payload.get("correction", False),
            }
        )
    return sorted(history, key=lambda entry: entry["recorded_at"])
