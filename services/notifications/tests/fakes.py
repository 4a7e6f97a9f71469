"""Notifications' ports in memory, for unit tests of its use cases: the same interfaces
(``service_layer.ports``) as the MongoDB stores, the directory and the mailer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.message import EmailMessage

from imc_contracts import Event, Language, Localized
from imc_notifications.domain.preferences import Preferences
from imc_notifications.domain.recipients import DEFAULT_TIME_ZONE, TIME_ZONES, Recipient
from imc_notifications.service_layer.ports import (
    Attempts,
    DigestClaim,
    DigestItem,
    ListedPartnership,
    PreferencesChangedConcurrently,
    SendFailed,
)
from imc_runtime.commitlog import Appended, Commit
from imc_runtime.mongo import Document


class InMemoryDirectory:
    def __init__(self) -> None:
        self.municipalities: dict[str, tuple[Localized, list[Language], str]] = {}
        self.partnerships: dict[str, ListedPartnership] = {}
        self.members: dict[str, Recipient] = {}
        self.coordinators_by_id: dict[str, Recipient] = {}
        self.as_of: dict[str, dt.datetime] = {}
        """Each person's latest event, removals too, as the directory keeps it."""

    async def put_municipality(
        self, id: str, names: Localized, languages: Sequence[Language], country: str = ""
    ) -> None:
        self.municipalities[id] = (dict(names), list(languages), country)

    async def put_partnership(
        self, id: str, name: Localized, municipality_ids: Sequence[str], status: str = "active"
    ) -> None:
        self.partnerships[id] = ListedPartnership(id, dict(name), tuple(municipality_ids), status)

    def _later_known(self, id: str, as_of: dt.datetime | None) -> bool:
        known = self.as_of.get(id)
        if as_of is None:
            return False
        if known is not None and known > as_of:
            return True
        self.as_of[id] = as_of
        return False

    async def put_member(self, recipient: Recipient, as_of: dt.datetime | None = None) -> None:
        if not self._later_known(recipient.member_id, as_of):
            self.members[recipient.member_id] = recipient

    async def remove_member(self, member_id: str, as_of: dt.datetime | None = None) -> None:
        if not self._later_known(member_id, as_of):
            self.members.pop(member_id, None)

    async def put_coordinator(self, recipient: Recipient, as_of: dt.datetime | None = None) -> None:
        if not self._later_known(recipient.member_id, as_of):
            self.coordinators_by_id[recipient.member_id] = recipient

    async def remove_coordinator(
        self, coordinator_id: str, as_of: dt.datetime | None = None
    ) -> None:
        if not self._later_known(coordinator_id, as_of):
            self.coordinators_by_id.pop(coordinator_id, None)

    async def partnership(self, id: str) -> ListedPartnership | None:
        return self.partnerships.get(id)

    async def municipality_languages(self, id: str | None) -> list[Language]:
        return [] if id is None or id not in self.municipalities else self.municipalities[id][1]

    async def time_zone_of(self, municipality_id: str) -> str:
        country = self.municipalities.get(municipality_id, ({}, [], ""))[2]
        return TIME_ZONES.get(country, DEFAULT_TIME_ZONE)

    async def members_of(self, municipality_id: str) -> list[Recipient]:
        return sorted(
            (m for m in self.members.values() if m.municipality_id == municipality_id),
            key=lambda m: m.member_id,
        )

    async def coordinators(self) -> list[Recipient]:
        return sorted(self.coordinators_by_id.values(), key=lambda c: c.member_id)

    async def recipient(self, id: str) -> Recipient | None:
        return self.members.get(id) or self.coordinators_by_id.get(id)

    async def by_actor(self, actor_id: str) -> Recipient | None:
        people = [*self.members.values(), *self.coordinators_by_id.values()]
        return next((p for p in people if p.email.lower() == actor_id.lower()), None)


class InMemoryPreferences:
    def __init__(self) -> None:
        self.saved: dict[str, tuple[int, Preferences]] = {}

    async def get(self, recipient_id: str) -> tuple[int, Preferences]:
        return self.saved.get(recipient_id, (0, Preferences()))

    async def get_each(self, recipient_ids: Sequence[str]) -> list[tuple[int, Preferences]]:
        return [await self.get(id) for id in recipient_ids]

    async def save(
        self, recipient_id: str, expected_version: int, preferences: Preferences, at: dt.datetime
    ) -> int:
        if self.saved.get(recipient_id, (0, None))[0] != expected_version:
            raise PreferencesChangedConcurrently(recipient_id)
        self.saved[recipient_id] = (expected_version + 1, preferences)
        return expected_version + 1


class InMemoryDigests:
    def __init__(self) -> None:
        self.items: dict[str, DigestItem] = {}
        self.claims: dict[str, DigestClaim] = {}

    async def queue(self, item: DigestItem) -> None:
        self.items.setdefault(item.id, item)

    async def all_items(self) -> list[DigestItem]:
        return list(self.items.values())

    async def claims_of(self, recipient_id: str, day: dt.date) -> list[DigestClaim]:
        return [c for c in self.claims.values() if (c.recipient_id, c.day) == (recipient_id, day)]

    async def claim(self, claim: DigestClaim) -> bool:
        if claim.id in self.claims:
            return False
        self.claims[claim.id] = claim
        return True

    async def sent(self, claim: DigestClaim) -> None:
        for item_id in claim.item_ids:
            self.items.pop(item_id, None)


class FakeDeliveries:
    def __init__(self) -> None:
        self.reserved: dict[str, Document] = {}
        self.started: list[tuple[str, int]] = []
        self.started_at: dict[str, dt.datetime] = {}
        self.failed: list[tuple[str, int, str, bool]] = []
        self.attempts_read = 0

    async def reserve(self, delivery: Document) -> bool:
        if delivery["_id"] in self.reserved:
            return False
        self.reserved[delivery["_id"]] = delivery
        if delivery.get("first_attempt_at") is not None:  # it records the first attempt
            await self.attempt_started(delivery["_id"], 1, delivery["first_attempt_at"])
        return True

    async def attempts(self, delivery_id: str) -> Attempts:
        self.attempts_read += 1
        started = [n for d, n in self.started if d == delivery_id]
        failed = [f for f in self.failed if f[0] == delivery_id]
        return Attempts(
            len(started),
            len(failed),
            failed[-1][2] if failed else None,
            self.started_at.get(delivery_id),
        )

    async def attempt_started(self, delivery_id: str, attempt: int, at: dt.datetime) -> None:
        self.started.append((delivery_id, attempt))
        self.started_at[delivery_id] = at

    async def attempt_failed(
        self, delivery_id: str, attempt: int, error: str, permanent: bool, at: dt.datetime
    ) -> None:
        self.failed.append((delivery_id, attempt, error, permanent))


class FakeOutcomes:
    def __init__(self) -> None:
        self.commits: dict[str, Commit] = {}

    async def get(self, id: str) -> Commit | None:
        return self.commits.get(id)

    async def append_alone(self, id: str, stream: str, events: Sequence[Event]) -> Appended:
        commit = Commit(id, stream, 1, tuple(events), dt.datetime.now(dt.UTC))
        duplicate = id in self.commits
        self.commits.setdefault(id, commit)
        return Appended(self.commits[id], duplicate)


class FakeSmtp:
    """Fails with the scripted errors first, then accepts."""

    def __init__(self, *failures: SendFailed) -> None:
        self.failures = list(failures)
        self.accepted: list[EmailMessage] = []

    def message_id(self, delivery_id: str) -> str:
        return f"<{delivery_id}@example.org>"

    async def send(self, message: EmailMessage, to_address: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.accepted.append(message)
