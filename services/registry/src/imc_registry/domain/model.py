"""The registry's rules: who may do what, over which partnership. No I/O here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from imc_contracts import Event, Localized, registry
from imc_contracts.envelope import Contract
from imc_runtime.principal import Principal


class RegistryError(Exception):
    """A request the registry refuses, with a message for the person who made it."""


class NotFound(RegistryError):
    """No such municipality, partnership, member or submission (404)."""


class Forbidden(RegistryError):
    """The caller's role or municipality does not allow this (403)."""


class Conflict(RegistryError):
    """It exists already, or changed since the caller read it (409)."""


class Invalid(RegistryError):
    """Well-formed, but not possible in the programme (422)."""


class PreconditionRequired(RegistryError):
    """An edit without ``If-Match``: the caller must say which version it changes."""


class TooLarge(RegistryError):
    """A file over the size limit (413)."""


class UnsupportedType(RegistryError):
    """A file whose content is not of a type taken (415)."""


State = TypeVar("State", bound=Contract)


@dataclass(frozen=True)
class Snapshot(Generic[State]):
    """A record as its stream's events left it, at the stream's version (its ETag)."""

    state: State
    version: int
    removed: bool = False


def replay(history: Iterable[tuple[int, Event]]) -> Snapshot[Contract] | None:
    """Fold a stream's events, oldest first, into the record they describe."""
    snapshot: Snapshot[Contract] | None = None
    for version, event in history:
        match event:
            case (
                registry.MunicipalityRegistered(payload=state)
                | registry.MunicipalityUpdated(payload=state)
                | registry.PartnershipCreated(payload=state)
                | registry.PartnershipUpdated(payload=state)
                | registry.MemberAdded(payload=state)
                | registry.MemberUpdated(payload=state)
                | registry.CoordinatorAdded(payload=state)
                | registry.OrganisationRegistered(payload=state)
                | registry.OrganisationUpdated(payload=state)
                | registry.ProgrammeDefined(payload=state)
                | registry.ProgrammeUpdated(payload=state)
            ):
                snapshot = Snapshot(state, version)
            case registry.PartnershipStatusChanged(payload=change) if snapshot is not None:
                updated = snapshot.state.model_copy(update={"status": change.status})
                snapshot = Snapshot(updated, version)
            case registry.MemberRemoved() | registry.CoordinatorRemoved() if snapshot is not None:
                snapshot = Snapshot(snapshot.state, version, removed=True)
    return snapshot


def check_version(snapshot: Snapshot[State], expected: int | None, what: str) -> int:
    """The version an edit builds on; a stale one is a conflict, never a lost update."""
    if expected is None:
        raise PreconditionRequired(
            f"If-Match: send the ETag of {what} you read (it is at version {snapshot.version})"
        )
    if expected != snapshot.version:
        raise Conflict(
            f"{what} changed since you read it: you sent version {expected}, "
            f"it is at version {snapshot.version}; reload and try again"
        )
    return expected


@dataclass(frozen=True)
class Municipality:
    id: str
    names: Localized
    country: str


@dataclass(frozen=True)
class Organisation:
    id: str
    kind: str
    """``funder`` or ``association``."""


@dataclass(frozen=True)
class Partnership:
    id: str
    moroccan_municipality_id: str
    belgian_municipality_id: str
    name: Localized
    status: str = "active"
    phases: tuple[str, ...] = ()

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


def require_reader_of_files(principal: Principal, partnership: Partnership) -> None:
    """A partnership's files (photos of people, signed lists) are for its own partners, the
    coordinators and the programme's read-only viewers — not for other partnerships'
    officers, who read its roadmap but not its files."""
    if principal.role in ("coordinator", "viewer"):
        return
    if principal.municipality_id is not None and partnership.includes(principal.municipality_id):
        return
    raise Forbidden(
        f"an officer of {principal.municipality_id} may not read the files of partnership "
        f"{partnership.id}"
    )


def require_open(partnership: Partnership) -> None:
    """A closed partnership is a record of the past: it takes no edit and no roadmap request
    until a coordinator reactivates it. A suspended one still does (its partners may record
    what happened before the pause)."""
    if partnership.status == "closed":
        raise Conflict(
            f"partnership {partnership.id} is closed: a coordinator must reactivate it "
            "(PUT …/status) before anything else changes"
        )


def require_member_writer(principal: Principal, municipality_id: str) -> None:
    if principal.role == "coordinator":
        return
    if principal.role == "officer" and principal.municipality_id == municipality_id:
        return
    raise Forbidden(f"only a coordinator or an officer of {municipality_id} may change its members")


def require_known_themes(principal: Principal, themes: Sequence[str], known: Iterable[str]) -> None:
    """Officers choose among the programme's themes; only a coordinator adds a new one."""
    if principal.role == "coordinator":
        return
    unknown = sorted(set(themes) - set(known))
    if unknown:
        raise Forbidden(f"themes: only a coordinator may add the themes {', '.join(unknown)}")


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


def id_from_names(given: str | None, names: Localized) -> str:
    """The id given, else one from the French name (else the first): a record's id."""
    return given or slug(names.get("fr") or next(iter(names.values())))


_ARABIC_FOLDS = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla → alef
        "\u0649": "\u064a",  # alef maksura → yeh
        "\u0629": "\u0647",  # teh marbuta → heh
        "\u0640": None,  # tatweel, a stretch with no meaning
    }
)


def search_key(text: str) -> str:
    """Text as a search compares it: no case, no diacritics, no tashkeel, one alef.

    'Aït Baha' and 'ait-baha' both become 'ait baha'; 'آيت باها' and 'أيت باها' one form.
    Decomposition splits accents, the hamza and madda on alef, and the tashkeel into
    combining marks, which are dropped.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFC", bare).translate(_ARABIC_FOLDS)
    return " ".join(re.split(r"[\W_]+", folded)).strip()


def matches(query: str, key: str) -> bool:
    """Every word of the query appears in the key, in any order."""
    return all(word in key for word in search_key(query).split())


@dataclass(frozen=True)
class EvidenceFile:
    """A file attached as evidence, as the registry keeps it (its content aside)."""

    evidence_id: str
    partnership_id: str
    submission_id: str
    """The submission that asked to attach it: attached once roadmaps applied it."""
    report_submission_id: str
    name: str
    media_type: str
    size: int
    sha256: str
    thumbnail: bool


def thumbnail_id(evidence_id: str) -> str:
    return f"{evidence_id}.thumbnail"


@dataclass(frozen=True)
class SubmissionState:
    """A roadmap request as the registry knows it: what was asked and how it was decided."""

    submission_id: str
    kind: str
    """e.g. ``progress.reported``."""
    partnership_id: str
    status: str
    """``received``, ``applied`` or ``rejected``."""
    request: dict[str, object]
