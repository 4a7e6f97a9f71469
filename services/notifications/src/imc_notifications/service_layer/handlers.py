"""Notifications' use cases: keep the directory, and send each email once per event and recipient."""

from __future__ import annotations

from dataclasses import dataclass

from imc_contracts.notifications import EmailSent, EmailSentPayload
from imc_contracts.registry import MemberAdded, MunicipalityRegistered, PartnershipCreated
from imc_contracts.roadmaps import MilestoneReached
from imc_runtime.commitlog import CommitLog, commit_id
from imc_runtime.logging import get_logger

from imc_notifications.adapters.directory import Directory
from imc_notifications.adapters.mailer import Mailer, build_message
from imc_notifications.adapters.rendering import Renderer, format_day
from imc_notifications.domain.recipients import Recipient, language_for, localized
from imc_notifications.domain.rules import RULES

log = get_logger(__name__)


@dataclass(frozen=True)
class Dependencies:
    directory: Directory
    commits: CommitLog
    renderer: Renderer
    mailer: Mailer
    sender: str
    frontend_base_url: str


async def municipality_registered(event: MunicipalityRegistered, deps: Dependencies) -> None:
    p = event.payload
    await deps.directory.put_municipality(p.municipality_id, p.names, p.languages)


async def partnership_created(event: PartnershipCreated, deps: Dependencies) -> None:
    p = event.payload
    await deps.directory.put_partnership(
        p.partnership_id, p.name, [p.moroccan_municipality_id, p.belgian_municipality_id]
    )


async def member_added(event: MemberAdded, deps: Dependencies) -> None:
    p = event.payload
    await deps.directory.put_member(
        Recipient(p.member_id, p.name, p.email, p.municipality_id, p.language)
    )


async def milestone_reached(event: MilestoneReached, deps: Dependencies) -> None:
    rule = RULES[event.type]
    partnership = await deps.directory.partnership(event.partnership_id)
    if partnership is None:
        log.warning("notify.partnership_unknown", partnership_id=event.partnership_id)
        return
    recipients: list[Recipient] = []
    for municipality_id in partnership["municipality_ids"]:
        recipients += await deps.directory.members_of(municipality_id)
    p = event.payload
    for recipient in recipients:
        delivery_id = commit_id("delivery", str(event.event_id), recipient.member_id)
        if await deps.commits.get(delivery_id) is not None:
            continue  # already sent for this event and recipient
        languages = language_for(
            recipient, await deps.directory.municipality_languages(recipient.municipality_id)
        )
        language = next(lang for lang in languages if deps.renderer.has(rule.template, lang))
        email = deps.renderer.render(
            rule.template,
            language,
            recipient_name=recipient.name,
            partnership=localized(partnership["name"], [language, *languages]),
            milestone=localized(p.title, [language, *languages]),
            reached_on=format_day(p.reached_on, language),
            due_date=format_day(p.due_date, language),
            link=f"{deps.frontend_base_url}/partnerships/{event.partnership_id}"
            f"/milestones/{p.milestone_id}",
        )
        message = build_message(
            email,
            sender=deps.sender,
            to_name=recipient.name,
            to_address=recipient.email,
            message_id=deps.mailer.message_id(delivery_id),
        )
        await deps.mailer.send(message)
        sent = EmailSent.create(
            EmailSentPayload(
                delivery_id=delivery_id,
                cause_event_id=str(event.event_id),
                cause_type=event.type,
                member_id=recipient.member_id,
                language=language,
                subject=email.subject,
            ),
            partnership_id=event.partnership_id,
            caused_by=event,
        )
        await deps.commits.append(delivery_id, f"delivery:{delivery_id}", 0, [sent])
        log.info("email.sent", member_id=recipient.member_id, language=language)
