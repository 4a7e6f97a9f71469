"""Events of notifications: what was delivered to whom."""

from __future__ import annotations

from typing import ClassVar, Literal

from imc_contracts.envelope import Contract, Event, Language


class EmailSentPayload(Contract):
    delivery_id: str
    cause_event_id: str
    cause_type: str
    member_id: str
    language: Language
    subject: str


class EmailSent(Event):
    TYPE: ClassVar[str] = "notifications.email.sent.v1"
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
    TYPE: ClassVar[str] = "notifications.email.failed.v1"
    type: Literal["notifications.email.failed.v1"]
    payload: EmailFailedPayload
