"""Local SMTP mail catcher with a Mailpit-shaped HTTP API, so mail can be tested without Docker.

Each message is kept in the data directory as ``<id>.eml`` (the bytes as received) next to
``<id>.json`` (envelope and arrival time), so the inbox survives restarts. The HTTP answers use
the field names of Mailpit's API v1, which lets the same tests run against a real Mailpit.

    python -m imc_devstack.mailcatcher --smtp-port 1025 --http-port 8025 --data-dir .data/mail
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import re
import secrets
import signal
import socket
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import AddressHeader, DateHeader
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import uvicorn
from aiosmtpd.smtp import SMTP, Envelope
from fastapi import Body, FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

Json = dict[str, Any]
# Ids become file names, so anything else (such as "..") is simply an unknown id.
_ID = re.compile(r"[0-9]{20}-[0-9a-f]{6}")
_SUMMARY_KEYS = ("ID", "MessageID", "From", "To", "Cc", "Bcc", "ReplyTo", "Subject", "Tags", "Size")
Start = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1)]
_STYLE = (
    "body{font:15px system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;width:100%}pre{white-space:pre-wrap}"
    "th,td{padding:.4em .6em;border-bottom:1px solid #ddd;text-align:start;vertical-align:top}"
    "iframe{width:100%;height:32em;border:1px solid #ccc}"
)


@dataclass(frozen=True)
class Stored:
    id: str
    mail_from: str
    rcpt_tos: list[str]
    received: datetime
    size: int
    raw: bytes
    msg: EmailMessage


class Mailbox:
    """Messages on disk; ids start with the arrival time, so sorting ids sorts by arrival."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def add(self, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> str:
        received = datetime.now(UTC)
        msg_id = f"{received:%Y%m%d%H%M%S%f}-{secrets.token_hex(3)}"
        (self.root / f"{msg_id}.eml").write_bytes(raw)
        meta = {"id": msg_id, "from": mail_from, "to": rcpt_tos, "size": len(raw)}
        meta["received"] = received.isoformat()
        # The metadata appears last and atomically, so a listing never sees half a message.
        tmp = self.root / f"{msg_id}.json.tmp"
        tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.root / f"{msg_id}.json")
        return msg_id

    def ids(self) -> list[str]:
        names = (path.stem for path in self.root.glob("*.json"))
        return sorted((name for name in names if _ID.fullmatch(name)), reverse=True)

    def get(self, msg_id: str) -> Stored:
        if not _ID.fullmatch(msg_id):
            raise KeyError(msg_id)
        try:
            meta = json.loads((self.root / f"{msg_id}.json").read_text(encoding="utf-8"))
            raw = (self.root / f"{msg_id}.eml").read_bytes()
        except FileNotFoundError:
            raise KeyError(msg_id) from None
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        received = datetime.fromisoformat(meta["received"])
        return Stored(msg_id, meta["from"], meta["to"], received, meta["size"], raw, msg)

    def all(self) -> list[Stored]:
        found = []
        for msg_id in self.ids():
            with contextlib.suppress(KeyError):  # deleted between listing and reading
                found.append(self.get(msg_id))
        return found

    def delete(self, ids: list[str] | None = None) -> None:
        for msg_id in ids or self.ids():
            if _ID.fullmatch(msg_id):
                (self.root / f"{msg_id}.json").unlink(missing_ok=True)
                (self.root / f"{msg_id}.eml").unlink(missing_ok=True)


def _rfc3339(moment: datetime) -> str:
    # A header date without a zone ("-0000") means UTC, not the catcher's local time.
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def _utf8(text: str) -> str:
    # The parser keeps raw 8-bit (SMTPUTF8) header bytes as surrogates; they are UTF-8.
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _header(part: MIMEPart, name: str) -> str:
    return _utf8(str(part.get(name, "")))


def _addresses(msg: EmailMessage, name: str) -> list[Json]:
    found: list[Json] = []
    for header in msg.get_all(name, []):
        if isinstance(header, AddressHeader):
            found += [
                {"Name": _utf8(a.display_name), "Address": _utf8(a.addr_spec)}
                for a in header.addresses
            ]
    return found


def _text(part: MIMEPart | None) -> str:
    if part is None:
        return ""
    try:
        text = str(part.get_content())
    except (LookupError, UnicodeError):
        # An unknown or wrong charset should still show the mail, not fail the request.
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return text.replace("\r\n", "\n")  # the wire's CRLF is no part of the text


def _parts(part: MIMEPart, prefix: str = "") -> Iterator[tuple[str, MIMEPart]]:
    """Leaf parts with Mailpit-style part ids ("2", "1.2")."""
    if part.get_content_maintype() != "multipart":
        yield prefix or "1", part
        return
    for number, child in enumerate(part.iter_parts(), 1):
        yield from _parts(child, f"{prefix}.{number}" if prefix else str(number))


def _detail(s: Stored) -> Json:
    msg = s.msg
    text_part, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
    inline: list[Json] = []
    attachments: list[Json] = []
    for part_id, part in _parts(msg):
        if part is not text_part and part is not html_part:
            payload = part.get_payload(decode=True)
            info: Json = {"PartID": part_id, "FileName": _utf8(part.get_filename() or "")}
            info["ContentType"] = part.get_content_type()
            info["ContentID"] = _header(part, "Content-ID").strip("<>")
            info["Size"] = len(payload) if isinstance(payload, bytes) else 0
            (inline if part.get_content_disposition() == "inline" else attachments).append(info)
    to, cc = _addresses(msg, "To"), _addresses(msg, "Cc")
    shown = {a["Address"].lower() for a in to + cc}
    date = msg.get("Date")
    sent = date.datetime if isinstance(date, DateHeader) and date.datetime else s.received
    unsubscribe = _header(msg, "List-Unsubscribe")
    return {
        "ID": s.id,
        "MessageID": _header(msg, "Message-ID").strip().strip("<>"),
        "From": (_addresses(msg, "From") or [{"Name": "", "Address": s.mail_from}])[0],
        "To": to,
        "Cc": cc,
        "Bcc": [{"Name": "", "Address": r} for r in s.rcpt_tos if r.lower() not in shown],
        "ReplyTo": _addresses(msg, "Reply-To"),
        "ReturnPath": _header(msg, "Return-Path").strip(" <>") or s.mail_from,
        "Subject": _header(msg, "Subject"),
        "Date": _rfc3339(sent),
        "Tags": [],
        "Text": _text(text_part),
        "HTML": _text(html_part),
        "Size": s.size,
        "Inline": inline,
        "Attachments": attachments,
        "ListUnsubscribe": {
            "Header": unsubscribe,
            "Links": re.findall(r"<([^>]+)>", unsubscribe),
            "Errors": "",
            "HeaderPost": _header(msg, "List-Unsubscribe-Post"),
        },
    }


def _summary(d: Json, received: datetime) -> Json:
    plain = d["Text"] or html.unescape(re.sub(r"<[^>]*>", " ", d["HTML"]))
    return {key: d[key] for key in _SUMMARY_KEYS} | {
        "Read": False,
        "Created": _rfc3339(received),
        "Attachments": len(d["Attachments"]),
        "Snippet": " ".join(plain.split())[:250],
    }


def _matches(d: Json, query: str) -> bool:
    # Every word must occur somewhere, as in Mailpit, rather than the query as one phrase.
    recipients = [a["Address"] for a in d["To"] + d["Cc"] + d["Bcc"]]
    haystack = " ".join([d["Subject"], *recipients, d["Text"]]).lower()
    return all(word in haystack for word in query.lower().split())


class Details:
    """Each stored message parsed once: a message never changes after it arrived, and a
    listing or search that parsed the whole mailbox again grew slower with every email."""

    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox
        self._parsed: dict[str, tuple[Json, datetime]] = {}
        self._lock = threading.Lock()  # endpoints run in a thread pool

    def newest_first(self) -> list[tuple[Json, datetime]]:
        with self._lock:
            ids = self._mailbox.ids()
            for gone in self._parsed.keys() - set(ids):
                del self._parsed[gone]
            found = []
            for msg_id in ids:
                if msg_id not in self._parsed:
                    try:
                        stored = self._mailbox.get(msg_id)
                    except KeyError:  # deleted between listing and reading
                        continue
                    self._parsed[msg_id] = (_detail(stored), stored.received)
                found.append(self._parsed[msg_id])
            return found


def _listing(
    details: list[tuple[Json, datetime]], query: str | None, start: int, limit: int
) -> Json:
    found = [
        _summary(d, received) for d, received in details if query is None or _matches(d, query)
    ]
    shown = found[start : start + limit]
    counts = {"total": len(details), "unread": len(details), "count": len(shown)}
    return counts | {"messages_count": len(found), "start": start, "tags": [], "messages": shown}


def _who(address: Json) -> str:
    return f"{address['Name']} <{address['Address']}>" if address["Name"] else address["Address"]


def _html_page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )


class DeleteRequest(BaseModel):
    ids: list[str] = Field(default=[], alias="IDs")


def create_app(mailbox: Mailbox) -> FastAPI:
    app = FastAPI(title="IMC mail catcher", docs_url=None, redoc_url=None)
    details = Details(mailbox)

    def load(msg_id: str) -> Stored:
        try:
            return mailbox.get(msg_id)
        except KeyError:
            raise HTTPException(404, f"message {msg_id} not found") from None

    # Plain `def` endpoints run in FastAPI's thread pool, which keeps file reads off the loop.
    @app.get("/api/v1/messages")
    def list_messages(start: Start = 0, limit: Limit = 50) -> Json:
        return _listing(details.newest_first(), None, start, limit)

    @app.get("/api/v1/search")
    def search(query: str, start: Start = 0, limit: Limit = 50) -> Json:
        return _listing(details.newest_first(), query, start, limit)

    @app.delete("/api/v1/messages", response_class=PlainTextResponse)
    def delete_messages(request: Annotated[DeleteRequest | None, Body()] = None) -> str:
        mailbox.delete(request.ids if request else None)
        return "ok"

    @app.get("/api/v1/message/{msg_id}")
    def message(msg_id: str) -> Json:
        return _detail(load(msg_id))

    @app.get("/api/v1/message/{msg_id}/raw")
    def raw(msg_id: str) -> Response:
        return Response(load(msg_id).raw, media_type="text/plain")

    @app.get("/api/v1/message/{msg_id}/headers")
    def headers(msg_id: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, value in load(msg_id).msg.items():
            # Mailpit canonicalises names the Go way ("Message-Id"); tests should see the same keys.
            canonical = "-".join(word.capitalize() for word in name.split("-"))
            found.setdefault(canonical, []).append(_utf8(str(value)))
        return found

    @app.get("/api/v1/message/{msg_id}/part/{part_id}")
    def part(msg_id: str, part_id: str) -> Response:
        parts = dict(_parts(load(msg_id).msg))
        if part_id not in parts:
            raise HTTPException(404, f"part {part_id} not found")
        payload = parts[part_id].get_payload(decode=True)
        # Always a download: an HTML attachment must never run on the inbox's origin.
        name = quote(_utf8(parts[part_id].get_filename() or part_id))
        return Response(
            payload if isinstance(payload, bytes) else b"",
            media_type=parts[part_id].get_content_type(),
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
        )

    @app.get("/livez", response_class=PlainTextResponse)
    @app.get("/readyz", response_class=PlainTextResponse)
    def health() -> str:
        return "ok"

    @app.get("/", response_class=HTMLResponse)
    def inbox() -> str:
        rows = ["<tr><th>Received (UTC)</th><th>From</th><th>To</th><th>Subject</th></tr>"]
        for s in mailbox.all():
            d = _detail(s)
            to = ", ".join(_who(a) for a in d["To"] + d["Cc"] + d["Bcc"])
            subject = html.escape(d["Subject"] or "(no subject)")
            rows.append(
                f"<tr><td>{s.received:%Y-%m-%d %H:%M:%S}</td>"
                f'<td dir="auto">{html.escape(_who(d["From"]))}</td>'
                f'<td dir="auto">{html.escape(to)}</td>'
                f'<td dir="auto"><a href="/view/{s.id}">{subject}</a></td></tr>'
            )
        body = f"<h1>Inbox ({len(rows) - 1})</h1><table>{''.join(rows)}</table>"
        return _html_page("Mail catcher", body)

    @app.get("/view/{msg_id}", response_class=HTMLResponse)
    def view(msg_id: str) -> str:
        d = _detail(load(msg_id))
        fields = {"From": _who(d["From"]), "Date": d["Date"]}
        fields |= {name: ", ".join(_who(a) for a in d[name]) for name in ("To", "Cc", "Bcc")}
        subject = html.escape(d["Subject"] or "(no subject)")
        body = f'<p><a href="/">Inbox</a> · <a href="/api/v1/message/{d["ID"]}/raw">Raw</a></p>'
        body += f'<h1 dir="auto">{subject}</h1><table>'
        for name, value in fields.items():
            if value:
                body += f'<tr><th>{name}</th><td dir="auto">{html.escape(value)}</td></tr>'
        body += f'</table><h2>Text</h2><pre dir="auto">{html.escape(d["Text"])}</pre>'
        if d["HTML"]:
            # No allow-* tokens: the mail's HTML gets no scripts, forms or access to this page.
            body += f'<h2>HTML</h2><iframe sandbox="" srcdoc="{html.escape(d["HTML"])}"></iframe>'
        if files := d["Attachments"] + d["Inline"]:
            body += "<h2>Attachments</h2><ul>"
            for a in files:
                link = f"/api/v1/message/{d['ID']}/part/{a['PartID']}"
                label = html.escape(a["FileName"] or a["ContentType"])
                body += f'<li><a href="{link}">{label}</a> ({a["Size"]} bytes)</li>'
            body += "</ul>"
        return _html_page(d["Subject"] or "(no subject)", body)

    return app


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    # aiosmtpd looks this hook up by name; any sender and recipient is accepted without a check.
    async def handle_DATA(self, server: SMTP, session: object, envelope: Envelope) -> str:  # noqa: N802
        raw: bytes = envelope.original_content or b""
        rcpt_tos = list(envelope.rcpt_tos)
        await asyncio.to_thread(self.mailbox.add, raw, envelope.mail_from or "", rcpt_tos)
        return "250 Message accepted for delivery"


class _WebServer(uvicorn.Server):
    # uvicorn re-raises SIGINT/SIGTERM once it has stopped, which would kill the process before
    # the SMTP server closes and turn a clean stop into a non-zero exit; _serve handles them.
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _listen(host: str, port: int, purpose: str) -> socket.socket:
    # Bound before the loop starts, so a busy port is one clear line instead of a traceback.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart despite TIME_WAIT
    try:
        sock.bind((host, port))
        sock.listen()
    except OSError as exc:
        sock.close()
        reason = exc.strerror or exc
        raise SystemExit(
            f"mailcatcher: cannot listen for {purpose} on {host}:{port}: {reason}"
        ) from None
    return sock


async def _serve(mailbox: Mailbox, smtp_sock: socket.socket, http_sock: socket.socket) -> None:
    loop = asyncio.get_running_loop()
    handler = _Handler(mailbox)
    smtp = await loop.create_server(
        # A fixed hostname: the default socket.getfqdn() can hang on a DNS lookup.
        lambda: SMTP(handler, enable_SMTPUTF8=True, hostname="mailcatcher", loop=loop),
        sock=smtp_sock,
    )
    config = uvicorn.Config(
        create_app(mailbox), lifespan="off", log_level="warning", access_log=False
    )
    web = _WebServer(config)

    def stop() -> None:
        web.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    try:
        await web.serve(sockets=[http_sock])
    finally:
        smtp.close()
        await smtp.wait_closed()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m imc_devstack.mailcatcher",
        description="Catch all mail on a local SMTP port; read it in a browser or a Mailpit-like API.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--smtp-host", default="127.0.0.1", help="address SMTP listens on")
    parser.add_argument("--smtp-port", type=int, default=1025, help="SMTP port (0: any free one)")
    parser.add_argument("--http-host", default="127.0.0.1", help="address the web inbox listens on")
    parser.add_argument("--http-port", type=int, default=8025, help="web port (0: any free one)")
    parser.add_argument("--data-dir", type=Path, default=Path(".data/mail"), help="message store")
    args = parser.parse_args(argv)
    smtp_sock = _listen(args.smtp_host, args.smtp_port, "SMTP")
    http_sock = _listen(args.http_host, args.http_port, "HTTP")
    mailbox = Mailbox(args.data_dir)
    smtp_port, http_port = smtp_sock.getsockname()[1], http_sock.getsockname()[1]
    print(
        f"mailcatcher: SMTP on {args.smtp_host}:{smtp_port}, "
        f"inbox on http://{args.http_host}:{http_port}/, messages in {args.data_dir}",
        flush=True,
    )
    asyncio.run(_serve(mailbox, smtp_sock, http_sock))


if __name__ == "__main__":
    main()
