"""Sending email over SMTP, and telling a failure worth retrying from one that is final."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import time
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses

import aiosmtplib
from email_validator import EmailNotValidError, validate_email
from imc_runtime.tracing import span

from imc_notifications.adapters import headers
from imc_notifications.service_layer.ports import Attachment, RenderedEmail, SendFailed
from imc_notifications.settings import NotificationsSettings


def build_message(
    email: RenderedEmail,
    *,
    sender: str,
    to_name: str,
    to_address: str,
    message_id: str,
    unsubscribe_url: str | None = None,
    unsubscribe_mailto: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    date: dt.datetime | None = None,
) -> EmailMessage:
    """A multipart text + HTML message. The headers that carry text are made by
    ``headers``, which a standard parser reads back exactly (and which refuses line breaks,
    so no user text can add a header)."""
    sender_name, sender_address = parse_sender(sender)
    message = EmailMessage()
    message["From"] = headers.mailbox("From", sender_name, sender_address)
    message["To"] = headers.mailbox("To", to_name, to_address)
    message["Subject"] = headers.unstructured("Subject", email.subject)
    message["Message-ID"] = headers.ascii_text("Message-ID", message_id)
    message["Date"] = format_datetime(date or dt.datetime.now(dt.UTC))
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        # RFC 8058: a mail client may POST "List-Unsubscribe=One-Click" to the URL.
        uris = [unsubscribe_url]
        if unsubscribe_mailto:
            uris.append(f"mailto:{unsubscribe_mailto}?subject=unsubscribe")
        message["List-Unsubscribe"] = headers.uri_list("List-Unsubscribe", uris)
        message["List-Unsubscribe-Post"] = headers.ascii_text(
            "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"
        )
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
            # A text file's bytes are UTF-8 (RFC 5545's default): said so, for every reader.
            params={"charset": "utf-8"} if attachment.maintype == "text" else None,
        )
    # Last: setting or converting the content drops the top-level Content-* headers.
    message["Content-Language"] = email.language
    return message


def parse_sender(sender: str) -> tuple[str, str]:
    """The display name and address of ``IMC_MAIL_FROM`` (``Name <address>`` or an
    address); ``ValueError`` unless it is exactly one address."""
    found = getaddresses([sender])
    if len(found) != 1 or "@" not in found[0][1] or " " in found[0][1]:
        raise ValueError(f"{sender!r} is not one address, such as 'IMC Hub <no-reply@…>'")
    return found[0]


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


MAX_IDLE_CONNECTIONS = 8
"""SMTP connections a replica keeps open between messages (an event's emails go out a few
at a time, so a few are enough)."""


class Mailer:
    """Sends over SMTP on connections kept open for ``smtp_keep_alive_seconds`` after a
    message: a message on an open connection is three exchanges (MAIL, RCPT, DATA) where a
    fresh one adds the connection, the greeting, EHLO, STARTTLS and AUTH, and QUIT. A
    connection the server closed meanwhile is noticed before use and replaced; one that
    fails during a message is discarded, and the failure classified as for any send."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []
        self._local_hostname = settings.smtp_local_hostname
        self._envelope_sender = parse_sender(settings.mail_from)[1]

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
        try:
            with span("smtp.send", server=f"{settings.smtp_host}:{settings.smtp_port}"):
                client = await self._connection()
                try:
                    await client.send_message(
                        message, sender=self._envelope_sender, recipients=[to_address]
                    )
                except BaseException:
                    client.close()
                    raise
        except (aiosmtplib.SMTPException, OSError) as error:
            raise classify(error) from error
        await self._release(client)  # accepted: nothing after this may fail the send

    async def close(self) -> None:
        """Say goodbye on the connections kept open (at shutdown)."""
        idle, self._idle = self._idle, []
        for client, _ in idle:
            await _quit(client)

    async def _connection(self) -> aiosmtplib.SMTP:
        settings = self._settings
        now = time.monotonic()
        while self._idle:
            client, since = self._idle.pop()  # the most recently used first
            if now - since < settings.smtp_keep_alive_seconds and _still_open(client):
                return client
            client.close()
        if self._local_hostname is None:
            # What aiosmtplib would look up for every connection: once is enough.
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        password = settings.smtp_password
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=None if password is None else password.get_secret_value(),
            start_tls=settings.smtp_starttls,
            use_tls=settings.smtp_use_tls,
            timeout=settings.smtp_timeout_seconds,
            local_hostname=self._local_hostname,
        )
        await client.connect()
        return client

    async def _release(self, client: aiosmtplib.SMTP) -> None:
        keep = self._settings.smtp_keep_alive_seconds > 0
        if keep and len(self._idle) < MAX_IDLE_CONNECTIONS:
            self._idle.append((client, time.monotonic()))
        else:
            await _quit(client)


def _still_open(client: aiosmtplib.SMTP) -> bool:
    """Whether an idle connection can take a message: open, with nothing waiting on it. A
    server that closed it (or said ``421`` first) has left an end of file or a reply there,
    which a look at the socket finds even before the event loop has read it."""
    transport = client.transport
    if not client.is_connected or transport is None:
        return False
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    try:
        with socket.socket(fileno=os.dup(sock.fileno())) as peek:  # a copy: closing it is safe
            peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return True  # nothing to read: open and quiet
    except OSError:
        return False
    return False  # end of file, or a reply no one asked for


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()
