"""Evidence files: GridFS, in the registry's own database — never through Kafka, whose
events carry only a file's id, name, type, size and SHA-256."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from imc_runtime.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from imc_registry.domain.model import EvidenceFile, thumbnail_id


class EvidenceFiles:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._evidence = AsyncGridFSBucket(db, bucket_name="evidence")
        self._evidence_files = db["evidence.files"]

    async def put_evidence(
        self, file: EvidenceFile, content: bytes, thumbnail: bytes | None
    ) -> None:
        """Store the file, and its preview, once: a retry of the same upload finds them."""
        metadata = {
            "partnership_id": file.partnership_id,
            "submission_id": file.submission_id,
            "report_submission_id": file.report_submission_id,
            "media_type": file.media_type,
            "size": file.size,
            "sha256": file.sha256,
            "thumbnail": file.thumbnail,
        }
        parts = [(file.evidence_id, content, metadata)]
        if thumbnail is not None:
            preview = {**metadata, "media_type": "image/png", "preview_of": file.evidence_id}
            parts.append((thumbnail_id(file.evidence_id), thumbnail, preview))
        for file_id, data, meta in parts:
            if await self._evidence_files.find_one({"_id": file_id}, {"_id": True}) is not None:
                continue
            with contextlib.suppress(DuplicateKeyError):  # the same retry, at the same moment
                await self._evidence.upload_from_stream_with_id(
                    file_id, file.name, data, metadata=meta
                )

    async def evidence(self, evidence_id: str) -> EvidenceFile | None:
        found = await self._evidence_files.find_one({"_id": evidence_id})
        if found is None or "preview_of" in found.get("metadata", {}):
            return None
        meta = found["metadata"]
        return EvidenceFile(
            evidence_id=evidence_id,
            partnership_id=meta["partnership_id"],
            submission_id=meta["submission_id"],
            report_submission_id=meta["report_submission_id"],
            name=found["filename"],
            media_type=meta["media_type"],
            size=meta["size"],
            sha256=meta["sha256"],
            thumbnail=meta["thumbnail"],
        )

    async def evidence_content(self, file_id: str) -> AsyncIterator[bytes]:
        """The stored file's bytes, chunk by chunk."""
        stream = await self._evidence.open_download_stream(file_id)
        while chunk := await stream.readchunk():
            yield chunk

    async def forget_evidence(self, evidence_id: str) -> None:
        """A refused file is not kept."""
        for file_id in (evidence_id, thumbnail_id(evidence_id)):
            with contextlib.suppress(NoFile):
                await self._evidence.delete(file_id)
