"""Evidence on the storage in memory: what a file must be to be taken, who may attach it and
who may read it. The real stack's test (tests/e2e/test_evidence.py) does the same through
GridFS, Kafka and roadmaps."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from imc_contracts.roadmaps import SubmissionRejected, SubmissionRejectedPayload
from imc_registry.domain import roadmap_requests
from imc_registry.domain.model import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    UnsupportedType,
)
from imc_registry.service_layer import handlers
from imc_registry.service_layer.changes import Ask
from imc_registry.service_layer.evidence import file_name
from imc_runtime.principal import Principal
from PIL import Image

from .fakes import InMemoryRegistry
from .test_use_cases import BERKANE, COORDINATOR, ETTERBEEK, PAIR, VIEWER, store

__all__ = ["store"]  # the fixture, shared

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LIMIT = 1024 * 1024


def png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


async def applied_report(store: InMemoryRegistry) -> str:
    appended = await handlers.report_progress(
        PAIR,
        "space",
        roadmap_requests.ReportProgress(progress=40, reported_on=dt.date(2026, 11, 29)),
        Ask(BERKANE),
        store,
    )
    submission_id: str = appended.commit.events[0].payload.submission_id
    await store.record_outcome(submission_id, "applied", event_id="e", code=None, reason=None)
    return submission_id


async def test_a_file_is_stored_once_and_its_request_carries_what_identifies_it(
    store: InMemoryRegistry,
) -> None:
    report = await applied_report(store)
    appended = await handlers.attach_evidence(
        report,
        "docs/liste de présence.pdf",
        PDF,
        Ask(BERKANE, idempotency_key="key-1"),
        store,
        LIMIT,
    )
    evidence = appended.commit.events[0].payload.evidence
    assert evidence.name == "liste de présence.pdf"
    assert evidence.media_type == "application/pdf"
    assert (evidence.size, evidence.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert (evidence.subject, evidence.milestone_id) == ("progress", "space")
    assert not evidence.thumbnail
    again = await handlers.attach_evidence(
        report,
        "docs/liste de présence.pdf",
        PDF,
        Ask(BERKANE, idempotency_key="key-1"),
        store,
        LIMIT,
    )
    assert again.duplicate
    assert again.commit == appended.commit
    assert list(store.files) == [evidence.evidence_id]


async def test_the_type_comes_from_the_content_not_the_name(store: InMemoryRegistry) -> None:
    report = await applied_report(store)
    named_png = await handlers.attach_evidence(report, "scan.png", PDF, Ask(BERKANE), store, LIMIT)
    assert named_png.commit.events[0].payload.evidence.media_type == "application/pdf"
    with pytest.raises(UnsupportedType, match="evidence may be PDF"):
        await handlers.attach_evidence(
            report, "notes.pdf", b"just text", Ask(BERKANE), store, LIMIT
        )
    elf = b"\x7fELF\x02\x01\x01" + bytes(200)
    with pytest.raises(UnsupportedType, match="application/x-executable"):
        await handlers.attach_evidence(report, "photo.jpg", elf, Ask(BERKANE), store, LIMIT)


async def test_an_image_gets_a_small_preview(store: InMemoryRegistry) -> None:
    report = await applied_report(store)
    appended = await handlers.attach_evidence(
        report, "atelier.png", png(), Ask(BERKANE), store, LIMIT
    )
    evidence = appended.commit.events[0].payload.evidence
    assert evidence.thumbnail
    await store.record_outcome(
        appended.commit.events[0].payload.submission_id,
        "applied",
        event_id="e2",
        code=None,
        reason=None,
    )
    _, chunks = await handlers.evidence_download(
        evidence.evidence_id, COORDINATOR, store, thumbnail=True
    )
    preview = b"".join([chunk async for chunk in chunks])
    with Image.open(io.BytesIO(preview)) as image:
        assert image.format == "PNG"
        assert max(image.size) == 320


async def test_empty_too_large_and_enormous_images_are_refused(store: InMemoryRegistry) -> None:
    report = await applied_report(store)
    with pytest.raises(Invalid, match="empty"):
        await handlers.attach_evidence(report, "x.pdf", b"", Ask(BERKANE), store, LIMIT)
    with pytest.raises(TooLarge, match="at most 1024 bytes"):
        await handlers.attach_evidence(report, "x.pdf", PDF * 20, Ask(BERKANE), store, 1024)
    with pytest.raises(Invalid, match="megapixels"):
        await handlers.attach_evidence(report, "x.png", png(8000, 8000), Ask(BERKANE), store, 10**8)
    assert store.files == {}


async def test_a_damaged_image_is_refused_as_unreadable_not_a_server_error(
    store: InMemoryRegistry,
) -> None:
    report = await applied_report(store)
    good = png(64, 64)
    short_header = good[:8] + b"\x00\x00\x00\x05" + good[12:]  # IHDR says 5 bytes long
    for damaged in (good[:60], short_header):
        with pytest.raises(Invalid, match="cannot be read"):
            await handlers.attach_evidence(report, "x.png", damaged, Ask(BERKANE), store, LIMIT)
    assert store.files == {}


async def test_a_png_is_held_to_fewer_pixels_than_a_jpeg_which_is_decoded_small(
    store: InMemoryRegistry,
) -> None:
    report = await applied_report(store)
    with pytest.raises(Invalid, match="16 megapixels for a PNG"):
        await handlers.attach_evidence(report, "x.png", png(5000, 4000), Ask(BERKANE), store, 10**8)
    photo = io.BytesIO()
    Image.new("RGB", (5000, 4000), (200, 120, 40)).save(photo, "JPEG")
    await handlers.attach_evidence(report, "x.jpg", photo.getvalue(), Ask(BERKANE), store, 10**8)
    assert store.files  # kept, with its preview


async def test_only_the_partners_attach_and_only_to_an_applied_report(
    store: InMemoryRegistry,
) -> None:
    report = await applied_report(store)
    for stranger in (ETTERBEEK, VIEWER):
        with pytest.raises(Forbidden):
            await handlers.attach_evidence(report, "x.pdf", PDF, Ask(stranger), store, LIMIT)
    with pytest.raises(NotFound):
        await handlers.attach_evidence("no-such", "x.pdf", PDF, Ask(BERKANE), store, LIMIT)
    pending = await handlers.report_progress(
        PAIR,
        "space",
        roadmap_requests.ReportProgress(progress=50, reported_on=dt.date(2026, 11, 30)),
        Ask(BERKANE),
        store,
    )
    pending_id = pending.commit.events[0].payload.submission_id
    with pytest.raises(Conflict, match="not decided yet"):
        await handlers.attach_evidence(pending_id, "x.pdf", PDF, Ask(BERKANE), store, LIMIT)
    await store.record_outcome(pending_id, "rejected", event_id="e", code="c", reason="r")
    with pytest.raises(Invalid, match="rejected"):
        await handlers.attach_evidence(pending_id, "x.pdf", PDF, Ask(BERKANE), store, LIMIT)


async def test_the_file_is_read_by_its_partners_coordinators_and_viewers_once_attached(
    store: InMemoryRegistry,
) -> None:
    report = await applied_report(store)
    appended = await handlers.attach_evidence(report, "x.pdf", PDF, Ask(BERKANE), store, LIMIT)
    payload = appended.commit.events[0].payload
    with pytest.raises(NotFound, match="not attached"):
        await handlers.evidence_download(payload.evidence.evidence_id, BERKANE, store)
    await store.record_outcome(
        payload.submission_id, "applied", event_id="e3", code=None, reason=None
    )
    saint_gilles = Principal(
        subject="s@example.org", role="officer", municipality_id="saint-gilles"
    )
    for reader in (BERKANE, saint_gilles, COORDINATOR, VIEWER):
        file, chunks = await handlers.evidence_download(payload.evidence.evidence_id, reader, store)
        assert b"".join([chunk async for chunk in chunks]) == PDF
        assert file.name == "x.pdf"
    with pytest.raises(Forbidden, match="may not read the files"):
        await handlers.evidence_download(payload.evidence.evidence_id, ETTERBEEK, store)
    with pytest.raises(NotFound, match="no preview"):
        await handlers.evidence_download(
            payload.evidence.evidence_id, BERKANE, store, thumbnail=True
        )


async def test_a_refused_file_is_not_kept(store: InMemoryRegistry) -> None:
    report = await applied_report(store)
    appended = await handlers.attach_evidence(report, "x.pdf", PDF, Ask(BERKANE), store, LIMIT)
    await handlers.record_outcome(
        SubmissionRejected.create(
            SubmissionRejectedPayload(
                submission_id=appended.commit.events[0].payload.submission_id,
                code="phase_closed",
                reason="closed",
            ),
            partnership_id=PAIR,
        ),
        store,
    )
    assert store.files == {}


def test_a_name_keeps_its_words_and_loses_its_path_and_controls() -> None:
    assert file_name("C:\\Users\\karim\\تقرير.pdf") == "تقرير.pdf"
    assert file_name("../../etc/passwd\x00.pdf") == "passwd.pdf"
    assert file_name("") == "evidence"
    assert len(file_name("a" * 500 + ".pdf")) == 200
