"""What the registry's use cases need of its storage, as an interface: the adapter implements
it (``adapters.store.RegistryStore``), the unit tests fake it (``tests/fakes.py``).

Records come back as the domain's objects, never as database documents.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol

from imc_contracts import Event
from imc_contracts.envelope import Contract
from imc_runtime.commits import Appended, Commit

from imc_registry.domain.model import (
    EvidenceFile,
    Municipality,
    Organisation,
    Partnership,
    Snapshot,
    SubmissionState,
)


class RegistryRepository(Protocol):
    # -- the commit log ------------------------------------------------------------------
    async def record(
        self, commit_id: str, stream: str, expected_version: int, events: Sequence[Event]
    ) -> Appended:
        """Append ``events`` to ``stream`` as one commit (``ConcurrencyConflict`` if another
        took that version; the stored commit, ``duplicate``, if this id was recorded)."""
        ...

    async def record_alone(self, commit_id: str, stream: str, events: Sequence[Event]) -> Appended:
        """``record`` the one commit of a stream never read as a stream (a submission, read
        through its projection): ``CommitLog.append_alone``."""
        ...

    async def earlier(self, commit_id: str) -> Commit | None:
        """The commit with this id, if one was recorded."""
        ...

    async def load(self, stream: str) -> Snapshot[Contract] | None:
        """The record as its stream in the log says it is now."""
        ...

    # -- the records a rule looks at -----------------------------------------------------
    async def municipality(self, id: str) -> Municipality | None: ...

    async def partnership(self, id: str) -> Partnership | None: ...

    async def organisation(self, id: str) -> Organisation | None: ...

    async def programme_phases(self) -> list[str] | None:
        """The programme's phases, or None before the programme is defined."""
        ...

    async def partnership_phases(self) -> dict[str, tuple[str, ...]]:
        """Each partnership's phases, by partnership id."""
        ...

    async def partnership_ids_of(self, municipality_id: str) -> list[str]: ...

    async def known_themes(self) -> set[str]: ...

    # -- submissions ---------------------------------------------------------------------
    async def record_outcome(
        self,
        submission_id: str,
        status: str,
        *,
        event_id: str,
        code: str | None,
        reason: str | None,
        details: dict[str, Any] | None = None,
    ) -> bool:
        """Record how roadmaps decided a submission; False if it was decided already."""
        ...

    async def submission_state(self, submission_id: str) -> SubmissionState | None: ...

    # -- evidence files ------------------------------------------------------------------
    async def put_evidence(
        self, file: EvidenceFile, content: bytes, thumbnail: bytes | None
    ) -> None:
        """Store a file (and its preview) once; a retry of the same upload changes nothing."""
        ...

    async def evidence(self, evidence_id: str) -> EvidenceFile | None: ...

    def evidence_content(self, file_id: str) -> AsyncIterator[bytes]:
        """The stored file's bytes, chunk by chunk."""
        ...

    async def forget_evidence(self, evidence_id: str) -> None: ...
