"""``python -m imc_notifications.gallery OUTDIR``: every email in every language, as files.

Renders each kind's template in Arabic, French, Dutch and English with sample data (the
same variables the service passes) to ``<kind>.<language>.html`` and ``.txt``, plus an
``index.html`` linking them, so a person can look at them in a browser.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
from pathlib import Path
from typing import Any

from imc_contracts import LANGUAGES, Language

from imc_notifications.adapters import rendering
from imc_notifications.domain.rules import KINDS

PARTNERSHIP: dict[Language, str] = {
    "ar": "بركان – سان-جيل",
    "fr": "Berkane – Saint-Gilles",
    "nl": "Berkane – Sint-Gillis",
    "en": "Berkane – Saint-Gilles",
}
MILESTONE: dict[Language, str] = {
    "ar": "إطلاق المصلحة الاجتماعية",
    "fr": "Lancement du service social",
    "nl": "Start van de sociale dienst",
    "en": "Launch of the social service",
}
REASON: dict[Language, str] = {
    "ar": "المرحلة غير موجودة في خارطة الطريق.",
    "fr": "Ce jalon n’existe pas dans la feuille de route.",
    "nl": "Deze mijlpaal staat niet in de routekaart.",
    "en": "This milestone is not in the roadmap.",
}
NAMES: dict[Language, str] = {
    "ar": "أمينة العلوي",
    "fr": "Sophie Lambert",
    "nl": "Lotte Peeters",
    "en": "Claire Dubois",
}
FRONTEND = "http://127.0.0.1:8080"
LINK = f"{FRONTEND}/partnerships/berkane--saint-gilles/milestones/social-service"


def sample_context(kind: str, language: Language) -> dict[str, Any]:
    """What the service would pass for ``kind``, with fictitious people and dates."""
    common: dict[str, Any] = {
        "recipient_name": NAMES[language],
        "partnership": PARTNERSHIP[language],
        "link": LINK,
        "unsubscribe_link": "http://127.0.0.1:8003/v1/unsubscribe?token=sample",
    }
    milestone = {
        "milestone": MILESTONE[language],
        "due_date": rendering.format_day(dt.date(2027, 6, 30), language),
    }
    if kind == "milestone_reached":
        return {
            **common,
            **milestone,
            "reached_on": rendering.format_day(dt.date(2026, 11, 29), language),
        }
    if kind in ("milestone_due_soon", "milestone_overdue"):
        return {
            **common,
            **milestone,
            "days": rendering.format_number(14, language),
            "progress": rendering.format_progress(65, language),
        }
    if kind == "submission_rejected":
        return {**common, "submission_id": "01a2-3b4c", "reason": REASON[language]}
    if kind == "partnership_status_changed":
        labels = rendering.STATUS_LABELS[language]
        return {
            **common,
            "status": labels["suspended"],
            "previous_status": labels["active"],
            "reason": REASON[language],
        }
    if kind == "evidence_added":
        return {
            **common,
            "link": f"{FRONTEND}/#/partnerships/berkane--saint-gilles/evidence/ev-01a2b3c4",
            "actor": "صوفي لامبير" if language == "ar" else "Amina El Alaoui",
            "file_name": "compte-rendu-atelier-jeunes.pdf",
            "file_type": rendering.media_type_label("application/pdf", language),
            "file_size": rendering.format_size(2_400_000, language),
            "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "evidence_of": "progress",
            "title": MILESTONE[language],
            "period": "",
            "phase": "2022-2026",
        }
    renderer = rendering.Renderer()
    items = [
        {
            "title": renderer.render(
                item_kind, language, **sample_context(item_kind, language)
            ).subject,
            "link": LINK,
        }
        for item_kind in ("milestone_reached", "milestone_due_soon")
    ]
    return {
        "recipient_name": NAMES[language],
        "items": items,
        "count": rendering.format_number(len(items), language),
        "day": rendering.format_day(dt.date(2026, 11, 30), language),
        "unsubscribe_link": common["unsubscribe_link"],
    }


def write_gallery(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    renderer = rendering.Renderer()
    written: list[Path] = []
    rows: list[str] = []
    for kind in (*KINDS, "digest"):
        cells: list[str] = []
        for language in LANGUAGES:
            email = renderer.render(kind, language, **sample_context(kind, language))
            page = out / f"{kind}.{language}.html"
            page.write_text(email.html, encoding="utf-8")
            (out / f"{kind}.{language}.txt").write_text(
                f"Subject: {email.subject}\n\n{email.text}", encoding="utf-8"
            )
            written.append(page)
            cells.append(
                f'<td><a href="{page.name}">{language}</a> · '
                f'<a href="{page.name[:-5]}.txt">txt</a><br><small dir="auto">'
                f"{html.escape(email.subject)}</small></td>"
            )
        rows.append(f"<tr><th>{kind}</th>{''.join(cells)}</tr>")
    index = out / "index.html"
    index.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>IMC Hub emails'
        '</title></head><body style="font-family: Arial, sans-serif"><h1>IMC Hub emails</h1>'
        f'<table cellpadding="6">{"".join(rows)}</table></body></html>\n',
        encoding="utf-8",
    )
    return [index, *written]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("outdir", type=Path)
    args = parser.parse_args(argv)
    written = write_gallery(args.outdir)
    print(f"{len(written)} pages in {args.outdir} (open {written[0]})")


if __name__ == "__main__":
    main()
