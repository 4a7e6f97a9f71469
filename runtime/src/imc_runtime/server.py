"""The HTTP server every service runs: uvicorn, with the limits it lacks by itself.

- **A deadline for a request's head.** uvicorn's keep-alive timeout covers an idle
  connection only until its first byte, and it has no timeout for reading headers, so a
  client that sends them a byte at a time (or opens a connection and sends nothing) holds
  it for good. ``HeadDeadlineProtocol`` closes, with a 408, a connection whose request
  line and headers have not all arrived within ``http_read_timeout_seconds`` of its first
  byte (of the connection, for its first request). The body has its own deadline, in
  ``imc_runtime.guard``.
- **A bound on work in hand.** ``InFlightLimit`` answers 503 with ``Retry-After`` at once to
  a request beyond ``http_max_in_flight`` being handled, rather than queueing it behind the
  others — except the health probes and metrics, which are never refused and never wait
  on the rest, so a probe does not take a busy service for a dead one.
- **A cap on connections** (``http_max_connections``, uvicorn's own 503 beyond), and
  keep-alive for ``http_keep_alive_seconds``.
- **A correlation id on every request** (``CorrelatedRequests``).

Each layer is plain ASGI: Starlette's ``BaseHTTPMiddleware`` runs the rest of the request in
a task of its own and streams the response through a queue, which cost the registry a
fifth of its CPU on a read (measured with py-spy under wrk).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

import h11
import structlog
import uvicorn
from imc_contracts import new_event_id
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from imc_runtime.logging import get_logger
from imc_runtime.settings import ServiceSettings

log = get_logger(__name__)

UNLIMITED_PATHS = ("/health/", "/metrics")


def _timeout_response(seconds: float) -> bytes:
    body = json.dumps(
        {
            "detail": [
                {
                    "loc": ["header"],
                    "msg": f"the request's headers did not arrive within {seconds:g} s",
                    "type": "timeout",
                }
            ]
        }
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class HeadDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is too slow."""

    head_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._head_started = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._head_deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first byte of the next request on a kept-alive connection
        self._head_started = True
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the head is in: the body's deadline is the guard's

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # uvicorn's keep-alive timer now watches the idle connection

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        self._head_started = False
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _too_slow(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a response is still being written: not a slow head
        if self._head_started:  # part of a head came: say why it is closed
            with contextlib.suppress(OSError, RuntimeError):
                self.transport.write(_timeout_response(self.head_timeout))
        log.info("http.head_timeout", client=self.client, partial=self._head_started)
        self.transport.close()


class InFlightLimit:
    """ASGI middleware: at most ``limit`` requests handled at once; one more is a 503 at
    once. ``UNLIMITED_PATHS`` are neither counted nor refused."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLIMITED_PATHS):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await _busy(send, self.limit)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


_PARTNERSHIP_PATH = re.compile(r"/partnerships/([^/]+)")
"""Where a route names one partnership: every service's routes say ``/partnerships/{id}``."""


class CorrelatedRequests:
    """ASGI middleware: every log line of a request carries its correlation id (the caller's
    ``X-Correlation-ID``, or a new one), and the response hands it back; a request about one
    partnership also carries its id (read from the path here, not by a dependency of every
    route: FastAPI's dependencies cost more than the regular expression)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-correlation-id", "")[:100]
        correlation_id = given or str(new_event_id())
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            correlation_id=correlation_id, method=scope["method"], path=scope["path"]
        )
        if about := _PARTNERSHIP_PATH.search(scope["path"]):
            structlog.contextvars.bind_contextvars(partnership_id=about.group(1))

        async def send_correlated(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Correlation-ID"] = correlation_id
            await send(message)

        await self.app(scope, receive, send_correlated)


async def _busy(send: Send, limit: int) -> None:
    content = json.dumps(
        {"detail": f"the service is handling {limit} requests already; retry shortly"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (b"retry-after", b"1"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


STOP_MARGIN_SECONDS = 5.0
"""How long past ``shutdown_timeout_seconds`` a stop may still take before it is cut short."""


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM once it has shut down, so a clean stop exits by the signal;
    we exit 0 instead, which is what a clean stop is to a supervisor or a test.

    A stop is bounded: closing Kafka clients while Kafka itself is going (the whole host
    shutting down, a launcher killed outright) can wait on requests that will never be
    answered. ``stop_within`` seconds after the first signal the process exits at once, with
    status 1; nothing is lost by it — what the relay had not published is still in the
    outbox, and what a consumer had not committed is read again."""

    def __init__(self, config: uvicorn.Config, stop_within: float) -> None:
        super().__init__(config)
        self._stop_within = stop_within
        self._overdue: threading.Timer | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._overdue is None:
            self._overdue = threading.Timer(self._stop_within, _cut_short, (self._stop_within,))
            self._overdue.daemon = True
            self._overdue.start()
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def _cut_short(seconds: float) -> None:
    log.error("service.stop_overdue", seconds=seconds)
    sys.stdout.flush()
    os._exit(1)


def protocol_for(settings: ServiceSettings) -> type[HeadDeadlineProtocol]:
    """The protocol class with this service's head deadline."""
    return type(
        "ServiceHttpProtocol",
        (HeadDeadlineProtocol,),
        {"head_timeout": settings.http_read_timeout_seconds},
    )


def server_config(app: ASGIApp, settings: ServiceSettings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        http=protocol_for(settings),
        log_config=None,
        access_log=False,
        timeout_keep_alive=settings.http_keep_alive_seconds,
        limit_concurrency=settings.http_max_connections,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_seconds),
    )


def serve(app: ASGIApp, settings: ServiceSettings) -> None:
    """Run the app until SIGINT or SIGTERM; uvicorn then runs the lifespan's shutdown:
    stop consuming, finish the message in hand, commit, close — within
    ``shutdown_timeout_seconds``, and the process is gone ``STOP_MARGIN_SECONDS`` after it
    at the latest."""
    stop_within = settings.shutdown_timeout_seconds + STOP_MARGIN_SECONDS
    _Server(server_config(app, settings), stop_within).run()
