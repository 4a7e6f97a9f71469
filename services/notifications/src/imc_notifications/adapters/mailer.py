"""Sending email over SMTP."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib

from imc_notifications.adapters.rendering import RenderedEmail
from imc_notifications.settings import NotificationsSettings


def build_message(
    email: RenderedEmail, *, sender: str, to_name: str, to_address: str, message_id: str
) -> EmailMessage:
    """A multipart text + HTML message. The stdlib encodes header text as encoded words
    and refuses line breaks in it, so no user text can add a header."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((" ".join(to_name.split()), to_address))
    message["Subject"] = email.subject
    message["Message-ID"] = message_id
    message["Content-Language"] = email.language
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class Mailer:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings

    def message_id(self, delivery_id: str) -> str:
        return make_msgid(idstring=delivery_id, domain="imc-hub.example.org")

    async def send(self, message: EmailMessage) -> None:
        settings = self._settings
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
