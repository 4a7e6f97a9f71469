"""The shared, versioned vocabulary of IMC Hub's services: envelope, events, topics."""

from imc_contracts.catalog import EVENT_TYPES, TOPICS, Topic, dead_letter_topic, topic_of
from imc_contracts.codec import PoisonMessage, UnknownEventType, decode, encode
from imc_contracts.envelope import (
    LANGUAGES,
    LOCALES,
    PROGRAMME_KEY,
    Actor,
    Event,
    Language,
    Localized,
    new_event_id,
)

__all__ = [
    "EVENT_TYPES",
    "LANGUAGES",
    "LOCALES",
    "PROGRAMME_KEY",
    "TOPICS",
    "Actor",
    "Event",
    "Language",
    "Localized",
    "PoisonMessage",
    "Topic",
    "UnknownEventType",
    "dead_letter_topic",
    "decode",
    "encode",
    "new_event_id",
    "topic_of",
]
