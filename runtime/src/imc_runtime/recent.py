"""Reads kept for a moment: what a replica answers again without asking its database.

A value read is kept with the moment its read began, and served again to whoever accepts
one that old (``within`` seconds, chosen per read, as HTTP's ``max-age``). A write made here
calls ``forget``, so the replica that wrote sees its change at once; another replica's
change is seen once the value kept is older than the reader accepts. A read that was
already under way when a write began is not kept: it may have seen the database before
the write. Readers asking for one key at once share one read of it: when a value kept grows
too old under load, the database is asked once, not by every request waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The ``most`` values read last, each with when its read began."""

    def __init__(self, most: int = 1_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._most = most
        self._clock = clock
        self._kept: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._generation = 0
        self._reading: dict[K, asyncio.Future[V]] = {}

    async def get(self, key: K, read: Callable[[], Awaitable[V]], *, within: float) -> V:
        """The value kept for ``key`` if it was read less than ``within`` seconds ago, else
        ``read()``'s (kept for the next reader, unless a write began meanwhile)."""
        kept = self._kept.get(key)
        if kept is not None and self._clock() - kept[0] < within:
            return kept[1]
        if within > 0 and (reading := self._reading.get(key)) is not None:
            return await asyncio.shield(reading)
        generation, asked = self._generation, self._clock()
        reading = asyncio.get_running_loop().create_future()
        if within > 0:
            self._reading[key] = reading
        try:
            value = await read()
        except BaseException as error:
            reading.set_exception(error)
            reading.exception()  # retrieved: waiters, if any, raise it themselves
            raise
        else:
            reading.set_result(value)
        finally:
            if self._reading.get(key) is reading:
                del self._reading[key]
        if generation == self._generation and within > 0:
            self._kept[key] = (asked, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self._most:
                self._kept.popitem(last=False)
        return value

    def forget(self) -> None:
        """Drop every value kept, and any read now under way: a write has begun."""
        self._generation += 1
        self._kept.clear()
        self._reading.clear()

    def __len__(self) -> int:
        return len(self._kept)
