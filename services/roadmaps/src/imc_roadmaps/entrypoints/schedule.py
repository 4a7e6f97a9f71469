"""Runs the due-date check every few minutes while the service is up."""

from __future__ import annotations

import asyncio
import contextlib

from imc_runtime.logging import get_logger
from pymongo.errors import PyMongoError

from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.service_layer.handlers import Today
from imc_roadmaps.service_layer.schedule import check_due_dates

log = get_logger(__name__)


class DueDateSchedule:
    def __init__(
        self, store: RoadmapsStore, today: Today, *, due_soon_days: int, interval: float
    ) -> None:
        self._store = store
        self._today = today
        self._due_soon_days = due_soon_days
        self._interval = interval
        self._stopping = asyncio.Event()

    async def run_once(self) -> int:
        today = self._today()
        emitted = await check_due_dates(self._store, today, self._due_soon_days)
        log.info("schedule.checked", today=today.isoformat(), emitted=emitted)
        return emitted

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.run_once()
            except PyMongoError as error:
                # The database is away; the next pass sends whatever this one could not.
                log.warning("schedule.failed", error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)

    def stop(self) -> None:
        self._stopping.set()
