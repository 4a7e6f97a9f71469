"""Sending email over SMTP, and telling a failure worth retrying from one that is final."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import aiosmtplib
from email_validator import EmailNotValidError, validate_email
from imc_runtime.tracing import span

from imc_notifications.adapters.rendering import RenderedEmail
from imc_notifications.settings import NotificationsSettings


@dataclass(frozen=True)
class Attachment:
    filename: str
    maintype: str
    subtype: str
    content: bytes


class SendFailed(Exception):
    """The message was not accepted. ``permanent``: retrying cannot help (a 5xx reply about
    this recipient or message, an invalid address)."""

    def __init__(self, error: str, *, permanent: bool) -> None:
        super().__init__(error)
        self.permanent = permanent


def build_message(
    email: RenderedEmail,
    *,
    sender: str,
    to_name: str,
    to_address: str,
    message_id: str,
    unsubscribe_url: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    date: dt.datetime | None = None,
) -> EmailMessage:
    """A multipart text + HTML message. The stdlib encodes header text as encoded words
    and refuses line breaks in it, so no user text can add a header."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((" ".join(to_name.split()), to_address))
    message["Subject"] = email.subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date or dt.datetime.now(dt.UTC))
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        # RFC 8058: a mail client may POST "List-Unsubscribe=One-Click" to this URL.
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    # Last: setting or converting the content drops the top-level Content-* headers.
    message["Content-Language"] = email.language
    return message


def classify(error: Exception) -> SendFailed:
    """Permanent only when the server refused this recipient or this message for good; a
    refused sender or failed login is the server's or our configuration's problem, so it is
    retried until someone fixes it rather than failing every email."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in error.recipients]
        return SendFailed(str(error), permanent=bool(codes) and min(codes) >= 500)
    if isinstance(error, (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError)):
        return SendFailed(f"{error.code} {error.message}", permanent=error.code >= 500)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return SendFailed(f"{error.code} {error.message}", permanent=False)
    return SendFailed(f"{type(error).__name__}: {error}", permanent=False)


class Mailer:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings

    def message_id(self, delivery_id: str) -> str:
        """Deterministic: a repeat of the same delivery carries the same Message-ID, which
        mail clients use to fold duplicates."""
        return f"<{delivery_id}@{self._settings.message_id_domain}>"

    async def send(self, message: EmailMessage, to_address: str) -> None:
        settings = self._settings
        try:
            validate_email(to_address, check_deliverability=False)
        except EmailNotValidError as error:
            raise SendFailed(f"invalid address: {error}", permanent=True) from error
        password = settings.smtp_password
        try:
            with span("smtp.send", server=f"{settings.smtp_host}:{settings.smtp_port}"):
                await aiosmtplib.send(
                    message,
                    recipients=[to_address],
                    hostname=settings.smtp_host,
                    port=settings.smtp_port,
                    username=settings.smtp_username,
                    password=None if password is None else password.get_secret_value(),
                    start_tls=settings.smtp_starttls,
                    use_tls=settings.smtp_use_tls,
                    timeout=settings.smtp_timeout_seconds,
                )
        except (aiosmtplib.SMTPException, OSError) as error:
            raise classify(error) from error
