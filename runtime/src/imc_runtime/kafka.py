"""Kafka plumbing: the broker factory, topic creation from the catalog, and publishing."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    InvalidProducerEpoch,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    TopicAlreadyExistsError,
    UnknownProducerId,
)
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.publisher.producer import AioKafkaFastProducerImpl
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from imc_contracts import TOPICS, Event, dead_letter_topic, encode, topic_of
from imc_contracts.catalog import Topic

from imc_runtime.logging import get_logger
from imc_runtime.settings import ServiceSettings
from imc_runtime.tracing import continued

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from imc_runtime.metrics import Metrics

log = get_logger(__name__)

Connection = str | Mapping[str, Any]
"""How a plain Kafka client connects: bootstrap servers alone (local, tests), or the keyword
arguments ``client_options`` makes from the settings (servers and security)."""


def kafka_security(settings: ServiceSettings) -> BaseSecurity | None:
    """The settings' TLS and SASL as FastStream's security object (None: PLAINTEXT)."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    context: ssl.SSLContext | None = None
    if protocol.endswith("SSL"):
        cafile = str(settings.kafka_ssl_ca_file) if settings.kafka_ssl_ca_file else None
        context = ssl.create_default_context(cafile=cafile)
        if settings.kafka_ssl_cert_file and settings.kafka_ssl_key_file:
            context.load_cert_chain(settings.kafka_ssl_cert_file, settings.kafka_ssl_key_file)
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context)
    username, password = settings.kafka_sasl_username, settings.kafka_sasl_password
    if username is None or password is None:  # the settings refuse this already
        raise ValueError("a SASL protocol needs IMC_KAFKA_SASL_USERNAME and _PASSWORD")
    kind = {
        "PLAIN": SASLPlaintext,
        "SCRAM-SHA-256": SASLScram256,
        "SCRAM-SHA-512": SASLScram512,
    }[settings.kafka_sasl_mechanism]
    return kind(
        username,
        password.get_secret_value(),
        ssl_context=context,
        use_ssl=protocol == "SASL_SSL",
    )


def client_options(settings: ServiceSettings) -> dict[str, Any]:
    """Keyword arguments that connect an aiokafka client as the settings say."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        **parse_security(kafka_security(settings)),
    }


def connect(connection: Connection) -> dict[str, Any]:
    if isinstance(connection, str):
        return {"bootstrap_servers": connection}
    return dict(connection)


def make_broker(
    settings: ServiceSettings,
    metrics: Metrics | None = None,
    tracer_provider: TracerProvider | None = None,
) -> KafkaBroker:
    """A broker whose producer keeps order per key through retries (idempotent, acks=all)."""
    middlewares: list[Any] = []
    if tracer_provider is not None:
        # Consumer spans continue the producer's trace from the message headers.
        middlewares.append(KafkaTelemetryMiddleware(tracer_provider=tracer_provider))
    if metrics is not None:
        middlewares.append(
            KafkaPrometheusMiddleware(registry=metrics.registry, app_name=settings.service_name)
        )
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        security=kafka_security(settings),
        client_id=f"{settings.service_name}{settings.kafka_client_id_suffix}",
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        graceful_timeout=settings.shutdown_timeout_seconds,
        logger=None,
        middlewares=middlewares,
    )


async def ensure_topics(
    connection: Connection, topics: Iterable[Topic] = TOPICS, *, partitions: int | None = None
) -> list[str]:
    """Create the catalog's topics and their groups' dead-letter topics if missing.

    Returns the names created. ``partitions`` overrides the catalog (tests use fewer).
    """
    wanted: dict[str, int] = {}
    for topic in topics:
        wanted[topic.name] = partitions or topic.partitions
        for group in topic.consumer_groups:
            wanted[dead_letter_topic(group)] = 1
    admin = AIOKafkaAdminClient(**connect(connection))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, count, replication_factor=1)
            for name, count in wanted.items()
            if name not in existing
        ]
        if missing:
            # Another process may create them between our look and our create.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()
    return [topic.name for topic in missing]


async def partitions_of(connection: Connection, topic: str) -> list[int]:
    """The partition numbers of ``topic`` (none if it does not exist)."""
    admin = AIOKafkaAdminClient(**connect(connection))
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(p["partition"] for d in described if d["topic"] == topic for p in d["partitions"])


# Errors after which an idempotent producer's id and sequence numbers are of no more use: the
# broker refuses every later send on that partition, and aiokafka does not start a new
# producer id by itself (aio-libs/aiokafka#1017). Seen when Kafka restarted mid-send.
BROKEN_PRODUCER = (
    OutOfOrderSequenceNumber,
    UnknownProducerId,
    InvalidProducerEpoch,
    ProducerFenced,
)


async def renew_producer(broker: KafkaBroker) -> None:
    """Give ``broker`` a new producer (a new producer id, sequence numbers from zero),
    configured as the first. What the old one had in flight is sent again by the caller:
    at least once, as always."""
    fast_producer = broker.config.producer
    if not isinstance(fast_producer, AioKafkaFastProducerImpl):
        return  # a test broker's fake producer has no sequence numbers to lose
    await fast_producer.disconnect()
    await fast_producer.connect(
        # The broker keeps the settings it made its first producer with; so does the new one.
        AIOKafkaProducer(**broker._connection_kwargs),
        serializer=fast_producer.serializer,
        codec=fast_producer.codec,
    )


class EventPublisher:
    """Publishes events to their producer's topic, keyed by partnership, in call order."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(
        self, events: Sequence[Event], traces: Sequence[Mapping[str, str]] = ()
    ) -> None:
        """Publish all of ``events``; returns once the broker has acknowledged every one.

        Each send is queued before the next (order per key holds) and the acknowledgements
        are awaited together, so a batch costs about one round trip. ``traces`` gives, per
        event, the trace context to continue (the one stored with its commit).
        """
        pending = []
        for index, event in enumerate(events):
            with continued(traces[index] if index < len(traces) else None):
                future = await self._broker.publish(
                    encode(event),
                    topic=topic_of(event.producer).name,
                    key=event.partnership_id.encode(),
                    headers={"content-type": "application/json", "event-type": event.type},
                    no_confirm=True,
                )
            pending.append(future)
        try:
            await asyncio.gather(*pending)
        except BROKEN_PRODUCER as error:
            # Raised all the same: the caller retries the batch, on the new producer.
            log.warning("kafka.producer_renewed", error=repr(error))
            await renew_producer(self._broker)
            raise
