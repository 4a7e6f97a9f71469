"""How roadmaps' aggregates and roll-ups are written as read-model documents, and read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from imc_contracts import Event
from imc_contracts.common import BeneficiaryCount
from imc_contracts.roadmaps import EvidenceAttached
from imc_runtime.mongo import Document
from pydantic_core import from_json, to_json

from imc_roadmaps.domain.model import MILESTONE_FIELDS, Milestone
from imc_roadmaps.domain.objectives import Indicator, Objective
from imc_roadmaps.domain.rollup import beneficiaries_reached, roll_up_roadmap


def key(*parts: str) -> str:
    return "/".join(parts)


def without_id(document: Document) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "_id"}


def group_document(group_id: str, items: Sequence[Document]) -> Document:
    """A partnership's milestones (objectives, evidence) as one document, the items as one JSON
    text. The group is only ever read and written whole, by its ``_id``; FerretDB's SQLite
    backend decodes and re-encodes a document value by value on every replace, so a group of
    132 milestones as an array cost it 18.5 ms of CPU a replace and as one text 1.9 ms
    (docs/benchmarks.md). ``mongosh`` still shows the items, as JSON."""
    return {"_id": group_id, "items_json": to_json(list(items)).decode()}


def group_items(document: Document | None) -> list[Document]:
    """A group's items, from ``group_document`` (or the array a group held before)."""
    if document is None:
        return []
    if "items_json" in document:
        items: list[Document] = from_json(document["items_json"])
        return items
    return list(document.get("items", []))


def milestone_document(milestone: Milestone) -> Document:
    record = MILESTONE_FIELDS.dump_python(milestone, mode="json")
    return {"milestone_id": record.pop("id"), **record}


def milestone_from_document(document: Document) -> Milestone:
    reached_on = document.get("reached_on")
    return Milestone(
        id=document["milestone_id"],
        partnership_id=document["partnership_id"],
        title=document["title"],
        due_date=dt.date.fromisoformat(document["due_date"]),
        responsible_municipality_id=document["responsible_municipality_id"],
        target=document.get("target"),
        objective_id=document.get("objective_id"),
        phase=document["phase"],
        weight=document.get("weight"),
        backfill=bool(document.get("backfill")),
        example=bool(document.get("example")),
        status=document["status"],
        progress=int(document["progress"]),
        beneficiaries=[BeneficiaryCount(**b) for b in document.get("beneficiaries", [])],
        reached_on=dt.date.fromisoformat(reached_on) if reached_on else None,
        version=int(document["version"]),
    )


def indicator_document(indicator: Indicator) -> Document:
    return {
        "_id": key(indicator.partnership_id, indicator.id),
        "indicator_id": indicator.id,
        "partnership_id": indicator.partnership_id,
        "objective_id": indicator.objective_id,
        "title": indicator.title,
        "description": indicator.description,
        "measure": indicator.measure,
        "unit": indicator.unit,
        "baseline": indicator.baseline.model_dump(mode="json") if indicator.baseline else None,
        "baseline_year": indicator.baseline_year,
        "periods": [
            {
                **period.model_dump(mode="json"),
                "actuals": [
                    value.model_dump(mode="json")
                    for value in indicator.actuals.get(period.period_id, [])
                ],
            }
            for period in indicator.periods
        ],
        "example": indicator.example,
    }


def objective_document(objective: Objective) -> Document:
    return {
        "objective_id": objective.id,
        "partnership_id": objective.partnership_id,
        "phase": objective.phase,
        "theme": objective.theme,
        "title": objective.title,
        "description": objective.description,
        "example": objective.example,
    }


def evaluation_document(partnership_id: str, evaluation_id: str, event: Event) -> Document:
    return {
        "_id": key(partnership_id, evaluation_id),
        "partnership_id": partnership_id,
        "recorded_at": event.occurred_at.isoformat(),
        "recorded_by": event.actor.id if event.actor else None,
        **event.payload.model_dump(mode="json"),
    }


def roadmap_document(
    partnership_id: str, phase: str, milestones: Sequence[Milestone], objectives: Sequence[Document]
) -> Document:
    """The roll-up document of one roadmap: what the dashboard reads instead of milestones."""
    rollup = roll_up_roadmap(milestones)
    return {
        "_id": key(partnership_id, phase),
        "partnership_id": partnership_id,
        "phase": phase,
        "progress": rollup.progress,
        "weight": sum(rollup.objective_weights.values()),
        "objectives": rollup.objectives,
        "objective_weights": rollup.objective_weights,
        "objective_themes": {o["objective_id"]: o["theme"] for o in objectives},
        "milestones": rollup.milestones,
        "reached": rollup.reached,
        "beneficiaries": beneficiaries_reached(milestones),
        "examples": sum(1 for milestone in milestones if milestone.example),
    }


def evidence_document(event: EvidenceAttached) -> Document:
    """A file attached as evidence, as the roadmap lists it (the file is the registry's)."""
    p = event.payload
    evidence_id = p.evidence.evidence_id
    return {
        **p.evidence.model_dump(mode="json"),
        "phase": p.phase,
        "title": dict(p.title),
        "submission_id": p.submission_id,
        "attached_at": event.occurred_at.isoformat(),
        "attached_by": event.actor.id if event.actor else None,
        "links": {
            "download": f"/v1/evidence/{evidence_id}",
            "thumbnail": f"/v1/evidence/{evidence_id}/thumbnail" if p.evidence.thumbnail else None,
        },
    }
