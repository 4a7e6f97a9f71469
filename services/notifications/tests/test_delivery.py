"""Sending once per (event, recipient): reservation, retries, permanent failures, the crash
window — on fakes, in milliseconds."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from email.message import EmailMessage

import pytest
from imc_contracts.notifications import EmailFailed, EmailSent
from imc_contracts.roadmaps import MilestoneReached, MilestoneReachedPayload
from imc_notifications.domain.recipients import Recipient
from imc_notifications.service_layer.delivery import (
    Delivery,
    DeliveryInProgress,
    DeliveryStats,
    Sender,
    SmtpUnavailable,
)
from imc_notifications.service_layer.handlers import SENDS_AT_ONCE, send_all
from imc_notifications.service_layer.ports import SendFailed
from imc_notifications.settings import NotificationsSettings

from .fakes import FakeDeliveries, FakeOutcomes, FakeSmtp

CAUSE = MilestoneReached.create(
    MilestoneReachedPayload(
        milestone_id="m",
        title={"fr": "Lancement"},
        due_date=dt.date(2027, 6, 30),
        reached_on=dt.date(2026, 11, 29),
        responsible_municipality_id="berkane",
    ),
    partnership_id="berkane--saint-gilles",
)
SOPHIE = Recipient("sophie", "Sophie", "sophie@example.org", "saint-gilles", "fr")
DELIVERY = Delivery(
    id="d1",
    kind="milestone_reached",
    recipient=SOPHIE,
    language="fr",
    subject="Jalon atteint",
    cause_event_id=str(CAUSE.event_id),
    cause_type=CAUSE.type,
    partnership_id=CAUSE.partnership_id,
    caused_by=CAUSE,
)


def sender(smtp: FakeSmtp, attempts: int = 3) -> tuple[Sender, FakeDeliveries, FakeOutcomes]:
    deliveries, outcomes = FakeDeliveries(), FakeOutcomes()
    pauses: list[float] = []

    async def no_wait(seconds: float) -> None:
        pauses.append(seconds)

    built = Sender(
        deliveries=deliveries,
        commits=outcomes,
        mailer=smtp,
        settings=NotificationsSettings(smtp_attempts=attempts, smtp_backoff_seconds=0.1),
        stats=DeliveryStats(),
        sleep=no_wait,
    )
    return built, deliveries, outcomes


def build() -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "Jalon atteint"
    return message


def deliver(s: Sender) -> str:
    return asyncio.run(s.deliver(DELIVERY, build))


def test_a_delivery_is_reserved_sent_and_recorded_as_sent() -> None:
    smtp = FakeSmtp()
    s, deliveries, outcomes = sender(smtp)
    assert deliver(s) == "sent"
    assert list(deliveries.reserved) == ["d1"]
    assert len(smtp.accepted) == 1
    assert isinstance(outcomes.commits["d1"].events[0], EmailSent)
    assert s.stats.summary()["crash_window_samples"] == 1


def test_a_first_delivery_does_not_look_for_earlier_attempts() -> None:
    smtp = FakeSmtp()
    s, deliveries, _ = sender(smtp)
    assert deliver(s) == "sent"
    assert deliveries.attempts_read == 0


def test_the_same_delivery_again_sends_nothing() -> None:
    smtp = FakeSmtp()
    s, _, _ = sender(smtp)
    deliver(s)
    assert deliver(s) == "sent"
    assert len(smtp.accepted) == 1
    assert s.stats.duplicates_skipped == 1


def test_transient_failures_are_retried_with_growing_bounded_pauses() -> None:
    smtp = FakeSmtp(SendFailed("421 busy", permanent=False), SendFailed("421", permanent=False))
    s, deliveries, _ = sender(smtp)
    assert deliver(s) == "sent"
    assert [n for _, n in deliveries.started] == [1, 2, 3]
    assert len(deliveries.failed) == 2
    assert s.stats.transient_failures == 2


def test_smtp_away_after_the_retries_raises_a_transient_error_so_the_event_is_read_again() -> None:
    smtp = FakeSmtp(*[SendFailed("Connection refused", permanent=False)] * 2)
    s, deliveries, outcomes = sender(smtp, attempts=2)
    with pytest.raises(SmtpUnavailable) as raised:
        deliver(s)
    assert isinstance(raised.value, OSError)  # what the consumer treats as transient
    assert outcomes.commits == {}
    assert deliver(s) == "sent"  # read again later: the reservation does not block it
    assert [n for _, n in deliveries.started] == [1, 2, 3]


def test_a_permanent_failure_is_recorded_once_and_not_retried() -> None:
    smtp = FakeSmtp(SendFailed("550 no such user", permanent=True))
    s, deliveries, outcomes = sender(smtp)
    assert deliver(s) == "failed"
    failed = outcomes.commits["d1"].events[0]
    assert isinstance(failed, EmailFailed)
    assert failed.payload.permanent
    assert failed.payload.error == "550 no such user"
    assert len(deliveries.started) == 1
    assert deliver(s) == "failed"
    assert len(deliveries.started) == 1


def test_a_crash_between_acceptance_and_record_is_counted_and_resent_with_the_same_message_id() -> (
    None
):
    smtp = FakeSmtp()
    s, deliveries, _ = sender(smtp)
    # What a crash a minute ago left behind: the reservation and a started attempt, no
    # failure, no outcome.
    asyncio.run(deliveries.reserve({"_id": "d1"}))
    a_minute_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    asyncio.run(deliveries.attempt_started("d1", 1, a_minute_ago))
    assert deliver(s) == "sent"
    assert s.stats.in_doubt_resends == 1
    assert [n for _, n in deliveries.started] == [1, 2]


def test_a_delivery_another_consumer_is_sending_right_now_is_left_for_later() -> None:
    smtp = FakeSmtp()
    s, deliveries, _ = sender(smtp)
    asyncio.run(deliveries.reserve({"_id": "d1"}))
    asyncio.run(deliveries.attempt_started("d1", 1, dt.datetime.now(dt.UTC)))
    with pytest.raises(DeliveryInProgress):
        deliver(s)
    assert smtp.accepted == []


def test_one_email_of_an_event_failing_lets_the_others_finish_and_is_raised_after() -> None:
    finished: list[str] = []

    async def sends_after(pause: float, name: str) -> str:
        await asyncio.sleep(pause)
        finished.append(name)
        return "sent"

    async def fails() -> str:
        raise SmtpUnavailable("SMTP unavailable after 3 attempts")

    sends: list[Callable[[], Awaitable[str]]] = [
        functools.partial(sends_after, 0.02, "sophie"),
        fails,
        functools.partial(sends_after, 0.01, "youssef"),
    ]
    with pytest.raises(SmtpUnavailable):
        asyncio.run(send_all(sends))
    assert sorted(finished) == ["sophie", "youssef"]


def test_an_events_emails_are_sent_a_few_at_a_time() -> None:
    running = 0
    most = 0

    async def send() -> str:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        return "sent"

    asyncio.run(send_all([send] * 10))
    assert most == SENDS_AT_ONCE
