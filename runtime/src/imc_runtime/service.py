"""The service host: what every service wires the same way, in one place.

It builds the Mongo client, the Kafka broker, the commit log and its relay; serves
``/health/live`` and ``/health/ready``; starts and stops them in order with the HTTP app;
bounds and checks every request body (``guard``), answers every refusal in one of two
documented shapes (``problems``) and limits the work in hand (``server``). A service adds
its routes, its event router and its start-up steps.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request, Response, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from imc_contracts import Event, asyncapi
from opentelemetry.sdk.trace import TracerProvider
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure
from starlette.middleware import Middleware

from imc_runtime import mongo, problems
from imc_runtime.auth import TokenVerifier
from imc_runtime.commitlog import CommitLog
from imc_runtime.consumer import EventRouter, Retry, drain, subscribe
from imc_runtime.guard import BodyGuard, Upload
from imc_runtime.kafka import EventPublisher, client_options, make_broker
from imc_runtime.logging import configure_logging, get_logger
from imc_runtime.metrics import CommandMetrics, Metrics, TimedRequests, watch_backlog, watch_lag
from imc_runtime.mongo import Document
from imc_runtime.periodic import Periodic, periodic
from imc_runtime.relay import Relay
from imc_runtime.server import CorrelatedRequests, InFlightLimit
from imc_runtime.server import serve as serve
from imc_runtime.settings import ServiceSettings, load_settings
from imc_runtime.tracing import TracedRequests, configure_tracing

log = get_logger(__name__)

StartStep = Callable[[], Awaitable[object]]
Background = Callable[[], Coroutine[Any, Any, None]]
"""A task that runs for the service's lifetime (schedules, watchers); cancelled at stop."""


_S = TypeVar("_S", bound=ServiceSettings)
ErrorAnswer = Callable[[Request, Exception], Response]
"""Answers one kind of exception raised by a route."""


@dataclass
class Infrastructure:
    settings: ServiceSettings
    client: AsyncMongoClient[Document]
    db: AsyncDatabase[Document]
    broker: KafkaBroker
    commits: CommitLog
    relay: Relay
    metrics: Metrics
    tracer_provider: TracerProvider | None = None

    @classmethod
    def build(cls, settings: ServiceSettings) -> Infrastructure:
        metrics = Metrics()
        client = mongo.connect(settings, [CommandMetrics(metrics.db_commands)])
        db = mongo.database(client, settings)
        tracer_provider = configure_tracing(settings)
        broker = make_broker(settings, metrics, tracer_provider)
        commits = CommitLog(db)
        relay = Relay(
            commits,
            EventPublisher(broker),
            batch_size=settings.relay_batch_size,
            idle_interval=settings.relay_idle_interval_seconds,
            ledger_interval=settings.relay_ledger_interval_seconds,
            on_published=metrics.relay_published.inc,
        )
        return cls(settings, client, db, broker, commits, relay, metrics, tracer_provider)

    async def check_ready(self) -> dict[str, str]:
        """Each dependency and whether it answers."""
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(2):
                await mongo.ping(self.db)
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = f"unavailable: {type(error).__name__}"
        try:
            checks["kafka"] = "ok" if await self.broker.ping(timeout=2) else "unavailable"
        except Exception as error:
            checks["kafka"] = f"unavailable: {type(error).__name__}"
        return checks


KAFKA_CLOSE_SECONDS = 5.0
"""How long closing the Kafka clients may take, once the messages in hand are finished and
committed (``drain``): leaving the group and closing connections. After this the clients are
dropped. Nothing is lost: every offset was committed with its message, and Kafka ends the
membership after the session timeout."""

GONE_CLOSE_SECONDS = 1.0
"""How long closing a client may take when what it talks to may be gone (the host shutting
down, ``make run``'s launcher killed): the database client's goodbye (ending its sessions)
or, once ``drain`` found Kafka unreachable, leaving the group would each wait out a timeout
for an answer that never comes. Against a server that is there, a close takes milliseconds."""


async def _closed(what: str, close: Callable[[], Awaitable[object]], *, within: float) -> None:
    try:
        async with asyncio.timeout(within):
            await close()
    except TimeoutError:
        log.warning("service.close_abandoned", client=what, seconds=within)


async def _until_started(what: str, start: StartStep, *, give_up_after: float = 120) -> None:
    """Start a dependency, waiting for it with backoff: a service may start before Kafka."""
    delay = 0.2
    async with asyncio.timeout(give_up_after):
        while True:
            try:
                await start()
                return
            except Exception as error:
                log.warning("startup.waiting", dependency=what, error=repr(error), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


def _repair_log(commits: CommitLog) -> StartStep:
    async def repair() -> None:
        if positions := await commits.repair():
            log.warning("commitlog.repaired", positions=positions)

    return repair


_READY_EXAMPLE = {"status": "ok", "checks": {"database": "ok", "kafka": "ok"}}
_NOT_READY_EXAMPLE = {
    "status": "unavailable",
    "checks": {"database": "unavailable: ServerSelectionTimeoutError", "kafka": "ok"},
}


UseCase = Callable[[Any, Any], Awaitable[None]]
"""A use case run for an event: ``use_case(event, dependencies)``."""


def bind(group: str, table: Mapping[type[Event], UseCase], dependencies: object) -> EventRouter:
    """The router of the catalog's consumer ``group``: each event type of ``table`` to its
    use case, given the service's dependencies — the one place a service says what it does
    with which event."""
    router = EventRouter(group)
    for event_type, use_case in table.items():
        router.add(event_type, functools.partial(_run, use_case, dependencies))
    return router


async def _run(use_case: UseCase, dependencies: object, event: Event) -> None:
    await use_case(event, dependencies)


@dataclass(frozen=True)
class ServiceParts:
    """What a service adds to the host, built in its ``bootstrap.py``: the same fields, in
    the same order, for every service."""

    title: str
    dependencies: object
    """What its use cases need (repositories, clock, mailer…); routes read it from
    ``app.state.dependencies``."""
    routers: Sequence[APIRouter] = ()
    events: EventRouter | None = None
    """What it does with which event (``bind``); its group names its topics in the catalog."""
    consumer_group: str | None = None
    """The Kafka group it consumes in, if not the catalog's (an isolated second instance)."""
    start: Sequence[StartStep] = ()
    """Run in order once the database answers, before Kafka is joined."""
    periodic: Sequence[Periodic] = ()
    stop: Sequence[StartStep] = ()
    """Run once the service has stopped consuming, before the database is closed."""
    middleware: Sequence[Middleware] = ()
    """Outermost first, inside the CORS layer (so a browser can read its refusals too)."""
    uploads: Sequence[Upload] = ()
    """Routes that take files, with their own body limits."""
    errors: Mapping[type[Exception], ErrorAnswer] = dataclasses.field(default_factory=dict)
    """How its own domain errors are answered (404, 409, 422…)."""


def create_app(infra: Infrastructure, parts: ServiceParts) -> FastAPI:
    """The service's app: the host's plumbing around ``parts``."""
    settings = infra.settings
    tasks: list[Background] = [lambda: watch_backlog(infra.relay, infra.metrics)]
    tasks += [functools.partial(periodic, task) for task in parts.periodic]
    retry = Retry()
    if parts.events is not None:
        group = parts.consumer_group or parts.events.group
        subscribe(
            infra.broker,
            parts.events,
            retry=retry,
            metrics=infra.metrics,
            group_id=group,
            workers=settings.consumer_workers,
            session_timeout=settings.kafka_session_timeout_seconds,
            on_assigned=infra.commits.forget_streams,
        )
        tasks.append(lambda: watch_lag(client_options(settings), group, infra.metrics))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await _until_started("database", infra.commits.ensure_indexes)
        await _until_started("database", _repair_log(infra.commits))
        for step in parts.start:
            await step()
        await _until_started("kafka", infra.broker.start)
        relay_task = asyncio.create_task(infra.relay.run(), name="relay")
        background = [asyncio.create_task(run()) for run in tasks]
        log.info("service.started", port=settings.http_port)
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            retry.stop()  # a message whose dependency is away is read again after the restart
            kafka_there = await drain(infra.broker, settings.shutdown_timeout_seconds)
            infra.relay.stop()
            await relay_task
            for step in parts.stop:
                await step()
            kafka_close = KAFKA_CLOSE_SECONDS if kafka_there else GONE_CLOSE_SECONDS
            await _closed("kafka", infra.broker.stop, within=kafka_close)
            await _closed("database", infra.client.close, within=GONE_CLOSE_SECONDS)
            if infra.tracer_provider is not None:
                infra.tracer_provider.shutdown()  # flushes the spans still batched
            log.info("service.stopped")

    app = FastAPI(
        title=parts.title, version=settings.version, lifespan=lifespan, responses=problems.RESPONSES
    )
    app.state.settings = settings
    app.state.dependencies = parts.dependencies
    app.state.verifier = TokenVerifier(settings)
    app.state.infra = infra
    problems.install(app)
    for error, answer in parts.errors.items():
        app.add_exception_handler(error, answer)

    # Innermost: bodies are bounded and checked before any route or authentication.
    app.add_middleware(
        BodyGuard,
        max_bytes=settings.max_body_bytes,
        read_timeout=settings.http_read_timeout_seconds,
        uploads=parts.uploads,
    )
    app.add_middleware(TimedRequests, metrics=infra.metrics)
    if infra.tracer_provider is not None:
        app.add_middleware(TracedRequests, provider=infra.tracer_provider)

    if settings.service_name in asyncapi.SERVICES:

        @app.get("/asyncapi.json", include_in_schema=False)
        async def asyncapi_document() -> dict[str, Any]:
            """The service's messages (AsyncAPI 3.0), as ``contracts/…/asyncapi/`` has them."""
            return _asyncapi(settings.service_name, settings.version)

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    async def metrics() -> Response:
        return infra.metrics.exposition()

    @app.get(
        "/health/live",
        tags=["health"],
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/health/ready",
        tags=["health"],
        responses={
            200: {"content": {"application/json": {"example": _READY_EXAMPLE}}},
            503: {
                "description": "A dependency does not answer.",
                "content": {"application/json": {"example": _NOT_READY_EXAMPLE}},
            },
        },
    )
    async def ready(response: Response) -> dict[str, object]:
        checks = await infra.check_ready()
        healthy = all(state == "ok" for state in checks.values())
        if not healthy:
            response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "ok" if healthy else "unavailable", "checks": checks}

    @app.exception_handler(ConnectionFailure)
    async def dependency_away(_request: Request, error: Exception) -> Response:
        """The database is unreachable: say so, and when to come back; never a 500."""
        log.warning("http.dependency_unavailable", error=repr(error))
        return JSONResponse(
            {"detail": "the service's database is unavailable; retry shortly"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )

    app.add_middleware(CorrelatedRequests)

    for layer in reversed(parts.middleware):
        app.add_middleware(layer.cls, *layer.args, **layer.kwargs)
    app.add_middleware(InFlightLimit, limit=settings.http_max_in_flight)
    if settings.cors_origins:
        # Added last, so it is outermost: preflights are answered before any other layer.
        # Bearer tokens travel in a header, not cookies: no credentials mode is needed.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "If-Match",
                "X-Correlation-ID",
                "Accept-Language",
            ],
            expose_headers=["ETag", "X-Correlation-ID", "Retry-After"],
            max_age=600,
        )

    for router in parts.routers:
        app.include_router(router)
    return app


@functools.cache
def _asyncapi(service: str, version: str) -> dict[str, Any]:
    return asyncapi.document(service, version)


def configure(settings: ServiceSettings) -> None:
    configure_logging(
        service=settings.service_name,
        version=settings.version,
        fmt=settings.log_format,
        level=settings.log_level,
    )


def run_service(settings_type: type[_S], build_app: Callable[[_S], FastAPI]) -> None:
    """A service's ``main``: its settings from the environment, logging, then serve it."""
    settings = load_settings(settings_type)
    configure(settings)
    serve(build_app(settings), settings)
