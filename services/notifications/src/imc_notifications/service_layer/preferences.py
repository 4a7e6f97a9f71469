"""A recipient's own changes to what they receive: the unsubscribe of a link or a header."""

from __future__ import annotations

from imc_notifications.domain.rules import Kind
from imc_notifications.service_layer.ports import Dependencies, PreferencesChangedConcurrently

SAVE_ATTEMPTS = 3


async def unsubscribe_recipient(recipient_id: str, kind: Kind | None, deps: Dependencies) -> None:
    """Turn ``kind`` off for the recipient (None: every kind). A save racing another change
    of the same preferences reads them again and reapplies; ``PreferencesChangedConcurrently``
    when it lost every time, so that no one is told they are unsubscribed when they are not."""
    for attempt in range(SAVE_ATTEMPTS):
        version, preferences = await deps.preferences.get(recipient_id)
        try:
            await deps.preferences.save(
                recipient_id, version, preferences.unsubscribed(kind), deps.clock()
            )
            return
        except PreferencesChangedConcurrently:
            if attempt + 1 == SAVE_ATTEMPTS:
                raise
