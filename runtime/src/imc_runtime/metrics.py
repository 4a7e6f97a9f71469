"""Prometheus metrics every service exposes at ``/metrics``.

One registry per service instance (not the process-global one), so tests that build several
brokers in one process do not collide, and each service's numbers are its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import Response
from imc_contracts.catalog import topics_consumed_by
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from pymongo import monitoring
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imc_runtime.kafka import Connection, connect, partitions_of
from imc_runtime.logging import get_logger
from imc_runtime.relay import Relay

log = get_logger(__name__)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # memory (RSS), CPU, open files
        PlatformCollector(registry=self.registry)
        self.http_requests = Histogram(
            "imc_http_request_duration_seconds",
            "HTTP requests by route and status, with their latency.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.messages = Counter(
            "imc_messages_total",
            "Messages consumed, by group, topic and outcome "
            "(handled, skipped, retried, dead_lettered, failed).",
            ["group", "topic", "outcome"],
            registry=self.registry,
        )
        self.consumer_lag = Gauge(
            "imc_consumer_lag_messages",
            "Messages in a partition not yet committed by the group.",
            ["group", "topic", "partition"],
            registry=self.registry,
        )
        self.relay_backlog = Gauge(
            "imc_relay_backlog_commits",
            "Commits not yet published to Kafka.",
            registry=self.registry,
        )
        self.relay_backlog_age = Gauge(
            "imc_relay_backlog_age_seconds",
            "Age of the oldest commit not yet published (0 when none).",
            registry=self.registry,
        )
        self.relay_published = Counter(
            "imc_relay_published_events_total",
            "Events the relay published.",
            registry=self.registry,
        )
        self.db_commands = Histogram(
            "imc_db_command_duration_seconds",
            "Database commands by name, collection and outcome (ok, failed), with their "
            "round-trip time as the client sees it.",
            ["command", "collection", "outcome"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0),
            registry=self.registry,
        )
        self.emails = Counter(
            "imc_emails_total",
            "Emails by outcome (sent, failed).",
            ["outcome"],
            registry=self.registry,
        )

    def exposition(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

    def consumed(self, group: str, topic: str) -> Callable[[str], None]:
        """A callback counting one outcome of a message of ``topic``."""
        return lambda outcome: self.messages.labels(group, topic, outcome).inc()


class TimedRequests:
    """ASGI middleware: each request's duration, until its last byte is sent, into
    ``imc_http_request_duration_seconds`` by method, route template and status (500 when
    the route raised)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_timed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_timed)
        finally:
            # The route's template, not the raw path: ids would explode the label set.
            template = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.http_requests.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )


class CommandMetrics(monitoring.CommandListener):
    """Times every database command into ``imc_db_command_duration_seconds``: how many round
    trips a message costs, and which collection they go to, read off ``/metrics``."""

    def __init__(self, histogram: Histogram) -> None:
        self._histogram = histogram
        self._collections: dict[tuple[Any, int], str] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        if event.command_name == "getMore":
            target = event.command.get("collection")
        if isinstance(target, str):
            self._collections[(event.connection_id, event.request_id)] = target

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._observe(event, "ok")

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._observe(event, "failed")

    def _observe(
        self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent, outcome: str
    ) -> None:
        collection = self._collections.pop((event.connection_id, event.request_id), "")
        self._histogram.labels(event.command_name, collection, outcome).observe(
            event.duration_micros / 1e6
        )


async def watch_backlog(relay: Relay, metrics: Metrics, *, every: float = 5.0) -> None:
    """Keep the relay backlog gauges current (from what the relay holds: no database read)."""
    while True:
        count, oldest = relay.backlog()
        metrics.relay_backlog.set(count)
        age = 0.0 if oldest is None else (datetime.now(UTC) - oldest).total_seconds()
        metrics.relay_backlog_age.set(max(age, 0.0))
        await asyncio.sleep(every)


async def watch_lag(
    connection: Connection, group: str, metrics: Metrics, *, every: float = 15.0
) -> None:
    """Keep the consumer-lag gauge current: end offset minus the group's committed offset."""
    topics = [topic.name for topic in topics_consumed_by(group)]
    if not topics:
        return
    admin = AIOKafkaAdminClient(**connect(connection))
    consumer = AIOKafkaConsumer(**connect(connection), enable_auto_commit=False)
    started = False
    try:
        while True:
            try:
                if not started:
                    await admin.start()
                    await consumer.start()
                    started = True
                committed = await admin.list_consumer_group_offsets(group)
                partitions = [
                    TopicPartition(topic, p)
                    for topic in topics
                    for p in await partitions_of(connection, topic)
                ]
                ends = await consumer.end_offsets(partitions)
                for tp, end in ends.items():
                    meta = committed.get(tp)
                    done = meta.offset if meta is not None and meta.offset >= 0 else 0
                    metrics.consumer_lag.labels(group, tp.topic, str(tp.partition)).set(end - done)
            except Exception as error:
                log.debug("metrics.lag_unavailable", error=repr(error))
            await asyncio.sleep(every)
    finally:
        if started:
            await consumer.stop()
            await admin.close()
