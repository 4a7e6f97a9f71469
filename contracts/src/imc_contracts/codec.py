"""Bytes on the wire to events and back."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from imc_contracts.catalog import EVENT_TYPES
from imc_contracts.envelope import Event


class PoisonMessage(ValueError):
    """A message no retry can fix: not JSON, not an envelope, or not its type's schema."""


class UnknownEventType(Exception):
    """A well-formed envelope of a type this build does not know; consumers skip it."""

    def __init__(self, type_name: str) -> None:
        super().__init__(f"unknown event type {type_name!r}")
        self.type_name = type_name


def _family(type_name: str) -> str:
    """``registry.progress.reported.v2`` → ``registry.progress.reported``."""
    return type_name.rsplit(".v", 1)[0]


_KNOWN_FAMILIES = frozenset(_family(name) for name in EVENT_TYPES)


def encode(event: Event) -> bytes:
    return event.model_dump_json().encode()


def to_document(event: Event) -> dict[str, Any]:
    """The event as JSON-safe data, for storing it in a commit."""
    return event.model_dump(mode="json")


def from_document(document: dict[str, Any]) -> Event:
    """An event stored by ``to_document`` or read from the wire, validated against its type."""
    type_name = document.get("type")
    if not isinstance(type_name, str):
        raise PoisonMessage("message has no 'type'")
    event_type = EVENT_TYPES.get(type_name)
    if event_type is None:
        if _family(type_name) in _KNOWN_FAMILIES:
            # A version of a type we know, but not one we can read: a consumer must not
            # skip it silently, or it loses a change it is meant to apply.
            raise PoisonMessage(f"unknown version of a known type: {type_name}")
        raise UnknownEventType(type_name)
    try:
        return event_type.model_validate(document)
    except ValidationError as error:
        raise PoisonMessage(f"{type_name} does not match its schema: {error}") from error


def decode(raw: bytes) -> Event:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PoisonMessage(f"message is not JSON: {error}") from error
    except RecursionError as error:  # "[[[[…" deeper than Python's parser goes
        raise PoisonMessage("message is JSON nested too deep to read") from error
    if not isinstance(document, dict):
        raise PoisonMessage("message is not a JSON object")
    return from_document(document)
