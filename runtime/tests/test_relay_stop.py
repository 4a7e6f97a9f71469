"""A relay that is stopped publishes what it was handed first."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from imc_runtime.commits import Commit
from imc_runtime.relay import Relay


class Log:
    def __init__(self) -> None:
        self.listeners: list[Callable[[Commit], None]] = []
        self.marked: list[str] = []

    def on_append(self, listener: Callable[[Commit], None]) -> None:
        self.listeners.append(listener)

    async def unpublished(self, older_than: dt.datetime | None = None) -> list[Commit]:
        return []

    async def mark_published(self, ids: Sequence[str]) -> None:
        self.marked += ids


class Kafka:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def publish(self, events: Sequence[Any], traces: Sequence[Any] = ()) -> None:
        await asyncio.sleep(0.01)
        self.sent += events


async def test_a_commit_handed_over_as_the_relay_stops_is_published_not_left_behind() -> None:
    log, kafka = Log(), Kafka()
    relay = Relay(log, kafka, idle_interval=0.2, ledger_interval=1.0)  # type: ignore[arg-type]
    running = asyncio.create_task(relay.run())
    await asyncio.sleep(0.05)
    [hand] = log.listeners
    hand(Commit("c1", "partnership:p", 1, ("last event",), dt.datetime.now(dt.UTC)))  # type: ignore[arg-type]
    relay.stop()
    await running
    assert kafka.sent == ["last event"]
    assert log.marked == ["c1"]
    assert relay.backlog() == (0, None)
