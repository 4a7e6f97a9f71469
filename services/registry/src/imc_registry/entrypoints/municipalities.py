"""Municipalities under /v1/municipalities."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from imc_runtime.auth import CurrentPrincipal

from imc_registry.domain import commands
from imc_registry.domain.model import matches
from imc_registry.entrypoints.deps import (
    Asking,
    Changing,
    Limit,
    Offset,
    SearchQuery,
    Store,
    changed,
    created,
    found,
    page,
    snapshot,
)
from imc_registry.entrypoints.examples import MUNICIPALITY, listing, one
from imc_registry.service_layer import handlers

router = APIRouter(prefix="/v1")


# -- municipalities ---------------------------------------------------------------------


@router.post(
    "/municipalities", status_code=201, tags=["municipalities"], responses=one(MUNICIPALITY, 201)
)
async def register_municipality(
    command: commands.RegisterMunicipality, ask: Asking, store: Store, response: Response
) -> dict[str, Any]:
    appended = await handlers.register_municipality(command, ask, store)
    return created(appended, response, snapshot(appended))


@router.get("/municipalities", tags=["municipalities"], responses=listing(MUNICIPALITY))
async def list_municipalities(
    _principal: CurrentPrincipal,
    store: Store,
    country: Literal["MA", "BE"] | None = None,
    q: SearchQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    documents = await store.municipality_documents({"country": country} if country else None)
    if q:
        documents = [d for d in documents if matches(q, " ".join([d["_id"], *d["names"].values()]))]
    return page(documents, limit, offset)


@router.get(
    "/municipalities/{municipality_id}", tags=["municipalities"], responses=one(MUNICIPALITY)
)
async def get_municipality(
    municipality_id: str, _principal: CurrentPrincipal, store: Store, response: Response
) -> dict[str, Any]:
    document = await store.municipality_document(municipality_id)
    return found(document, f"municipality {municipality_id!r}", response)


@router.patch(
    "/municipalities/{municipality_id}", tags=["municipalities"], responses=one(MUNICIPALITY)
)
async def update_municipality(
    municipality_id: str,
    command: commands.UpdateMunicipality,
    ask: Changing,
    store: Store,
    response: Response,
) -> dict[str, Any]:
    appended = await handlers.update_municipality(municipality_id, command, ask, store)
    return changed(appended, response, snapshot(appended))
