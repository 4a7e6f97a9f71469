"""Notifications settings: the shared ones plus SMTP and the frontend's address."""

from __future__ import annotations

from imc_runtime.settings import ServiceSettings
from pydantic import AliasChoices, Field


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    http_port: int = Field(
        default=8003, validation_alias=AliasChoices("IMC_NOTIFICATIONS_PORT", "IMC_HTTP_PORT")
    )
    mongo_database: str = Field(
        default="imc_notifications", validation_alias=AliasChoices("IMC_NOTIFICATIONS_DATABASE")
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "IMC Hub <no-reply@imc-hub.example.org>"
    frontend_base_url: str = "http://127.0.0.1:8080"
