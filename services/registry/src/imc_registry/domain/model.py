"""The registry's rules: who may do what, over which partnership. No I/O here."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from imc_contracts import Localized
from imc_runtime.auth import Principal


class RegistryError(Exception):
    """A request the registry refuses, with a message for the person who made it."""


class NotFound(RegistryError):
    pass


class Forbidden(RegistryError):
    pass


class Conflict(RegistryError):
    pass


class Invalid(RegistryError):
    pass


@dataclass(frozen=True)
class Municipality:
    id: str
    names: Localized
    country: str


@dataclass(frozen=True)
class Partnership:
    id: str
    moroccan_municipality_id: str
    belgian_municipality_id: str
    name: Localized

    @property
    def municipality_ids(self) -> tuple[str, str]:
        return (self.moroccan_municipality_id, self.belgian_municipality_id)

    def includes(self, municipality_id: str) -> bool:
        return municipality_id in self.municipality_ids


def require_coordinator(principal: Principal) -> None:
    if principal.role != "coordinator":
        raise Forbidden("only a programme coordinator may do this")


def require_writer_for(principal: Principal, partnership: Partnership) -> None:
    """Coordinators write anywhere; officers only where their municipality is a partner."""
    if principal.role == "coordinator":
        return
    if principal.role == "officer" and principal.municipality_id is not None:
        if partnership.includes(principal.municipality_id):
            return
        raise Forbidden(
            f"an officer of {principal.municipality_id} may not write to partnership "
            f"{partnership.id}"
        )
    raise Forbidden("this token may only read")


def require_member_writer(principal: Principal, municipality_id: str) -> None:
    if principal.role == "coordinator":
        return
    if principal.role == "officer" and principal.municipality_id == municipality_id:
        return
    raise Forbidden(f"only a coordinator or an officer of {municipality_id} may add its members")


def partnership_name(moroccan: Municipality, belgian: Municipality) -> Localized:
    """'Berkane – Saint-Gilles' in every language both names are known in, French first."""
    name: Localized = {}
    for language in ("fr", "nl", "ar", "en"):
        left = moroccan.names.get(language) or moroccan.names.get("fr")
        right = belgian.names.get(language) or belgian.names.get("fr")
        if language in moroccan.names or language in belgian.names:
            name[language] = f"{left} – {right}"
    return name


def slug(text: str) -> str:
    """An id from a Latin name: 'Aït Baha' → 'ait-baha'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_text).split()
    if not words:
        raise Invalid(f"cannot make an id from {text!r}; give one")
    return "-".join(words)
