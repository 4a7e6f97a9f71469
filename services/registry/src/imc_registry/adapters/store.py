"""The registry's storage: its commit log, and the read models derived from it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from imc_contracts import Event
from imc_contracts.registry import (
    MemberAdded,
    MilestoneProposed,
    MunicipalityRegistered,
    PartnershipCreated,
    ProgressReported,
)
from imc_runtime.commitlog import Appended, Commit, CommitLog
from imc_runtime.mongo import Document
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from imc_registry.domain.model import Municipality, Partnership


class RegistryStore:
    """Appends commits, then projects their events into read models.

    The read models can be rebuilt from the log at any time (``catch_up``): each projection
    is an idempotent replace by id, so applying a commit twice changes nothing.
    """

    def __init__(self, db: AsyncDatabase[Document], commits: CommitLog) -> None:
        self.commits = commits
        self._municipalities = db["municipalities"]
        self._partnerships = db["partnerships"]
        self._members = db["members"]
        self._submissions = db["submissions"]
        self._outcomes = db["submission_outcomes"]

    async def ensure_indexes(self) -> None:
        await self._members.create_index([("municipality_id", ASCENDING)])
        await self._submissions.create_index([("partnership_id", ASCENDING)])

    async def record(
        self, commit_id: str, stream: str, expected_version: int, events: Sequence[Event]
    ) -> Appended:
        appended = await self.commits.append(commit_id, stream, expected_version, events)
        await self._project(appended.commit)
        return appended

    async def catch_up(self) -> int:
        """Re-apply every commit to the read models; the number of commits applied."""
        commits = await self.commits.all_commits()
        for commit in commits:
            await self._project(commit)
        return len(commits)

    async def _project(self, commit: Commit) -> None:
        for event in commit.events:
            await self._apply(event, commit)

    async def _apply(self, event: Event, commit: Commit) -> None:
        match event:
            case MunicipalityRegistered(payload=p):
                await self._put(self._municipalities, p.municipality_id, p.model_dump(mode="json"))
            case PartnershipCreated(payload=p):
                await self._put(self._partnerships, p.partnership_id, p.model_dump(mode="json"))
            case MemberAdded(payload=p):
                await self._put(self._members, p.member_id, p.model_dump(mode="json"))
            case MilestoneProposed(payload=p) | ProgressReported(payload=p):
                await self._put(
                    self._submissions,
                    p.submission_id,
                    {
                        "submission_id": p.submission_id,
                        "kind": event.type.split(".")[1] + "." + event.type.split(".")[2],
                        "partnership_id": event.partnership_id,
                        "milestone_id": p.milestone_id,
                        "event_id": str(event.event_id),
                        "submitted_by": event.actor.id if event.actor else None,
                        "received_at": commit.recorded_at,
                        "request": p.model_dump(mode="json"),
                    },
                )

    @staticmethod
    async def _put(collection: Any, id: str, document: Document) -> None:
        await collection.replace_one({"_id": id}, {"_id": id, **document}, upsert=True)

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
        )

    async def partnership_document(self, id: str) -> Document | None:
        return await self._partnerships.find_one({"_id": id})

    async def municipality_documents(self) -> list[Document]:
        return [doc async for doc in self._municipalities.find({}).sort("_id", ASCENDING)]

    async def partnership_documents(self) -> list[Document]:
        return [doc async for doc in self._partnerships.find({}).sort("_id", ASCENDING)]

    async def member_documents(self, municipality_ids: Sequence[str]) -> list[Document]:
        members: list[Document] = []
        for municipality_id in municipality_ids:
            cursor = self._members.find({"municipality_id": municipality_id}).sort("_id", 1)
            members += [doc async for doc in cursor]
        return members

    async def submission(self, id: str) -> Document | None:
        submission = await self._submissions.find_one({"_id": id})
        if submission is None:
            return None
        outcome = await self._outcomes.find_one({"_id": id})
        if outcome is None:
            return {**submission, "status": "received"}
        return {
            **submission,
            "status": outcome["status"],
            "reason": outcome.get("reason"),
            "code": outcome.get("code"),
            "decided_at": outcome["decided_at"],
        }

    async def record_outcome(
        self,
        submission_id: str,
        status: str,
        *,
        event_id: str,
        code: str | None,
        reason: str | None,
    ) -> bool:
        """Record how roadmaps decided a submission. Insert-only: the first decision stands."""
        try:
            await self._outcomes.insert_one(
                {
                    "_id": submission_id,
                    "status": status,
                    "code": code,
                    "reason": reason,
                    "event_id": event_id,
                    "decided_at": datetime.now(UTC),
                }
            )
        except DuplicateKeyError:
            return False
        return True
