"""The mail catcher, run as a real process and spoken to over real SMTP and HTTP.

The /api/v1 tests use nothing beyond Mailpit's API v1 shape, so they can later be pointed at a
real Mailpit; the page, restart, port and signal tests are about this catcher only.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
import pytest

ARABIC_SUBJECT = "مرحبا بكم في مركز IMC"
ARABIC_NAME = "فريق الإشعارات"
UNSUBSCRIBE = "<mailto:unsubscribe@imc.example?subject=stop>, <https://imc.example/unsubscribe/42>"
WELCOME_HTML = "<p>Hello <b>Layla</b> &amp; <i>مرحبا</i></p>\n"
INVITE = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Kickoff\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Catcher:
    process: asyncio.subprocess.Process
    smtp_port: int
    http: httpx.AsyncClient


async def start_catcher(
    data_dir: Path, smtp_port: int, http_port: int
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "imc_devstack.mailcatcher",
        "--smtp-port",
        str(smtp_port),
        "--http-port",
        str(http_port),
        "--data-dir",
        str(data_dir),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def wait_until_ready(process: asyncio.subprocess.Process, http: httpx.AsyncClient) -> None:
    async with asyncio.timeout(20):
        while True:
            if process.returncode is not None:
                _, err = await process.communicate()
                pytest.fail(f"catcher exited with {process.returncode}: {err.decode()}")
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)


async def stop(
    process: asyncio.subprocess.Process, signum: int = signal.SIGTERM
) -> tuple[int, str]:
    process.send_signal(signum)
    async with asyncio.timeout(20):
        _, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, err.decode()


@pytest.fixture
async def catcher(tmp_path: Path) -> AsyncIterator[Catcher]:
    smtp_port, http_port = free_port(), free_port()
    process = await start_catcher(tmp_path / "mail", smtp_port, http_port)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}", timeout=10) as http:
        try:
            await wait_until_ready(process, http)
            yield Catcher(process, smtp_port, http)
        finally:
            if process.returncode is None:
                await stop(process)


def welcome_message(html: str = WELCOME_HTML) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = Address(ARABIC_NAME, "notifications", "imc.example")
    msg["To"] = Address("Layla Haddad", "layla", "example.com")
    msg["Subject"] = ARABIC_SUBJECT
    msg["Message-ID"] = "<welcome-1@imc.example>"
    msg["List-Unsubscribe"] = UNSUBSCRIBE
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content("Hello Layla,\nمرحبا ليلى\n")
    msg.add_alternative(html, subtype="html")
    msg.add_attachment(INVITE, maintype="text", subtype="calendar", filename="kickoff.ics")
    return msg


def plain_message(subject: str = "Roadmap updated") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "roadmaps@imc.example"
    msg["To"] = "omar@example.com"
    msg["Cc"] = "Sara <sara@example.com>"
    msg["Subject"] = subject
    msg.set_content("The Q3 roadmap has a new milestone.\n")
    return msg


async def send(
    catcher: Catcher, msg: EmailMessage, recipients: Sequence[str] | None = None
) -> bytes:
    """Sends the message as exact bytes, so encoded-word headers are really on the wire."""
    raw = msg.as_bytes(policy=policy.SMTP)
    to = list(
        recipients or [a.addr_spec for h in ("To", "Cc") if h in msg for a in msg[h].addresses]
    )
    sender = msg["From"].addresses[0].addr_spec
    await aiosmtplib.send(
        raw, sender=sender, recipients=to, hostname="127.0.0.1", port=catcher.smtp_port
    )
    return raw


async def only_message(catcher: Catcher) -> dict[str, Any]:
    listing = (await catcher.http.get("/api/v1/messages")).json()
    assert listing["total"] == 1
    detail: dict[str, Any] = (
        await catcher.http.get(f"/api/v1/message/{listing['messages'][0]['ID']}")
    ).json()
    return detail


async def test_livez_and_readyz_answer_ok(catcher: Catcher) -> None:
    for path in ("/livez", "/readyz"):
        response = await catcher.http.get(path)
        assert (response.status_code, response.text) == (200, "ok")


async def test_the_list_shows_messages_newest_first_in_mailpit_shape(catcher: Catcher) -> None:
    await send(catcher, plain_message("first"))
    await send(catcher, plain_message("second"))

    listing = (await catcher.http.get("/api/v1/messages", params={"start": 0, "limit": 50})).json()

    assert {
        k: listing[k] for k in ("total", "unread", "count", "messages_count", "start", "tags")
    } == {"total": 2, "unread": 2, "count": 2, "messages_count": 2, "start": 0, "tags": []}
    newest, oldest = listing["messages"]
    assert (newest["Subject"], oldest["Subject"]) == ("second", "first")
    assert newest["ID"] > oldest["ID"]
    assert newest["From"] == {"Name": "", "Address": "roadmaps@imc.example"}
    assert newest["To"] == [{"Name": "", "Address": "omar@example.com"}]
    assert newest["Cc"] == [{"Name": "Sara", "Address": "sara@example.com"}]
    assert (newest["Bcc"], newest["ReplyTo"], newest["Tags"], newest["Read"]) == ([], [], [], False)
    assert newest["Created"].endswith("Z")
    assert newest["Snippet"] == "The Q3 roadmap has a new milestone."
    assert newest["Attachments"] == 0
    assert newest["Size"] > 0


async def test_the_list_pages_with_start_and_limit(catcher: Catcher) -> None:
    for subject in ("one", "two", "three"):
        await send(catcher, plain_message(subject))

    page = (await catcher.http.get("/api/v1/messages", params={"start": 1, "limit": 1})).json()

    assert (page["total"], page["count"], page["start"]) == (3, 1, 1)
    assert [m["Subject"] for m in page["messages"]] == ["two"]


async def test_a_multipart_message_shows_decoded_arabic_text_html_and_attachment(
    catcher: Catcher,
) -> None:
    raw = await send(catcher, welcome_message())
    assert b"=?utf-8?" in raw, "the subject should travel as an RFC 2047 encoded word"

    message = await only_message(catcher)

    assert message["Subject"] == ARABIC_SUBJECT
    assert message["From"] == {"Name": ARABIC_NAME, "Address": "notifications@imc.example"}
    assert message["To"] == [{"Name": "Layla Haddad", "Address": "layla@example.com"}]
    assert message["MessageID"] == "welcome-1@imc.example"
    assert message["ReturnPath"] == "notifications@imc.example"
    assert message["Text"] == "Hello Layla,\nمرحبا ليلى\n"
    assert message["HTML"] == WELCOME_HTML
    assert message["Inline"] == []
    [invite] = message["Attachments"]
    assert {k: invite[k] for k in ("FileName", "ContentType", "Size")} == {
        "FileName": "kickoff.ics",
        "ContentType": "text/calendar",
        "Size": len(INVITE),
    }
    part = await catcher.http.get(f"/api/v1/message/{message['ID']}/part/{invite['PartID']}")
    assert part.content == INVITE


async def test_the_list_unsubscribe_header_is_split_into_links(catcher: Catcher) -> None:
    await send(catcher, welcome_message())

    unsubscribe = (await only_message(catcher))["ListUnsubscribe"]

    assert unsubscribe["Header"] == UNSUBSCRIBE
    assert unsubscribe["Links"] == [
        "mailto:unsubscribe@imc.example?subject=stop",
        "https://imc.example/unsubscribe/42",
    ]
    assert unsubscribe["HeaderPost"] == "List-Unsubscribe=One-Click"


async def test_envelope_recipients_missing_from_the_headers_appear_as_bcc(catcher: Catcher) -> None:
    recipients = ["omar@example.com", "SARA@example.com", "auditor@imc.example"]
    await send(catcher, plain_message(), recipients=recipients)

    message = await only_message(catcher)

    assert message["Bcc"] == [{"Name": "", "Address": "auditor@imc.example"}]


async def test_a_utf8_message_sent_with_smtputf8_is_accepted(catcher: Catcher) -> None:
    msg = plain_message(ARABIC_SUBJECT)
    msg.replace_header("To", "ليلى@example.com")
    raw = msg.as_bytes(policy=policy.SMTPUTF8)
    await aiosmtplib.send(
        raw,
        sender="roadmaps@imc.example",
        recipients=["ليلى@example.com"],
        mail_options=["SMTPUTF8", "BODY=8BITMIME"],
        hostname="127.0.0.1",
        port=catcher.smtp_port,
    )

    message = await only_message(catcher)

    assert message["Subject"] == ARABIC_SUBJECT
    assert message["To"] == [{"Name": "", "Address": "ليلى@example.com"}]


async def test_the_raw_endpoint_returns_the_bytes_as_sent(catcher: Catcher) -> None:
    raw = await send(catcher, welcome_message())
    message = await only_message(catcher)

    response = await catcher.http.get(f"/api/v1/message/{message['ID']}/raw")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.content == raw
    assert message["Size"] == len(raw)


async def test_the_headers_endpoint_lists_every_value_of_each_header(catcher: Catcher) -> None:
    msg = welcome_message()
    msg["X-Trace"] = "first"
    msg["X-Trace"] = "second"
    await send(catcher, msg)
    message = await only_message(catcher)

    headers = (await catcher.http.get(f"/api/v1/message/{message['ID']}/headers")).json()

    assert headers["Subject"] == [ARABIC_SUBJECT]
    assert headers["List-Unsubscribe"] == [UNSUBSCRIBE]
    assert headers["X-Trace"] == ["first", "second"]


async def test_an_unknown_message_id_answers_404_with_json(catcher: Catcher) -> None:
    for path in ("/api/v1/message/nope", "/api/v1/message/nope/raw", "/api/v1/message/../headers"):
        response = await catcher.http.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"


async def test_search_matches_subject_recipient_and_text_ignoring_case(catcher: Catcher) -> None:
    await send(catcher, welcome_message())
    await send(catcher, plain_message())

    async def subjects(query: str) -> list[str]:
        found = (await catcher.http.get("/api/v1/search", params={"query": query})).json()
        assert found["total"] == 2
        assert found["messages_count"] == found["count"] == len(found["messages"])
        return [m["Subject"] for m in found["messages"]]

    assert await subjects("roadmap UPDATED") == ["Roadmap updated"]
    assert await subjects("مرحبا") == [ARABIC_SUBJECT]
    assert await subjects("LAYLA@example.com") == [ARABIC_SUBJECT]
    assert await subjects("milestone") == ["Roadmap updated"]
    assert await subjects("nothing-like-this") == []


async def test_delete_with_ids_removes_only_those_messages(catcher: Catcher) -> None:
    await send(catcher, plain_message("keep"))
    await send(catcher, plain_message("drop"))
    listing = (await catcher.http.get("/api/v1/messages")).json()
    drop = next(m["ID"] for m in listing["messages"] if m["Subject"] == "drop")

    response = await catcher.http.request("DELETE", "/api/v1/messages", json={"IDs": [drop]})

    assert (response.status_code, response.text) == (200, "ok")
    left = (await catcher.http.get("/api/v1/messages")).json()
    assert [m["Subject"] for m in left["messages"]] == ["keep"]
    assert (await catcher.http.get(f"/api/v1/message/{drop}")).status_code == 404


async def test_delete_without_a_body_removes_every_message(catcher: Catcher) -> None:
    await send(catcher, plain_message("one"))
    await send(catcher, welcome_message())

    response = await catcher.http.delete("/api/v1/messages")

    assert (response.status_code, response.text) == (200, "ok")
    assert (await catcher.http.get("/api/v1/messages")).json()["total"] == 0


async def test_the_inbox_page_lists_messages_and_escapes_their_content(catcher: Catcher) -> None:
    await send(catcher, plain_message("<script>alert(1)</script> & more"))
    await send(catcher, welcome_message())
    ids = [m["ID"] for m in (await catcher.http.get("/api/v1/messages")).json()["messages"]]

    page = (await catcher.http.get("/")).text

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert ARABIC_SUBJECT in page
    assert 'dir="auto"' in page
    assert page.index(f'href="/view/{ids[0]}"') < page.index(f'href="/view/{ids[1]}"')


async def test_the_view_page_shows_text_and_sandboxes_the_html_part(catcher: Catcher) -> None:
    await send(catcher, welcome_message('<p onclick="x()">Hi "you"</p><script>evil()</script>'))
    message = await only_message(catcher)

    page = (await catcher.http.get(f"/view/{message['ID']}")).text

    assert f'<h1 dir="auto">{ARABIC_SUBJECT}</h1>' in page
    assert '<pre dir="auto">Hello Layla,\nمرحبا ليلى\n</pre>' in page
    assert '<iframe sandbox="" srcdoc="&lt;p onclick=&quot;x()&quot;&gt;Hi &quot;you&quot;' in page
    assert "<script>evil()" not in page
    assert "kickoff.ics" in page
    assert (await catcher.http.get("/view/nope")).status_code == 404


async def test_messages_survive_a_restart_of_the_catcher(catcher: Catcher, tmp_path: Path) -> None:
    await send(catcher, welcome_message())
    before = await only_message(catcher)
    assert await stop(catcher.process) == (0, "")

    http_port = free_port()
    process = await start_catcher(tmp_path / "mail", free_port(), http_port)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}") as http:
        await wait_until_ready(process, http)
        after = (await http.get(f"/api/v1/message/{before['ID']}")).json()
        await stop(process)

    assert after == before


@pytest.mark.parametrize("busy", ["smtp", "http"])
async def test_a_port_in_use_fails_with_one_line_naming_the_port(tmp_path: Path, busy: str) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        ports = {"smtp": free_port(), "http": free_port(), busy: taken}
        process = await start_catcher(tmp_path, ports["smtp"], ports["http"])
        async with asyncio.timeout(20):
            _, err = await process.communicate()

    assert process.returncode not in (0, None)
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert f"127.0.0.1:{taken}" in lines[0]
    assert busy.upper() in lines[0]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_sigterm_and_sigint_stop_the_catcher_with_exit_code_0(
    catcher: Catcher, signum: int
) -> None:
    await send(catcher, plain_message())

    returncode, stderr = await stop(catcher.process, signum)

    assert (returncode, stderr) == (0, "")
