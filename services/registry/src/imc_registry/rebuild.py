"""Rebuild the registry read models from its commit log: ``imc-ops rebuild registry``."""

from __future__ import annotations

from imc_runtime import mongo
from imc_runtime.commitlog import CommitLog
from imc_runtime.settings import load_settings

from imc_registry.adapters.store import RegistryStore
from imc_registry.settings import RegistrySettings


async def rebuild() -> int:
    """Re-project every commit; the number of commits read."""
    settings = load_settings(RegistrySettings)
    client = mongo.connect(settings)
    try:
        db = mongo.database(client, settings)
        store = RegistryStore(db, CommitLog(db))
        await store.ensure_indexes()
        return await store.catch_up()
    finally:
        await client.close()
