"""The mailer keeps SMTP connections open between messages, and replaces one the server
closed, on a real SMTP server (aiosmtpd, in this process, on a free port)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from imc_devstack.processes import free_port
from imc_notifications.adapters.mailer import Mailer
from imc_notifications.settings import NotificationsSettings


class Recorder:
    """Each message accepted, with the client address and port it came from."""

    def __init__(self) -> None:
        self.peers: list[object] = []
        self.subjects: list[str] = []

    async def handle_DATA(self, _server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.peers.append(session.peer)
        content = envelope.original_content or b""
        subject = next(
            (line for line in content.decode().splitlines() if line.startswith("Subject:")), ""
        )
        self.subjects.append(subject.removeprefix("Subject:").strip())
        return "250 Message accepted"


@contextlib.contextmanager
def smtp_server(port: int, recorder: Recorder) -> Iterator[None]:
    controller = Controller(recorder, hostname="127.0.0.1", port=port, server_hostname="test")
    controller.start()
    try:
        yield
    finally:
        controller.stop()


def message(subject: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = "IMC Hub <noreply@example.org>"
    email["To"] = "amina.berrada@example.org"
    email["Subject"] = subject
    email.set_content("Bonjour")
    return email


def settings(port: int, keep_alive: float) -> NotificationsSettings:
    return NotificationsSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_keep_alive_seconds=keep_alive,
        smtp_timeout_seconds=5,
        smtp_local_hostname="notifications.example.org",
    )


async def test_messages_in_a_row_share_one_connection() -> None:
    port, recorder = free_port(), Recorder()
    with smtp_server(port, recorder):
        mailer = Mailer(settings(port, keep_alive=10))
        for n in range(3):
            await mailer.send(message(f"message {n}"), "amina.berrada@example.org")
        await mailer.close()
    assert recorder.subjects == ["message 0", "message 1", "message 2"]
    assert len(set(map(str, recorder.peers))) == 1


async def test_without_keep_alive_each_message_has_a_connection_of_its_own() -> None:
    port, recorder = free_port(), Recorder()
    with smtp_server(port, recorder):
        mailer = Mailer(settings(port, keep_alive=0))
        for n in range(3):
            await mailer.send(message(f"message {n}"), "amina.berrada@example.org")
    assert len(recorder.subjects) == 3
    assert len(set(map(str, recorder.peers))) == 3


async def test_a_connection_the_server_closed_is_replaced_and_the_message_goes_out() -> None:
    port = free_port()
    first, second = Recorder(), Recorder()
    mailer = Mailer(settings(port, keep_alive=60))
    with smtp_server(port, first):
        await mailer.send(message("before the restart"), "amina.berrada@example.org")
    with smtp_server(port, second):  # the server restarted: the kept connection is gone
        await mailer.send(message("after the restart"), "amina.berrada@example.org")
        await mailer.close()
    assert first.subjects == ["before the restart"]
    assert second.subjects == ["after the restart"]
