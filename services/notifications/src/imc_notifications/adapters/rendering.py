"""Email rendering: Jinja2 templates per kind and language, autoescaped, strict about variables."""

from __future__ import annotations

import datetime as dt
import functools
import json
from importlib import resources
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit
from imc_contracts import LOCALES, Language
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from imc_notifications.service_layer.ports import RenderedEmail

RTL_LANGUAGES: frozenset[Language] = frozenset({"ar"})


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
        """A small HTML page served to a recipient (the unsubscribe confirmation): one
        template, ``{name}.html``, its words in ``{name}_texts.json`` by language."""
        direction = "rtl" if language in RTL_LANGUAGES else "ltr"
        values = {"language": language, "direction": direction, **context}
        values["t"] = page_texts(name)[language]
        return self._env.get_template(f"{name}.html").render(values)

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


@functools.cache
def page_texts(name: str) -> dict[Language, dict[str, str]]:
    """A page's words by language, from ``templates/{name}_texts.json``: a translator edits
    that file, not the code."""
    catalog = resources.files("imc_notifications").joinpath(f"templates/{name}_texts.json")
    texts: dict[Language, dict[str, str]] = json.loads(catalog.read_text("utf-8"))
    return texts


def format_day(day: dt.date, language: Language) -> str:
    return format_date(day, format="long", locale=LOCALES[language])


def format_number(value: float, language: Language) -> str:
    return format_decimal(value, locale=LOCALES[language])


def format_progress(percent: int, language: Language) -> str:
    """``45`` → ``45 %`` in French, ``45%`` in English, as each locale writes it."""
    return format_percent(percent / 100, locale=LOCALES[language])


SIZE_UNITS: tuple[tuple[int, str], ...] = (
    (1000**3, "digital-gigabyte"),
    (1000**2, "digital-megabyte"),
    (1000, "digital-kilobyte"),
)


def format_size(size: int, language: Language) -> str:
    """A file's size in bytes as a reader says it, in decimal units: ``2 400 000`` → ``2,4 Mo``
    in French, ``2.4 MB`` in English; one decimal below 10, none above."""
    locale = LOCALES[language]
    for factor, unit in SIZE_UNITS:
        if size >= factor:
            value = size / factor
            pattern = "#,##0.#" if value < 10 else "#,##0"
            return format_unit(value, unit, length="short", format=pattern, locale=locale)
    return format_unit(size, "digital-byte", length="long", locale=locale)


MEDIA_TYPE_FAMILIES: dict[str, str] = {
    "application/pdf": "pdf",
    "application/msword": "text_document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "text_document",
    "application/vnd.oasis.opendocument.text": "text_document",
    "application/rtf": "text_document",
    "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet",
    "text/csv": "spreadsheet",
    "application/vnd.ms-powerpoint": "presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "presentation",
    "application/vnd.oasis.opendocument.presentation": "presentation",
    "text/plain": "text",
    "application/zip": "archive",
}
"""The media types a reader knows by another name; any ``image/…`` is an image."""

MEDIA_TYPE_LABELS: dict[Language, dict[str, str]] = {
    "ar": {
        "pdf": "وثيقة PDF",
        "image": "صورة",
        "text_document": "مستند نصي",
        "spreadsheet": "جدول بيانات",
        "presentation": "عرض تقديمي",
        "text": "ملف نصي",
        "archive": "أرشيف ZIP",
    },
    "fr": {
        "pdf": "document PDF",
        "image": "image",
        "text_document": "document texte",
        "spreadsheet": "tableur",
        "presentation": "présentation",
        "text": "fichier texte",
        "archive": "archive ZIP",
    },
    "nl": {
        "pdf": "pdf-document",
        "image": "afbeelding",
        "text_document": "tekstdocument",
        "spreadsheet": "rekenblad",
        "presentation": "presentatie",
        "text": "tekstbestand",
        "archive": "zip-archief",
    },
    "en": {
        "pdf": "PDF document",
        "image": "image",
        "text_document": "text document",
        "spreadsheet": "spreadsheet",
        "presentation": "presentation",
        "text": "text file",
        "archive": "ZIP archive",
    },
}


def media_type_label(media_type: str, language: Language) -> str:
    """``application/pdf`` → ``document PDF``; a type without a common name stays as it is."""
    essence = media_type.split(";", 1)[0].strip().lower()
    family = MEDIA_TYPE_FAMILIES.get(essence)
    if family is None and essence.startswith("image/"):
        family = "image"
    return media_type if family is None else MEDIA_TYPE_LABELS[language][family]


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
        "evidence_added": "إضافة وثيقة مثبتة",
        "digest": "الملخص اليومي",
    },
    "fr": {
        "milestone_reached": "jalon atteint",
        "milestone_due_soon": "échéance proche",
        "milestone_overdue": "échéance dépassée",
        "submission_rejected": "demande refusée",
        "partnership_status_changed": "statut du partenariat",
        "evidence_added": "pièce justificative ajoutée",
        "digest": "résumé du jour",
    },
    "nl": {
        "milestone_reached": "mijlpaal bereikt",
        "milestone_due_soon": "vervaldatum nadert",
        "milestone_overdue": "vervaldatum verstreken",
        "submission_rejected": "aanvraag geweigerd",
        "partnership_status_changed": "status van het partnerschap",
        "evidence_added": "bewijsstuk toegevoegd",
        "digest": "dagoverzicht",
    },
    "en": {
        "milestone_reached": "milestone reached",
        "milestone_due_soon": "milestone due soon",
        "milestone_overdue": "milestone overdue",
        "submission_rejected": "request not accepted",
        "partnership_status_changed": "partnership status",
        "evidence_added": "evidence added",
        "digest": "daily digest",
    },
}
