"""Characters that text typed by a person never holds, and that exports cannot carry.

- Control characters: C0 (U+0000–U+001F) but those a caller allows (tab, line feed,
  carriage return for multi-line text), DEL and C1 (U+007F–U+009F), and the line and
  paragraph separators (U+2028, U+2029);
- the noncharacters U+FFFE and U+FFFF, and lone surrogates.

XML 1.0 can carry none of C0 but tab and the line ends, nor U+FFFE, U+FFFF or surrogates; a
NUL in a CSV cell stops many readers. Inputs refuse these (``first_unwanted``); exports drop
whatever an older record still holds (``without_unwanted``).
"""

from __future__ import annotations

import re

MULTI_LINE = "\t\n\r"

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")
_LINE_ENDS = re.compile("[\t\n\r]")


def first_unwanted(text: str, *, allowed: str = "") -> int | None:
    """The index of the first character ``text`` should not hold, or None."""
    for found in _UNWANTED.finditer(text):
        return found.start()
    if allowed != MULTI_LINE:
        for found in _LINE_ENDS.finditer(text):
            if found.group() not in allowed:
                return found.start()
    return None


def without_unwanted(text: str, *, allowed: str = MULTI_LINE) -> str:
    """``text`` with every character it should not hold removed."""
    text = _UNWANTED.sub("", text)
    if allowed != MULTI_LINE:
        text = _LINE_ENDS.sub(lambda found: found.group() if found.group() in allowed else "", text)
    return text
