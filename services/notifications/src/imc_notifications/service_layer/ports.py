"""What notifications' use cases need of the world, as interfaces: the adapters implement
them (the MongoDB stores, the directory, ``adapters.composer.Composer``, the ``Mailer``),
the unit tests fake them (``tests/fakes.py``). The values that cross them live here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

from imc_contracts import Event, Language, Localized
from imc_runtime.commits import Appended, Commit
from imc_runtime.mongo import Document

from imc_notifications.domain.preferences import Preferences
from imc_notifications.domain.recipients import Recipient

if TYPE_CHECKING:
    from imc_notifications.service_layer.delivery import Delivery, Sender
    from imc_notifications.settings import NotificationsSettings


# -- values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedPartnership:
    """A partnership as the directory keeps it: enough to address and name an email."""

    id: str
    name: Localized
    municipality_ids: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class Attempts:
    started: int
    failed: int
    last_error: str | None
    last_started_at: dt.datetime | None = None

    @property
    def in_doubt(self) -> bool:
        """An attempt began and neither failed nor, as far as we recorded, succeeded: the
        process stopped between handing the message to SMTP and recording what happened."""
        return self.started > self.failed


@dataclass(frozen=True)
class DigestItem:
    id: str
    """The delivery id the item would have had as an immediate email."""
    recipient_id: str
    digest_date: dt.date
    time_zone: str
    hour: int
    """The local hour its digest goes out, as chosen when it was queued."""
    kind: str
    event_id: str
    title: str
    link: str
    queued_at: dt.datetime


@dataclass(frozen=True)
class DigestClaim:
    """One digest email and the items it carries, fixed before it is sent: an item queued
    for the same day after that goes into a digest of its own, never into none."""

    id: str
    """The digest's delivery id."""
    recipient_id: str
    day: dt.date
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class Attachment:
    filename: str
    maintype: str
    subtype: str
    content: bytes


@dataclass(frozen=True)
class Addressee:
    """Whom an email about an event is written for, and in which language."""

    language: Language
    names: list[Language]
    """The languages to name things in, best first: ``language``, then the next best."""
    recipient_name: str
    partnership: str
    """The partnership's name in the first of ``names`` it has."""
    link: str
    unsubscribe_link: str
    actor: str | None = None
    """Who caused the event, for the kinds that say so."""


@dataclass(frozen=True)
class RenderedEmail:
    language: Language
    subject: str
    text: str
    html: str


class SendFailed(Exception):
    """The message was not accepted. ``permanent``: retrying cannot help (a 5xx reply about
    this recipient or message, an invalid address)."""

    def __init__(self, error: str, *, permanent: bool) -> None:
        super().__init__(error)
        self.permanent = permanent


class PreferencesChangedConcurrently(Exception):
    """Someone else saved this recipient's preferences first; read and decide again."""


# -- what the use cases call -------------------------------------------------------------


class Directory(Protocol):
    """The registry's people and partnerships, as notifications keeps them."""

    async def put_municipality(
        self, id: str, names: Localized, languages: Sequence[Language], country: str
    ) -> None: ...
    async def put_partnership(
        self, id: str, name: Localized, municipality_ids: Sequence[str], status: str
    ) -> None: ...
    async def put_member(self, recipient: Recipient, as_of: dt.datetime | None = None) -> None:
        """Keep the member as the registry said ``as_of`` (its event's time); a change known
        from a later event stays: a republished older event cannot bring back an old address
        or a removed person."""
        ...

    async def remove_member(self, member_id: str, as_of: dt.datetime | None = None) -> None: ...
    async def put_coordinator(
        self, recipient: Recipient, as_of: dt.datetime | None = None
    ) -> None: ...
    async def remove_coordinator(
        self, coordinator_id: str, as_of: dt.datetime | None = None
    ) -> None: ...
    async def partnership(self, id: str) -> ListedPartnership | None: ...
    async def municipality_languages(self, id: str | None) -> list[Language]: ...
    async def time_zone_of(self, municipality_id: str) -> str: ...
    async def members_of(self, municipality_id: str) -> list[Recipient]: ...
    async def coordinators(self) -> list[Recipient]: ...
    async def recipient(self, id: str) -> Recipient | None: ...
    async def by_actor(self, actor_id: str) -> Recipient | None: ...


class PreferenceRepository(Protocol):
    async def get(self, recipient_id: str) -> tuple[int, Preferences]:
        """The recipient's preferences and their version (0: never saved)."""
        ...

    async def get_each(self, recipient_ids: Sequence[str]) -> list[tuple[int, Preferences]]:
        """``get`` of each recipient, in the order given, in one read."""
        ...

    async def save(
        self, recipient_id: str, expected_version: int, preferences: Preferences, at: dt.datetime
    ) -> int:
        """The new version; ``PreferencesChangedConcurrently`` if another save came first."""
        ...


class DigestQueue(Protocol):
    """Items waiting for a digest, and the digests claimed for them (``DigestStore``)."""

    async def queue(self, item: DigestItem) -> None: ...
    async def all_items(self) -> list[DigestItem]:
        """Every item not yet in a digest that has an outcome."""
        ...

    async def claims_of(self, recipient_id: str, day: dt.date) -> list[DigestClaim]:
        """The digests claimed for the recipient's ``day`` so far, sent or not."""
        ...

    async def claim(self, claim: DigestClaim) -> bool:
        """One insert; False when that digest was claimed already (by another replica)."""
        ...

    async def sent(self, claim: DigestClaim) -> None:
        """The claim's digest has its outcome: its items leave the queue."""
        ...


class DeliveryLog(Protocol):
    """The deliveries, for the delivery log (``/v1/deliveries``)."""

    async def find(self, filters: dict[str, str], skip: int, limit: int) -> list[Document]: ...
    async def all_matching(self, filters: dict[str, str]) -> list[Document]: ...
    async def attempts(self, delivery_id: str) -> Attempts: ...


class Deliveries(Protocol):
    """Where reservations and attempts are kept (``DeliveryStore``)."""

    async def reserve(self, delivery: Document) -> bool:
        """Insert the reservation; False if this (event, recipient) was reserved before. A
        reservation with ``first_attempt_at`` records the first attempt's start as well."""
        ...

    async def attempts(self, delivery_id: str) -> Attempts: ...
    async def attempt_started(self, delivery_id: str, attempt: int, at: dt.datetime) -> None: ...
    async def attempt_failed(
        self, delivery_id: str, attempt: int, error: str, permanent: bool, at: dt.datetime
    ) -> None: ...


class Outcomes(Protocol):
    """Where outcomes are committed (the ``CommitLog``)."""

    async def get(self, id: str) -> Commit | None:
        """The outcome committed under this delivery's id, if any."""
        ...

    async def append_alone(self, id: str, stream: str, events: Sequence[Event]) -> Appended:
        """The outcome, the one commit of the delivery's stream (read by its id)."""
        ...


class Transport(Protocol):
    """How a message leaves (the ``Mailer``): ``SendFailed`` when it is not accepted."""

    def message_id(self, delivery_id: str) -> str: ...
    async def send(self, message: EmailMessage, to_address: str) -> None: ...


class Emails(Protocol):
    """What an email says, in a language, and the message that carries it."""

    def has(self, kind: str, language: Language) -> bool:
        """Whether a template of ``kind`` exists in ``language``."""
        ...

    def about(self, event: Event, kind: str, to: Addressee) -> RenderedEmail:
        """The email of ``kind`` about ``event``, written for ``to``."""
        ...

    def digest(
        self,
        language: Language,
        *,
        recipient_name: str,
        items: list[DigestItem],
        day: dt.date,
        unsubscribe_link: str,
    ) -> RenderedEmail: ...

    def due_date_file(
        self, event: Event, subject: str, link: str, stamp: dt.datetime
    ) -> Attachment:
        """A calendar file (``.ics``) of a milestone's due date."""
        ...

    def message(
        self,
        delivery: Delivery,
        email: RenderedEmail,
        *,
        unsubscribe_url: str | None,
        attachments: tuple[Attachment, ...],
        date: dt.datetime,
    ) -> EmailMessage:
        """The MIME message of ``email`` to the delivery's recipient."""
        ...

    def page(self, name: str, language: Language, **context: object) -> str:
        """A small HTML page for a recipient (the unsubscribe confirmation)."""
        ...


@dataclass(frozen=True)
class Dependencies:
    """What notifications' use cases are given: built in ``bootstrap.py``, faked in tests."""

    directory: Directory
    preferences: PreferenceRepository
    digests: DigestQueue
    sender: Sender
    delivery_log: DeliveryLog
    commits: Outcomes
    emails: Emails
    settings: NotificationsSettings
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
