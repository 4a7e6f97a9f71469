"""OpenTelemetry traces across HTTP → commit log → Kafka → consumer → SMTP.

Off by default; ``IMC_OTLP_ENDPOINT`` (e.g. ``http://collector:4318``) turns it on and exports
spans over OTLP/HTTP. The trace context of the request (or message) that caused a commit is
stored with the commit, so the relay — which publishes later, in another task — continues
the same trace into Kafka's message headers, where the next consumer picks it up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import structlog
from opentelemetry import context, propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imc_runtime.settings import ServiceSettings

TRACER = "imc_hub"


def configure_tracing(settings: ServiceSettings) -> TracerProvider | None:
    """A tracer provider exporting to the configured OTLP endpoint, or None when off."""
    if not settings.otlp_endpoint:
        return None
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": settings.service_name, "service.version": settings.version}
        )
    )
    endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def current_context() -> dict[str, str]:
    """The active trace context as W3C headers (empty when nothing is traced)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextlib.contextmanager
def continued(carrier: Mapping[str, str] | None) -> Iterator[None]:
    """Run the block inside the trace context ``carrier`` names (a stored one)."""
    if not carrier:
        yield
        return
    token = context.attach(propagate.extract(dict(carrier)))
    try:
        yield
    finally:
        context.detach(token)


def add_trace_id(
    _logger: Any, _name: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """Log lines carry the trace id of the span they were written in."""
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event.setdefault("trace_id", format(span_context.trace_id, "032x"))
    return event


class TracedRequests:
    """ASGI middleware: each request is a server span continuing the caller's trace (W3C
    ``traceparent``), named by its route template once the route is known."""

    def __init__(self, app: ASGIApp, *, provider: TracerProvider) -> None:
        self.app = app
        self.tracer = provider.get_tracer(TRACER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        parent = propagate.extract(dict(Headers(scope=scope)))
        with self.tracer.start_as_current_span(
            f"{method} {scope['path']}", context=parent, kind=trace.SpanKind.SERVER
        ) as span:
            span.set_attribute("http.request.method", method)

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                await send(message)

            try:
                await self.app(scope, receive, send_traced)
            finally:
                route = scope.get("route")
                if route is not None:
                    span.update_name(f"{method} {getattr(route, 'path', '')}")
                    span.set_attribute("http.route", getattr(route, "path", ""))


def span(name: str, **attributes: str) -> contextlib.AbstractContextManager[trace.Span]:
    """A span under the current one, for work worth seeing in a trace (an SMTP send, …)."""
    return trace.get_tracer(TRACER).start_as_current_span(name, attributes=attributes)
