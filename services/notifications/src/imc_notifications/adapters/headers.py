"""Header fields written so that any standard parser reads back exactly what was meant.

Python 3.11's own folder (``email.policy.default`` and ``SMTP``) gets three things wrong
that every email here would show: it turns a long URL into RFC 2047 encoded-words, so
``List-Unsubscribe`` is no longer a ``<URI>`` a mail client can offer; it folds a mix of
encoded and plain words so that the space between two of them is lost (RFC 2047 §6.2:
white space between adjacent encoded-words is not part of the text) or doubled; and it drops
the quotes of a display name it folds, so a comma in a name splits one address in two.

So the headers that carry text are made here, once, and written out as made:

- plain ASCII text is folded only at its own spaces (RFC 5322 §2.2.3: unfolding removes
  just the line break, so each fold keeps its space);
- any other text becomes encoded-words by the standard library's RFC 2047 encoder
  (``email.header.Header``), the spaces inside them, so no space sits between two of them;
- a display name is an atom, a quoted string (``email.utils.formataddr``) or, when it is
  not ASCII, one encoded-word — never something a folder can split;
- a URI list is ASCII ``<…>`` items, refused otherwise.

Each is a header object as ``email.message.EmailMessage`` takes them (it has a ``name``
and folds itself), so neither the message's policy nor the one ``aiosmtplib`` flattens
with refolds it.
"""

from __future__ import annotations

import re
from email.header import Header
from email.headerregistry import Address
from email.policy import Policy
from email.utils import formataddr

MAX_LINE = 78
"""RFC 5322 §2.1.1: lines SHOULD be at most 78 characters (and MUST be at most 998)."""

_PRINTABLE_ASCII = re.compile(r"[ -~]*")


class InvalidHeader(ValueError):
    pass


class PreparedHeader:
    """A header field's value already in its wire form: ``lines`` are written one after
    the other, each following line starting with the space it is folded at."""

    def __init__(self, name: str, text: str, lines: list[str]) -> None:
        self.name = name
        self._text = text
        self._lines = lines

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: " + policy.linesep.join(self._lines) + policy.linesep

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"PreparedHeader({self.name!r}, {self._text!r})"


def unstructured(name: str, text: str) -> PreparedHeader:
    """A header of free text (``Subject``), in any script and of any length."""
    if "\r" in text or "\n" in text:
        raise InvalidHeader(f"{name}: a line break cannot be part of a header")
    if _PRINTABLE_ASCII.fullmatch(text) and "  " not in text and text == text.strip():
        lines = _fold_words(text.split(" "), first=len(name) + 2)
        if all(len(line) <= 998 for line in lines):
            return PreparedHeader(name, text, lines)
    return PreparedHeader(name, text, _encoded_words(text, header_name=name))


def mailbox(name: str, display_name: str, address: str) -> PreparedHeader:
    """One address with its display name (``To``, ``From``): however the name is made,
    a parser finds exactly this one address, and this name.

    An ASCII name is an atom or a quoted string (``formataddr`` quotes and escapes it),
    folded only at its spaces, which unfolding keeps. Any other name is one encoded-word,
    longer than RFC 2047's 75 characters if need be: split in two, it would be read two
    ways — RFC 2047 §6.2 (and Go's ``net/mail``, Mailpit's parser) drops the space between
    two encoded-words of a phrase, Python's parser keeps it.
    """
    if not _PRINTABLE_ASCII.fullmatch(address) or " " in address or not address:
        raise InvalidHeader(f"{name}: {address!r} is not an ASCII address")
    display_name = " ".join(display_name.split())
    if not display_name:
        return PreparedHeader(name, address, [address])
    if _PRINTABLE_ASCII.fullmatch(display_name):
        text = formataddr((display_name, address))
        return PreparedHeader(name, text, _fold_words(text.split(" "), first=len(name) + 2))
    display_name = _shortened(display_name)
    word = formataddr((display_name, address), charset="utf-8").rsplit(" ", 1)[0]
    lines = _fold_words([word, f"<{address}>"], first=len(name) + 2)
    # As the standard header would show it: quoted where the name needs it.
    shown = str(Address(display_name=display_name, addr_spec=address))
    return PreparedHeader(name, shown, lines)


MAX_NAME_BYTES = 660
"""A name's UTF-8 bytes in one encoded-word that keeps its line within 998 characters."""


def _shortened(display_name: str) -> str:
    if len(display_name.encode()) <= MAX_NAME_BYTES:
        return display_name
    while len(display_name.encode()) > MAX_NAME_BYTES - 3:
        display_name = display_name[:-1]
    return display_name.rstrip() + "…"


def uri_list(name: str, uris: list[str]) -> PreparedHeader:
    """``<uri>, <uri>`` (RFC 2369 ``List-Unsubscribe``): ASCII, each in angle brackets."""
    for uri in uris:
        if not _PRINTABLE_ASCII.fullmatch(uri) or any(c in uri for c in ' <>"'):
            raise InvalidHeader(f"{name}: {uri!r} is not a URI that can go in a header")
    items = [f"<{uri}>" for uri in uris]
    words = [f"{item}," for item in items[:-1]] + items[-1:]
    return PreparedHeader(name, ", ".join(items), _fold_words(words, first=len(name) + 2))


def ascii_text(name: str, text: str) -> PreparedHeader:
    """A header whose value is a fixed token (``List-Unsubscribe-Post``), never encoded."""
    if not _PRINTABLE_ASCII.fullmatch(text) or len(name) + 2 + len(text) > 998:
        raise InvalidHeader(f"{name}: {text!r} must be printable ASCII on one line")
    return PreparedHeader(name, text, [text])


def _fold_words(words: list[str], *, first: int) -> list[str]:
    """Words joined by single spaces, on lines of at most ``MAX_LINE`` where the words
    allow it; a fold goes before a space, which then starts the next line."""
    lines: list[str] = []
    line = ""
    room = MAX_LINE - first
    for word in words:
        if not line and not lines:
            line = word
        elif len(line) + 1 + len(word) <= room:
            line += " " + word
        else:
            lines.append(line)
            line = " " + word
            room = MAX_LINE
    lines.append(line)
    return lines


def _encoded_words(text: str, *, header_name: str) -> list[str]:
    """RFC 2047 encoded-words of UTF-8 text, each at most 75 characters, one a line."""
    # 76: a following line is a space and one encoded-word, which RFC 2047 §2 keeps to 75.
    encoded = Header(text, "utf-8", maxlinelen=76, header_name=header_name).encode(linesep="\n")
    return encoded.split("\n")
