"""Partnerships under /v1/partnerships: the directory, edits, status, history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from imc_runtime.auth import CurrentPrincipal

from imc_registry.domain import commands
from imc_registry.domain.model import NotFound, matches
from imc_registry.entrypoints.deps import (
    CACHE_CONTROL,
    Asking,
    Changing,
    IdFilter,
    Limit,
    Offset,
    SearchQuery,
    Store,
    changed,
    created,
    etag,
    json_body,
    max_age,
    page,
    public,
    snapshot,
)
from imc_registry.entrypoints.examples import HISTORY, PARTNERSHIP, listing, one
from imc_registry.service_layer import handlers

router = APIRouter(prefix="/v1")


# -- partnerships -----------------------------------------------------------------------


@router.post(
    "/partnerships", status_code=201, tags=["partnerships"], responses=one(PARTNERSHIP, 201)
)
async def create_partnership(
    command: commands.CreatePartnership, ask: Asking, store: Store, response: Response
) -> dict[str, Any]:
    appended = await handlers.create_partnership(command, ask, store)
    return created(appended, response, snapshot(appended))


@router.get("/partnerships", tags=["partnerships"], responses=listing(PARTNERSHIP))
async def list_partnerships(
    _principal: CurrentPrincipal,
    store: Store,
    q: SearchQuery = None,
    phase: IdFilter = None,
    theme: IdFilter = None,
    municipality: IdFilter = None,
    status: commands.Status | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Partnerships, filtered and paged; ``q`` searches their names in every language.

    Only equality reaches the database (``status``); the rest is matched here, over a
    programme of a few dozen partnerships.
    """
    documents = await store.partnership_documents({"status": status} if status else None)
    if phase:
        documents = [d for d in documents if phase in d.get("phases", [])]
    if theme:
        documents = [d for d in documents if theme.lower() in d.get("themes", [])]
    if municipality:
        documents = [
            d
            for d in documents
            if municipality in (d["moroccan_municipality_id"], d["belgian_municipality_id"])
        ]
    if q:
        documents = [d for d in documents if matches(q, d.get("search_key", ""))]
    return page(documents, limit, offset)


@router.get(
    "/partnerships/{partnership_id}",
    tags=["partnerships"],
    responses=one(PARTNERSHIP),
    response_class=Response,
    # Read from the request itself, not declared as a parameter: FastAPI's parsing of a
    # header parameter was a tenth of this read's cost. Documented here instead.
    openapi_extra={"parameters": [CACHE_CONTROL]},
)
async def get_partnership(
    partnership_id: str,
    _principal: CurrentPrincipal,
    store: Store,
    request: Request,
) -> Response:
    """The partnership and its municipalities' members; ETag is its version."""

    async def read() -> tuple[str, bytes]:
        document = await store.partnership_document(partnership_id)
        if document is None:
            raise NotFound(f"no partnership {partnership_id!r}")
        members = await store.member_documents(
            [document["moroccan_municipality_id"], document["belgian_municipality_id"]]
        )
        body = {**public(document), "members": [public(member) for member in members]}
        return etag(int(document.get("version", 1))), json_body(body)

    key = ("partnership", partnership_id)
    within = max_age(store, request.headers.get("cache-control"))
    tag, body = await store.recent.get(key, read, within=within)
    return Response(body, media_type="application/json", headers={"ETag": tag})


@router.patch("/partnerships/{partnership_id}", tags=["partnerships"], responses=one(PARTNERSHIP))
async def update_partnership(
    partnership_id: str,
    command: commands.UpdatePartnership,
    ask: Changing,
    store: Store,
    response: Response,
) -> dict[str, Any]:
    """Edit phases, themes, description; officers of a partner may, choosing known themes."""
    appended = await handlers.update_partnership(partnership_id, command, ask, store)
    return changed(appended, response, snapshot(appended))


@router.put(
    "/partnerships/{partnership_id}/status",
    tags=["partnerships"],
    responses=one(
        {
            "id": "ait-baha--etterbeek",
            "partnership_id": "ait-baha--etterbeek",
            "status": "suspended",
            "previous_status": "active",
            "reason": "Municipal elections",
            "version": 3,
        }
    ),
)
async def change_partnership_status(
    partnership_id: str,
    command: commands.ChangePartnershipStatus,
    ask: Changing,
    store: Store,
    response: Response,
) -> dict[str, Any]:
    """Suspend, close or reactivate a partnership, with the reason (coordinators only)."""
    appended = await handlers.change_partnership_status(partnership_id, command, ask, store)
    return changed(appended, response, snapshot(appended))


@router.get("/partnerships/{partnership_id}/history", tags=["partnerships"], responses=one(HISTORY))
async def partnership_history(
    partnership_id: str,
    _principal: CurrentPrincipal,
    store: Store,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Every change to the partnership and every request about its roadmap, oldest first."""
    commits = await store.history(f"partnership:{partnership_id}")
    if not commits:
        raise NotFound(f"no partnership {partnership_id!r}")
    entries: list[dict[str, Any]] = [
        {
            "at": commit.recorded_at,
            "what": event.type,
            "who": event.actor.model_dump(mode="json") if event.actor else None,
            "version": commit.version,
            "change": event.payload.model_dump(mode="json"),
        }
        for commit in commits
        for event in commit.events
    ]
    for submission in await store.submissions_of(partnership_id):
        entries.append(
            {
                "at": submission["received_at"],
                "what": f"registry.{submission['kind']}.v1",
                "who": submission.get("actor") or {"id": submission.get("submitted_by")},
                "submission_id": submission["_id"],
                "status": submission["status"],
                "reason": submission.get("reason"),
                "change": submission["request"],
            }
        )
    entries.sort(key=lambda entry: entry["at"])
    return {
        "items": entries[offset : offset + limit],
        "total": len(entries),
        "limit": limit,
        "offset": offset,
    }
