"""Sending one email exactly once per (event, recipient), as far as SMTP lets anyone.

1. Reserve: one insert with the deterministic delivery id, which records the first SMTP
   attempt's start too. A second delivery of the same event finds the reservation (and
   usually the outcome) and sends nothing.
2. Before each further SMTP attempt, record that it started (one insert); after a failure,
   record it.
3. Send, with a deterministic Message-ID.
4. Record the outcome as a commit (sent, or failed for good); the relay publishes it as
   ``notifications.email.sent`` / ``.failed``.

The crash window: if the process dies after the SMTP server accepted the message and
before step 4, the next run finds an attempt that started, did not fail and has no outcome.
It cannot know whether the server accepted it, and sends again — with the same Message-ID,
which mail clients use to fold the duplicate — and counts it (``in_doubt_resends``). The
window's length (acceptance → outcome recorded) is measured on every send.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Literal

from imc_contracts import Event, Language
from imc_contracts.notifications import (
    EmailFailed,
    EmailFailedPayload,
    EmailSent,
    EmailSentPayload,
)
from imc_runtime.logging import get_logger

from imc_notifications.domain.recipients import Recipient, mask_email
from imc_notifications.service_layer.ports import (
    Attempts,
    Deliveries,
    Outcomes,
    SendFailed,
    Transport,
)
from imc_notifications.settings import NotificationsSettings

log = get_logger(__name__)

NO_ATTEMPTS = Attempts(started=0, failed=0, last_error=None)


class SmtpUnavailable(ConnectionError):
    """SMTP kept failing transiently. An ``OSError``, so the consumer leaves the event
    uncommitted and reads it again: an outage delays email, it never loses it."""


class DeliveryInProgress(ConnectionError):
    """Another consumer (during a Kafka rebalance) is sending this very delivery right now;
    transient, so the event is read again once that attempt has an outcome."""


@dataclass
class DeliveryStats:
    """What this process saw; served on ``/v1/deliveries/stats``."""

    sent: int = 0
    failed: int = 0
    on_outcome: Callable[[str], None] = lambda _outcome: None
    """Also told each outcome ("sent", "failed"): the service's Prometheus counter."""
    duplicates_skipped: int = 0
    transient_failures: int = 0
    in_doubt_resends: int = 0
    windows_ms: list[float] = field(default_factory=list)

    def count(self, outcome: Literal["sent", "failed"]) -> str:
        if outcome == "sent":
            self.sent += 1
        else:
            self.failed += 1
        self.on_outcome(outcome)
        return outcome

    def record_window(self, seconds: float) -> None:
        self.windows_ms.append(seconds * 1000)
        del self.windows_ms[:-10_000]  # bounded memory; recent sends are what matter

    def summary(self) -> dict[str, float | int]:
        windows = sorted(self.windows_ms)

        def quantile(q: float) -> float:
            return round(windows[min(len(windows) - 1, int(q * len(windows)))], 2)

        return {
            "sent": self.sent,
            "failed": self.failed,
            "duplicates_skipped": self.duplicates_skipped,
            "transient_failures": self.transient_failures,
            "in_doubt_resends": self.in_doubt_resends,
            "crash_window_samples": len(windows),
            "crash_window_ms_p50": quantile(0.5) if windows else 0.0,
            "crash_window_ms_p99": quantile(0.99) if windows else 0.0,
            "crash_window_ms_max": round(windows[-1], 2) if windows else 0.0,
        }


@dataclass(frozen=True)
class Delivery:
    id: str
    kind: str
    recipient: Recipient
    language: Language
    subject: str
    cause_event_id: str
    """The event that caused it; for a digest, ``digest:<date>``."""
    cause_type: str
    partnership_id: str
    caused_by: Event | None = None


def delivery_stream(delivery_id: str) -> str:
    """A delivery's outcome is the one commit of its own stream (read by position, not by
    id: the log's positions are the small collection)."""
    return f"delivery:{delivery_id}"


@dataclass
class Sender:
    deliveries: Deliveries
    commits: Outcomes
    mailer: Transport
    settings: NotificationsSettings
    stats: DeliveryStats
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def deliver(self, delivery: Delivery, build: Callable[[], EmailMessage]) -> str:
        """Send ``delivery`` unless it was sent or failed for good already; return its status.

        Raises ``SmtpUnavailable`` when SMTP is away after the bounded retries."""
        now = self.clock()
        reserved = await self.deliveries.reserve(
            {
                "_id": delivery.id,
                "event_id": delivery.cause_event_id,
                "event_type": delivery.cause_type,
                "kind": delivery.kind,
                "partnership_id": delivery.partnership_id,
                "recipient_id": delivery.recipient.member_id,
                "recipient_kind": delivery.recipient.kind,
                "email": mask_email(delivery.recipient.email),
                "language": delivery.language,
                "subject": delivery.subject,
                "message_id": self.mailer.message_id(delivery.id),
                "created_at": now,
                "first_attempt_at": now,  # the reservation is the first attempt's start
            }
        )
        if not reserved:
            outcome = await self.commits.get(delivery.id)
            if outcome is not None:
                self.stats.duplicates_skipped += 1
                return "sent" if isinstance(outcome.events[0], EmailSent) else "failed"
        # A reservation made just now has no attempts yet: attempts follow a reservation, so
        # only an earlier delivery of this event can have left some.
        attempts = NO_ATTEMPTS if reserved else await self.deliveries.attempts(delivery.id)
        if attempts.in_doubt and not reserved and self._may_still_be_running(attempts):
            raise DeliveryInProgress(f"delivery {delivery.id} has an attempt running")
        if attempts.in_doubt:
            self.stats.in_doubt_resends += 1
            log.warning("delivery.in_doubt_resend", delivery_id=delivery.id)
        message = build()
        number = attempts.started
        for retry in range(self.settings.smtp_attempts):
            number += 1
            if not (reserved and number == 1):  # the reservation made now recorded that one
                await self.deliveries.attempt_started(delivery.id, number, self.clock())
            try:
                await self.mailer.send(message, delivery.recipient.email)
            except SendFailed as failure:
                await self.deliveries.attempt_failed(
                    delivery.id, number, str(failure), failure.permanent, self.clock()
                )
                if failure.permanent:
                    await self._record(delivery, number, str(failure))
                    return "failed"
                self.stats.transient_failures += 1
                log.warning("email.transient_failure", delivery_id=delivery.id, attempt=number)
                if retry + 1 < self.settings.smtp_attempts:
                    await self.sleep(self._backoff(retry))
                continue
            accepted = time.monotonic()
            await self._record(delivery, number)
            self.stats.record_window(time.monotonic() - accepted)
            return "sent"
        raise SmtpUnavailable(f"SMTP unavailable after {self.settings.smtp_attempts} attempts")

    def _may_still_be_running(self, attempts: Attempts) -> bool:
        """An attempt younger than an SMTP timeout (twice, for clock skew) may belong to a
        live process; older, its process is gone."""
        if attempts.last_started_at is None:
            return False
        age = self.clock() - attempts.last_started_at
        return age < dt.timedelta(seconds=2 * self.settings.smtp_timeout_seconds)

    def _backoff(self, retry: int) -> float:
        """Exponential with full jitter, capped."""
        ceiling = min(
            self.settings.smtp_backoff_cap_seconds, self.settings.smtp_backoff_seconds * 2**retry
        )
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not security

    async def _record(self, delivery: Delivery, attempts: int, error: str | None = None) -> None:
        """The delivery's outcome, in its own stream: sent, or (with ``error``) failed for good."""
        about: dict[str, Any] = {
            "delivery_id": delivery.id,
            "cause_event_id": delivery.cause_event_id,
            "cause_type": delivery.cause_type,
            "member_id": delivery.recipient.member_id,
        }
        payload: EmailSentPayload | EmailFailedPayload
        if error is None:
            payload = EmailSentPayload(
                **about, language=delivery.language, subject=delivery.subject
            )
        else:
            payload = EmailFailedPayload(
                **about, attempts=attempts, permanent=True, error=error[:2000]
            )
        outcome = (EmailSent if error is None else EmailFailed).create(
            payload, partnership_id=delivery.partnership_id, caused_by=delivery.caused_by
        )
        await self.commits.append_alone(delivery.id, delivery_stream(delivery.id), [outcome])
        status = self.stats.count("sent" if error is None else "failed")
        say = log.info if error is None else log.warning
        say(
            f"email.{status}",
            delivery_id=delivery.id,
            to=mask_email(delivery.recipient.email),
            attempts=attempts,
        )
