"""A recipient's own changes to what they receive: the unsubscribe of a link or a header."""

from __future__ import annotations

from imc_notifications.domain.rules import Kind
from imc_notifications.service_layer.ports import Dependencies, PreferencesChangedConcurrently

SAVE_ATTEMPTS = 3


async def unsubscribe_recipient(recipient_id: str, kind: Kind | None, deps: Dependencies) -> bool:
    """Turn ``kind`` off for the recipient (None: every kind); False, and nothing saved,
    for a kind no one can turn off. A save racing another change of the same preferences
    reads them again and reapplies; ``PreferencesChangedConcurrently`` when it lost every
    time, so that no one is told they are unsubscribed when they are not."""
    if kind is not None and kind in deps.settings.mandatory_kinds:
        return False
    attempts = 0
    while True:
        version, preferences = await deps.preferences.get(recipient_id)
        try:
            await deps.preferences.save(
                recipient_id, version, preferences.unsubscribed(kind), deps.clock()
            )
            return True
        except PreferencesChangedConcurrently:
            attempts += 1
            if attempts == SAVE_ATTEMPTS:
                raise
