"""The daily digest: one email per recipient and day grouping what was queued for it.

A background task runs ``send_due_digests`` every few seconds; tests call it once with the
clock they want. Each digest is an ordinary delivery (id from recipient and date), so it is
reserved, sent once and recorded like any other email.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict

from imc_contracts import PROGRAMME_KEY
from imc_runtime.commits import commit_id
from imc_runtime.logging import get_logger

from imc_notifications.domain.preferences import digest_due
from imc_notifications.domain.recipients import language_for
from imc_notifications.service_layer.delivery import Delivery, SmtpUnavailable
from imc_notifications.service_layer.handlers import unsubscribe_url_for
from imc_notifications.service_layer.ports import Dependencies, DigestItem

log = get_logger(__name__)

DIGEST_TYPE = "notifications.digest"


async def send_due_digests(deps: Dependencies, now: dt.datetime) -> int:
    """Send every digest whose hour has come; return how many were sent now."""
    groups: dict[tuple[str, dt.date], list[DigestItem]] = defaultdict(list)
    for item in await deps.digests.all_items():
        groups[(item.recipient_id, item.digest_date)].append(item)
    sent = 0
    for (recipient_id, day), items in sorted(groups.items()):
        if not digest_due(day, now, items[0].time_zone, items[0].hour):
            continue
        delivery_id = commit_id("digest", recipient_id, day.isoformat())
        if await deps.commits.get(delivery_id) is not None:
            continue
        recipient = await deps.directory.recipient(recipient_id)
        if recipient is None:
            continue  # removed from the programme since: nothing to send
        languages = language_for(
            recipient, await deps.directory.municipality_languages(recipient.municipality_id)
        )
        language = next(lang for lang in languages if deps.emails.has("digest", lang))
        unsubscribe_url = unsubscribe_url_for(recipient_id, None, deps)
        email = deps.emails.digest(
            language,
            recipient_name=recipient.name,
            items=items,
            day=day,
            unsubscribe_link=unsubscribe_url,
        )
        delivery = Delivery(
            id=delivery_id,
            kind="digest",
            recipient=recipient,
            language=language,
            subject=email.subject,
            cause_event_id=f"digest:{day.isoformat()}",
            cause_type=DIGEST_TYPE,
            partnership_id=PROGRAMME_KEY,
        )
        build = functools.partial(
            deps.emails.message,
            delivery,
            email,
            unsubscribe_url=unsubscribe_url,
            attachments=(),
            date=now,
        )
        try:
            if await deps.sender.deliver(delivery, build) == "sent":
                sent += 1
        except SmtpUnavailable:
            log.warning("digest.smtp_unavailable", delivery_id=delivery_id)
            return sent  # the next pass tries again
    return sent


async def send_digests_now(deps: Dependencies) -> int:
    """The digest pass of this moment, as a periodic step: how many digests it sent."""
    return await send_due_digests(deps, deps.clock())
