"""Events of notifications: what was delivered to whom."""

from __future__ import annotations

from typing import Literal

from imc_contracts.envelope import Contract, Event, Language


class EmailSentPayload(Contract):
    delivery_id: str
    cause_event_id: str
    cause_type: str
    member_id: str
    language: Language
    subject: str


class EmailSent(Event):
    type: Literal["notifications.email.sent.v1"]
    payload: EmailSentPayload


class EmailFailedPayload(Contract):
    delivery_id: str
    cause_event_id: str
    cause_type: str
    member_id: str
    attempts: int
    permanent: bool
    error: str


class EmailFailed(Event):
    type: Literal["notifications.email.failed.v1"]
    payload: EmailFailedPayload
