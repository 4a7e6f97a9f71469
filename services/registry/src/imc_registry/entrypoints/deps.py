"""What every registry route shares: the store, the request headers it honours, its errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from imc_runtime.auth import CurrentPrincipal
from imc_runtime.commits import Appended
from imc_runtime.problems import cut, field_problem, unprocessable

from imc_registry.adapters.store import RegistryStore
from imc_registry.domain.model import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionRequired,
    RegistryError,
    TooLarge,
    UnsupportedType,
)
from imc_registry.service_layer.changes import Ask


async def get_store(request: Request) -> RegistryStore:
    store: RegistryStore = request.app.state.dependencies
    return store


Store = Annotated[RegistryStore, Depends(get_store)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Retrying with the same key and the same request answers as the first "
        "time, with one effect — also when both arrive at once. The same key with a different "
        "request (another body or path) is refused with 422 (type idempotency_key_reused): "
        "a new request needs a new key.",
    ),
]
_VERSION = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


async def if_match(
    value: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=40,
            description='The ETag you read (e.g. "3"); a stale one is refused with 409.',
        ),
    ] = None,
) -> int | None:
    if value is None:
        return None
    found = _VERSION.match(value)
    if found is None:
        raise Invalid(f'If-Match: expected an ETag such as "3", got {value[:40]!r}')
    return int(found.group(1))


IfMatch = Annotated[int | None, Depends(if_match)]


async def asking(principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None) -> Ask:
    return Ask(principal, idempotency_key)


async def changing(
    principal: CurrentPrincipal, expected_version: IfMatch, idempotency_key: IdempotencyKey = None
) -> Ask:
    return Ask(principal, idempotency_key, expected_version)


CACHE_CONTROL: dict[str, Any] = {
    "name": "Cache-Control",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "`no-cache` (or `max-age=0`) reads the database; otherwise a view this "
    "replica read within IMC_READ_MAX_AGE_SECONDS (1 s) may answer — its own writes are "
    "always in it.",
}
"""The request header a kept read honours, as an OpenAPI parameter."""


def max_age(store: RegistryStore, cache_control: str | None) -> float:
    """How old a kept view may be for this request: the store's, unless the caller asks
    for none (``Cache-Control: no-cache`` or ``max-age=0``)."""
    directives = {part.strip().lower() for part in (cache_control or "").split(",")}
    return 0.0 if directives & {"no-cache", "no-store", "max-age=0"} else store.read_max_age


Asking = Annotated[Ask, Depends(asking)]
"""Who asks for a new record (their token), under which Idempotency-Key."""
Changing = Annotated[Ask, Depends(changing)]
"""Who asks to change a record, under which Idempotency-Key, on the version read (If-Match)."""
Limit = Annotated[int, Query(ge=1, le=200, description="At most this many items.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many items.")]

_STATUS: dict[type[RegistryError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    Invalid: 422,
    PreconditionRequired: 428,
    TooLarge: 413,
    UnsupportedType: 415,
}


def registry_error(_request: Request, error: Exception) -> JSONResponse:
    code = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    message = str(error)
    if code != 422:
        return JSONResponse({"detail": cut(message)}, status_code=code)
    # A 422 has one shape, whoever found the fault: a list of fields and what is wrong.
    field, _, _rest = message.partition(": ")
    loc = ["header", field] if field in ("If-Match",) else ["body", *field.split(".")]
    return unprocessable([field_problem(loc if _rest else ["body"], message, "invalid")])


EXCEPTION_HANDLERS: dict[type[Exception], Callable[[Request, Exception], JSONResponse]] = {
    RegistryError: registry_error,
}


def json_body(content: Any) -> bytes:
    """``content`` as FastAPI would have encoded the route's return value."""
    return bytes(JSONResponse(jsonable_encoder(content)).body)


def etag(version: int) -> str:
    return f'"{version}"'


def created(appended: Appended, response: Response, body: dict[str, Any]) -> dict[str, Any]:
    # A replay with the same Idempotency-Key answers as the first time did, without a second effect.
    response.status_code = 200 if appended.duplicate else 201
    response.headers["ETag"] = etag(appended.commit.version)
    return body


def changed(appended: Appended, response: Response, body: dict[str, Any]) -> dict[str, Any]:
    response.headers["ETag"] = etag(appended.commit.version)
    return body


def snapshot(appended: Appended) -> dict[str, Any]:
    """The record as the change left it."""
    body: dict[str, Any] = appended.commit.events[0].payload.model_dump(mode="json")
    id = next(
        body[key]
        for key in (
            "member_id",
            "coordinator_id",
            "partnership_id",
            "municipality_id",
            "organisation_id",
            "programme_id",
        )
        if key in body
    )
    return {"id": id, **body, "version": appended.commit.version}


def public(document: dict[str, Any]) -> dict[str, Any]:
    """A stored document as the API shows it: ``id`` for ``_id``, no internal keys."""
    return {
        ("id" if key == "_id" else key): value
        for key, value in document.items()
        if key not in ("search_key",)
    }


def page(items: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    return {
        "items": [public(item) for item in items[offset : offset + limit]],
        "total": len(items),
        "limit": limit,
        "offset": offset,
    }


SearchQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Words of a name, in any case, with or without accents, Latin or Arabic.",
    ),
]
IdFilter = Annotated[str | None, Query(max_length=100)]


def found(document: dict[str, Any] | None, what: str, response: Response) -> dict[str, Any]:
    if document is None:
        raise NotFound(f"no {what}")
    response.headers["ETag"] = etag(int(document.get("version", 1)))
    return public(document)
