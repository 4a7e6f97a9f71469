"""Rebuilding a service's read models from its commit log, while it runs.

Each service that keeps read models registers its hook under the ``imc_hub.rebuild`` entry
points of its package (``pyproject.toml``), named by the service; ``imc-ops rebuild SERVICE``
finds the hooks of the services installed beside it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.metadata import entry_points
from typing import Protocol

from pymongo.asynchronous.database import AsyncDatabase

from imc_runtime import mongo
from imc_runtime.commitlog import CommitLog
from imc_runtime.mongo import Document
from imc_runtime.settings import ServiceSettings

ENTRY_POINTS = "imc_hub.rebuild"


class Projection(Protocol):
    async def ensure_indexes(self) -> None: ...

    async def catch_up(self) -> int:
        """Apply every commit to the read models (idempotent); how many were read."""
        ...


async def rebuild_read_models(
    settings: ServiceSettings,
    projection: Callable[[AsyncDatabase[Document], CommitLog], Projection],
) -> int:
    """Re-project every commit of ``settings``' database; the number of commits read."""
    client = mongo.connect(settings)
    try:
        db = mongo.database(client, settings)
        read_models = projection(db, CommitLog(db))
        await read_models.ensure_indexes()
        return await read_models.catch_up()
    finally:
        await client.close()


def registered() -> dict[str, Callable[[], Awaitable[int]]]:
    """The rebuild hooks of the installed services, by service name."""
    return {point.name: point.load() for point in entry_points(group=ENTRY_POINTS)}
