"""Notifications settings: the shared ones plus SMTP, the frontend's address and delivery."""

from __future__ import annotations

from imc_runtime.settings import ServiceSettings
from pydantic import AliasChoices, Field, SecretStr


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    http_port: int = Field(
        default=8003, validation_alias=AliasChoices("IMC_NOTIFICATIONS_PORT", "IMC_HTTP_PORT")
    )
    mongo_database: str = Field(
        default="imc_notifications", validation_alias=AliasChoices("IMC_NOTIFICATIONS_DATABASE")
    )
    consumer_group: str = Field(
        default="notifications",
        validation_alias=AliasChoices("IMC_NOTIFICATIONS_CONSUMER_GROUP"),
        description="Kafka group; a second, independent instance (a test) uses its own.",
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_use_tls: bool = Field(default=False, description="Implicit TLS (port 465).")
    smtp_timeout_seconds: float = 10.0
    smtp_attempts: int = Field(
        default=3, ge=1, le=10, description="Tries per delivery before the event is retried."
    )
    smtp_backoff_seconds: float = Field(default=0.2, gt=0, le=60)
    smtp_backoff_cap_seconds: float = Field(default=5.0, gt=0, le=600)
    mail_from: str = "IMC Hub <no-reply@imc-hub.example.org>"
    message_id_domain: str = "imc-hub.example.org"
    frontend_base_url: str = "http://127.0.0.1:8080"
    public_base_url: str = Field(
        default="",
        description="Where recipients reach this service (unsubscribe links); "
        "default: http://127.0.0.1:<port>.",
    )
    unsubscribe_secret: SecretStr = SecretStr("local-unsubscribe-secret-change-me-0123456789")
    unsubscribe_link_ttl_days: int = Field(default=90, ge=1, le=3650)
    mandatory_kinds: list[str] = Field(
        default_factory=lambda: ["submission_rejected"],
        description="Kinds a recipient cannot turn off (JSON list in the environment).",
    )
    digest_hour: int = Field(default=8, ge=0, le=23, description="Local hour of the digest.")
    digest_interval_seconds: float = Field(default=60.0, gt=0)

    @property
    def base_url(self) -> str:
        return (self.public_base_url or f"http://127.0.0.1:{self.http_port}").rstrip("/")
