"""The registry's storage: its commit log, and the read models derived from it."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from imc_contracts import Event, registry
from imc_contracts.catalog import REGISTRY_EVENTS
from imc_contracts.envelope import Contract
from imc_runtime.commitlog import Appended, Commit, CommitLog
from imc_runtime.mongo import Document
from imc_runtime.recent import Recent
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from imc_registry.adapters.files import EvidenceFiles
from imc_registry.domain.model import (
    Municipality,
    Organisation,
    Partnership,
    Snapshot,
    SubmissionState,
    replay,
    search_key,
)

ROADMAP_REQUESTS: tuple[type[Event], ...] = tuple(
    event
    for event in REGISTRY_EVENTS.events
    if "submission_id" in event.payload_type().model_fields
)
"""What the registry publishes for roadmaps to decide: the events that carry a submission."""


DECIDED_KEPT = 10_000
"""How many decided submissions the store remembers, to skip their later answers' inserts."""

PROGRAMME_ID = "programme"
"""The one document of the ``programme`` read model: a registry runs one programme."""


def submission_kind(event: Event) -> str:
    """'registry.milestone.proposed.v1' → 'milestone.proposed'."""
    return ".".join(event.type.split(".")[1:3])


class RegistryStore(EvidenceFiles):
    """Appends commits, then projects their events into read models; keeps evidence files.

    The read models can be rebuilt from the log at any time (``catch_up``): each projection
    is an idempotent replace by id, so applying a commit twice changes nothing, and a
    record's projection never goes back to an older version than it shows.
    """

    def __init__(
        self, db: AsyncDatabase[Document], commits: CommitLog, read_max_age: float = 0.0
    ) -> None:
        super().__init__(db)
        self.commits = commits
        self.read_max_age = read_max_age
        """How old a view kept in ``recent`` may be served (seconds; 0 reads every time)."""
        self.recent: Recent[tuple[str, str], Any] = Recent()
        """Views of the directory as this replica last read them; its own writes forget them."""
        self._municipalities = db["municipalities"]
        self._partnerships = db["partnerships"]
        self._members = db["members"]
        self._coordinators = db["coordinators"]
        self._organisations = db["organisations"]
        self._programme = db["programme"]
        self._submissions = db["submissions"]
        self._outcomes = db["submission_outcomes"]
        # Submissions whose outcome is stored: roadmaps answers one with several events (a
        # milestone progressed, then reached), in order on one partition, so the second need
        # not cost an insert refused as a duplicate. A miss only costs that insert.
        self._decided: OrderedDict[str, None] = OrderedDict()

    async def ensure_indexes(self) -> None:
        await self._members.create_index([("municipality_id", ASCENDING)])
        await self._submissions.create_index([("partnership_id", ASCENDING)])

    async def record(
        self, commit_id: str, stream: str, expected_version: int, events: Sequence[Event]
    ) -> Appended:
        appended = await self.commits.append(commit_id, stream, expected_version, events)
        await self._project(appended.commit)
        return appended

    async def record_alone(self, commit_id: str, stream: str, events: Sequence[Event]) -> Appended:
        appended = await self.commits.append_alone(commit_id, stream, events)
        await self._project(appended.commit)
        return appended

    async def load(self, stream: str) -> Snapshot[Contract] | None:
        """A record as its stream in the log — not the read model — says it is now."""
        commits = await self.commits.read_stream(stream)
        return replay((commit.version, event) for commit in commits for event in commit.events)

    async def history(self, stream: str) -> list[Commit]:
        return await self.commits.read_stream(stream)

    async def catch_up(self) -> int:
        """Re-apply every commit to the read models; the number of commits applied."""
        commits = await self.commits.all_commits()
        for commit in commits:
            await self._project(commit)
        return len(commits)

    async def _project(self, commit: Commit) -> None:
        try:
            for event in commit.events:
                await self._apply(event, commit)
        finally:
            if not all(isinstance(event, ROADMAP_REQUESTS) for event in commit.events):
                self.recent.forget()  # the directory changed: views read before are stale

    async def _apply(self, event: Event, commit: Commit) -> None:
        version = commit.version
        match event:
            case (
                registry.MunicipalityRegistered(payload=p) | registry.MunicipalityUpdated(payload=p)
            ):
                await self._put(self._municipalities, p.municipality_id, version, _dump(p))
            case registry.PartnershipCreated(payload=p) | registry.PartnershipUpdated(payload=p):
                document = _dump(p)
                document["search_key"] = search_key(
                    " ".join([*p.name.values(), p.moroccan_municipality_id, p.partnership_id])
                    + " "
                    + p.belgian_municipality_id
                )
                await self._put(
                    self._partnerships, p.partnership_id, version, document, keep=("status_reason",)
                )
            case registry.PartnershipStatusChanged(payload=p):
                await self._amend(
                    self._partnerships,
                    p.partnership_id,
                    version,
                    {"status": p.status, "status_reason": p.reason},
                )
            case registry.MemberAdded(payload=p) | registry.MemberUpdated(payload=p):
                await self._put(self._members, p.member_id, version, _dump(p))
            case registry.MemberRemoved(payload=p):
                await self._amend(
                    self._members,
                    p.member_id,
                    version,
                    {"removed": True, "removed_at": commit.recorded_at},
                )
            case registry.CoordinatorAdded(payload=p):
                await self._put(self._coordinators, p.coordinator_id, version, _dump(p))
            case registry.CoordinatorRemoved(payload=p):
                await self._amend(
                    self._coordinators,
                    p.coordinator_id,
                    version,
                    {"removed": True, "removed_at": commit.recorded_at},
                )
            case (
                registry.OrganisationRegistered(payload=p) | registry.OrganisationUpdated(payload=p)
            ):
                await self._put(self._organisations, p.organisation_id, version, _dump(p))
            case registry.ProgrammeDefined(payload=p) | registry.ProgrammeUpdated(payload=p):
                await self._put(self._programme, PROGRAMME_ID, version, _dump(p))
            case _ if isinstance(event, ROADMAP_REQUESTS):
                await self._put_submission(event, commit)

    async def _put_submission(self, event: Event, commit: Commit) -> None:
        request = event.payload.model_dump(mode="json")
        subject = next(
            (
                (key, request[key])
                for key in ("milestone_id", "indicator_id", "objective_id")
                if request.get(key)
            ),
            (None, None),
        )
        document = {
            "submission_id": request["submission_id"],
            "kind": submission_kind(event),
            "partnership_id": event.partnership_id,
            "subject": {"kind": subject[0], "id": subject[1]},
            "event_id": str(event.event_id),
            "submitted_by": event.actor.id if event.actor else None,
            "actor": event.actor.model_dump(mode="json") if event.actor else None,
            "received_at": commit.recorded_at,
            "request": request,
        }
        if "milestone_id" in request:
            document["milestone_id"] = request["milestone_id"]
        # Written once: a submission never changes (its outcome is a document of its own), and
        # the same commit gives the same document, so a replay's duplicate key is the whole
        # of it. An insert, not a replace: on FerretDB a replace reads before it writes and
        # grew to 140 ms per submission at saturation, against 25 for an insert.
        with contextlib.suppress(DuplicateKeyError):
            await self._submissions.insert_one({"_id": document["submission_id"], **document})

    @staticmethod
    async def _put(
        collection: AsyncCollection[Document],
        id: str,
        version: int,
        document: Document,
        keep: tuple[str, ...] = (),
    ) -> None:
        """The record as of ``version``; ``keep`` names fields other events set (a status's
        reason), which this event's payload does not hold and so must not drop."""
        projection = {"version": True, **dict.fromkeys(keep, True)}
        current = await collection.find_one({"_id": id}, projection=projection)
        if current is not None and int(current.get("version", 0)) > version:
            return  # a later change was projected first; this one is already superseded
        kept = {field: current[field] for field in keep if current and field in current}
        await collection.replace_one(
            {"_id": id}, {"_id": id, **kept, **document, "version": version}, upsert=True
        )

    @staticmethod
    async def _amend(
        collection: AsyncCollection[Document], id: str, version: int, changes: Document
    ) -> None:
        current = await collection.find_one({"_id": id})
        if current is None or int(current.get("version", 0)) > version:
            return
        await collection.replace_one({"_id": id}, {**current, **changes, "version": version})

    # -- reads ---------------------------------------------------------------------------

    async def municipality(self, id: str) -> Municipality | None:
        doc = await self._municipalities.find_one({"_id": id})
        if doc is None:
            return None
        return Municipality(id=doc["_id"], names=doc["names"], country=doc["country"])

    async def partnership(self, id: str) -> Partnership | None:
        doc = await self._partnerships.find_one({"_id": id})
        if doc is None:
            return None
        return Partnership(
            id=doc["_id"],
            moroccan_municipality_id=doc["moroccan_municipality_id"],
            belgian_municipality_id=doc["belgian_municipality_id"],
            name=doc["name"],
            status=doc.get("status", "active"),
            phases=tuple(doc.get("phases", [])),
        )

    async def earlier(self, commit_id: str) -> Commit | None:
        return await self.commits.get(commit_id)

    async def organisation(self, id: str) -> Organisation | None:
        doc = await self._organisations.find_one({"_id": id})
        return None if doc is None else Organisation(id=doc["_id"], kind=doc["kind"])

    async def programme_phases(self) -> list[str] | None:
        doc = await self.programme_document()
        return None if doc is None else [phase["phase_id"] for phase in doc["phases"]]

    async def partnership_phases(self) -> dict[str, tuple[str, ...]]:
        found = self._partnerships.find({}, projection={"phases": True})
        return {doc["_id"]: tuple(doc.get("phases", [])) async for doc in found}

    async def partnership_ids_of(self, municipality_id: str) -> list[str]:
        return [doc["_id"] for doc in await self.partnerships_of(municipality_id)]

    async def partnership_document(self, id: str) -> Document | None:
        return await self._partnerships.find_one({"_id": id})

    async def municipality_document(self, id: str) -> Document | None:
        return await self._municipalities.find_one({"_id": id})

    async def member_document(self, id: str) -> Document | None:
        return await self._members.find_one({"_id": id})

    async def coordinator_document(self, id: str) -> Document | None:
        return await self._coordinators.find_one({"_id": id})

    async def municipality_documents(self, filters: Document | None = None) -> list[Document]:
        cursor = self._municipalities.find(filters or {}).sort("_id", ASCENDING)
        return [doc async for doc in cursor]

    async def partnership_documents(self, filters: Document | None = None) -> list[Document]:
        cursor = self._partnerships.find(filters or {}).sort("_id", ASCENDING)
        return [doc async for doc in cursor]

    async def partnerships_of(self, municipality_id: str) -> list[Document]:
        # Two equality queries: FerretDB pushes equality down, not $or.
        found: list[Document] = []
        for field in ("moroccan_municipality_id", "belgian_municipality_id"):
            found += [doc async for doc in self._partnerships.find({field: municipality_id})]
        return found

    async def organisation_document(self, id: str) -> Document | None:
        return await self._organisations.find_one({"_id": id})

    async def organisation_documents(self, filters: Document | None = None) -> list[Document]:
        cursor = self._organisations.find(filters or {}).sort("_id", ASCENDING)
        return [doc async for doc in cursor]

    async def programme_document(self) -> Document | None:
        return await self._programme.find_one({"_id": PROGRAMME_ID})

    async def coordinator_documents(self) -> list[Document]:
        return [doc async for doc in self._coordinators.find({}).sort("_id", ASCENDING)]

    async def member_documents(
        self, municipality_ids: Sequence[str] | None = None, *, include_removed: bool = False
    ) -> list[Document]:
        """Members of ``municipality_ids``' municipalities, in that order (each's by id), or
        every member. One query: MongoDB answers ``$in`` from its index, and FerretDB's SQLite
        backend scans the collection whatever the filter — one scan, not one a municipality."""
        if municipality_ids is None:
            members = [doc async for doc in self._members.find({}).sort("_id", ASCENDING)]
        elif not municipality_ids:
            return []
        else:
            order = {m: n for n, m in reversed(list(enumerate(municipality_ids)))}
            query = {"municipality_id": {"$in": list(order)}}
            members = sorted(
                [doc async for doc in self._members.find(query)],
                key=lambda doc: (order[doc["municipality_id"]], doc["_id"]),
            )
        return [m for m in members if include_removed or not m.get("removed")]

    async def known_themes(self) -> set[str]:
        themes: set[str] = set()
        async for doc in self._partnerships.find({}, projection={"themes": True}):
            themes.update(doc.get("themes", []))
        return themes

    async def submissions_of(self, partnership_id: str) -> list[Document]:
        cursor = self._submissions.find({"partnership_id": partnership_id})
        return [await self._with_outcome(doc) async for doc in cursor]

    async def submission(self, id: str) -> Document | None:
        submission = await self._submissions.find_one({"_id": id})
        return None if submission is None else await self._with_outcome(submission)

    async def submission_state(self, submission_id: str) -> SubmissionState | None:
        found = await self.submission(submission_id)
        if found is None:
            return None
        return SubmissionState(
            submission_id=submission_id,
            kind=found["kind"],
            partnership_id=found["partnership_id"],
            status=found["status"],
            request=found["request"],
        )

    async def _with_outcome(self, submission: Document) -> Document:
        outcome = await self._outcomes.find_one({"_id": submission["_id"]})
        if outcome is None:
            return {**submission, "status": "received"}
        return {
            **submission,
            "status": outcome["status"],
            "reason": outcome.get("reason"),
            "code": outcome.get("code"),
            "decided_at": outcome["decided_at"],
            "decided_by_event": outcome.get("event_id"),
            **{key: outcome[key] for key in ("problems", "imported") if key in outcome},
        }

    async def record_outcome(
        self,
        submission_id: str,
        status: str,
        *,
        event_id: str,
        code: str | None,
        reason: str | None,
        details: Document | None = None,
    ) -> bool:
        """Record how roadmaps decided a submission. Insert-only: the first decision stands."""
        if submission_id in self._decided:
            return False
        try:
            await self._outcomes.insert_one(
                {
                    "_id": submission_id,
                    "status": status,
                    "code": code,
                    "reason": reason,
                    "event_id": event_id,
                    "decided_at": datetime.now(UTC),
                    **(details or {}),
                }
            )
        except DuplicateKeyError:
            self._remember_decided(submission_id)
            return False
        self._remember_decided(submission_id)
        return True

    def _remember_decided(self, submission_id: str) -> None:
        self._decided[submission_id] = None
        if len(self._decided) > DECIDED_KEPT:
            self._decided.popitem(last=False)


def _dump(payload: Contract) -> dict[str, Any]:
    return payload.model_dump(mode="json")
