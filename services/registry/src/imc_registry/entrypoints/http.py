"""The registry's HTTP API under /v1: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response, status
from fastapi.responses import JSONResponse
from imc_runtime.auth import CurrentPrincipal
from imc_runtime.commitlog import Appended

from imc_registry.adapters.store import RegistryStore
from imc_registry.domain import commands
from imc_registry.domain.model import Conflict, Forbidden, Invalid, NotFound, RegistryError
from imc_registry.service_layer import handlers

router = APIRouter(prefix="/v1")


def get_store(request: Request) -> RegistryStore:
    store: RegistryStore = request.app.state.store
    return store


Store = Annotated[RegistryStore, Depends(get_store)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]

_STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, Invalid: 422}


def registry_error(_request: Request, error: Exception) -> JSONResponse:
    code = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    return JSONResponse({"detail": str(error)}, status_code=code)


def _created(appended: Appended, response: Response, body: dict[str, Any]) -> dict[str, Any]:
    # A replay with the same Idempotency-Key answers as the first time did, without a second effect.
    response.status_code = status.HTTP_200_OK if appended.duplicate else status.HTTP_201_CREATED
    return body


@router.post("/municipalities", status_code=201)
async def register_municipality(
    command: commands.RegisterMunicipality,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.register_municipality(command, principal, store, idempotency_key)
    return _created(appended, response, appended.commit.events[0].payload.model_dump(mode="json"))


@router.get("/municipalities")
async def list_municipalities(_principal: CurrentPrincipal, store: Store) -> dict[str, Any]:
    items = [_public(doc) for doc in await store.municipality_documents()]
    return {"items": items, "total": len(items)}


@router.post("/partnerships", status_code=201)
async def create_partnership(
    command: commands.CreatePartnership,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.create_partnership(command, principal, store, idempotency_key)
    return _created(appended, response, appended.commit.events[0].payload.model_dump(mode="json"))


@router.get("/partnerships")
async def list_partnerships(_principal: CurrentPrincipal, store: Store) -> dict[str, Any]:
    items = [_public(doc) for doc in await store.partnership_documents()]
    return {"items": items, "total": len(items)}


@router.get("/partnerships/{partnership_id}")
async def get_partnership(
    partnership_id: str, _principal: CurrentPrincipal, store: Store
) -> dict[str, Any]:
    document = await store.partnership_document(partnership_id)
    if document is None:
        raise NotFound(f"no partnership {partnership_id!r}")
    members = await store.member_documents(
        [document["moroccan_municipality_id"], document["belgian_municipality_id"]]
    )
    return {**_public(document), "members": [_public(member) for member in members]}


@router.post("/members", status_code=201)
async def add_member(
    command: commands.AddMember,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.add_member(command, principal, store, idempotency_key)
    return _created(appended, response, appended.commit.events[0].payload.model_dump(mode="json"))


@router.post("/partnerships/{partnership_id}/milestones", status_code=202)
async def propose_milestone(
    partnership_id: str,
    command: commands.ProposeMilestone,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.propose_milestone(
        partnership_id, command, principal, store, idempotency_key
    )
    return _accepted(appended)


@router.post("/partnerships/{partnership_id}/milestones/{milestone_id}/progress", status_code=202)
async def report_progress(
    partnership_id: str,
    milestone_id: str,
    command: commands.ReportProgress,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    appended = await handlers.report_progress(
        partnership_id, milestone_id, command, principal, store, idempotency_key
    )
    return _accepted(appended)


@router.get("/submissions/{submission_id}")
async def get_submission(
    submission_id: str, _principal: CurrentPrincipal, store: Store
) -> dict[str, Any]:
    submission = await store.submission(submission_id)
    if submission is None:
        raise NotFound(f"no submission {submission_id!r}")
    return _public(submission)


def _accepted(appended: Appended) -> dict[str, Any]:
    payload = appended.commit.events[0].payload
    return {
        "submission_id": payload.submission_id,
        "milestone_id": payload.milestone_id,
        "status": "received",
        "links": {"self": f"/v1/submissions/{payload.submission_id}"},
    }


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {("id" if key == "_id" else key): value for key, value in document.items()}


EXCEPTION_HANDLERS = {RegistryError: registry_error}
