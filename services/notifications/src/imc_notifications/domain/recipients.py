"""Recipients and the language each one reads, chosen without I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from imc_contracts import Language, Localized

FALLBACK: tuple[Language, ...] = ("fr", "en")
TIME_ZONES: dict[str, str] = {"MA": "Africa/Casablanca", "BE": "Europe/Brussels"}
"""A member's time zone when nothing better is known: their municipality's country's."""
DEFAULT_TIME_ZONE = "Europe/Brussels"

RecipientKind = Literal["member", "coordinator"]


@dataclass(frozen=True)
class Recipient:
    member_id: str
    """The member's id, or the coordinator's: unique across both (the registry's ids)."""
    name: str
    email: str
    municipality_id: str | None
    language: Language
    kind: RecipientKind = "member"
    time_zone: str = DEFAULT_TIME_ZONE


def language_for(recipient: Recipient, municipality_languages: list[Language]) -> list[Language]:
    """The order to try languages in: the member's, the municipality's, then French, English."""
    order: list[Language] = [recipient.language, *municipality_languages, *FALLBACK]
    return list(dict.fromkeys(order))


def localized(text: Localized, languages: list[Language]) -> str:
    """``text`` in the first of ``languages`` it has, else in any language it has."""
    for language in languages:
        if text.get(language):
            return text[language]
    return next(iter(text.values()), "")


def mask_email(address: str) -> str:
    """For logs: enough to tell addresses apart, not enough to harvest them."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
