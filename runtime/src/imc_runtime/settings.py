"""Settings every service shares, read from the environment in one place."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base settings; each service subclasses it to add its own and set its defaults.

    Variables are prefixed ``IMC_`` (``IMC_KAFKA_BOOTSTRAP_SERVERS``, ``IMC_MONGO_URL``, …).
    """

    model_config = SettingsConfigDict(env_prefix="IMC_", extra="ignore", frozen=True)

    service_name: str = "service"
    version: str = "1.0.0"
    environment: Literal["local", "test", "production"] = "local"

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_client_id_suffix: str = Field(
        default="", description="Told apart replicas of one service in broker logs."
    )

    mongo_url: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    mongo_database: str = ""

    http_host: str = "127.0.0.1"
    http_port: int = 8000

    log_format: Literal["json", "console"] = "console"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    jwt_secret: SecretStr = SecretStr("local-development-secret-change-me-0123456789")
    jwt_issuer: str = "imc-hub"
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

    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_idle_interval_seconds: float = Field(default=0.2, gt=0, le=10)
    shutdown_timeout_seconds: float = Field(default=15.0, gt=0)

    @property
    def database_name(self) -> str:
        return self.mongo_database or f"imc_{self.service_name}"
