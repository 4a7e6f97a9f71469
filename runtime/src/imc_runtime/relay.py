"""The relay: moves unpublished commits' events from the log to Kafka, in order per stream."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from imc_runtime.commitlog import CommitLog
from imc_runtime.kafka import EventPublisher
from imc_runtime.logging import get_logger

log = get_logger(__name__)


class Relay:
    """At-least-once publication of the commit log.

    Wakes when the log gets a commit (or every ``idle_interval`` for commits another
    replica wrote), publishes a batch from the outbox, then marks it published. A crash
    between the two publishes the batch again: consumers are idempotent, so that is harmless.
    Every ``sweep_interval`` it also looks through the log for unpublished commits missing
    from the outbox.
    """

    def __init__(
        self,
        commits: CommitLog,
        publisher: EventPublisher,
        *,
        batch_size: int = 500,
        idle_interval: float = 0.2,
        max_backoff: float = 10.0,
        sweep_interval: float = 300.0,
        on_published: Callable[[int], None] = lambda _count: None,
    ) -> None:
        self._log = commits
        self._publisher = publisher
        self._batch_size = batch_size
        self._idle_interval = idle_interval
        self._max_backoff = max_backoff
        self._sweep_interval = sweep_interval
        self._on_published = on_published
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        commits.on_append(self._wake.set)

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished commits; the number of commits published."""
        commits = await self._log.unpublished(self._batch_size)
        if not commits:
            return 0
        events = [event for commit in commits for event in commit.events]
        traces = [commit.trace for commit in commits for _event in commit.events]
        await self._publisher.publish(events, traces)
        await self._log.mark_published([commit.id for commit in commits])
        self._on_published(len(events))
        return len(commits)

    async def run(self) -> None:
        backoff = self._idle_interval
        next_sweep = time.monotonic() + self._sweep_interval
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if time.monotonic() >= next_sweep:
                    # A commit whose outbox entry a failed write left out is found here.
                    if restored := await self._log.sweep():
                        log.warning("relay.swept", restored=restored)
                    next_sweep = time.monotonic() + self._sweep_interval
                published = await self.publish_pending()
            except Exception as error:
                # Kafka or the database is away: wait, longer each time, and try again.
                log.warning("relay.failed", error=repr(error), retry_in=backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            backoff = self._idle_interval
            if published < self._batch_size:
                await self._sleep(self._idle_interval)

    async def _sleep(self, seconds: float) -> None:
        waits = [
            asyncio.ensure_future(self._wake.wait()),
            asyncio.ensure_future(self._stopping.wait()),
        ]
        _, pending = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def stop(self) -> None:
        self._stopping.set()
