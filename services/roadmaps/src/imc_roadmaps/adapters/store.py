"""Roadmaps' storage: its commit log, the partnerships it learnt of, and milestone read models."""

from __future__ import annotations

from collections.abc import Sequence

from imc_contracts import Event
from imc_runtime.commitlog import Appended, Commit, CommitLog
from imc_runtime.mongo import Document
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from imc_roadmaps.domain.model import Milestone, PartnershipMembers


def milestone_stream(milestone_id: str) -> str:
    return f"milestone:{milestone_id}"


class RoadmapsStore:
    def __init__(self, db: AsyncDatabase[Document], commits: CommitLog) -> None:
        self.commits = commits
        self._partnerships = db["partnerships"]
        self._milestones = db["milestones"]

    async def ensure_indexes(self) -> None:
        await self._milestones.create_index([("partnership_id", ASCENDING)])

    async def remember_partnership(self, partnership: PartnershipMembers) -> None:
        document = {"_id": partnership.id, "municipality_ids": sorted(partnership.municipality_ids)}
        await self._partnerships.replace_one({"_id": partnership.id}, document, upsert=True)

    async def partnership(self, partnership_id: str) -> PartnershipMembers | None:
        document = await self._partnerships.find_one({"_id": partnership_id})
        if document is None:
            return None
        return PartnershipMembers(partnership_id, frozenset(document["municipality_ids"]))

    async def milestone(self, milestone_id: str) -> Milestone | None:
        """The milestone as its history makes it, with the version its next change takes."""
        commits = await self.commits.read_stream(milestone_stream(milestone_id))
        milestone = Milestone.from_history(event for commit in commits for event in commit.events)
        if milestone is not None:
            milestone.version = commits[-1].version
        return milestone

    async def record(
        self, commit_id: str, stream: str, expected_version: int, events: Sequence[Event]
    ) -> Appended:
        appended = await self.commits.append(commit_id, stream, expected_version, events)
        await self._project(appended.commit)
        return appended

    async def catch_up(self) -> int:
        commits = await self.commits.all_commits()
        for commit in commits:
            await self._project(commit)
        return len(commits)

    async def _project(self, commit: Commit) -> None:
        if not commit.stream.startswith("milestone:"):
            return
        milestone_id = commit.stream.removeprefix("milestone:")
        history = await self.commits.read_stream(commit.stream)
        milestone = Milestone.from_history(e for c in history for e in c.events)
        if milestone is None:
            return
        document: Document = {
            "_id": milestone_id,
            "partnership_id": milestone.partnership_id,
            "title": milestone.title,
            "due_date": milestone.due_date.isoformat(),
            "responsible_municipality_id": milestone.responsible_municipality_id,
            "status": milestone.status,
            "progress": milestone.progress,
            "version": history[-1].version,
        }
        await self._milestones.replace_one({"_id": milestone_id}, document, upsert=True)

    async def milestones_of(self, partnership_id: str) -> list[Document]:
        cursor = self._milestones.find({"partnership_id": partnership_id}).sort("due_date", 1)
        return [document async for document in cursor]
