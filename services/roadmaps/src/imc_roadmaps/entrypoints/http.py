"""Roadmaps' read-only HTTP API under /v1."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from imc_runtime.auth import CurrentPrincipal

from imc_roadmaps.adapters.store import RoadmapsStore

router = APIRouter(prefix="/v1")


@router.get("/partnerships/{partnership_id}/milestones")
async def milestones(
    partnership_id: str, _principal: CurrentPrincipal, request: Request
) -> dict[str, Any]:
    store: RoadmapsStore = request.app.state.store
    items = [
        {("id" if key == "_id" else key): value for key, value in document.items()}
        for document in await store.milestones_of(partnership_id)
    ]
    return {"items": items, "total": len(items)}
