"""The funder's report's words, in the programme's four languages, read from
``templates/report_texts.json`` beside the report's template: a translator edits that file,
not the code, and a test holds every language to the keys French has.

The Arabic is written without short vowels (tashkil), as administrative Arabic usually is:
WeasyPrint 70 maps a glyph drawn inside a letter-and-mark cluster to the whole cluster, for
the whole document, so one vowelled word would spoil how every other copy of that letter is
copied out of the PDF (Kozea/WeasyPrint#2841).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from imc_contracts import Language

Table = dict[Language, dict[str, str]]

CATALOG: dict[str, Any] = json.loads(
    resources.files("imc_roadmaps").joinpath("templates/report_texts.json").read_text("utf-8")
)
"""Each table (texts, themes, sexes, statuses, criteria, ratings) by language, then key."""

TEXTS: Table = CATALOG["texts"]
THEMES: Table = CATALOG["themes"]
SEXES: Table = CATALOG["sexes"]
STATUSES: Table = CATALOG["statuses"]
CRITERIA: Table = CATALOG["criteria"]
RATINGS: dict[Language, dict[int, str]] = {
    language: {int(rating): text for rating, text in table.items()}
    for language, table in CATALOG["ratings"].items()
}
