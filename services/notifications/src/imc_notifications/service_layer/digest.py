"""The daily digest: one email per recipient and day grouping what was queued for it.

A background task runs ``send_due_digests`` every few seconds; tests call it once with the
clock they want. Each digest is an ordinary delivery (id from recipient, date and how many
that day had before: an item can arrive after its day's digest went out, when the recipient
moved their hour), so it is reserved, sent once and recorded like any other email.
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
from imc_notifications.service_layer.ports import Dependencies, DigestClaim, DigestItem

log = get_logger(__name__)

DIGEST_TYPE = "notifications.digest"


def digest_id(recipient_id: str, day: dt.date, number: int) -> str:
    """The delivery id of a recipient's ``number``-th digest of ``day`` (from 0); the first
    one's is what every digest's was before a day could have a second."""
    if number == 0:
        return commit_id("digest", recipient_id, day.isoformat())
    return commit_id("digest", recipient_id, day.isoformat(), str(number))


async def send_due_digests(deps: Dependencies, now: dt.datetime) -> int:
    """Send every digest whose hour has come; return how many were sent now.

    The items of a digest are claimed (one insert) before it is sent, so an item queued for
    the same day afterwards — its hour changed since, or it arrived as the pass ran — is in
    the next claim of that day, not lost; a claim left unsent by a crash is sent next pass."""
    items = {item.id: item for item in await deps.digests.all_items()}
    by_day: dict[tuple[str, dt.date], list[DigestItem]] = defaultdict(list)
    for item in items.values():
        by_day[(item.recipient_id, item.digest_date)].append(item)
    waiting: list[DigestClaim] = []
    for (recipient_id, day), group in sorted(by_day.items()):
        of_day = await deps.digests.claims_of(recipient_id, day)
        unsent = [claim for claim in of_day if any(id in items for id in claim.item_ids)]
        claimed = {id for claim in unsent for id in claim.item_ids}
        rest = [item for item in group if item.id not in claimed]
        waiting += unsent
        if rest and digest_due(day, now, rest[0].time_zone, rest[0].hour):
            waiting += await _claim(deps, recipient_id, day, rest, len(of_day))
    sent = 0
    for claim in waiting:
        if await deps.commits.get(claim.id) is None:
            carried = [items[id] for id in claim.item_ids if id in items]
            try:
                sent += await _send(deps, claim, carried, now) == "sent"
            except SmtpUnavailable:
                log.warning("digest.smtp_unavailable", delivery_id=claim.id)
                return sent  # the next pass tries again
        await deps.digests.sent(claim)  # sent, failed for good, or its recipient has left
    return sent


async def _claim(
    deps: Dependencies, recipient_id: str, day: dt.date, group: list[DigestItem], number: int
) -> list[DigestClaim]:
    """Claim the waiting ``group`` as the day's next digest; none when another replica
    claimed that one first (the next pass sees its claim)."""
    claims: list[DigestClaim] = []
    if number == 0:
        earlier = await deps.commits.get(digest_id(recipient_id, day, 0))
        if earlier is not None:
            # Sent before digests were claimed: it carried what was queued by then.
            carried = [item for item in group if item.queued_at <= earlier.recorded_at]
            group = [item for item in group if item.queued_at > earlier.recorded_at]
            claim = DigestClaim(earlier.id, recipient_id, day, tuple(i.id for i in carried))
            if await deps.digests.claim(claim):
                claims.append(claim)
            number = 1
    if group:
        ids = tuple(item.id for item in sorted(group, key=lambda item: item.queued_at))
        claim = DigestClaim(digest_id(recipient_id, day, number), recipient_id, day, ids)
        if await deps.digests.claim(claim):
            claims.append(claim)
    return claims


async def _send(
    deps: Dependencies, claim: DigestClaim, items: list[DigestItem], now: dt.datetime
) -> str | None:
    """The claim's digest, sent once (``Sender``); None when its recipient has left."""
    recipient = await deps.directory.recipient(claim.recipient_id)
    if recipient is None:
        return None  # removed from the programme since: nothing to send
    languages = language_for(
        recipient, await deps.directory.municipality_languages(recipient.municipality_id)
    )
    language = next(lang for lang in languages if deps.emails.has("digest", lang))
    unsubscribe_url = unsubscribe_url_for(claim.recipient_id, None, deps)
    email = deps.emails.digest(
        language,
        recipient_name=recipient.name,
        items=items,
        day=claim.day,
        unsubscribe_link=unsubscribe_url,
    )
    delivery = Delivery(
        id=claim.id,
        kind="digest",
        recipient=recipient,
        language=language,
        subject=email.subject,
        cause_event_id=f"digest:{claim.day.isoformat()}",
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
    return await deps.sender.deliver(delivery, build)


async def send_digests_now(deps: Dependencies) -> int:
    """The digest pass of this moment, as a periodic step: how many digests it sent."""
    return await send_due_digests(deps, deps.clock())
