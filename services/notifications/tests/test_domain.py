"""Rules, preferences, digest dates, unsubscribe tokens, SMTP error classes: pure rules."""

from __future__ import annotations

import datetime as dt

import aiosmtplib
import icalendar
import pytest
from imc_notifications.adapters.calendar import due_date_event
from imc_notifications.adapters.mailer import classify
from imc_notifications.domain import unsubscribe
from imc_notifications.domain.preferences import Preferences, digest_date, digest_due
from imc_notifications.domain.recipients import mask_email
from imc_notifications.domain.rules import KINDS, RULES

SECRET = b"test-secret"
NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


def test_the_rules_name_who_hears_of_each_kind() -> None:
    audiences = {rule.kind: rule.audiences for rule in RULES.values()}
    assert audiences == {
        "milestone_reached": ("both_municipalities", "coordinators"),
        "milestone_due_soon": ("responsible_municipality", "coordinators"),
        "milestone_overdue": ("responsible_municipality", "coordinators"),
        "submission_rejected": ("submitter",),
        "partnership_status_changed": ("both_municipalities", "programme_subscribers"),
        "evidence_added": ("both_municipalities", "programme_subscribers"),
    }
    assert {rule.kind for rule in RULES.values() if rule.calendar} == {
        "milestone_due_soon",
        "milestone_overdue",
    }
    assert {rule.kind for rule in RULES.values() if rule.names_actor} == {"evidence_added"}
    assert set(KINDS) == set(audiences)


def test_a_kind_can_be_immediate_digest_or_off_but_mandatory_kinds_are_never_off() -> None:
    preferences = Preferences(default="digest", kinds={"milestone_reached": "off"})
    assert preferences.mode_for("milestone_overdue", []) == "digest"
    assert preferences.mode_for("milestone_reached", []) == "off"
    assert preferences.mode_for("milestone_reached", ["milestone_reached"]) == "digest"
    assert Preferences(default="off").mode_for("submission_rejected", ["submission_rejected"]) == (
        "immediate"
    )


def test_every_kind_is_a_preference_a_recipient_can_set_and_nothing_else_is() -> None:
    chosen = Preferences.model_validate({"kinds": {kind: "off" for kind in KINDS}})
    assert chosen.mode_for("evidence_added", []) == "off"
    with pytest.raises(ValueError, match="evidence_attached"):
        Preferences.model_validate({"kinds": {"evidence_attached": "off"}})


def test_unsubscribing_turns_off_one_kind_or_everything() -> None:
    assert Preferences().unsubscribed("milestone_reached").kinds == {"milestone_reached": "off"}
    everything = Preferences(kinds={"milestone_overdue": "digest"}).unsubscribed(None)
    assert everything.default == "off"
    assert everything.kinds == {}


def test_an_item_queued_after_the_digest_hour_waits_for_the_next_days_digest() -> None:
    # 07:30 UTC is 08:30 in Brussels in winter, 07:30 in London.
    at = dt.datetime(2026, 11, 29, 7, 30, tzinfo=dt.UTC)
    assert digest_date(at, "Europe/Brussels", 8) == dt.date(2026, 11, 30)
    assert digest_date(at, "Europe/London", 8) == dt.date(2026, 11, 29)


def test_a_digest_is_due_at_its_hour_in_the_recipients_time_zone() -> None:
    day = dt.date(2026, 11, 30)
    brussels_0759 = dt.datetime(2026, 11, 30, 6, 59, tzinfo=dt.UTC)
    brussels_0800 = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)
    assert not digest_due(day, brussels_0759, "Europe/Brussels", 8)
    assert digest_due(day, brussels_0800, "Europe/Brussels", 8)
    assert not digest_due(day, brussels_0800, "Europe/London", 8)


def test_an_unsubscribe_token_round_trips_and_resists_tampering_and_time() -> None:
    request = unsubscribe.Unsubscribe("sophie", "milestone_reached", NOW + dt.timedelta(days=1))
    token = unsubscribe.sign(request, SECRET)
    assert unsubscribe.verify(token, SECRET, NOW).recipient_id == "sophie"
    assert unsubscribe.verify(token, SECRET, NOW).kind == "milestone_reached"
    with pytest.raises(unsubscribe.InvalidUnsubscribeToken, match="not valid"):
        unsubscribe.verify(token, b"another-secret", NOW)
    with pytest.raises(unsubscribe.InvalidUnsubscribeToken, match="not valid"):
        unsubscribe.verify("x" + token, SECRET, NOW)
    with pytest.raises(unsubscribe.InvalidUnsubscribeToken, match="expired"):
        unsubscribe.verify(token, SECRET, NOW + dt.timedelta(days=2))
    evidence = unsubscribe.Unsubscribe("sophie", "evidence_added", NOW + dt.timedelta(days=1))
    assert unsubscribe.verify(unsubscribe.sign(evidence, SECRET), SECRET, NOW).kind == (
        "evidence_added"
    )
    everything = unsubscribe.Unsubscribe("sophie", None, NOW + dt.timedelta(days=1))
    assert unsubscribe.verify(unsubscribe.sign(everything, SECRET), SECRET, NOW).kind is None


@pytest.mark.parametrize("token", ["abc.é", "é.abc", "abc.\ud800", "\x00.\x00", "a.b.c", "."])
def test_an_unsubscribe_token_of_any_characters_is_refused_not_crashed_on(token: str) -> None:
    with pytest.raises(unsubscribe.InvalidUnsubscribeToken, match="not valid"):
        unsubscribe.verify(token, SECRET, NOW)


def test_only_refusals_of_the_recipient_or_message_are_permanent() -> None:
    refused = aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(550, "no such user", "x@example.org")]
    )
    assert classify(refused).permanent
    assert classify(aiosmtplib.SMTPDataError(554, "rejected")).permanent
    assert not classify(aiosmtplib.SMTPDataError(451, "try later")).permanent
    assert not classify(aiosmtplib.SMTPAuthenticationError(535, "bad login")).permanent
    assert not classify(aiosmtplib.SMTPConnectError("refused")).permanent
    assert not classify(ConnectionRefusedError()).permanent


def test_the_calendar_file_is_an_all_day_event_on_the_due_date() -> None:
    content = due_date_event(
        uid="bsg.m.2027-06-30@imc-hub",
        summary="Échéance proche : Lancement",
        description="http://x.example.org",
        due=dt.date(2027, 6, 30),
        url="http://x.example.org",
        stamp=NOW,
    )
    event = next(iter(icalendar.Calendar.from_ical(content).walk("VEVENT")))
    assert event.decoded("dtstart") == dt.date(2027, 6, 30)
    assert event.decoded("dtend") == dt.date(2027, 7, 1)
    assert str(event["summary"]) == "Échéance proche : Lancement"


def test_logged_addresses_are_masked() -> None:
    assert mask_email("sophie.lambert@example.org") == "s***@example.org"
