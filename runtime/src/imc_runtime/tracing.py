"""OpenTelemetry traces across HTTP → commit log → Kafka → consumer → SMTP.

Off by default; ``IMC_OTLP_ENDPOINT`` (e.g. ``http://collector:4318``) turns it on and exports
spans over OTLP/HTTP. The trace context of the request (or message) that caused a commit is
stored with the commit, so the relay — which publishes later, in another task — continues
the same trace into Kafka's message headers, where the next consumer picks it up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

import structlog
from fastapi import Request, Response
from opentelemetry import context, propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

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


def http_middleware(
    provider: TracerProvider,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    tracer = provider.get_tracer(TRACER)

    async def trace_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        parent = propagate.extract(dict(request.headers))
        name = f"{request.method} {request.url.path}"
        with tracer.start_as_current_span(name, context=parent, kind=trace.SpanKind.SERVER) as span:
            span.set_attribute("http.request.method", request.method)
            response = await call_next(request)
            route = request.scope.get("route")
            if route is not None:
                span.update_name(f"{request.method} {getattr(route, 'path', '')}")
                span.set_attribute("http.route", getattr(route, "path", ""))
            span.set_attribute("http.response.status_code", response.status_code)
            return response

    return trace_request


def span(name: str, **attributes: str) -> contextlib.AbstractContextManager[trace.Span]:
    """A span under the current one, for work worth seeing in a trace (an SMTP send, …)."""
    return trace.get_tracer(TRACER).start_as_current_span(name, attributes=attributes)
