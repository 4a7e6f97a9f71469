"""The funder's report written out: one Jinja2 template, HTML for the browser and PDF by
WeasyPrint (Pango shapes the Arabic and lays it out right to left).

The figures come from ``service_layer/report.py``; this module only chooses words, formats
numbers and dates the way each language writes them, and draws the bars.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Mapping
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from imc_contracts import LOCALES, Language
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from imc_roadmaps.adapters.report_texts import CRITERIA, RATINGS, SEXES, STATUSES, TEXTS, THEMES

LANGUAGES: tuple[Language, ...] = ("fr", "nl", "ar", "en")
FALLBACK: tuple[Language, ...] = ("fr", "en", "nl", "ar")
GROUPS: dict[Language, dict[str, str]] = {
    language: {key: THEMES[language][key] for key in ("youth", "women", "disability", "migrants")}
    for language in LANGUAGES
}

# WeasyPrint lays a document out in one thread; two at once are enough for two cores, and a
# third waits rather than making both slower.
_PDF_SLOTS = threading.BoundedSemaphore(2)


class ReportWriter:
    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("imc_roadmaps", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def html(self, report: Mapping[str, Any], language: Language) -> str:
        words = ReportWords(language)
        return self._env.get_template("report.html").render(
            report=report,
            language=language,
            direction="rtl" if language == "ar" else "ltr",
            t=words.text,
            local=words.local,
            number=words.number,
            percent=words.percent,
            day=words.day,
            theme=lambda key: THEMES[language].get(key, key),
            group=lambda key: GROUPS[language].get(key, key),
            sex=lambda key: SEXES[language].get(key or "unspecified", key),
            status=lambda key: STATUSES[language].get(key, key),
            criterion=lambda key: CRITERIA[language].get(key, key),
            rating=words.rating,
            bar=bar,
        )

    async def pdf(self, report: Mapping[str, Any], language: Language) -> bytes:
        html = self.html(report, language)
        return await asyncio.to_thread(_write_pdf, html)


def _write_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango and its fonts, which only the report needs.
    from weasyprint import HTML

    with _PDF_SLOTS:
        pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def bar(value: float | int | None, scale: float | int | None) -> float:
    """A bar's length in per cent of its row, for a value against the row's largest."""
    if not value or not scale or value < 0 or scale <= 0:
        return 0.0
    return round(min(float(value) / float(scale), 1.0) * 100, 1)


class ReportWords:
    """The report's words, numbers, percentages and dates in one language."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.locale = LOCALES[language]
        self.order: list[Language] = list(dict.fromkeys([language, *FALLBACK]))

    def text(self, key: str, **values: Any) -> str:
        return TEXTS[self.language][key].format(**values)

    def local(self, text: Mapping[str, str] | str | None) -> str:
        """Localised text in this language, else in the first language it has."""
        if text is None:
            return ""
        if isinstance(text, str):
            return text
        for language in self.order:
            if text.get(language):
                return text[language]
        return next(iter(text.values()), "")

    def number(self, value: float | int | str | None) -> str:
        if value is None:
            return "–"
        if isinstance(value, str):
            return value
        return format_decimal(value, locale=self.locale)

    def percent(self, value: float | None) -> str:
        if value is None:
            return "–"
        # The locale's own pattern (``84,3 %``, ``84,3%``), with one decimal where there is one.
        pattern = Locale.parse(self.locale).percent_formats[None].pattern
        head, zero, tail = pattern.rpartition("0")
        # "100 %" says the work is done: an unfinished 99.95 shows as 99.9, not rounded up.
        shown = min(value, 99.9) if value < 100 else value
        return format_percent(shown / 100, locale=self.locale, format=f"{head}{zero}.#{tail}")

    def day(self, value: str | dt.date) -> str:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(day, format="long", locale=self.locale)

    def rating(self, value: int | None) -> str:
        if value is None:
            return "–"
        return f"{value}/4 · {RATINGS[self.language][value]}"
