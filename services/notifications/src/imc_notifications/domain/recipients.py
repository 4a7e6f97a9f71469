"""Recipients and the language each one reads, chosen without I/O."""

from __future__ import annotations

from dataclasses import dataclass

from imc_contracts import Language, Localized

FALLBACK: tuple[Language, ...] = ("fr", "en")


@dataclass(frozen=True)
class Recipient:
    member_id: str
    name: str
    email: str
    municipality_id: str
    language: Language


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
