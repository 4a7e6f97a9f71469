"""Email rendering: every template in every language, escaped, strict, right-to-left for Arabic."""

from __future__ import annotations

import datetime as dt

import pytest
from imc_contracts import LANGUAGES, Language
from imc_notifications.adapters.mailer import build_message
from imc_notifications.adapters.rendering import (
    KIND_LABELS,
    Renderer,
    format_day,
    format_size,
    media_type_label,
    page_texts,
)
from imc_notifications.domain.recipients import Recipient, language_for, localized
from imc_notifications.domain.rules import KINDS, RULES
from jinja2 import UndefinedError

CONTEXT = {
    "recipient_name": "Sophie Lambert",
    "partnership": "Berkane – Saint-Gilles",
    "milestone": "Lancement du service social",
    "reached_on": "29 novembre 2026",
    "due_date": "30 juin 2027",
    "link": "http://127.0.0.1:8080/partnerships/berkane--saint-gilles/milestones/m",
    "unsubscribe_link": "http://127.0.0.1:8003/v1/unsubscribe?token=t",
}
KIND_CONTEXT: dict[str, dict[str, object]] = {
    "milestone_reached": {},
    "milestone_due_soon": {"days": "7", "progress": "45 %"},
    "milestone_overdue": {"days": "3", "progress": "45 %"},
    "submission_rejected": {"submission_id": "sub-1", "reason": "Jalon inconnu"},
    "partnership_status_changed": {
        "status": "suspendu",
        "previous_status": "actif",
        "reason": "Élections",
    },
    "evidence_added": {
        "actor": "Amina El Alaoui",
        "file_name": "compte-rendu.pdf",
        "file_type": "document PDF",
        "file_size": "2,4 Mo",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "evidence_of": "progress",
        "title": "Lancement du service social",
        "period": "",
        "phase": "2022-2026",
    },
    "digest": {
        "items": [{"title": "Jalon atteint : Lancement", "link": "http://x.example.org/1"}],
        "count": "1",
        "day": "30 juin 2027",
    },
}


def context_for(kind: str) -> dict[str, object]:
    return {**CONTEXT, **KIND_CONTEXT[kind]}


def test_every_kind_of_the_rules_has_templates() -> None:
    assert {rule.kind for rule in RULES.values()} | {"digest"} == set(KIND_CONTEXT)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(KIND_CONTEXT))
def test_every_template_renders_in_every_language(kind: str, language: Language) -> None:
    email = Renderer().render(kind, language, **context_for(kind))
    assert email.subject
    assert "\n" not in email.subject
    assert CONTEXT["unsubscribe_link"] in email.text
    assert CONTEXT["unsubscribe_link"] in email.html
    assert f'lang="{language}"' in email.html
    if kind != "digest":
        assert "Berkane – Saint-Gilles" in email.subject
        assert CONTEXT["link"] in email.text


def test_every_kind_has_a_name_in_every_language_for_the_unsubscribe_page() -> None:
    for language in LANGUAGES:
        assert set(KINDS) | {"digest"} == set(KIND_LABELS[language])


def test_the_unsubscribe_page_has_the_words_french_has_in_every_language() -> None:
    texts = page_texts("unsubscribe")
    assert sorted(texts) == sorted(LANGUAGES)
    for language in LANGUAGES:
        assert set(texts[language]) == set(texts["fr"]), language
        assert all(text.strip() for text in texts[language].values()), language
        assert "{kind_label}" in texts[language]["question"], language
        assert "{email}" in texts[language]["question"], language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_unsubscribe_page_is_in_the_recipients_language_with_their_text_escaped(
    language: Language,
) -> None:
    html = Renderer().page(
        "unsubscribe",
        language,
        done=False,
        mandatory=False,
        kind="milestone_overdue",
        kind_label="<b>late</b>",
        email="amina@example.org",
        token="t",
        action="http://127.0.0.1:8003/v1/unsubscribe",
    )
    assert f'lang="{language}"' in html
    assert page_texts("unsubscribe")[language]["one_kind"] in html
    assert "&lt;b&gt;late&lt;/b&gt;" in html
    assert "<b>late" not in html
    assert "amina@example.org" in html


@pytest.mark.parametrize(
    ("evidence_of", "expected"),
    [
        ("progress", 'the progress report on the milestone "Lancement du service social"'),
        ("indicator_value", 'the reported value of the indicator "Lancement du service social"'),
        ("evaluation", "the evaluation of the 2022-2026 phase"),
    ],
)
def test_an_evidence_email_says_what_the_file_is_evidence_of(
    evidence_of: str, expected: str
) -> None:
    context = {**context_for("evidence_added"), "evidence_of": evidence_of}
    email = Renderer().render("evidence_added", "en", **context)
    assert f"Amina El Alaoui attached a file as evidence to {expected}" in email.text


def test_an_evidence_email_without_a_known_actor_says_a_file_was_attached() -> None:
    context = {**context_for("evidence_added"), "actor": ""}
    email = Renderer().render("evidence_added", "fr", **context)
    assert "Un fichier a été joint comme pièce justificative" in email.text


def test_file_sizes_read_in_the_locales_decimal_units() -> None:
    # Babel's (CLDR's) spaces: narrow no-break in French before a unit, no-break before a word.
    assert format_size(2_400_000, "fr") == "2,4\u202fMo"
    assert format_size(12_345_678, "fr") == "12\u202fMo"
    assert format_size(2_400_000, "nl") == "2,4 MB"
    assert format_size(2_400_000, "en") == "2.4 MB"
    assert format_size(245_300, "en") == "245 kB"
    assert format_size(512, "en") == "512 bytes"
    assert format_size(1, "fr") == "1\xa0octet"
    assert format_size(3_400_000_000, "en") == "3.4 GB"
    assert format_size(2_400_000, "ar") != format_size(2_400_000, "en")


def test_media_types_are_named_in_words_and_unknown_ones_kept_as_they_are() -> None:
    assert media_type_label("application/pdf", "fr") == "document PDF"
    assert media_type_label("image/jpeg", "nl") == "afbeelding"
    assert media_type_label("text/csv; charset=utf-8", "en") == "spreadsheet"
    assert media_type_label("application/x-unknown", "ar") == "application/x-unknown"


def test_arabic_mail_is_laid_out_right_to_left() -> None:
    assert 'dir="rtl"' in Renderer().render("milestone_reached", "ar", **CONTEXT).html
    assert 'dir="ltr"' in Renderer().render("milestone_reached", "fr", **CONTEXT).html


def test_a_missing_variable_fails_here_not_in_an_inbox() -> None:
    context = {k: v for k, v in CONTEXT.items() if k != "milestone"}
    with pytest.raises(UndefinedError):
        Renderer().render("milestone_reached", "fr", **context)


def test_user_text_is_escaped_in_html() -> None:
    hostile = {**CONTEXT, "milestone": "<script>x</script>"}
    email = Renderer().render("milestone_reached", "en", **hostile)
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html


def test_user_text_cannot_add_a_header() -> None:
    hostile = {**CONTEXT, "milestone": "Ok\r\nBcc: victim@example.com"}
    email = Renderer().render("milestone_reached", "en", **hostile)
    message = build_message(
        email,
        sender="IMC Hub <no-reply@example.org>",
        to_name="Sophie\r\nBcc: x@example.com",
        to_address="sophie@example.org",
        message_id="<1@example.org>",
    )
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"])


def test_dates_are_formatted_for_the_locale() -> None:
    day = dt.date(2026, 5, 9)
    assert format_day(day, "fr") == "9 mai 2026"
    assert format_day(day, "nl") == "9 mei 2026"
    assert format_day(day, "en") == "9 May 2026"
    assert format_day(day, "ar") != format_day(day, "fr")


def test_language_falls_back_from_member_to_municipality_to_french_to_english() -> None:
    member = Recipient("m", "Luc", "luc@example.org", "auderghem", "nl")
    assert language_for(member, ["fr", "nl"]) == ["nl", "fr", "en"]
    assert localized({"fr": "Oudergem FR", "ar": "أوديرغيم"}, ["nl", "fr"]) == "Oudergem FR"
