"""The registry's storage in memory, for unit tests of its use cases: the same port
(``service_layer.ports.RegistryRepository``) as the real store, the same rules about commits
(one id is one change; one version of a stream is taken once), the records folded from the
log the same way (``domain.model.replay``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from typing import Any

from imc_contracts import Event
from imc_contracts.envelope import Contract
from imc_contracts.registry import (
    OrganisationRegisteredPayload,
    PartnershipCreatedPayload,
    ProgrammeDefinedPayload,
)
from imc_registry.domain.model import (
    EvidenceFile,
    Municipality,
    Organisation,
    Partnership,
    Snapshot,
    SubmissionState,
    replay,
    thumbnail_id,
)
from imc_runtime.commitlog import Appended, Commit, ConcurrencyConflict
from imc_runtime.commits import CauseReused, request_fingerprint


class InMemoryRegistry:
    def __init__(self) -> None:
        self.commits: dict[str, Commit] = {}
        self.streams: dict[str, list[Commit]] = {}
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.files: dict[str, tuple[EvidenceFile, bytes]] = {}

    # -- the commit log ------------------------------------------------------------------
    async def record(
        self, commit_id: str, stream: str, expected_version: int, events: Sequence[Event]
    ) -> Appended:
        asked = request_fingerprint.get()
        if commit_id in self.commits:
            kept = self.commits[commit_id]
            if None not in (kept.fingerprint, asked) and kept.fingerprint != asked:
                raise CauseReused(commit_id)  # as the commit log does
            return Appended(kept, duplicate=True)
        history = self.streams.setdefault(stream, [])
        if len(history) != expected_version:
            raise ConcurrencyConflict(stream, expected_version + 1)
        commit = Commit(
            commit_id,
            stream,
            expected_version + 1,
            tuple(events),
            dt.datetime.now(dt.UTC),
            fingerprint=asked,
        )
        history.append(commit)
        self.commits[commit_id] = commit
        return Appended(commit, duplicate=False)

    async def record_alone(self, commit_id: str, stream: str, events: Sequence[Event]) -> Appended:
        return await self.record(commit_id, stream, 0, events)

    async def earlier(self, commit_id: str) -> Commit | None:
        return self.commits.get(commit_id)

    async def load(self, stream: str) -> Snapshot[Contract] | None:
        history = self.streams.get(stream, [])
        return replay((commit.version, event) for commit in history for event in commit.events)

    def events(self, stream_prefix: str = "") -> list[Event]:
        """Every event recorded on the streams starting so, in the order recorded."""
        return [
            event
            for commit in self.commits.values()
            if commit.stream.startswith(stream_prefix)
            for event in commit.events
        ]

    # -- the records a rule looks at -----------------------------------------------------
    async def _state(self, stream: str) -> Contract | None:
        snapshot = await self.load(stream)
        return None if snapshot is None or snapshot.removed else snapshot.state

    async def municipality(self, id: str) -> Municipality | None:
        state = await self._state(f"municipality:{id}")
        if state is None:
            return None
        data = state.model_dump()
        return Municipality(id=id, names=data["names"], country=data["country"])

    async def partnership(self, id: str) -> Partnership | None:
        state = await self._state(f"partnership:{id}")
        if not isinstance(state, PartnershipCreatedPayload):
            return None
        return Partnership(
            id=id,
            moroccan_municipality_id=state.moroccan_municipality_id,
            belgian_municipality_id=state.belgian_municipality_id,
            name=dict(state.name),
            status=state.status,
            phases=tuple(state.phases),
        )

    async def _partnerships(self) -> list[PartnershipCreatedPayload]:
        found = [
            await self._state(stream)
            for stream in self.streams
            if stream.startswith("partnership:")
        ]
        return [state for state in found if isinstance(state, PartnershipCreatedPayload)]

    async def organisation(self, id: str) -> Organisation | None:
        state = await self._state(f"organisation:{id}")
        if not isinstance(state, OrganisationRegisteredPayload):
            return None
        return Organisation(id=id, kind=state.kind)

    async def programme_phases(self) -> list[str] | None:
        state = await self._state("programme")
        if not isinstance(state, ProgrammeDefinedPayload):
            return None
        return [phase.phase_id for phase in state.phases]

    async def partnership_phases(self) -> dict[str, tuple[str, ...]]:
        return {p.partnership_id: tuple(p.phases) for p in await self._partnerships()}

    async def partnership_ids_of(self, municipality_id: str) -> list[str]:
        return [
            p.partnership_id
            for p in await self._partnerships()
            if municipality_id in (p.moroccan_municipality_id, p.belgian_municipality_id)
        ]

    async def known_themes(self) -> set[str]:
        return {theme for p in await self._partnerships() for theme in p.themes}

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
        if submission_id in self.outcomes:
            return False
        self.outcomes[submission_id] = {"status": status, "code": code, "reason": reason}
        return True

    async def submission_state(self, submission_id: str) -> SubmissionState | None:
        history = self.streams.get(f"submission:{submission_id}")
        if not history:
            return None
        event = history[0].events[0]
        outcome = self.outcomes.get(submission_id, {"status": "received"})
        return SubmissionState(
            submission_id=submission_id,
            kind=".".join(event.type.split(".")[1:3]),
            partnership_id=event.partnership_id,
            status=outcome["status"],
            request=event.payload.model_dump(mode="json"),
        )

    # -- evidence files ------------------------------------------------------------------
    async def put_evidence(
        self, file: EvidenceFile, content: bytes, thumbnail: bytes | None
    ) -> None:
        self.files.setdefault(file.evidence_id, (file, content))
        if thumbnail is not None:
            self.files.setdefault(thumbnail_id(file.evidence_id), (file, thumbnail))

    async def evidence(self, evidence_id: str) -> EvidenceFile | None:
        found = self.files.get(evidence_id)
        return found[0] if found and found[0].evidence_id == evidence_id else None

    async def evidence_content(self, file_id: str) -> AsyncIterator[bytes]:
        yield self.files[file_id][1]

    async def forget_evidence(self, evidence_id: str) -> None:
        self.files.pop(evidence_id, None)
        self.files.pop(thumbnail_id(evidence_id), None)
