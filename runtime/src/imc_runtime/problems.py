"""What a refusal looks like, in every service: two shapes, both in the OpenAPI document.

- ``{"detail": "…"}`` for 4xx that are about the request as a whole (401, 403, 404, 409,
  415, 428, 503…);
- ``{"detail": [{"loc": […], "msg": "…", "type": "…"}]}`` for those about its fields or its
  body (422, and 413 and 408 from ``imc_runtime.guard``), naming each.

A refusal never echoes the input back beyond a short, escaped ``excerpt``: a body may be
large, personal, or not even text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from imc_runtime.commits import CauseReused

MAX_MESSAGE = 300
"""A refusal's message, at most (longer ones are cut, with an ellipsis)."""


class Problem(BaseModel):
    """A refusal of the request as a whole."""

    detail: str = Field(examples=["no partnership 'berkane--saint-gilles'"])


class FieldProblem(BaseModel):
    """What is wrong with one field: where (``loc``), what, and a code."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(examples=[["body", "progress"]])
    msg: str = Field(examples=["Input should be less than or equal to 100"])
    type: str = Field(examples=["less_than_equal"])


class ValidationProblem(BaseModel):
    """A 422: every field that is wrong."""

    detail: list[FieldProblem]


class InvalidField(Exception):
    """A 422 about one field, raised where the check is (``loc`` as FastAPI's:
    ``("body", "title", "fr")``, ``("query", "token")``, ``("header", "If-Match")``)."""

    def __init__(self, loc: Sequence[str | int], message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.loc = list(loc)
        self.message = message
        self.code = code


def excerpt(value: object, limit: int = 40) -> str:
    """``value`` as a short quoted excerpt for a message: ``'30/06/2027'``, ``'xxxx…'``."""
    text = value if isinstance(value, str) else str(value)
    shown = text[:limit] + ("…" if len(text) > limit else "")
    return repr(shown)


def cut(message: str) -> str:
    """At most ``MAX_MESSAGE`` characters of ``message``."""
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def field_problem(loc: Sequence[Any], message: str, code: str) -> dict[str, Any]:
    return {
        "loc": [p if isinstance(p, int) else str(p) for p in loc],
        "msg": cut(message),
        "type": code,
    }


def unprocessable(problems: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"detail": problems}, status_code=422)


def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """Which field is wrong and why — pydantic's message and code, never its ``input``."""
    assert isinstance(error, RequestValidationError)
    return unprocessable(
        [
            field_problem(item.get("loc", ()), str(item.get("msg", "")), str(item.get("type")))
            for item in error.errors()
        ]
    )


def _invalid_field(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InvalidField)
    return unprocessable([field_problem(error.loc, error.message, error.code)])


def _cause_reused(_request: Request, error: Exception) -> JSONResponse:
    """An ``Idempotency-Key`` already used for another request (the IETF draft's 422)."""
    return unprocessable(
        [field_problem(["header", "Idempotency-Key"], str(error), "idempotency_key_reused")]
    )


def _http_error(_request: Request, error: Exception) -> JSONResponse:
    """Starlette's and FastAPI's ``HTTPException``, in the two shapes: a 422 given as one
    string (``"field: what is wrong"``) becomes a field problem on that field."""
    assert isinstance(error, HTTPException)
    headers = getattr(error, "headers", None)
    detail = error.detail if isinstance(error.detail, str) else str(error.detail)
    if error.status_code == 422:
        field, separator, _ = detail.partition(": ")
        loc = ["body", field] if separator and " " not in field else ["body"]
        return JSONResponse(
            {"detail": [field_problem(loc, detail, "invalid")]}, status_code=422, headers=headers
        )
    if error.status_code in (408, 413):  # about the body: its shape is a field problem's
        problem = field_problem(
            ["body"], detail, "too_large" if error.status_code == 413 else "timeout"
        )
        return JSONResponse({"detail": [problem]}, status_code=error.status_code, headers=headers)
    return JSONResponse({"detail": cut(detail)}, status_code=error.status_code, headers=headers)


def install(app: FastAPI) -> None:
    """Answer every refusal of ``app`` in the two shapes."""
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(InvalidField, _invalid_field)
    app.add_exception_handler(CauseReused, _cause_reused)
    app.add_exception_handler(HTTPException, _http_error)


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem}


RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem("No bearer token, or one that is not valid (expired, forged, malformed)."),
    403: _problem("The caller's role or municipality may not do this."),
    404: _problem("No such record."),
    408: {
        "description": "The request did not arrive in time (headers or body too slow).",
        "model": ValidationProblem,
    },
    413: {
        "description": "The body is larger than the service accepts.",
        "model": ValidationProblem,
    },
    422: {"description": "A field is wrong: each one named.", "model": ValidationProblem},
    503: _problem("A dependency (the database) does not answer; retry after Retry-After."),
}
"""Refusals any route may give, documented on every operation."""
