"""Every email the service can send, read back by the standard library's parser.

For each template, each language, a long title with spaces in each script and display names
made to break a folder, the message is built as the service builds it, flattened as
``aiosmtplib`` sends it, and parsed with ``BytesParser(policy=email.policy.default)``: the
subject comes back exactly, ``To`` holds exactly the one address and name, and
``List-Unsubscribe`` is the ``<URI>`` list RFC 2369 asks for, in plain ASCII.
"""

from __future__ import annotations

import email.policy
import random
import re
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtplib.email import flatten_message
from imc_contracts import LANGUAGES, Language
from imc_notifications.adapters import headers
from imc_notifications.adapters.mailer import build_message
from imc_notifications.adapters.rendering import Renderer
from imc_notifications.domain.rules import KINDS
from imc_notifications.gallery import sample_context

UNSUBSCRIBE = (
    "https://imc-hub.example.org/v1/unsubscribe?token="
    "eyJyIjoiYW1pbmEtMDFhMmIzYzQiLCJlIjoxODAwMDAwMDAwfQ.c2lnbmF0dXJlLW9mLWZvcnR5LXRocmVlLWNoYXJz"
)
TITLES: dict[str, str] = {
    # The due-soon title that lost its space, and others as long, one per script.
    "arabic": "موعد قريب 1796 إطلاق المصلحة الاجتماعية الجماعية لفائدة الشباب والنساء "
    "والأشخاص في وضعية إعاقة والمهاجرين بجماعة بركان",
    "french": "Lancement du service social communal de Saint-Gilles pour les jeunes, "
    "les femmes et les personnes en situation de handicap — phase « 2022–2026 »",
    "dutch": "Opstart van de gemeentelijke sociale dienst van Sint-Gillis voor jongeren, "
    "vrouwen en personen met een handicap (fase 2022–2026)",
    "english": "Launch of the municipal social service of Saint-Gilles for young people, "
    "women and persons with disabilities: phase 2022-2026 (second call, revised)",
}
NAMES: dict[str, str] = {
    "comma and parentheses": "Van den Bossche-Lefebvre, Marie-Christine Anne-Sophie "
    "(Service social communal de Saint-Gilles)",
    "a Bcc: inside": 'Eve "the tester" Bcc: someone@example.net, <other@example.com>; '
    "Cc: third@example.org (x) " + "y" * 40,
    "arabic, long": "أمينة العلوي، مصلحة الشؤون الاجتماعية والثقافية والرياضية بجماعة بركان "
    "(قسم العمل الاجتماعي)",
    "quotes and backslashes": 'Zoë "Z." D\'Hondt \\ de Smet, "Bcc: a@example.net"',
    "plain": "Lotte Peeters",
}
TO_ADDRESS = "recipient.01a2b3c4@example.org"
RENDERER = Renderer()
SENDER = '"IMC Hub, programme CIC/IMC" <no-reply@imc-hub.example.org>'


def context(kind: str, language: Language, title: str) -> dict[str, Any]:
    values = sample_context(kind, language)
    if "milestone" in values:
        values["milestone"] = title
    if "partnership" in values:
        values["partnership"] = f"{title} – {values['partnership']}"
    if kind == "digest":
        values["items"] = [{"title": title, "link": "https://imc-hub.example.org/m/1"}]
    return values


def sent_and_read_back(message: EmailMessage) -> tuple[bytes, EmailMessage]:
    raw = flatten_message(message)  # the bytes aiosmtplib hands to the server
    parsed = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return raw, parsed


ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=")


def unfolded_fields(raw: bytes) -> dict[str, str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii").replace("\r\n ", " ")
    return dict(line.split(": ", 1) for line in head.split("\r\n"))


def header_lines(raw: bytes) -> list[bytes]:
    head = raw.split(b"\r\n\r\n", 1)[0]
    return head.split(b"\r\n")


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
@pytest.mark.parametrize("title", TITLES.values(), ids=TITLES.keys())
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", [*KINDS, "digest"])
def test_a_standard_parser_reads_back_the_subject_the_recipient_and_the_unsubscribe_link(
    kind: str, language: Language, title: str, name: str
) -> None:
    rendered = RENDERER.render(kind, language, **context(kind, language, title))
    message = build_message(
        rendered,
        sender=SENDER,
        to_name=name,
        to_address=TO_ADDRESS,
        message_id="<01a2b3c4-delivery@imc-hub.example.org>",
        unsubscribe_url=UNSUBSCRIBE,
        unsubscribe_mailto="unsubscribe@imc-hub.example.org",
    )
    raw, parsed = sent_and_read_back(message)

    assert str(parsed["Subject"]) == rendered.subject
    if kind != "digest":
        assert title in str(parsed["Subject"])
    recipients = parsed["To"].addresses
    assert [(a.display_name, a.addr_spec) for a in recipients] == [(name, TO_ADDRESS)]
    assert parsed["Bcc"] is None
    assert parsed["Cc"] is None
    senders = parsed["From"].addresses
    assert [(a.display_name, a.addr_spec) for a in senders] == [
        ("IMC Hub, programme CIC/IMC", "no-reply@imc-hub.example.org")
    ]

    unsubscribe = [line for line in header_lines(raw) if line.startswith(b"List-Unsubscribe:")]
    assert unsubscribe == [
        f"List-Unsubscribe: <{UNSUBSCRIBE}>,".encode(),
    ], "the link stays one ASCII <URI>, on a line of its own"
    assert str(parsed["List-Unsubscribe"]) == (
        f"<{UNSUBSCRIBE}>, <mailto:unsubscribe@imc-hub.example.org?subject=unsubscribe>"
    )
    assert str(parsed["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw

    for line in header_lines(raw):
        assert len(line) <= 998, line
        assert line.isascii(), line
    fields = unfolded_fields(raw)
    for word in ENCODED_WORD.findall(fields["Subject"]):
        assert len(word) <= 75, word  # RFC 2047 §2
    # A display name is one encoded-word at most: parsers disagree on two side by side.
    assert len(ENCODED_WORD.findall(fields["To"])) <= 1
    assert parsed.get_body(("html",)) is not None
    assert parsed.get_body(("plain",)) is not None


def test_an_arabic_email_keeps_its_right_to_left_html() -> None:
    rendered = Renderer().render(
        "milestone_due_soon", "ar", **context("milestone_due_soon", "ar", TITLES["arabic"])
    )
    message = build_message(
        rendered,
        sender=SENDER,
        to_name=NAMES["arabic, long"],
        to_address=TO_ADDRESS,
        message_id="<1@imc-hub.example.org>",
    )
    _, parsed = sent_and_read_back(message)
    html = parsed.get_body(("html",))
    assert html is not None
    assert 'dir="rtl"' in html.get_content()
    assert parsed["Content-Language"] == "ar"


def test_without_a_link_there_is_no_unsubscribe_header() -> None:
    rendered = Renderer().render(
        "milestone_reached", "fr", **context("milestone_reached", "fr", TITLES["french"])
    )
    message = build_message(
        rendered, sender=SENDER, to_name="", to_address=TO_ADDRESS, message_id="<1@x.example.org>"
    )
    _, parsed = sent_and_read_back(message)
    assert parsed["List-Unsubscribe"] is None
    assert [(a.display_name, a.addr_spec) for a in parsed["To"].addresses] == [("", TO_ADDRESS)]


@pytest.mark.parametrize(
    "uri",
    [
        "https://x.example.org/a b",
        "https://x.example.org/<b>",
        "https://x.example.org/é",
        "https://x.example.org/\r\nBcc: a@example.net",
    ],
)
def test_a_uri_a_header_cannot_carry_is_refused(uri: str) -> None:
    with pytest.raises(headers.InvalidHeader):
        headers.uri_list("List-Unsubscribe", [uri])


def test_a_line_break_in_a_subject_is_refused() -> None:
    with pytest.raises(headers.InvalidHeader):
        headers.unstructured("Subject", "Ok\r\nBcc: victim@example.com")


def test_any_mix_of_scripts_spaces_and_specials_reads_back_exactly() -> None:
    """Random subjects and names from pieces that broke folders before: encoded and plain
    words side by side, specials, long words; each must come back as it went."""
    pieces = [
        "موعد",
        "قريب",
        "1796",
        "Échéance",
        "proche",
        ":",
        "—",
        "Saint-Gilles,",
        "(jeunes)",
        '"x"',
        "Bcc:",
        "a@example.net",
        "\\",
        "Sint-Gillis",
        "x" * 70,
        "ms-0042",
        "é" * 30,
        "<b>",
        ";",
        "2022–2026",
        "🙂",
    ]
    chooser = random.Random(2026)
    for _ in range(500):
        subject = " ".join(chooser.choice(pieces) for _ in range(chooser.randint(1, 30)))
        name = " ".join(chooser.choice(pieces) for _ in range(chooser.randint(1, 8)))
        message = EmailMessage()
        message["Subject"] = headers.unstructured("Subject", subject)
        message["To"] = headers.mailbox("To", name, TO_ADDRESS)
        message.set_content("x")
        raw, parsed = sent_and_read_back(message)
        assert str(parsed["Subject"]) == subject
        assert [(a.display_name, a.addr_spec) for a in parsed["To"].addresses] == [
            (name, TO_ADDRESS)
        ]
        assert all(len(line) <= 998 for line in header_lines(raw))
