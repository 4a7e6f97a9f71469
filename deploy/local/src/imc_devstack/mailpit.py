"""Thin helpers over Mailpit's HTTP API (v1), for the tests, the benchmarks and the fault runs.

Mailpit is the local stack's SMTP server and inbox (``Stack.start_mail``); these only name
the few calls they make, and leave the answers as Mailpit gives them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from imc_devstack.paths import REPO_ROOT
from imc_devstack.processes import Process, port_accepts, wait_until
from imc_devstack.stack import Ports, mailpit_argv

Json = dict[str, Any]


class Mailpit:
    """A client of one Mailpit's API, e.g. ``Mailpit(stack.mail_api)``."""

    def __init__(self, base_url: str, *, timeout: float = 30) -> None:
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=timeout)

    def __enter__(self) -> Mailpit:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _json(self, path: str, **params: Any) -> Json:
        response = self._http.get(path, params=params)
        response.raise_for_status()
        body: Json = response.json()
        return body

    def search(self, query: str, *, limit: int = 200) -> list[Json]:
        """Message summaries, newest first, matching Mailpit's search syntax: every word
        (or ``"quoted phrase"``) must occur in the subject, an address or the text;
        ``to:``, ``subject:`` and others narrow it."""
        messages: list[Json] = self._json("/api/v1/search", query=query, limit=limit)["messages"]
        return messages

    def page(self, *, start: int = 0, limit: int = 50) -> Json:
        """One page of the listing, newest first: ``messages``, ``total``, ``start``."""
        return self._json("/api/v1/messages", start=start, limit=limit)

    def all(self) -> list[Json]:
        """Every message summary, newest first."""
        found: list[Json] = []
        while True:
            page = self.page(start=len(found), limit=500)
            found += page["messages"]
            if not page["messages"] or len(found) >= page["total"]:
                return found

    def message(self, message_id: str) -> Json:
        """The whole message as Mailpit parsed it (``Text``, ``HTML``, ``ListUnsubscribe`` …)."""
        return self._json(f"/api/v1/message/{message_id}")

    def raw(self, message_id: str) -> bytes:
        """The message's bytes as Mailpit received them."""
        response = self._http.get(f"/api/v1/message/{message_id}/raw")
        response.raise_for_status()
        return response.content

    def html_check(self, message_id: str) -> Json:
        """Mailpit's check of the HTML part against mail clients' support (caniemail)."""
        return self._json(f"/api/v1/message/{message_id}/html-check")

    def delete_all(self) -> None:
        self._http.delete("/api/v1/messages").raise_for_status()


def created(summary: Json) -> dt.datetime:
    """When Mailpit received the message (a summary's ``Created``, to the millisecond)."""
    return dt.datetime.fromisoformat(summary["Created"])


def addressed_to(summary: Json) -> list[str]:
    return [to["Address"] for to in summary["To"]]


@contextlib.contextmanager
def own_mailpit(smtp_port: int, http_port: int, directory: Path) -> Iterator[Process]:
    """A Mailpit of the caller's own (for a test that stops its SMTP server without
    disturbing the others), its messages kept in ``directory`` across restarts."""
    argv = mailpit_argv(directory, Ports(smtp=smtp_port, mail_http=http_port))
    process = Process(
        f"mail-{smtp_port}",
        argv,
        dict(os.environ),
        REPO_ROOT,
        directory.parent / f"mail-{smtp_port}.log",
    )
    process.start()
    try:
        wait_until(
            lambda: port_accepts(smtp_port) and _ready(f"http://127.0.0.1:{http_port}"),
            what="Mailpit",
            timeout=60,
            process=process,
        )
        yield process
    finally:
        process.stop()


def _ready(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
