"""Notifications' use cases: keep the directory, and turn events into emails by the rules."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from imc_contracts import Language, registry, roadmaps
from imc_runtime.commits import commit_id
from imc_runtime.logging import get_logger

from imc_notifications.domain import unsubscribe
from imc_notifications.domain.preferences import Preferences, digest_date
from imc_notifications.domain.recipients import Recipient, language_for, localized
from imc_notifications.domain.rules import RULES, Kind, Rule
from imc_notifications.service_layer.delivery import Delivery
from imc_notifications.service_layer.ports import (
    Addressee,
    Attachment,
    Dependencies,
    DigestItem,
    ListedPartnership,
    RenderedEmail,
)

log = get_logger(__name__)

Notifying = (
    roadmaps.MilestoneReached
    | roadmaps.MilestoneDueSoon
    | roadmaps.MilestoneOverdue
    | roadmaps.SubmissionRejected
    | registry.PartnershipStatusChanged
    | roadmaps.EvidenceAttached
)
"""The events a rule in ``domain/rules.py`` turns into email."""


# -- the directory ---------------------------------------------------------------------


async def municipality_registered(
    event: registry.MunicipalityRegistered | registry.MunicipalityUpdated, deps: Dependencies
) -> None:
    p = event.payload
    await deps.directory.put_municipality(p.municipality_id, p.names, p.languages, p.country)


async def partnership_created(
    event: registry.PartnershipCreated | registry.PartnershipUpdated, deps: Dependencies
) -> None:
    p = event.payload
    await deps.directory.put_partnership(
        p.partnership_id, p.name, [p.moroccan_municipality_id, p.belgian_municipality_id], p.status
    )


async def member_added(
    event: registry.MemberAdded | registry.MemberUpdated, deps: Dependencies
) -> None:
    p = event.payload
    time_zone = await deps.directory.time_zone_of(p.municipality_id)
    await deps.directory.put_member(
        Recipient(p.member_id, p.name, p.email, p.municipality_id, p.language, "member", time_zone),
        as_of=event.occurred_at,
    )


async def member_removed(event: registry.MemberRemoved, deps: Dependencies) -> None:
    await deps.directory.remove_member(event.payload.member_id, as_of=event.occurred_at)


async def coordinator_added(event: registry.CoordinatorAdded, deps: Dependencies) -> None:
    p = event.payload
    await deps.directory.put_coordinator(
        Recipient(p.coordinator_id, p.name, p.email, None, p.language, "coordinator", p.time_zone),
        as_of=event.occurred_at,
    )


async def coordinator_removed(event: registry.CoordinatorRemoved, deps: Dependencies) -> None:
    await deps.directory.remove_coordinator(event.payload.coordinator_id, as_of=event.occurred_at)


# -- emails ------------------------------------------------------------------------------


async def recipients_for(
    rule: Rule, event: Notifying, deps: Dependencies, partnership: ListedPartnership | None
) -> list[Recipient]:
    """Everyone the rule names, each once, in a stable order; ``partnership`` is the event's,
    as the directory has it. Once means once per mailbox too: an address the directory holds
    twice (a coordinator who is a municipality's member as well, one person entered twice,
    ``Amina@…`` and ``amina@…``) gets one email, as the first of them."""
    directory = deps.directory
    found: dict[str, Recipient] = {}
    mailboxes: set[str] = set()
    for audience in rule.audiences:
        people: list[Recipient] = []
        if audience == "both_municipalities":
            municipality_ids = [] if partnership is None else list(partnership.municipality_ids)
            for members in await asyncio.gather(*map(directory.members_of, municipality_ids)):
                people += members
        elif audience == "responsible_municipality":
            assert isinstance(event, (roadmaps.MilestoneDueSoon, roadmaps.MilestoneOverdue))
            people = await directory.members_of(event.payload.responsible_municipality_id)
        elif audience == "coordinators":
            people = await directory.coordinators()
        elif audience == "programme_subscribers":
            for coordinator in await directory.coordinators():
                _, preferences = await deps.preferences.get(coordinator.member_id)
                if preferences.whole_programme:
                    people.append(coordinator)
        elif audience == "submitter":
            submitter = None if event.actor is None else await directory.by_actor(event.actor.id)
            if submitter is None:
                log.info("notify.submitter_unknown", event_id=str(event.event_id))
            people = [] if submitter is None else [submitter]
        for person in people:
            mailbox = person.email.strip().casefold()
            if person.member_id not in found and mailbox not in mailboxes:
                found[person.member_id] = person
                mailboxes.add(mailbox)
    return list(found.values())


async def notify(event: Notifying, deps: Dependencies) -> None:
    """Send (or queue for a digest) the rule's email to each of its recipients.

    The emails are prepared one by one, then sent several at a time: each waits mostly on
    SMTP and the database, and a report's recipients — both municipalities and the
    coordinators — would otherwise wait for each other. Every send runs to its end, so a
    failure of one leaves no other cut short between SMTP's acceptance and its record; the
    first failure is then raised and the event read again, which skips those sent."""
    rule = RULES[event.type]
    partnership = await deps.directory.partnership(event.partnership_id)
    recipients = await recipients_for(rule, event, deps, partnership)
    actor = await actor_name(event, deps) if rule.names_actor else None
    # Each recipient's preferences and each municipality's languages, read together.
    municipalities = sorted({r.municipality_id for r in recipients}, key=lambda m: m or "")
    read = await asyncio.gather(
        deps.preferences.get_each([r.member_id for r in recipients]),
        asyncio.gather(*(deps.directory.municipality_languages(m) for m in municipalities)),
    )
    spoken = dict(zip(municipalities, read[1], strict=True))
    sends: list[Callable[[], Awaitable[str]]] = []
    for recipient, (_, preferences) in zip(recipients, read[0], strict=True):
        mode = preferences.mode_for(rule.kind, deps.settings.mandatory_kinds)
        if mode == "off":
            log.info("notify.opted_out", member_id=recipient.member_id, kind=rule.kind)
            continue
        email = _email_to(
            recipient, spoken[recipient.municipality_id], rule, event, partnership, actor, deps
        )
        delivery_id = commit_id("delivery", str(event.event_id), recipient.member_id)
        if mode == "digest":
            await _queue_for_digest(delivery_id, recipient, preferences, rule, event, email, deps)
            continue
        delivery = Delivery(
            id=delivery_id,
            kind=rule.kind,
            recipient=recipient,
            language=email.language,
            subject=email.subject,
            cause_event_id=str(event.event_id),
            cause_type=event.type,
            partnership_id=event.partnership_id,
            caused_by=event,
        )
        link = _link(event, deps.settings.frontend_base_url)
        attachments: tuple[Attachment, ...] = ()
        if rule.calendar:
            attachments = (deps.emails.due_date_file(event, email.subject, link, deps.clock()),)
        build = functools.partial(
            deps.emails.message,
            delivery,
            email,
            unsubscribe_url=header_unsubscribe_url(recipient, rule, deps),
            attachments=attachments,
            date=deps.clock(),
        )
        sends.append(functools.partial(deps.sender.deliver, delivery, build))
    await send_all(sends)


def _email_to(
    recipient: Recipient,
    spoken: list[Language],
    rule: Rule,
    event: Notifying,
    partnership: ListedPartnership | None,
    actor: str | None,
    deps: Dependencies,
) -> RenderedEmail:
    """The rule's email about ``event``, in the recipient's language (or the next best)."""
    languages = language_for(recipient, spoken)
    language = next(lang for lang in languages if deps.emails.has(rule.kind, lang))
    names = [language, *languages]
    to = Addressee(
        language=language,
        names=names,
        recipient_name=recipient.name,
        partnership=event.partnership_id
        if partnership is None
        else localized(partnership.name, names),
        link=_link(event, deps.settings.frontend_base_url),
        unsubscribe_link=unsubscribe_url_for(
            recipient.member_id, None if _mandatory(rule, deps) else rule.kind, deps
        ),
        actor=actor,
    )
    return deps.emails.about(event, rule.kind, to)


async def _queue_for_digest(
    delivery_id: str,
    recipient: Recipient,
    preferences: Preferences,
    rule: Rule,
    event: Notifying,
    email: RenderedEmail,
    deps: Dependencies,
) -> None:
    """Keep the email's title and link for the recipient's next digest, at their hour."""
    time_zone = preferences.time_zone or recipient.time_zone
    hour = deps.settings.digest_hour if preferences.digest_hour is None else preferences.digest_hour
    now = deps.clock()
    await deps.digests.queue(
        DigestItem(
            id=delivery_id,
            recipient_id=recipient.member_id,
            digest_date=digest_date(now, time_zone, hour),
            time_zone=time_zone,
            hour=hour,
            kind=rule.kind,
            event_id=str(event.event_id),
            title=email.subject,
            link=_link(event, deps.settings.frontend_base_url),
            queued_at=now,
        )
    )


SENDS_AT_ONCE = 4
"""Emails of one event in flight at a time: enough to overlap their waits, few enough not
to flood a relay that limits connections per client."""


async def send_all(sends: list[Callable[[], Awaitable[str]]]) -> None:
    """Run every send, ``SENDS_AT_ONCE`` at a time, each to its end; then raise the first
    failure, if any."""
    gate = asyncio.Semaphore(SENDS_AT_ONCE)

    async def send(deliver: Callable[[], Awaitable[str]]) -> str:
        async with gate:
            return await deliver()

    outcomes = await asyncio.gather(*(send(deliver) for deliver in sends), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def actor_name(event: Notifying, deps: Dependencies) -> str | None:
    """Who caused ``event``, as the directory names them; else the token's subject, which
    is an email address or an id; None for a service acting on its own."""
    if event.actor is None or event.actor.kind == "service":
        return None
    person = await deps.directory.by_actor(event.actor.id)
    return event.actor.id if person is None else person.name


def _link(event: Notifying, base_url: str) -> str:
    if isinstance(event, roadmaps.EvidenceAttached):
        return evidence_link(event, base_url)
    # The web routes by the fragment: a path of its own would open the overview.
    base = f"{base_url.rstrip('/')}/#/partnerships/{quote(event.partnership_id, safe='')}"
    if isinstance(
        event, (roadmaps.MilestoneReached, roadmaps.MilestoneDueSoon, roadmaps.MilestoneOverdue)
    ):
        return f"{base}/milestones/{quote(event.payload.milestone_id, safe='')}"
    return base  # a refusal too: the partnership page holds its history


def evidence_link(event: roadmaps.EvidenceAttached, base_url: str) -> str:
    """The web page of the evidence, which offers its download to a signed-in reader: a
    link to the file itself would need a token, which an email must not carry."""
    partnership = quote(event.partnership_id, safe="")
    evidence = quote(event.payload.evidence.evidence_id, safe="")
    return f"{base_url.rstrip('/')}/#/partnerships/{partnership}/evidence/{evidence}"


def _mandatory(rule: Rule, deps: Dependencies) -> bool:
    return rule.kind in deps.settings.mandatory_kinds


def header_unsubscribe_url(recipient: Recipient, rule: Rule, deps: Dependencies) -> str | None:
    """The one-click link of the email's List-Unsubscribe header (RFC 8058): none for a kind
    no one can turn off, whose mail client's button would say it worked. The email's own
    link still leads to turning off every other kind."""
    if _mandatory(rule, deps):
        return None
    return unsubscribe_url_for(recipient.member_id, rule.kind, deps)


def unsubscribe_url_for(recipient_id: str, kind: Kind | None, deps: Dependencies) -> str:
    settings = deps.settings
    token = unsubscribe.sign(
        unsubscribe.Unsubscribe(
            recipient_id,
            kind,
            deps.clock() + dt.timedelta(days=settings.unsubscribe_link_ttl_days),
        ),
        settings.unsubscribe_secret.get_secret_value().encode(),
    )
    return f"{settings.base_url}/v1/unsubscribe?token={token}"


async def partnership_status_changed(
    event: registry.PartnershipStatusChanged, deps: Dependencies
) -> None:
    """Keep the directory's copy of the status, then tell both municipalities."""
    partnership = await deps.directory.partnership(event.partnership_id)
    if partnership is not None:
        await deps.directory.put_partnership(
            partnership.id, partnership.name, partnership.municipality_ids, event.payload.status
        )
    await notify(event, deps)
