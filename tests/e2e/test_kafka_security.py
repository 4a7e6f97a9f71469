"""The services' Kafka security settings against a real broker that demands them: TLS with a
private CA and a SCRAM-SHA-512 user. Topics are created, an event goes through a service's
broker and back; a wrong password and an unknown CA are refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imc_devstack.processes import free_port, port_accepts, wait_until
from imc_devstack.stack import Ports, SecureListener, Stack
from imc_runtime.kafka import client_options, ensure_topics, make_broker
from imc_runtime.settings import ServiceSettings
from pydantic import SecretStr

pytestmark = pytest.mark.infra

USER, PASSWORD = "imc-registry", f"scram-{uuid.uuid4().hex}"


def _certificate_authority(directory: Path) -> tuple[Path, Path]:
    """A CA, and a PEM keystore (key + chain) for a broker on 127.0.0.1 signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "IMC Hub test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    broker = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    keystore = directory / "broker.pem"
    keystore.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + broker.public_bytes(serialization.Encoding.PEM)
        + ca.public_bytes(serialization.Encoding.PEM)
    )
    return ca_file, keystore


@pytest.fixture(scope="module")
def secure_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Path]]:
    root = tmp_path_factory.mktemp("secure-kafka")
    ca_file, keystore = _certificate_authority(root)
    listener = SecureListener(free_port(), keystore, USER, PASSWORD)
    stack = Stack(root / "data", Ports.free(), log_dir=root / "logs", secure_listener=listener)
    stack.start_kafka()
    try:
        wait_until(
            lambda: port_accepts(listener.port),
            what="Kafka's SASL_SSL listener",
            timeout=120,
            process=stack.processes["kafka"],
        )
        yield stack, ca_file
    finally:
        stack.stop()


def _settings(stack: Stack, ca_file: Path, password: str = PASSWORD) -> ServiceSettings:
    assert stack.secure_listener is not None
    return ServiceSettings(
        kafka_bootstrap_servers=f"127.0.0.1:{stack.secure_listener.port}",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username=USER,
        kafka_sasl_password=SecretStr(password),
        kafka_ssl_ca_file=ca_file,
    )


def test_topics_and_messages_flow_over_tls_with_a_scram_user(
    secure_kafka: tuple[Stack, Path],
) -> None:
    stack, ca_file = secure_kafka
    settings = _settings(stack, ca_file)

    async def flow() -> bytes:
        async with asyncio.timeout(90):
            while True:  # the broker may still be starting: its listener opens first
                try:
                    await ensure_topics(client_options(settings), partitions=1)
                    break
                except Exception:
                    await asyncio.sleep(0.5)
            broker = make_broker(settings)
            await broker.connect()
            try:
                await broker.publish(b"over TLS", topic="imc.registry.events", key=b"k")
            finally:
                await broker.stop()
            consumer = AIOKafkaConsumer(
                "imc.registry.events",
                **client_options(settings),
                auto_offset_reset="earliest",
                group_id=f"secure-{uuid.uuid4().hex[:6]}",
            )
            await consumer.start()
            try:
                record = await consumer.getone()
            finally:
                await consumer.stop()
            value: bytes | None = record.value
            assert value is not None
            return value

    assert asyncio.run(flow()) == b"over TLS"


@pytest.mark.parametrize("fault", ["wrong password", "unknown CA"])
def test_a_wrong_password_or_an_unknown_ca_is_refused(
    secure_kafka: tuple[Stack, Path], tmp_path: Path, fault: str
) -> None:
    stack, ca_file = secure_kafka
    if fault == "wrong password":
        settings = _settings(stack, ca_file, password="not-the-password")
    else:
        other_ca, _ = _certificate_authority(tmp_path)
        settings = _settings(stack, other_ca)

    async def connect() -> None:
        admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=10_000)
        try:
            await admin.start()
            await admin.list_topics()
        finally:
            await admin.close()

    with pytest.raises(Exception):  # noqa: B017, PT011 - aiokafka raises several kinds here
        asyncio.run(asyncio.wait_for(connect(), timeout=30))
