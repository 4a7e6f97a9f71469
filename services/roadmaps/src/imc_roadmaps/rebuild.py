"""Rebuild the roadmaps read models from its commit log: ``imc-ops rebuild roadmaps``."""

from __future__ import annotations

from imc_runtime import mongo
from imc_runtime.commitlog import CommitLog
from imc_runtime.settings import load_settings

from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.settings import RoadmapsSettings


async def rebuild() -> int:
    """Re-project every commit; the number of commits read."""
    settings = load_settings(RoadmapsSettings)
    client = mongo.connect(settings)
    try:
        db = mongo.database(client, settings)
        store = RoadmapsStore(db, CommitLog(db))
        await store.ensure_indexes()
        return await store.catch_up()
    finally:
        await client.close()
