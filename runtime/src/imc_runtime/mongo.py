"""The MongoDB client factory: MongoDB in production, FerretDB locally."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from imc_runtime.settings import ServiceSettings

Document = dict[str, Any]


def connect(
    settings: ServiceSettings, listeners: Sequence[monitoring.CommandListener] = ()
) -> AsyncMongoClient[Document]:
    """A client with timeouts short enough that a missing database is noticed, not waited on;
    ``listeners`` see every command (the service's metrics count them)."""
    return AsyncMongoClient(
        settings.mongo_url,
        serverSelectionTimeoutMS=5_000,
        connectTimeoutMS=5_000,
        tz_aware=True,
        appname=settings.service_name,
        event_listeners=list(listeners),
    )


def database(
    client: AsyncMongoClient[Document], settings: ServiceSettings
) -> AsyncDatabase[Document]:
    return client[settings.database_name]


async def ping(db: AsyncDatabase[Document]) -> None:
    await db.command("ping")
