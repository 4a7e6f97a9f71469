"""The programme's people under /v1: municipalities' members and programme coordinators."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from imc_runtime.auth import CurrentPrincipal

from imc_registry.domain import commands
from imc_registry.entrypoints.deps import (
    Asking,
    Changing,
    IdFilter,
    Limit,
    Offset,
    Store,
    changed,
    created,
    found,
    page,
    snapshot,
)
from imc_registry.entrypoints.examples import COORDINATOR, MEMBER, listing, one
from imc_registry.service_layer import handlers

router = APIRouter(prefix="/v1")


# -- members ----------------------------------------------------------------------------


@router.post("/members", status_code=201, tags=["members"], responses=one(MEMBER, 201))
async def add_member(
    command: commands.AddMember, ask: Asking, store: Store, response: Response
) -> dict[str, Any]:
    appended = await handlers.add_member(command, ask, store)
    return created(appended, response, snapshot(appended))


@router.get("/members", tags=["members"], responses=listing(MEMBER))
async def list_members(
    _principal: CurrentPrincipal,
    store: Store,
    municipality: IdFilter = None,
    partnership: IdFilter = None,
    language: Literal["ar", "fr", "nl", "en"] | None = None,
    country: Literal["MA", "BE"] | None = None,
    include_removed: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Contact people; removed ones only when asked (their history stays)."""
    municipality_ids: list[str] | None = None
    if municipality:
        municipality_ids = [municipality]
    if partnership:
        found = await store.partnership(partnership)
        wanted = list(found.municipality_ids) if found else []
        municipality_ids = [m for m in wanted if municipality_ids is None or m in municipality_ids]
    documents = await store.member_documents(municipality_ids, include_removed=include_removed)
    if language:
        documents = [d for d in documents if d.get("language") == language]
    if country:
        in_country = {m["_id"] for m in await store.municipality_documents({"country": country})}
        documents = [d for d in documents if d["municipality_id"] in in_country]
    return page(documents, limit, offset)


@router.get("/members/{member_id}", tags=["members"], responses=one(MEMBER))
async def get_member(
    member_id: str, _principal: CurrentPrincipal, store: Store, response: Response
) -> dict[str, Any]:
    return found(await store.member_document(member_id), f"member {member_id!r}", response)


@router.patch("/members/{member_id}", tags=["members"], responses=one(MEMBER))
async def update_member(
    member_id: str, command: commands.UpdateMember, ask: Changing, store: Store, response: Response
) -> dict[str, Any]:
    appended = await handlers.update_member(member_id, command, ask, store)
    return changed(appended, response, snapshot(appended))


@router.delete(
    "/members/{member_id}",
    tags=["members"],
    responses=one({"id": MEMBER["id"], "member_id": MEMBER["id"], "removed": True, "version": 2}),
)
async def remove_member(
    member_id: str, ask: Changing, store: Store, response: Response
) -> dict[str, Any]:
    """Take a member out of the directory; the history keeps who they were."""
    appended = await handlers.remove_member(member_id, ask, store)
    return changed(appended, response, {**snapshot(appended), "removed": True})


# -- programme coordinators -------------------------------------------------------------


@router.post(
    "/coordinators", status_code=201, tags=["coordinators"], responses=one(COORDINATOR, 201)
)
async def add_coordinator(
    command: commands.AddCoordinator, ask: Asking, store: Store, response: Response
) -> dict[str, Any]:
    appended = await handlers.add_coordinator(command, ask, store)
    return created(appended, response, snapshot(appended))


@router.get("/coordinators", tags=["coordinators"], responses=listing(COORDINATOR))
async def list_coordinators(
    _principal: CurrentPrincipal,
    store: Store,
    include_removed: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    documents = [
        d for d in await store.coordinator_documents() if include_removed or not d.get("removed")
    ]
    return page(documents, limit, offset)


@router.get("/coordinators/{coordinator_id}", tags=["coordinators"], responses=one(COORDINATOR))
async def get_coordinator(
    coordinator_id: str, _principal: CurrentPrincipal, store: Store, response: Response
) -> dict[str, Any]:
    document = await store.coordinator_document(coordinator_id)
    return found(document, f"coordinator {coordinator_id!r}", response)


@router.patch("/coordinators/{coordinator_id}", tags=["coordinators"], responses=one(COORDINATOR))
async def update_coordinator(
    coordinator_id: str,
    command: commands.UpdateCoordinator,
    ask: Changing,
    store: Store,
    response: Response,
) -> dict[str, Any]:
    appended = await handlers.update_coordinator(coordinator_id, command, ask, store)
    return changed(appended, response, snapshot(appended))


@router.delete(
    "/coordinators/{coordinator_id}",
    tags=["coordinators"],
    responses=one({"id": "helene-dumont", "coordinator_id": "helene-dumont", "removed": True}),
)
async def remove_coordinator(
    coordinator_id: str, ask: Changing, store: Store, response: Response
) -> dict[str, Any]:
    appended = await handlers.remove_coordinator(coordinator_id, ask, store)
    return changed(appended, response, {**snapshot(appended), "removed": True})
