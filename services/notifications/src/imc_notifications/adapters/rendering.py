"""Email rendering: Jinja2 templates per kind and language, autoescaped, strict about variables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from imc_contracts import Language
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

RTL_LANGUAGES: frozenset[Language] = frozenset({"ar"})
BABEL_LOCALES: dict[Language, str] = {"ar": "ar_MA", "fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}


@dataclass(frozen=True)
class RenderedEmail:
    language: Language
    subject: str
    text: str
    html: str


class Renderer:
    def __init__(self) -> None:
        # StrictUndefined: a template that names a missing variable fails in tests,
        # not in a partner's inbox.
        self._env = Environment(
            loader=PackageLoader("imc_notifications", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
        )

    def has(self, template: str, language: Language) -> bool:
        return f"{template}.{language}.subject.txt" in self._env.list_templates()

    def render(self, template: str, language: Language, **context: Any) -> RenderedEmail:
        direction = "rtl" if language in RTL_LANGUAGES else "ltr"
        values = {"language": language, "direction": direction, **context}
        subject = self._env.get_template(f"{template}.{language}.subject.txt").render(values)
        subject = " ".join(subject.split())  # one line, whatever the template or the data held
        return RenderedEmail(
            language=language,
            subject=subject,
            text=self._env.get_template(f"{template}.{language}.txt").render(values),
            html=self._env.get_template(f"{template}.{language}.html").render(
                {**values, "subject": subject}
            ),
        )


def format_day(day: dt.date, language: Language) -> str:
    return format_date(day, format="long", locale=BABEL_LOCALES[language])
