"""The registry's directory under /v1: the programme and its organisations, municipalities,
partnerships, members, coordinators."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from imc_runtime.auth import CurrentPrincipal

from imc_registry.domain import commands
from imc_registry.domain.model import NotFound, matches
from imc_registry.entrypoints.deps import (
    IdempotencyKey,
    IfMatch,
    Limit,
    Offset,
    Store,
    changed,
    created,
    etag,
    page,
    public,
    snapshot,
)
from imc_registry.entrypoints.examples import (
    COORDINATOR,
    HISTORY,
    MEMBER,
    MUNICIPALITY,
    ORGANISATION,
    PARTNERSHIP,
    PROGRAMME,
    listing,
    one,
)
from imc_registry.service_layer import handlers

router = APIRouter(prefix="/v1")

SearchQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Words of a name, in any case, with or without accents, Latin or Arabic.",
    ),
]
IdFilter = Annotated[str | None, Query(max_length=100)]


def _found(document: dict[str, Any] | None, what: str, response: Response) -> dict[str, Any]:
    if document is None:
        raise NotFound(f"no {what}")
    response.headers["ETag"] = etag(int(document.get("version", 1)))
    return public(document)


# -- the programme and the organisations behind it ---------------------------------------


@router.get("/programme", tags=["programme"], responses=one(PROGRAMME))
async def get_programme(
    _principal: CurrentPrincipal, store: Store, response: Response
) -> dict[str, Any]:
    """The programme: its phases, its funder and the associations that coordinate it."""
    body = _found(await store.programme_document(), "programme defined yet", response)
    funder = await store.organisation_document(body["funder_id"])
    coordinating = [
        await store.organisation_document(id) for id in body["coordinating_organisation_ids"]
    ]
    return {
        **body,
        "id": body["programme_id"],
        "funder": None if funder is None else public(funder),
        "coordinating_organisations": [public(o) for o in coordinating if o is not None],
    }


@router.post("/programme", status_code=201, tags=["programme"], responses=one(PROGRAMME, 201))
async def define_programme(
    command: commands.DefineProgramme,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Define the programme, once: its funder and associations must be registered first."""
    appended = await handlers.define_programme(command, principal, store, idempotency_key)
    return created(appended, response, snapshot(appended))


@router.patch("/programme", tags=["programme"], responses=one(PROGRAMME))
async def update_programme(
    command: commands.UpdateProgramme,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Close a phase, record its evaluation, add the next one. ``phases`` replaces the
    list; a phase partnerships still take part in cannot be left out."""
    appended = await handlers.update_programme(
        command, principal, store, expected_version, idempotency_key
    )
    return changed(appended, response, snapshot(appended))


@router.post(
    "/organisations", status_code=201, tags=["programme"], responses=one(ORGANISATION, 201)
)
async def register_organisation(
    command: commands.RegisterOrganisation,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """A coordinating association (Brulocalis, UVCW) or a funder (DGD)."""
    appended = await handlers.register_organisation(command, principal, store, idempotency_key)
    return created(appended, response, snapshot(appended))


@router.get("/organisations", tags=["programme"], responses=listing(ORGANISATION))
async def list_organisations(
    _principal: CurrentPrincipal,
    store: Store,
    kind: Literal["association", "funder"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    documents = await store.organisation_documents({"kind": kind} if kind else None)
    return page(documents, limit, offset)


@router.get("/organisations/{organisation_id}", tags=["programme"], responses=one(ORGANISATION))
async def get_organisation(
    organisation_id: str, _principal: CurrentPrincipal, store: Store, response: Response
) -> dict[str, Any]:
    document = await store.organisation_document(organisation_id)
    return _found(document, f"organisation {organisation_id!r}", response)


@router.patch("/organisations/{organisation_id}", tags=["programme"], responses=one(ORGANISATION))
async def update_organisation(
    organisation_id: str,
    command: commands.UpdateOrganisation,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.update_organisation(
        organisation_id, command, principal, store, expected_version, idempotency_key
    )
    return changed(appended, response, snapshot(appended))


# -- municipalities ---------------------------------------------------------------------


@router.post(
    "/municipalities", status_code=201, tags=["municipalities"], responses=one(MUNICIPALITY, 201)
)
async def register_municipality(
    command: commands.RegisterMunicipality,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.register_municipality(command, principal, store, idempotency_key)
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
    return _found(document, f"municipality {municipality_id!r}", response)


@router.patch(
    "/municipalities/{municipality_id}", tags=["municipalities"], responses=one(MUNICIPALITY)
)
async def update_municipality(
    municipality_id: str,
    command: commands.UpdateMunicipality,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.update_municipality(
        municipality_id, command, principal, store, expected_version, idempotency_key
    )
    return changed(appended, response, snapshot(appended))


# -- partnerships -----------------------------------------------------------------------


@router.post(
    "/partnerships", status_code=201, tags=["partnerships"], responses=one(PARTNERSHIP, 201)
)
async def create_partnership(
    command: commands.CreatePartnership,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.create_partnership(command, principal, store, idempotency_key)
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


@router.get("/partnerships/{partnership_id}", tags=["partnerships"], responses=one(PARTNERSHIP))
async def get_partnership(
    partnership_id: str, _principal: CurrentPrincipal, store: Store, response: Response
) -> dict[str, Any]:
    document = await store.partnership_document(partnership_id)
    body = _found(document, f"partnership {partnership_id!r}", response)
    members = await store.member_documents(
        [body["moroccan_municipality_id"], body["belgian_municipality_id"]]
    )
    return {**body, "members": [public(member) for member in members]}


@router.patch("/partnerships/{partnership_id}", tags=["partnerships"], responses=one(PARTNERSHIP))
async def update_partnership(
    partnership_id: str,
    command: commands.UpdatePartnership,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Edit phases, themes, description; officers of a partner may, choosing known themes."""
    appended = await handlers.update_partnership(
        partnership_id, command, principal, store, expected_version, idempotency_key
    )
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
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Suspend, close or reactivate a partnership, with the reason (coordinators only)."""
    appended = await handlers.change_partnership_status(
        partnership_id, command, principal, store, expected_version, idempotency_key
    )
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


# -- members ----------------------------------------------------------------------------


@router.post("/members", status_code=201, tags=["members"], responses=one(MEMBER, 201))
async def add_member(
    command: commands.AddMember,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.add_member(command, principal, store, idempotency_key)
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
    return _found(await store.member_document(member_id), f"member {member_id!r}", response)


@router.patch("/members/{member_id}", tags=["members"], responses=one(MEMBER))
async def update_member(
    member_id: str,
    command: commands.UpdateMember,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.update_member(
        member_id, command, principal, store, expected_version, idempotency_key
    )
    return changed(appended, response, snapshot(appended))


@router.delete(
    "/members/{member_id}",
    tags=["members"],
    responses=one({"id": MEMBER["id"], "member_id": MEMBER["id"], "removed": True, "version": 2}),
)
async def remove_member(
    member_id: str,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Take a member out of the directory; the history keeps who they were."""
    appended = await handlers.remove_member(
        member_id, principal, store, expected_version, idempotency_key
    )
    return changed(appended, response, {**snapshot(appended), "removed": True})


# -- programme coordinators -------------------------------------------------------------


@router.post(
    "/coordinators", status_code=201, tags=["coordinators"], responses=one(COORDINATOR, 201)
)
async def add_coordinator(
    command: commands.AddCoordinator,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.add_coordinator(command, principal, store, idempotency_key)
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
    return _found(document, f"coordinator {coordinator_id!r}", response)


@router.patch("/coordinators/{coordinator_id}", tags=["coordinators"], responses=one(COORDINATOR))
async def update_coordinator(
    coordinator_id: str,
    command: commands.UpdateCoordinator,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.update_coordinator(
        coordinator_id, command, principal, store, expected_version, idempotency_key
    )
    return changed(appended, response, snapshot(appended))


@router.delete(
    "/coordinators/{coordinator_id}",
    tags=["coordinators"],
    responses=one({"id": "helene-dumont", "coordinator_id": "helene-dumont", "removed": True}),
)
async def remove_coordinator(
    coordinator_id: str,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    expected_version: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.remove_coordinator(
        coordinator_id, principal, store, expected_version, idempotency_key
    )
    return changed(appended, response, {**snapshot(appended), "removed": True})
