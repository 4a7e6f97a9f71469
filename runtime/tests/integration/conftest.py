"""The commit log on a fresh database of the real FerretDB, for the runtime's integration tests."""

from __future__ import annotations

import pytest
from imc_runtime.commitlog import CommitLog
from imc_runtime.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase


@pytest.fixture
async def log(database: AsyncDatabase[Document]) -> CommitLog:
    commits = CommitLog(database)
    await commits.ensure_indexes()
    return commits
