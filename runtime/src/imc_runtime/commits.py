"""What the commit log holds: a commit, the outcome of an append, the errors an append
raises, how a commit's id is made and how a commit is written as a document. No database
here: the service layers name these without depending on the log's storage."""

from __future__ import annotations

import contextvars
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from imc_contracts import Event
from imc_contracts.codec import from_document, to_document

request_fingerprint: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_fingerprint", default=None
)
"""What the HTTP request being handled asked for (``imc_runtime.guard`` sets it): a commit
records it, so that a cause met again is told from a different request under one key."""


class CauseReused(Exception):
    """The commit's cause (an ``Idempotency-Key``) was already used for a different request."""

    def __init__(self, id: str) -> None:
        super().__init__(
            "Idempotency-Key: this key was already used for a different request; "
            "use a new key for a new request, or send the first one again"
        )
        self.id = id


class ConcurrencyConflict(Exception):
    """Another writer appended to the stream first; reload it and decide again."""

    def __init__(self, stream: str, version: int) -> None:
        super().__init__(f"stream {stream!r} already has version {version}")
        self.stream = stream
        self.version = version


@dataclass(frozen=True)
class Commit:
    id: str
    stream: str
    version: int
    events: tuple[Event, ...]
    recorded_at: datetime
    published: bool = False
    trace: dict[str, str] = field(default_factory=dict)
    """The trace context of what caused this commit; the relay continues it into Kafka."""
    fingerprint: str | None = None
    """What the request that caused it asked for (``request_fingerprint``), if one did."""


@dataclass(frozen=True)
class Appended:
    """The result of an append: the commit, and whether it was already there (a replay)."""

    commit: Commit
    duplicate: bool


def commit_id(*parts: str) -> str:
    """A deterministic id from what caused a change (an idempotency key, an event id, …)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def commit_document(commit: Commit) -> dict[str, Any]:
    return {
        "_id": commit.id,
        "stream": commit.stream,
        "version": commit.version,
        "events": [to_document(event) for event in commit.events],
        "recorded_at": commit.recorded_at,
        "published": commit.published,
        "trace": commit.trace,
        **({"fingerprint": commit.fingerprint} if commit.fingerprint else {}),
    }


def commit_from_document(document: dict[str, Any]) -> Commit:
    return Commit(
        id=document["_id"],
        stream=document["stream"],
        version=int(document["version"]),
        events=tuple(from_document(event) for event in document["events"]),
        recorded_at=document["recorded_at"],
        published=bool(document["published"]),
        trace=dict(document.get("trace") or {}),
        fingerprint=document.get("fingerprint"),
    )
