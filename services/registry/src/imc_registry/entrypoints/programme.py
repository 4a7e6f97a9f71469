"""The programme under /v1/programme, and the organisations behind it (its funder, the associations) under /v1/organisations."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from imc_runtime.auth import CurrentPrincipal

from imc_registry.domain import commands
from imc_registry.entrypoints.deps import (
    Asking,
    Changing,
    Limit,
    Offset,
    Store,
    changed,
    created,
    found,
    page,
    public,
    snapshot,
)
from imc_registry.entrypoints.examples import ORGANISATION, PROGRAMME, listing, one
from imc_registry.service_layer import handlers

router = APIRouter(prefix="/v1")

PhaseId = Annotated[str, Path(pattern=commands.PHASE_PATTERN, max_length=20)]


# -- the programme and the organisations behind it ---------------------------------------


@router.get("/programme", tags=["programme"], responses=one(PROGRAMME))
async def get_programme(
    _principal: CurrentPrincipal, store: Store, response: Response
) -> dict[str, Any]:
    """The programme: its phases, its funder and the associations that coordinate it."""
    body = found(await store.programme_document(), "programme defined yet", response)
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
    command: commands.DefineProgramme, ask: Asking, store: Store, response: Response
) -> dict[str, Any]:
    """Define the programme, once: its funder and associations must be registered first."""
    appended = await handlers.define_programme(command, ask, store)
    return created(appended, response, snapshot(appended))


@router.patch("/programme", tags=["programme"], responses=one(PROGRAMME))
async def update_programme(
    command: commands.UpdateProgramme, ask: Changing, store: Store, response: Response
) -> dict[str, Any]:
    """Close a phase, record its evaluation, add the next one. ``phases`` replaces the
    list; a phase partnerships still take part in cannot be left out."""
    appended = await handlers.update_programme(command, ask, store)
    return changed(appended, response, snapshot(appended))


@router.post(
    "/programme/phases", status_code=201, tags=["programme"], responses=one(PROGRAMME, 201)
)
async def open_phase(
    command: commands.OpenPhase, ask: Asking, store: Store, response: Response
) -> dict[str, Any]:
    """Open the next phase (running, or planned to open later): new roadmap work goes to the
    latest running phase. Partnerships join it by being carried over."""
    appended = await handlers.open_phase(command, ask, store)
    return created(appended, response, snapshot(appended))


@router.post("/programme/phases/{phase_id}/close", tags=["programme"], responses=one(PROGRAMME))
async def close_phase(
    phase_id: PhaseId, command: commands.ClosePhase, ask: Asking, store: Store, response: Response
) -> dict[str, Any]:
    """Close a phase: its roadmaps are kept, read only; its evaluations are still taken."""
    appended = await handlers.close_phase(phase_id, command, ask, store)
    return changed(appended, response, snapshot(appended))


@router.post(
    "/programme/phases/{phase_id}/partnerships",
    tags=["programme"],
    responses=one(
        {
            "phase": "2027-2031",
            "carried": ["berkane--saint-gilles"],
            "already": [],
            "not_active": [],
        }
    ),
)
async def carry_over(
    phase_id: PhaseId, command: commands.CarryOver, ask: Asking, store: Store
) -> dict[str, Any]:
    """Carry partnerships over to a phase: each keeps its history and its earlier phases'
    roadmaps. All the ids are checked before any partnership changes."""
    report = await handlers.carry_over(phase_id, command, ask, store)
    return asdict(report)


@router.post(
    "/organisations", status_code=201, tags=["programme"], responses=one(ORGANISATION, 201)
)
async def register_organisation(
    command: commands.RegisterOrganisation, ask: Asking, store: Store, response: Response
) -> dict[str, Any]:
    """A coordinating association (Brulocalis, UVCW) or a funder (DGD)."""
    appended = await handlers.register_organisation(command, ask, store)
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
    return found(document, f"organisation {organisation_id!r}", response)


@router.patch("/organisations/{organisation_id}", tags=["programme"], responses=one(ORGANISATION))
async def update_organisation(
    organisation_id: str,
    command: commands.UpdateOrganisation,
    ask: Changing,
    store: Store,
    response: Response,
) -> dict[str, Any]:
    appended = await handlers.update_organisation(organisation_id, command, ask, store)
    return changed(appended, response, snapshot(appended))
