"""Notifications settings: the shared ones plus SMTP, the frontend's address and delivery."""

from __future__ import annotations

from email.utils import getaddresses, parseaddr
from typing import Self

from imc_runtime.settings import GROUP_DESCRIPTION, ServiceSettings, own
from pydantic import Field, SecretStr, model_validator

DEFAULT_UNSUBSCRIBE_SECRET = "local-unsubscribe-secret-change-me-0123456789"  # noqa: S105 - refused in production


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    http_port: int = own("notifications", "PORT", 8003, "IMC_HTTP_PORT")
    mongo_database: str = own("notifications", "DATABASE", "imc_notifications")
    consumer_group: str = own(
        "notifications", "CONSUMER_GROUP", "notifications", description=GROUP_DESCRIPTION
    )
    smtp_host: str = Field(default="127.0.0.1", description="The SMTP server that sends the mail.")
    smtp_port: int = Field(default=1025, description="587 with STARTTLS, 465 with implicit TLS.")
    smtp_username: str | None = Field(default=None, description="With its password, or neither.")
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(default=False, description="Upgrade the connection (port 587).")
    smtp_use_tls: bool = Field(default=False, description="Implicit TLS (port 465).")
    smtp_timeout_seconds: float = Field(default=10.0, description="Per SMTP conversation.")
    smtp_keep_alive_seconds: float = Field(
        default=10.0,
        ge=0,
        le=300,
        description="Keep a connection open this long after a message, for the next one "
        "(0: a connection per message). Below the server's idle timeout.",
    )
    smtp_local_hostname: str | None = Field(
        default=None, description="The name given in EHLO; default: this machine's, looked up once."
    )
    smtp_attempts: int = Field(
        default=3, ge=1, le=10, description="Tries per delivery before the event is retried."
    )
    smtp_backoff_seconds: float = Field(default=0.2, gt=0, le=60)
    smtp_backoff_cap_seconds: float = Field(default=5.0, gt=0, le=600)
    mail_from: str = Field(
        default="IMC Hub <no-reply@imc-hub.example.org>", description="The From header."
    )
    message_id_domain: str = Field(
        default="imc-hub.example.org", description="Right of the @ in each Message-ID."
    )
    frontend_base_url: str = Field(
        default="http://127.0.0.1:8080", description="Links in emails point here."
    )
    public_base_url: str = Field(
        default="",
        description="Where recipients reach this service (unsubscribe links); "
        "default: http://127.0.0.1:<port>.",
    )
    unsubscribe_secret: SecretStr = Field(
        default=SecretStr(DEFAULT_UNSUBSCRIBE_SECRET),
        description="Signs unsubscribe links (32+ characters); refused in production if default.",
    )
    unsubscribe_mailto: str | None = Field(
        default=None,
        description="An address that takes unsubscribe requests by email: offered beside the "
        "link in List-Unsubscribe (mailto:<address>?subject=unsubscribe); default: none.",
    )
    unsubscribe_link_ttl_days: int = Field(default=90, ge=1, le=3650)
    mandatory_kinds: list[str] = Field(
        default_factory=lambda: ["submission_rejected"],
        description="Kinds a recipient cannot turn off (JSON list in the environment).",
    )
    digest_hour: int = Field(default=8, ge=0, le=23, description="Local hour of the digest.")
    digest_interval_seconds: float = Field(default=60.0, gt=0)
    directory_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="Keep the recipients, municipalities and partnerships read for an email "
        "this long for the next ones (0: read them each time). A change this instance applies "
        "is seen at once; one another instance applied, within this time.",
    )

    @model_validator(mode="after")
    def _consistent_mail(self) -> Self:
        problems: list[str] = []
        if self.smtp_starttls and self.smtp_use_tls:
            problems.append(
                "IMC_SMTP_STARTTLS and IMC_SMTP_USE_TLS exclude each other: STARTTLS upgrades a "
                "plain connection (port 587), USE_TLS starts encrypted (port 465)"
            )
        if bool(self.smtp_username) != bool(self.smtp_password):
            problems.append("IMC_SMTP_USERNAME and IMC_SMTP_PASSWORD go together")
        if len(getaddresses([self.mail_from])) != 1 or "@" not in parseaddr(self.mail_from)[1]:
            problems.append(
                f"IMC_MAIL_FROM must be one address, such as 'IMC Hub <no-reply@example.org>', "
                f"not {self.mail_from!r}"
            )
        mailto = self.unsubscribe_mailto
        if mailto is not None and (parseaddr(mailto)[1] != mailto or "@" not in mailto):
            problems.append(f"IMC_UNSUBSCRIBE_MAILTO must be a bare address, not {mailto!r}")
        if len(self.unsubscribe_secret.get_secret_value()) < 32:
            problems.append("IMC_UNSUBSCRIBE_SECRET must be at least 32 characters")
        if self.environment == "production":
            if self.unsubscribe_secret.get_secret_value() == DEFAULT_UNSUBSCRIBE_SECRET:
                problems.append("production with the development IMC_UNSUBSCRIBE_SECRET")
            if self.smtp_username and not (self.smtp_starttls or self.smtp_use_tls):
                problems.append(
                    "production sends the SMTP password in clear: set IMC_SMTP_STARTTLS=true "
                    "(or IMC_SMTP_USE_TLS=true)"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def base_url(self) -> str:
        return (self.public_base_url or f"http://127.0.0.1:{self.http_port}").rstrip("/")
