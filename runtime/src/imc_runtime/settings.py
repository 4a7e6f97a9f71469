"""Settings every service shares, read from the environment in one place."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_JWT_SECRET = "local-development-secret-change-me-0123456789"  # noqa: S105 - refused in production
GROUP_DESCRIPTION = "Replicas of one deployment share it; only isolated test stacks change it."


def own(service: str, variable: str, default: Any, *shared: str, **field: Any) -> Any:
    """A service's own setting, read from ``IMC_<SERVICE>_<VARIABLE>``, then from the
    ``shared`` names (``IMC_HTTP_PORT``): one variable per service in a shared environment."""
    names = AliasChoices(f"IMC_{service.upper()}_{variable}", *shared)
    return Field(default=default, validation_alias=names, **field)


class ServiceSettings(BaseSettings):
    """Base settings; each service subclasses it to add its own and set its defaults.

    Variables are prefixed ``IMC_`` (``IMC_KAFKA_BOOTSTRAP_SERVERS``, ``IMC_MONGO_URL``, …).
    """

    model_config = SettingsConfigDict(env_prefix="IMC_", extra="ignore", frozen=True)

    service_name: str = "service"
    version: str = Field(default="1.0.0", description="Shown in logs, traces and /health.")
    environment: Literal["local", "test", "production"] = Field(
        default="local", description="production turns on the start-up checks of secrets and TLS."
    )

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Comma-separated host:port of the brokers."
    )
    kafka_client_id_suffix: str = Field(
        default="", description="Told apart replicas of one service in broker logs."
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="SASL_SSL for a managed cluster: TLS and a password."
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        default="SCRAM-SHA-512", description="With a SASL_* protocol."
    )
    kafka_plaintext_allowed: bool = Field(
        default=False, description="Production only: accept PLAINTEXT Kafka on a trusted network."
    )
    kafka_sasl_username: str | None = Field(default=None, description="SASL user of the service.")
    kafka_sasl_password: SecretStr | None = Field(default=None, description="Its password.")
    kafka_ssl_ca_file: Path | None = Field(
        default=None, description="PEM CA bundle of the brokers; the system's when unset."
    )
    kafka_ssl_cert_file: Path | None = Field(
        default=None, description="PEM client certificate, for brokers that require one (mTLS)."
    )
    kafka_ssl_key_file: Path | None = Field(
        default=None, description="PEM private key of the client certificate."
    )

    mongo_url: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true",
        description="Credentials and TLS go in the URL: mongodb://user:pass@host/?tls=true"
        "&tlsCAFile=/etc/imc/mongo-ca.pem&authSource=admin.",
    )
    mongo_database: str = Field(default="", description="Default: imc_<service>.")

    http_host: str = Field(
        default="127.0.0.1", description="0.0.0.0 in a container, to be reachable."
    )
    http_port: int = Field(default=8000, description="The service's own variable comes first.")

    max_body_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="Larger request bodies are refused with 413, before authentication.",
    )
    http_read_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="A request's headers, then its body, must each arrive within it (else 408).",
    )
    http_keep_alive_seconds: int = Field(
        default=5, ge=1, le=300, description="An idle kept-alive connection is closed after it."
    )
    http_max_in_flight: int = Field(
        default=64,
        ge=1,
        le=10_000,
        description="Requests handled at once; one more is answered 503 with Retry-After at "
        "once. Health probes and metrics are not counted.",
    )
    http_max_connections: int = Field(
        default=2048,
        ge=8,
        le=100_000,
        description="Open connections at most; beyond, a request is answered 503.",
    )

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins whose pages may call the API from a browser "
        "(the web frontend's, e.g. http://127.0.0.1:8080); none when empty.",
    )

    log_format: Literal["json", "console"] = Field(
        default="console", description="json: one line per event, for a log collector."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    jwt_secret: SecretStr = Field(
        default=SecretStr(DEFAULT_JWT_SECRET),
        description="HS256 signing key (32+ characters); refused in production if left default.",
    )
    jwt_issuer: str = Field(default="imc-hub", description="Tokens must carry this iss.")
    jwt_public_key_file: Path | None = Field(
        default=None, description="PEM public key of an identity provider: tokens are then RS256."
    )
    jwt_jwks_file: Path | None = Field(
        default=None, description="JWKS document of an identity provider: RS256, key by 'kid'."
    )
    jwt_audience: str | None = Field(default=None, description="If set, tokens must carry it.")

    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP collector base URL; traces are off when unset."
    )

    relay_batch_size: int = Field(
        default=500, ge=1, le=10_000, description="Commits the relay publishes per round."
    )
    relay_idle_interval_seconds: float = Field(
        default=0.2, gt=0, le=10, description="How often an idle relay looks for commits."
    )
    relay_ledger_interval_seconds: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="How long published commits' ids may gather before one write records "
        "them published; a crash publishes at most that much again (0: after each batch).",
    )
    consumer_workers: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Consumers per topic in each replica: a replica works on that many of a "
        "topic's partitions at once, each partition still in order.",
    )
    kafka_session_timeout_seconds: float = Field(
        default=6.0,
        ge=1,
        le=300,
        description="How long Kafka waits for a replica's heartbeat (sent every third of it) "
        "before it hands the replica's partitions to the others: a crashed replica's messages "
        "wait this long. Kafka refuses less than its group.min.session.timeout.ms (6 s).",
    )
    shutdown_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        description="SIGTERM: finish work in hand, commit, close within it; a stop still "
        "running 5 s after it is cut short (exit status 1), losing nothing.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        """Refuse to start on settings that contradict each other, saying which and why."""
        problems: list[str] = []
        sasl = self.kafka_security_protocol.startswith("SASL_")
        if sasl and not (self.kafka_sasl_username and self.kafka_sasl_password):
            problems.append(
                f"IMC_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "IMC_KAFKA_SASL_USERNAME and IMC_KAFKA_SASL_PASSWORD"
            )
        if not sasl and (self.kafka_sasl_username or self.kafka_sasl_password):
            problems.append(
                "IMC_KAFKA_SASL_USERNAME/PASSWORD are set but IMC_KAFKA_SECURITY_PROTOCOL is "
                f"{self.kafka_security_protocol}: use SASL_SSL (or SASL_PLAINTEXT)"
            )
        tls = self.kafka_security_protocol in ("SSL", "SASL_SSL")
        tls_files = (self.kafka_ssl_ca_file, self.kafka_ssl_cert_file, self.kafka_ssl_key_file)
        if not tls and any(tls_files):
            problems.append(
                "IMC_KAFKA_SSL_* files are set but IMC_KAFKA_SECURITY_PROTOCOL is "
                f"{self.kafka_security_protocol}: use SSL or SASL_SSL"
            )
        if bool(self.kafka_ssl_cert_file) != bool(self.kafka_ssl_key_file):
            problems.append("IMC_KAFKA_SSL_CERT_FILE and IMC_KAFKA_SSL_KEY_FILE go together")
        for name, path in (
            ("IMC_KAFKA_SSL_CA_FILE", self.kafka_ssl_ca_file),
            ("IMC_KAFKA_SSL_CERT_FILE", self.kafka_ssl_cert_file),
            ("IMC_KAFKA_SSL_KEY_FILE", self.kafka_ssl_key_file),
            ("IMC_JWT_PUBLIC_KEY_FILE", self.jwt_public_key_file),
            ("IMC_JWT_JWKS_FILE", self.jwt_jwks_file),
        ):
            if path is not None and not path.is_file():
                problems.append(f"{name}: no file at {path}")
        if self.jwt_public_key_file and self.jwt_jwks_file:
            problems.append("set IMC_JWT_PUBLIC_KEY_FILE or IMC_JWT_JWKS_FILE, not both")
        secret = self.jwt_secret.get_secret_value()
        external_keys = self.jwt_public_key_file or self.jwt_jwks_file
        if len(secret) < 32 and not external_keys:
            problems.append("IMC_JWT_SECRET must be at least 32 characters")
        if self.environment == "production":
            if secret == DEFAULT_JWT_SECRET and not external_keys:
                problems.append(
                    "production with the development IMC_JWT_SECRET: set a secret of your own "
                    "or an identity provider's key (IMC_JWT_PUBLIC_KEY_FILE / IMC_JWT_JWKS_FILE)"
                )
            if self.kafka_security_protocol == "PLAINTEXT" and not self.kafka_plaintext_allowed:
                problems.append(
                    "production over PLAINTEXT Kafka: use SSL or SASL_SSL, or say "
                    "IMC_KAFKA_PLAINTEXT_ALLOWED=true for a private network you trust"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def database_name(self) -> str:
        return self.mongo_database or f"imc_{self.service_name}"


Settings = TypeVar("Settings", bound=ServiceSettings)


def load_settings(kind: type[Settings]) -> Settings:
    """The service's settings from the environment; on a contradiction or a bad value, a
    message naming each variable and why, and exit status 2 — never a traceback."""
    try:
        return kind()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            where = "_".join(str(part) for part in problem["loc"]).upper()
            where = where if where.startswith("IMC_") else f"IMC_{where}"  # an own() alias
            message = str(problem["msg"]).removeprefix("Value error, ")
            lines.append(f"  {where}: {message}" if problem["loc"] else f"  {message}")
        print(f"invalid settings for {kind.__name__}:", *lines, sep="\n", file=sys.stderr)
        raise SystemExit(2) from None
