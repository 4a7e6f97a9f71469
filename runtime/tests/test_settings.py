"""Settings refuse contradictions at start-up, naming the variables; Kafka security maps to
the client options aiokafka takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from imc_runtime.kafka import client_options
from imc_runtime.settings import ServiceSettings, load_settings, own
from pydantic import SecretStr, ValidationError

SCRAM: dict[str, Any] = {
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_username": "imc-registry",
    "kafka_sasl_password": SecretStr("scram-password"),
}


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "IMC_KAFKA_SASL_USERNAME"),
        ({"kafka_sasl_username": "u", "kafka_sasl_password": SecretStr("p")}, "SASL_SSL"),
        ({"kafka_ssl_ca_file": Path("ca.pem")}, "use SSL or SASL_SSL"),
        (
            {"kafka_security_protocol": "SSL", "kafka_ssl_cert_file": Path(__file__)},
            "IMC_KAFKA_SSL_KEY_FILE",
        ),
        (
            {"kafka_security_protocol": "SSL", "kafka_ssl_ca_file": Path("/no/such/ca.pem")},
            "IMC_KAFKA_SSL_CA_FILE: no file",
        ),
        ({"jwt_secret": SecretStr("short")}, "IMC_JWT_SECRET must be at least 32"),
        ({"environment": "production", **SCRAM}, "development IMC_JWT_SECRET"),
        (
            {"environment": "production", "jwt_secret": SecretStr("x" * 40)},
            "IMC_KAFKA_PLAINTEXT_ALLOWED",
        ),
    ],
)
def test_a_contradiction_is_refused_naming_what_to_change(
    given: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        ServiceSettings(**given)
    assert named in str(refused.value)


def test_production_starts_with_its_own_secret_and_a_secured_or_trusted_kafka() -> None:
    secret = SecretStr("a-production-secret-of-forty-characters!")
    ServiceSettings(environment="production", jwt_secret=secret, **SCRAM)
    ServiceSettings(environment="production", jwt_secret=secret, kafka_plaintext_allowed=True)


@pytest.mark.parametrize(
    ("mechanism", "protocol"), [("SCRAM-SHA-512", "SASL_SSL"), ("PLAIN", "SASL_PLAINTEXT")]
)
def test_sasl_settings_become_aiokafka_options(mechanism: str, protocol: str) -> None:
    settings = ServiceSettings(
        **{**SCRAM, "kafka_security_protocol": protocol, "kafka_sasl_mechanism": mechanism}
    )
    options = client_options(settings)
    assert options["security_protocol"] == protocol
    assert options["sasl_mechanism"] == mechanism
    assert options["sasl_plain_username"] == "imc-registry"
    assert options["sasl_plain_password"] == "scram-password"
    assert (options["ssl_context"] is not None) == (protocol == "SASL_SSL")


def test_plaintext_needs_no_options_beyond_the_servers() -> None:
    assert client_options(ServiceSettings()) == {"bootstrap_servers": "127.0.0.1:9092"}


class _ExampleSettings(ServiceSettings):
    service_name: str = "example"
    http_port: int = own("example", "PORT", 8009, "IMC_HTTP_PORT")
    batch: int = own("example", "BATCH", 10, ge=1, le=100)


def test_a_bad_value_is_named_by_the_variable_that_carries_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMC_EXAMPLE_BATCH", "1000")
    monkeypatch.setenv("IMC_HTTP_READ_TIMEOUT_SECONDS", "0")
    with pytest.raises(SystemExit) as stopped:
        load_settings(_ExampleSettings)
    lines = capsys.readouterr().err.splitlines()
    assert stopped.value.code == 2
    assert lines[0] == "invalid settings for _ExampleSettings:"
    assert sorted(line.split(":")[0].strip() for line in lines[1:]) == [
        "IMC_EXAMPLE_BATCH",
        "IMC_HTTP_READ_TIMEOUT_SECONDS",
    ]


def test_a_service_setting_reads_its_own_variable_before_the_shared_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMC_HTTP_PORT", "9000")
    assert _ExampleSettings().http_port == 9000
    monkeypatch.setenv("IMC_EXAMPLE_PORT", "9001")
    assert _ExampleSettings().http_port == 9001
