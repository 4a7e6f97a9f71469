"""The relay: moves unpublished commits' events from the log to Kafka, in order per stream."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from imc_runtime.commitlog import Commit, CommitLog
from imc_runtime.kafka import EventPublisher
from imc_runtime.logging import get_logger

log = get_logger(__name__)

STOP_FLUSH_SECONDS = 5.0
"""How long a stopping relay goes on publishing what it was handed."""


class Relay:
    """At-least-once publication of the commit log.

    Each commit appended in this process is handed to the relay as it is stored; the relay
    publishes what it holds, a batch at a time in the order appended (so in version order
    per stream), then marks the batch published in one write. A crash between the two
    publishes the batch again: consumers are idempotent, so that is harmless.

    What no relay holds — the commits of a process that stopped before publishing them — is
    in the log without an entry in the ledger: the relay looks for those when it starts, and
    every ``sweep_interval`` for commits older than ``sweep_grace`` (younger ones may still be
    in another replica's hands).

    ``ledger_interval``: how long the ids of published commits may wait to be written to the
    ledger, gathered into one write (0: after each batch). A crash loses at most that much of
    the ledger, and those commits are published again when the relay next starts — what a
    crash between publishing and marking did anyway, for a second's worth of commits instead
    of one batch. Under load that is one ledger write a second instead of one a batch.
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
        sweep_grace: float = 60.0,
        ledger_interval: float = 0.0,
        on_published: Callable[[int], None] = lambda _count: None,
    ) -> None:
        self._log = commits
        self._publisher = publisher
        self._batch_size = batch_size
        self._idle_interval = idle_interval
        self._max_backoff = max_backoff
        self._sweep_interval = sweep_interval
        self._sweep_grace = sweep_grace
        self._on_published = on_published
        self._ledger_interval = ledger_interval
        self._unmarked: list[str] = []  # published, not yet in the ledger
        self._unmarked_ids: set[str] = set()
        self._marked_at = time.monotonic()
        self._pending: OrderedDict[str, Commit] = OrderedDict()
        self._swept = False
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        commits.on_append(self._hold)

    def _hold(self, commit: Commit) -> None:
        if commit.id in self._unmarked_ids:
            return  # a replay of one published already, its ledger entry not written yet
        self._pending.setdefault(commit.id, commit)
        self._wake.set()

    def backlog(self) -> tuple[int, datetime | None]:
        """The commits this relay holds unpublished, and when the oldest was recorded."""
        oldest = min((commit.recorded_at for commit in self._pending.values()), default=None)
        return len(self._pending), oldest

    async def sweep(self, *, grace: float = 0.0) -> int:
        """Take up the log's unpublished commits recorded more than ``grace`` seconds ago
        that this relay does not hold; how many. They go first: each is older than anything
        appended on top of it since."""
        older_than = datetime.now(UTC) - timedelta(seconds=grace) if grace else None
        found = [
            commit
            for commit in await self._log.unpublished(older_than=older_than)
            if commit.id not in self._pending and commit.id not in self._unmarked_ids
        ]
        self._pending = OrderedDict(
            [*((commit.id, commit) for commit in found), *self._pending.items()]
        )
        self._swept = True
        return len(found)

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished commits; the number of commits published."""
        if not self._swept and (found := await self.sweep()):
            log.warning("relay.unpublished_found", commits=found)
        commits = list(itertools.islice(self._pending.values(), self._batch_size))
        if not commits:
            return 0
        events = [event for commit in commits for event in commit.events]
        traces = [commit.trace for commit in commits for _event in commit.events]
        await self._publisher.publish(events, traces)
        for commit in commits:
            self._pending.pop(commit.id, None)
        self._unmarked += [commit.id for commit in commits]
        self._unmarked_ids.update(commit.id for commit in commits)
        self._on_published(len(events))
        await self.mark_published(force=self._ledger_interval == 0)
        return len(commits)

    async def mark_published(self, *, force: bool = True) -> None:
        """Write the ids published since the last write to the ledger, in one write — when
        ``force``d, when ``ledger_interval`` has passed, or when a batch's worth wait."""
        due = time.monotonic() - self._marked_at >= self._ledger_interval
        if not self._unmarked or not (force or due or len(self._unmarked) >= self._batch_size):
            return
        ids = list(self._unmarked)
        await self._log.mark_published(ids)
        del self._unmarked[: len(ids)]
        self._unmarked_ids.difference_update(ids)
        self._marked_at = time.monotonic()

    async def run(self) -> None:
        backoff = self._idle_interval
        next_sweep = time.monotonic() + self._sweep_interval
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if time.monotonic() >= next_sweep:
                    # A commit another process appended and never published is found here.
                    if found := await self.sweep(grace=self._sweep_grace):
                        log.warning("relay.swept", commits=found)
                    next_sweep = time.monotonic() + self._sweep_interval
                published = await self.publish_pending()
                await self.mark_published(force=False)
            except Exception as error:
                # Kafka or the database is away: wait, longer each time, and try again.
                log.warning("relay.failed", error=repr(error), retry_in=backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            backoff = self._idle_interval
            if published < self._batch_size:
                await self._sleep(self._idle_interval)
        # Stopping: what this process was handed goes out now, not at another's next sweep,
        # for as long as a stop may take; what is not written is published again.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(STOP_FLUSH_SECONDS):
                while self._pending and await self.publish_pending():
                    pass
        with contextlib.suppress(Exception):
            await self.mark_published()

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
