"""Signed, expiring unsubscribe tokens: they work without logging in, and cannot be forged.

A token is ``<base64url(JSON claims)>.<base64url(HMAC-SHA256 of the claims)>``; the claims
name the recipient, the kind (or ``*`` for everything) and the expiry as a Unix time.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from imc_notifications.domain.rules import KINDS, Kind


class InvalidUnsubscribeToken(Exception):
    """The link was altered, signed with another secret, or has expired."""


@dataclass(frozen=True)
class Unsubscribe:
    recipient_id: str
    kind: Kind | None
    """None: every kind that is not mandatory."""
    expires_at: dt.datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(request: Unsubscribe, secret: bytes) -> str:
    claims = {
        "r": request.recipient_id,
        "k": request.kind or "*",
        "e": int(request.expires_at.timestamp()),
    }
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify(token: str, secret: bytes, now: dt.datetime) -> Unsubscribe:
    if not token.isascii():  # a signed token is base64url: anything else was altered
        raise InvalidUnsubscribeToken("this unsubscribe link is not valid")
    body, _, signature = token.partition(".")
    expected = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        raise InvalidUnsubscribeToken("this unsubscribe link is not valid")
    try:
        claims = json.loads(_unb64(body))
        recipient_id, kind, expires = str(claims["r"]), str(claims["k"]), int(claims["e"])
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidUnsubscribeToken("this unsubscribe link is not valid") from error
    expires_at = dt.datetime.fromtimestamp(expires, dt.UTC)
    if now >= expires_at:
        raise InvalidUnsubscribeToken("this unsubscribe link has expired")
    if kind != "*" and kind not in KINDS:
        raise InvalidUnsubscribeToken("this unsubscribe link is not valid")
    return Unsubscribe(recipient_id, None if kind == "*" else kind, expires_at)  # type: ignore[arg-type]
