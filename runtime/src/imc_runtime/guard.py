"""Refuse hostile bodies before any route (or authentication) sees them.

Every service's app runs behind ``BodyGuard``:

- a body over ``max_bytes`` is a 413, told from ``Content-Length`` before a byte is read,
  or as soon as a chunked body passes the limit;
- a body that does not arrive within ``read_timeout`` seconds is a 408;
- a JSON body is held to what no field of ours can mean otherwise, and refused with a 422
  naming the field: ``NaN`` or ``Infinity`` (not JSON numbers), a key given twice, a key
  starting with ``$`` or ``.`` (MongoDB operators and dotted paths), a lone surrogate (text
  no database or export can store), nesting deeper than ``MAX_DEPTH``.

It also fingerprints each write (method, path, query and the body's canonical JSON), so a
commit caused by an ``Idempotency-Key`` remembers what was asked: the same key with another
body is refused instead of answered as the first (``imc_runtime.commitlog.CauseReused``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imc_runtime.commits import request_fingerprint

MAX_DEPTH = 32
"""Objects and arrays within each other: no request of ours nests half as deep."""


class Refused(Exception):
    def __init__(self, status: int, loc: list[str | int], message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.loc = loc
        self.message = message
        self.code = code


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def strict_json(body: bytes) -> Any:
    """The parsed body, or ``Refused`` naming the first field no route should see.
    ``ValueError`` when it is not JSON at all (the route answers that itself)."""
    try:
        value = json.loads(body, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as error:
        raise Refused(
            422, ["body", error.key], f"{error.key}: given twice", "duplicate_key"
        ) from None
    except RecursionError:
        raise Refused(422, ["body"], "the body is nested too deeply", "too_deep") from None
    _check(value, ["body"], 0)
    return value


def _check(value: Any, loc: list[str | int], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise Refused(422, loc, f"nested deeper than {MAX_DEPTH} levels", "too_deep")
    if isinstance(value, float) and not math.isfinite(value):
        name = _name(loc)
        raise Refused(422, loc, f"{name}: {value} is not a JSON number", "not_a_number")
    if isinstance(value, str):
        if _has_surrogate(value):
            raise Refused(422, loc, f"{_name(loc)}: not valid Unicode text", "invalid_text")
    elif isinstance(value, dict):
        for key, item in value.items():
            where = [*loc, key]
            if key.startswith(("$", ".")):
                raise Refused(
                    422, where, f"{_name(where)}: keys may not start with '$' or '.'", "refused"
                )
            if _has_surrogate(key):
                raise Refused(422, loc, f"{_name(loc)}: a key is not valid Unicode", "invalid_text")
            _check(item, where, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, [*loc, index], depth + 1)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _name(loc: list[str | int]) -> str:
    parts = [str(part) for part in loc[1:]]
    return ".".join(parts) if parts else "body"


def fingerprint(scope: Scope, body: bytes, parsed: Any = None) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")):
        digest.update(part.encode())
        digest.update(b"\x1f")
    if parsed is not None:
        body = json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
    digest.update(body)
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Upload:
    """Routes that take files: their own size limit and time to arrive."""

    path: str
    """A regular expression the whole path matches, e.g. ``/v1/submissions/[^/]+/evidence``."""
    max_bytes: int
    read_timeout: float


class BodyGuard:
    """ASGI middleware: the limits above, then the route with the body as it came."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        read_timeout: float,
        uploads: Sequence[Upload] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout
        self.uploads = [(re.compile(upload.path), upload) for upload in uploads]

    def _limits(self, path: str) -> tuple[int, float]:
        for pattern, upload in self.uploads:
            if pattern.fullmatch(path):
                return upload.max_bytes, upload.read_timeout
        return self.max_bytes, self.read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        try:
            body = await self._read(headers, receive, *self._limits(scope["path"]))
            if body is None:
                return  # the client went away
            parsed = None
            if body and b"json" in headers.get(b"content-type", b""):
                try:
                    parsed = strict_json(body)
                except ValueError:
                    parsed = None  # not JSON: the route's own parsing answers with a 422
        except Refused as refused:
            await _refuse(send, refused)
            return
        token = request_fingerprint.set(fingerprint(scope, body, parsed))
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            await self.app(scope, replay, send)
        finally:
            request_fingerprint.reset(token)

    async def _read(
        self, headers: dict[bytes, bytes], receive: Receive, max_bytes: int, read_timeout: float
    ) -> bytes | None:
        declared = headers.get(b"content-length", b"0")
        too_large = Refused(413, ["body"], f"the body is over {max_bytes} bytes", "too_large")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(read_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > max_bytes:
                        raise too_large
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            raise Refused(
                408, ["body"], f"the body did not arrive within {read_timeout:g} s", "timeout"
            ) from None


async def _refuse(send: Send, refused: Refused) -> None:
    # About the body, so in the shape of a field problem whatever the status (413, 408, 422).
    body = {"detail": [{"loc": refused.loc, "msg": refused.message, "type": refused.code}]}
    content = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
    ]
    if refused.status in (408, 413):
        headers.append((b"connection", b"close"))  # what is left of the body is not read
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
