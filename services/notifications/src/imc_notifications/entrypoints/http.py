"""HTTP: preferences (the member or a coordinator), the delivery log (coordinators) and the
one-click unsubscribe (no login: the signed link is the credential)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse
from imc_runtime.auth import CurrentPrincipal, Principal
from imc_runtime.problems import InvalidField, Problem, excerpt
from pydantic import BaseModel, ConfigDict, Field

from imc_notifications.adapters.rendering import KIND_LABELS
from imc_notifications.domain import unsubscribe
from imc_notifications.domain.preferences import Preferences
from imc_notifications.domain.recipients import Recipient
from imc_notifications.service_layer.ports import Dependencies, PreferencesChangedConcurrently
from imc_notifications.service_layer.preferences import unsubscribe_recipient

Status = Literal["pending", "sent", "failed"]
router = APIRouter()


async def dependencies(request: Request) -> Dependencies:
    deps: Dependencies = request.app.state.dependencies
    return deps


Deps = Annotated[Dependencies, Depends(dependencies)]
LINK_REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"description": "The link was altered, or has expired.", "model": Problem}
}


class PreferencesView(BaseModel):
    recipient_id: str
    version: int
    preferences: Preferences
    mandatory_kinds: list[str]


class DeliveryView(BaseModel):
    model_config = ConfigDict(frozen=True)

    delivery_id: str
    recipient_id: str
    recipient_kind: str
    email: str = Field(description="Masked.")
    event_id: str
    event_type: str
    kind: str
    partnership_id: str
    language: str
    subject: str
    message_id: str
    status: Status
    attempts: int
    last_error: str | None
    created_at: dt.datetime


async def may_manage(principal: Principal, recipient_id: str, deps: Dependencies) -> Recipient:
    recipient = await deps.directory.recipient(recipient_id)
    if recipient is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no recipient {excerpt(recipient_id)}")
    if principal.role == "coordinator":
        return recipient
    me = await deps.directory.by_actor(principal.subject)
    if me is None or me.member_id != recipient.member_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only the recipient or a coordinator may do this"
        )
    return recipient


@router.get("/v1/preferences/{recipient_id}", tags=["preferences"])
async def get_preferences(
    deps: Deps, recipient_id: str, principal: CurrentPrincipal
) -> PreferencesView:
    await may_manage(principal, recipient_id, deps)
    version, preferences = await deps.preferences.get(recipient_id)
    return PreferencesView(
        recipient_id=recipient_id,
        version=version,
        preferences=preferences,
        mandatory_kinds=deps.settings.mandatory_kinds,
    )


@router.put("/v1/preferences/{recipient_id}", tags=["preferences"])
async def put_preferences(
    deps: Deps, recipient_id: str, body: Preferences, principal: CurrentPrincipal
) -> PreferencesView:
    recipient = await may_manage(principal, recipient_id, deps)
    if body.whole_programme and recipient.kind != "coordinator":
        raise InvalidField(
            ["body", "whole_programme"],
            "whole_programme: only coordinators follow the whole programme",
        )
    if body.time_zone is not None:
        _check_time_zone(body.time_zone)
    version, _ = await deps.preferences.get(recipient_id)
    try:
        version = await deps.preferences.save(recipient_id, version, body, deps.clock())
    except PreferencesChangedConcurrently as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "preferences changed meanwhile; read and retry"
        ) from error
    return PreferencesView(
        recipient_id=recipient_id,
        version=version,
        preferences=body,
        mandatory_kinds=deps.settings.mandatory_kinds,
    )


@router.get(
    "/v1/unsubscribe", tags=["unsubscribe"], response_class=HTMLResponse, responses=LINK_REFUSED
)
async def unsubscribe_page(
    deps: Deps, token: Annotated[str, Query(max_length=2000)]
) -> HTMLResponse:
    """The confirmation page a person sees when following the link: GET changes nothing
    (link scanners follow links), the buttons POST."""
    request_ = _verify(token, deps)
    recipient = await _recipient(request_.recipient_id, deps)
    language = recipient.language if recipient else "en"
    kind_label = KIND_LABELS[language].get(request_.kind or "", "")
    html = deps.emails.page(
        "unsubscribe",
        language,
        done=False,
        changed=False,
        mandatory=False,
        kind=request_.kind,
        kind_label=kind_label,
        email=recipient.email if recipient else "",
        token=token,
        action=f"{deps.settings.base_url}/v1/unsubscribe",
    )
    return HTMLResponse(html)


@router.post(
    "/v1/unsubscribe",
    tags=["unsubscribe"],
    response_class=HTMLResponse,
    responses={
        **LINK_REFUSED,
        503: {"description": "Nothing was saved: try again.", "model": Problem},
    },
)
async def unsubscribe_confirm(
    deps: Deps, request: Request, token: Annotated[str | None, Query(max_length=2000)] = None
) -> HTMLResponse:
    """RFC 8058 one-click (``List-Unsubscribe=One-Click`` posted to the header's URL),
    or the confirmation page's buttons (``token`` and ``scope`` in the form)."""
    form = await _form(request)
    value = token or form.get("token")
    if not value or len(value) > 2000:
        where = "query" if token is not None else "body"
        raise InvalidField([where, "token"], "token: required, at most 2000 characters")
    scope = form.get("scope", "kind")
    if scope not in ("kind", "all"):
        raise InvalidField(["body", "scope"], "scope: kind or all")
    request_ = _verify(value, deps)
    recipient = await _recipient(request_.recipient_id, deps)
    kind = None if scope == "all" else request_.kind
    try:
        changed = await unsubscribe_recipient(request_.recipient_id, kind, deps)
    except PreferencesChangedConcurrently as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "your preferences were being changed at the same moment; try again",
            headers={"Retry-After": "1"},
        ) from error
    language = recipient.language if recipient else "en"
    html = deps.emails.page(
        "unsubscribe",
        language,
        done=True,
        changed=changed,
        mandatory=kind in deps.settings.mandatory_kinds,
        kind=kind,
        kind_label="",
        email="",
        token="",
        action="",
    )
    return HTMLResponse(html)


@router.get("/v1/deliveries", tags=["deliveries"])
async def list_deliveries(
    deps: Deps,
    principal: CurrentPrincipal,
    recipient_id: Annotated[str | None, Query(max_length=200)] = None,
    event_id: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str | None, Query(max_length=100)] = None,
    partnership_id: Annotated[str | None, Query(max_length=200)] = None,
    delivery_status: Annotated[Status | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """The delivery log: per recipient and event, status, attempts and last error."""
    if principal.role != "coordinator":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the delivery log is for coordinators")
    filters = {
        key: value
        for key, value in (
            ("recipient_id", recipient_id),
            ("event_id", event_id),
            ("kind", kind),
            ("partnership_id", partnership_id),
        )
        if value is not None
    }
    if delivery_status is None:
        documents = await deps.delivery_log.find(filters, offset, limit + 1)
        views = [await _view(doc, deps) for doc in documents]
    else:
        # The status is derived (reservation + outcome), so it is filtered here.
        views = [
            view
            for doc in await deps.delivery_log.all_matching(filters)
            if (view := await _view(doc, deps)).status == delivery_status
        ][offset : offset + limit + 1]
    return {
        "items": [view.model_dump(mode="json") for view in views[:limit]],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if len(views) > limit else None,
    }


@router.get("/v1/deliveries/stats", tags=["deliveries"])
async def delivery_stats(deps: Deps, principal: CurrentPrincipal) -> dict[str, float | int]:
    """This process's counters, including the measured crash window."""
    if principal.role != "coordinator":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for coordinators")
    return deps.sender.stats.summary()


async def _view(doc: dict[str, Any], deps: Dependencies) -> DeliveryView:
    outcome = await deps.commits.get(doc["_id"])
    attempts = await deps.delivery_log.attempts(doc["_id"])
    state: Status = "pending"
    if outcome is not None:
        state = "sent" if outcome.events[0].type.endswith(".sent.v1") else "failed"
    return DeliveryView(
        delivery_id=doc["_id"],
        recipient_id=doc["recipient_id"],
        recipient_kind=doc["recipient_kind"],
        email=doc["email"],
        event_id=doc["event_id"],
        event_type=doc["event_type"],
        kind=doc["kind"],
        partnership_id=doc["partnership_id"],
        language=doc["language"],
        subject=doc["subject"],
        message_id=doc["message_id"],
        status=state,
        attempts=attempts.started,
        last_error=attempts.last_error,
        created_at=doc["created_at"],
    )


def _verify(token: str, deps: Dependencies) -> unsubscribe.Unsubscribe:
    secret = deps.settings.unsubscribe_secret.get_secret_value().encode()
    try:
        return unsubscribe.verify(token, secret, deps.clock())
    except unsubscribe.InvalidUnsubscribeToken as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from error


async def _recipient(recipient_id: str, deps: Dependencies) -> Recipient | None:
    return await deps.directory.recipient(recipient_id)


async def _form(request: Request) -> dict[str, str]:
    """A small urlencoded form (RFC 8058 bodies, the page's buttons); anything else is empty."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = await request.body()
    if len(body) > 8192:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "form too large")
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=10)
    return {key: values[0] for key, values in fields.items() if values}


def _check_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidField(
            ["body", "time_zone"], f"time_zone: unknown zone {excerpt(name)}"
        ) from error
