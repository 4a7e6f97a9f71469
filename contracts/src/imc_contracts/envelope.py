"""The one envelope every message on Kafka travels in."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Self, get_args
from uuid import UUID

import uuid6
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Language = Literal["ar", "fr", "nl", "en"]
"""Languages the programme works in: Arabic, French, Dutch, English."""

LANGUAGES: tuple[Language, ...] = ("ar", "fr", "nl", "en")

LOCALES: dict[Language, str] = {"ar": "ar_MA", "fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}
"""The regional locale (CLDR) each language's dates and numbers are written in: Moroccan
Arabic, Belgian French and Dutch, British English."""

Localized = dict[Language, str]
"""A text given per language, e.g. ``{"fr": "Berkane", "ar": "بركان"}``."""

PROGRAMME_KEY = "programme"
"""Kafka key of programme-level events that belong to no single partnership."""


def new_event_id() -> UUID:
    """A UUIDv7: unique, and sortable by the time it was made."""
    return UUID(str(uuid6.uuid7()))


class Contract(BaseModel):
    """Base of every contract model: frozen, and tolerant of fields added later."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Actor(Contract):
    """Who caused an event: a person behind a token, or a service acting on its own."""

    kind: Literal["coordinator", "officer", "viewer", "service"]
    id: str = Field(max_length=200)
    municipality_id: str | None = None
    language: Language | None = None


class Event(Contract):
    """An integration event. Subclasses fix ``type`` (a ``Literal`` of its one name, also
    their ``TYPE``) and give the ``payload`` model.

    ``type`` reads ``<service>.<entity>.<past_verb>.v<N>``; anything but an additive change
    to a payload is a new type with the next ``N``.
    """

    TYPE: ClassVar[str]
    PRODUCER: ClassVar[str]

    event_id: UUID
    type: str
    occurred_at: AwareDatetime
    producer: str
    partnership_id: str = Field(description="Kafka key: the partnership, or 'programme'.")
    correlation_id: str = Field(max_length=200)
    causation_id: str | None = Field(default=None, max_length=200)
    actor: Actor | None = None
    payload: Any

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        # The type's name is written once, as its field's one allowed value.
        super().__pydantic_init_subclass__(**kwargs)
        allowed = get_args(cls.model_fields["type"].annotation)
        if len(allowed) == 1 and isinstance(allowed[0], str):
            cls.TYPE = allowed[0]
            cls.PRODUCER = cls.TYPE.split(".", 1)[0]

    @classmethod
    def payload_type(cls) -> builtins.type[Contract]:
        """The model of this type's ``payload``."""
        annotation = cls.model_fields["payload"].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, Contract)):
            raise TypeError(f"{cls.__name__}: its payload is no contract model")
        return annotation

    @classmethod
    def create(
        cls,
        payload: Any,
        *,
        partnership_id: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        actor: Actor | None = None,
        caused_by: Event | None = None,
        event_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Self:
        """A new event of this type; a fresh id and time unless given.

        ``caused_by`` carries the correlation, causation and actor of the event that led here.
        """
        event_id = event_id or new_event_id()
        if caused_by is not None:
            correlation_id = correlation_id or caused_by.correlation_id
            causation_id = causation_id or str(caused_by.event_id)
            actor = actor or caused_by.actor
        return cls(
            event_id=event_id,
            type=cls.TYPE,
            occurred_at=occurred_at or datetime.now(UTC),
            producer=cls.PRODUCER,
            partnership_id=partnership_id,
            correlation_id=correlation_id or str(event_id),
            causation_id=causation_id,
            actor=actor,
            payload=payload,
        )
