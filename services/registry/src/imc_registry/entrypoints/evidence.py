"""Evidence under /v1: attach a file to a report (``202``, then applied or rejected), and
download it — for the partnership's partners, the coordinators and the viewers."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import StreamingResponse
from imc_runtime.auth import CurrentPrincipal
from imc_runtime.guard import Upload

from imc_registry.entrypoints.deps import Asking, Store
from imc_registry.entrypoints.examples import EVIDENCE_ACCEPTED, one
from imc_registry.entrypoints.submissions import accepted
from imc_registry.service_layer import handlers
from imc_registry.service_layer.evidence import MEDIA_TYPES
from imc_registry.settings import RegistrySettings

router = APIRouter(prefix="/v1", tags=["evidence"])

UPLOAD_PATH = r"/v1/submissions/[^/]+/evidence"
MULTIPART_OVERHEAD = 64 * 1024
"""Room for the form's own lines around the file."""


def uploads(settings: RegistrySettings) -> list[Upload]:
    """The evidence route's own body limit: a file, not a JSON request."""
    return [
        Upload(
            UPLOAD_PATH,
            settings.evidence_max_bytes + MULTIPART_OVERHEAD,
            settings.evidence_read_timeout_seconds,
        )
    ]


_UPLOAD_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
            "example": {"file": "liste-de-presence-atelier.pdf"},
        }
    },
    "required": True,
}
_REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "The report is not decided yet: attach once it is applied."},
    413: {"description": "The file is over the limit (IMC_EVIDENCE_MAX_BYTES, 10 MiB)."},
    415: {"description": "The content is not of a type taken: " + ", ".join(MEDIA_TYPES.values())},
}


@router.post(
    "/submissions/{submission_id}/evidence",
    status_code=202,
    responses={**one(EVIDENCE_ACCEPTED, 202), **_REFUSED},
    openapi_extra={"requestBody": _UPLOAD_BODY},
)
async def attach_evidence(
    submission_id: str,
    file: Annotated[UploadFile, File(description="The file: a document or a photo.")],
    request: Request,
    ask: Asking,
    store: Store,
) -> dict[str, Any]:
    """Attach a file as evidence of what the submission recorded — a progress report, an
    indicator value or an evaluation, once applied (``multipart/form-data``, field
    ``file``). Its type is found from its content: PDF, PNG, JPEG, WebP, GIF, Word, Excel,
    PowerPoint and OpenDocument files are taken. Roadmaps then attaches it; the submission
    shows ``applied``, or ``rejected`` with the reason (and the file is not kept)."""
    settings: RegistrySettings = request.app.state.settings
    content = await file.read()
    appended = await handlers.attach_evidence(
        submission_id, file.filename, content, ask, store, settings.evidence_max_bytes
    )
    body = accepted(appended)
    evidence = appended.commit.events[0].payload.model_dump(mode="json")["evidence"]
    body["evidence"] = evidence
    body["links"]["download"] = f"/v1/evidence/{evidence['evidence_id']}"
    return body


def _disposition(kind: str, name: str) -> str:
    """RFC 6266: an ASCII name for old clients, the real one (any script) for the rest."""
    fallback = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {"schema": {"type": "string"}}}},
    403: {
        "description": "An officer of another partnership.",
        "content": {
            "application/json": {
                "example": {
                    "detail": "an officer of tanger may not read the files of partnership "
                    "berkane--saint-gilles"
                }
            }
        },
    },
    404: {"description": "No such evidence, or not attached (yet, or refused)."},
}


@router.get("/evidence/{evidence_id}", response_class=StreamingResponse, responses=_FILE)
async def download_evidence(
    evidence_id: str, principal: CurrentPrincipal, store: Store
) -> StreamingResponse:
    """The file, as it was uploaded (its SHA-256 is its ETag)."""
    file, chunks = await handlers.evidence_download(evidence_id, principal, store)
    return StreamingResponse(
        chunks,
        media_type=file.media_type,
        headers={
            "Content-Disposition": _disposition("attachment", file.name),
            "Content-Length": str(file.size),
            "ETag": f'"{file.sha256}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-cache",
        },
    )


@router.get("/evidence/{evidence_id}/thumbnail", response_class=StreamingResponse, responses=_FILE)
async def evidence_thumbnail(
    evidence_id: str, principal: CurrentPrincipal, store: Store
) -> StreamingResponse:
    """A photo's preview (PNG, at most 320 pixels a side)."""
    file, chunks = await handlers.evidence_download(evidence_id, principal, store, thumbnail=True)
    return StreamingResponse(
        chunks,
        media_type="image/png",
        headers={
            "Content-Disposition": _disposition("inline", f"{file.name}.png"),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-cache",
        },
    )
