"""Evidence: files attached to a progress report, an indicator value or an evaluation.

The registry keeps the files (GridFS, in its own database) — they never travel through
Kafka. Attaching one is a roadmap request like the others: the file is checked here (its
type from its content, its size, an image's dimensions), stored, and a submission asks
roadmaps whether it may be attached to that report (``202``, then ``applied`` or
``rejected``; a refused file is not kept). It can be downloaded once it is attached, by the
partnership's own partners, the coordinators and the programme's viewers.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import filetype
from imc_contracts.common import Evidence, EvidenceSubject
from imc_contracts.registry import EvidenceAttachRequested, EvidenceAttachRequestedPayload
from imc_runtime.commits import Appended, commit_id
from imc_runtime.principal import Principal
from imc_runtime.text import without_unwanted
from PIL import Image, UnidentifiedImageError

from imc_registry.domain.model import (
    Conflict,
    EvidenceFile,
    Invalid,
    NotFound,
    Partnership,
    TooLarge,
    UnsupportedType,
    require_reader_of_files,
    thumbnail_id,
)
from imc_registry.service_layer.changes import (
    Ask,
    cause_of,
    replayed,
    submit_request,
    writable_partnership,
)
from imc_registry.service_layer.ports import RegistryRepository

MEDIA_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "PowerPoint (.pptx)"
    ),
    "application/vnd.oasis.opendocument.text": "OpenDocument text (.odt)",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet (.ods)",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation (.odp)",
}
"""What may be attached, by the type found in the content: documents and photos."""

SUBJECTS: dict[str, EvidenceSubject] = {
    "progress.reported": "progress",
    "indicator_value.reported": "indicator_value",
    "evaluation.submitted": "evaluation",
}
"""The submissions a file can be evidence of, by their kind."""

MAX_PIXELS = 50_000_000
"""A JPEG larger than this is refused before it is decoded (a decompression bomb); a phone's
photo is 12 to 50 megapixels, and a JPEG is decoded at the preview's scale."""
MAX_PIXELS_DECODED_WHOLE = 16_000_000
"""The same for the kinds decoded whole (PNG, WebP, GIF): 64 MB at four bytes a pixel, which
two uploads at once keep inside a registry's 256 MiB."""
THUMBNAIL_SIZE = (320, 320)
MAX_NAME = 200


@dataclass(frozen=True)
class Checked:
    media_type: str
    sha256: str
    thumbnail: bytes | None


def file_name(name: str | None) -> str:
    """The name as a person gave it, without a path or characters no name holds."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = without_unwanted(base, allowed="").strip()
    return cleaned[:MAX_NAME] or "evidence"


def check_file(content: bytes, max_bytes: int) -> Checked:
    """Its type from its content, its digest, an image's preview — or why it is refused.
    CPU work: run it off the event loop (``check_file_off_loop``)."""
    if not content:
        raise Invalid("file: the file is empty")
    if len(content) > max_bytes:
        raise TooLarge(f"file: {len(content)} bytes; evidence may be at most {max_bytes} bytes")
    kind = filetype.guess(content)
    media_type = kind.mime if kind is not None else None
    if media_type not in MEDIA_TYPES:
        found = f"a {media_type} file" if media_type else "of a type not recognised"
        raise UnsupportedType(
            f"file: the content is {found} (whatever its name says); evidence may be "
            + ", ".join(MEDIA_TYPES.values())
        )
    thumbnail = _thumbnail(content) if media_type.startswith("image/") else None
    return Checked(media_type, hashlib.sha256(content).hexdigest(), thumbnail)


async def check_file_off_loop(content: bytes, max_bytes: int) -> Checked:
    return await asyncio.to_thread(check_file, content, max_bytes)


def _thumbnail(content: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as image:
            _require_decodable(image)
            image.thumbnail(THUMBNAIL_SIZE)
            preview = io.BytesIO()
            image.convert("RGBA" if "A" in image.getbands() else "RGB").save(preview, "PNG")
            return preview.getvalue()
    except Invalid:
        raise
    # Pillow says a damaged file in several ways: a broken PNG chunk is a SyntaxError, a
    # truncated header a ValueError.
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:
        raise Invalid(f"file: the image cannot be read ({type(error).__name__})") from None


def _require_decodable(image: Image.Image) -> None:
    most = MAX_PIXELS if image.format == "JPEG" else MAX_PIXELS_DECODED_WHOLE
    if image.width * image.height > most:
        raise Invalid(
            f"file: an image of {image.width}×{image.height} pixels; "
            f"at most {most // 1_000_000} megapixels for a {image.format} image"
        )


async def attach_evidence(
    report_submission_id: str,
    name: str | None,
    content: bytes,
    ask: Ask,
    store: RegistryRepository,
    max_bytes: int,
) -> Appended:
    """Attach a file to what the submission ``report_submission_id`` recorded."""
    report = await store.submission_state(report_submission_id)
    if report is None:
        raise NotFound(f"no submission {report_submission_id!r}")
    subject = SUBJECTS.get(report.kind)
    partnership = await writable_partnership(
        report.partnership_id, ask.principal, store, closed_too=subject == "evaluation"
    )
    if subject is None:
        raise Invalid(
            f"submission_id: {report_submission_id} is a {report.kind} request; evidence is "
            "attached to progress reports, indicator values and evaluations"
        )
    if report.status == "received":
        raise Conflict(
            f"submission {report_submission_id} is not decided yet: attach evidence once it is "
            "applied (GET /v1/submissions/{id})"
        )
    if report.status != "applied":
        raise Invalid(f"submission_id: {report_submission_id} was rejected; it records nothing")
    action = f"evidence:{report_submission_id}"
    cause = cause_of(ask, f"{action}:{partnership.id}")
    earlier = await replayed(store, cause)
    if earlier is not None:
        return earlier
    checked = await check_file_off_loop(content, max_bytes)
    evidence_id = commit_id("evidence", cause)
    request = report.request

    def payload(_partnership: Partnership, submission_id: str) -> EvidenceAttachRequestedPayload:
        return EvidenceAttachRequestedPayload(
            submission_id=submission_id,
            evidence=Evidence(
                evidence_id=evidence_id,
                name=file_name(name),
                media_type=checked.media_type,
                size=len(content),
                sha256=checked.sha256,
                thumbnail=checked.thumbnail is not None,
                subject=subject,
                report_submission_id=report_submission_id,
                milestone_id=_text(request.get("milestone_id")),
                indicator_id=_text(request.get("indicator_id")),
                period_id=_text(request.get("period_id")),
                phase=_text(request.get("phase")),
            ),
        )

    async def store_file(submission_id: str, evidence: Evidence) -> None:
        await store.put_evidence(
            EvidenceFile(
                evidence_id=evidence.evidence_id,
                partnership_id=partnership.id,
                submission_id=submission_id,
                report_submission_id=report_submission_id,
                name=evidence.name,
                media_type=evidence.media_type,
                size=evidence.size,
                sha256=evidence.sha256,
                thumbnail=evidence.thumbnail,
            ),
            content,
            checked.thumbnail,
        )

    return await submit_request(
        partnership.id,
        action,
        ask,
        store,
        EvidenceAttachRequested,
        payload,
        closed_too=subject == "evaluation",
        cause=cause,
        submission_id=commit_id("evidence-submission", cause),
        before_commit=lambda event: store_file(event.payload.submission_id, event.payload.evidence),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def evidence_download(
    evidence_id: str, principal: Principal, store: RegistryRepository, *, thumbnail: bool = False
) -> tuple[EvidenceFile, AsyncIterator[bytes]]:
    """The file (or its preview) and its bytes, for whoever may read the partnership's files."""
    file = await store.evidence(evidence_id)
    if file is None:
        raise NotFound(f"no evidence {evidence_id!r}")
    partnership = await store.partnership(file.partnership_id)
    if partnership is None:
        raise NotFound(f"no evidence {evidence_id!r}")
    require_reader_of_files(principal, partnership)
    attaching = await store.submission_state(file.submission_id)
    if attaching is None or attaching.status != "applied":
        status = attaching.status if attaching else "received"
        raise NotFound(f"evidence {evidence_id} is not attached (its submission is {status})")
    if thumbnail and not file.thumbnail:
        raise NotFound(f"evidence {evidence_id} has no preview (not an image)")
    file_id = thumbnail_id(evidence_id) if thumbnail else evidence_id
    return file, store.evidence_content(file_id)
