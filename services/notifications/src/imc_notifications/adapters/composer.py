"""What an email says and the message that carries it: the templates (``rendering``), the
locale's dates and numbers (Babel), the calendar file (``calendar``) and the MIME message
(``mailer.build_message``) — notifications' ``Emails`` port."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Any

from imc_contracts import Event, Language, roadmaps
from imc_contracts.registry import PartnershipStatusChanged

from imc_notifications.adapters.calendar import due_date_event
from imc_notifications.adapters.mailer import build_message
from imc_notifications.adapters.rendering import (
    STATUS_LABELS,
    Renderer,
    format_day,
    format_number,
    format_progress,
    format_size,
    media_type_label,
)
from imc_notifications.domain.recipients import localized
from imc_notifications.service_layer.delivery import Delivery
from imc_notifications.service_layer.ports import (
    Addressee,
    Attachment,
    DigestItem,
    RenderedEmail,
    Transport,
)
from imc_notifications.settings import NotificationsSettings


class Composer:
    def __init__(
        self, settings: NotificationsSettings, transport: Transport, renderer: Renderer
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._renderer = renderer

    def has(self, kind: str, language: Language) -> bool:
        return self._renderer.has(kind, language)

    def about(self, event: Event, kind: str, to: Addressee) -> RenderedEmail:
        return self._renderer.render(
            kind,
            to.language,
            recipient_name=to.recipient_name,
            partnership=to.partnership,
            link=to.link,
            unsubscribe_link=to.unsubscribe_link,
            actor=to.actor or "",
            **_context(event, to.language, to.names),
        )

    def digest(
        self,
        language: Language,
        *,
        recipient_name: str,
        items: list[DigestItem],
        day: dt.date,
        unsubscribe_link: str,
    ) -> RenderedEmail:
        return self._renderer.render(
            "digest",
            language,
            recipient_name=recipient_name,
            items=[{"title": item.title, "link": item.link} for item in items],
            count=format_number(len(items), language),
            day=format_day(day, language),
            unsubscribe_link=unsubscribe_link,
        )

    def due_date_file(
        self, event: Event, subject: str, link: str, stamp: dt.datetime
    ) -> Attachment:
        assert isinstance(event, (roadmaps.MilestoneDueSoon, roadmaps.MilestoneOverdue))
        p = event.payload
        content = due_date_event(
            uid=f"{event.partnership_id}.{p.milestone_id}.{p.due_date.isoformat()}@imc-hub",
            summary=subject,
            description=link,
            due=p.due_date,
            url=link,
            stamp=stamp,
        )
        return Attachment(f"{p.milestone_id}.ics", "text", "calendar", content)

    def message(
        self,
        delivery: Delivery,
        email: RenderedEmail,
        *,
        unsubscribe_url: str | None,
        attachments: tuple[Attachment, ...],
        date: dt.datetime,
    ) -> EmailMessage:
        return build_message(
            email,
            sender=self._settings.mail_from,
            to_name=delivery.recipient.name,
            to_address=delivery.recipient.email,
            message_id=self._transport.message_id(delivery.id),
            unsubscribe_url=unsubscribe_url,
            unsubscribe_mailto=self._settings.unsubscribe_mailto,
            attachments=attachments,
            date=date,
        )

    def page(self, name: str, language: Language, **context: object) -> str:
        return self._renderer.page(name, language, **context)


def _context(event: Event, language: Language, names: list[Language]) -> dict[str, Any]:
    """What a kind's template shows of its event, in the recipient's language."""
    if isinstance(event, roadmaps.MilestoneReached):
        p = event.payload
        return {
            "milestone": localized(p.title, names),
            "reached_on": format_day(p.reached_on, language),
            "due_date": format_day(p.due_date, language),
        }
    if isinstance(event, (roadmaps.MilestoneDueSoon, roadmaps.MilestoneOverdue)):
        d = event.payload
        return {
            "milestone": localized(d.title, names),
            "due_date": format_day(d.due_date, language),
            "days": format_number(abs(d.days), language),
            "progress": format_progress(d.progress, language),
        }
    if isinstance(event, roadmaps.SubmissionRejected):
        return {"submission_id": event.payload.submission_id, "reason": event.payload.reason}
    if isinstance(event, roadmaps.EvidenceAttached):
        return _evidence_context(event, language, names)
    assert isinstance(event, PartnershipStatusChanged)
    s = event.payload
    labels = STATUS_LABELS[language]
    return {
        "status": labels.get(s.status, s.status),
        "previous_status": labels.get(s.previous_status, s.previous_status),
        "reason": s.reason,
    }


def _evidence_context(
    event: roadmaps.EvidenceAttached, language: Language, names: list[Language]
) -> dict[str, Any]:
    """The file, and what it is evidence of: ``evidence_of`` picks the template's sentence."""
    p = event.payload
    evidence = p.evidence
    # Without a title in any language, the milestone's or indicator's id still tells which.
    named = evidence.milestone_id if evidence.subject == "progress" else evidence.indicator_id
    return {
        "file_name": evidence.name,
        "file_type": media_type_label(evidence.media_type, language),
        "file_size": format_size(evidence.size, language),
        "sha256": evidence.sha256,
        "evidence_of": evidence.subject,
        "title": localized(p.title, names) or named or "",
        "period": evidence.period_id or "",
        "phase": evidence.phase or p.phase,
    }
