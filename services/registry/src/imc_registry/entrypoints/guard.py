"""Refuse hostile bodies before any route sees them: too large, or with operator-like keys.

Keys starting with ``$`` or ``.`` mean something to MongoDB (operators, dotted paths); no
field of ours has such a name, so they are refused wherever they appear, naming the field.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def forbidden_key(value: Any, path: str = "") -> str | None:
    """The path of the first key starting with ``$`` or ``.``, if any."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key).startswith(("$", ".")):
                return where
            if (found := forbidden_key(item, where)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := forbidden_key(item, f"{path}[{index}]")) is not None:
                return found
    return None


class BodyGuard:
    """ASGI middleware: a body over ``max_bytes`` is a 413; a ``$``/``.`` key is a 422."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, 413, "body", f"the body is over {self.max_bytes} bytes")
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await _refuse(send, 413, "body", f"the body is over {self.max_bytes} bytes")
                return
        if body and b"json" in headers.get(b"content-type", b""):
            try:
                parsed = json.loads(body, parse_constant=_not_a_number)
                field = forbidden_key(parsed)
            except NotANumber as error:
                await _refuse(send, 422, "body", str(error))
                return
            except ValueError:
                field = None  # the route's own parsing answers with a 422 naming the error
            except RecursionError:
                await _refuse(send, 422, "body", "the body is nested too deeply")
                return
            if field is not None:
                await _refuse(send, 422, field, f"{field}: keys may not start with '$' or '.'")
                return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class NotANumber(ValueError):
    """JSON carried NaN or Infinity, which no field of ours accepts."""


def _not_a_number(constant: str) -> Any:
    raise NotANumber(f"{constant} is no JSON number")


async def _refuse(send: Send, status: int, field: str, message: str) -> None:
    loc = ["body"] if field == "body" else ["body", *field.split(".")]
    content = json.dumps({"detail": [{"loc": loc, "msg": message, "type": "refused"}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})
