"""Email rendering: Jinja2 templates per kind and language, autoescaped, strict about variables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from imc_contracts import Language
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from imc_notifications.service_layer.ports import RenderedEmail

RTL_LANGUAGES: frozenset[Language] = frozenset({"ar"})
BABEL_LOCALES: dict[Language, str] = {"ar": "ar_MA", "fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}


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
        self._names: frozenset[str] | None = None

    def has(self, template: str, language: Language) -> bool:
        return f"{template}.{language}.subject.txt" in self._templates

    @property
    def _templates(self) -> frozenset[str]:
        if self._names is None:
            self._names = frozenset(self._env.list_templates())
        return self._names

    def page(self, name: str, language: Language, **context: Any) -> str:
        """A small HTML page served to a recipient (the unsubscribe confirmation)."""
        direction = "rtl" if language in RTL_LANGUAGES else "ltr"
        values = {"language": language, "direction": direction, **context}
        return self._env.get_template(f"{name}.{language}.html").render(values)

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


def format_number(value: float, language: Language) -> str:
    return format_decimal(value, locale=BABEL_LOCALES[language])


def format_progress(percent: int, language: Language) -> str:
    """``45`` → ``45 %`` in French, ``45%`` in English, as each locale writes it."""
    return format_percent(percent / 100, locale=BABEL_LOCALES[language])


STATUS_LABELS: dict[Language, dict[str, str]] = {
    "ar": {"active": "نشطة", "suspended": "معلقة", "closed": "منتهية"},
    "fr": {"active": "actif", "suspended": "suspendu", "closed": "clôturé"},
    "nl": {"active": "actief", "suspended": "opgeschort", "closed": "afgesloten"},
    "en": {"active": "active", "suspended": "suspended", "closed": "closed"},
}

KIND_LABELS: dict[Language, dict[str, str]] = {
    "ar": {
        "milestone_reached": "بلوغ مرحلة",
        "milestone_due_soon": "اقتراب أجل مرحلة",
        "milestone_overdue": "تجاوز أجل مرحلة",
        "submission_rejected": "رفض طلب",
        "partnership_status_changed": "تغيير وضعية شراكة",
        "digest": "الملخص اليومي",
    },
    "fr": {
        "milestone_reached": "jalon atteint",
        "milestone_due_soon": "échéance proche",
        "milestone_overdue": "échéance dépassée",
        "submission_rejected": "demande refusée",
        "partnership_status_changed": "statut du partenariat",
        "digest": "résumé du jour",
    },
    "nl": {
        "milestone_reached": "mijlpaal bereikt",
        "milestone_due_soon": "vervaldatum nadert",
        "milestone_overdue": "vervaldatum verstreken",
        "submission_rejected": "aanvraag geweigerd",
        "partnership_status_changed": "status van het partnerschap",
        "digest": "dagoverzicht",
    },
    "en": {
        "milestone_reached": "milestone reached",
        "milestone_due_soon": "milestone due soon",
        "milestone_overdue": "milestone overdue",
        "submission_rejected": "request not accepted",
        "partnership_status_changed": "partnership status",
        "digest": "daily digest",
    },
}
