"""A step run every so often while a service is up: the due-date check, the digests.

Registered the same way by every service (``ServiceParts.periodic``); cancelled, between two
runs or during one, when the service stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pymongo.errors import PyMongoError

from imc_runtime.logging import get_logger

log = get_logger(__name__)

TRANSIENT: tuple[type[BaseException], ...] = (PyMongoError, OSError)
"""A failed run for one of these (the database or the SMTP server away) is logged, and the
next run tries again: what this one could not do is still there to do."""


@dataclass(frozen=True)
class Periodic:
    name: str
    step: Callable[[], Awaitable[object]]
    every: float
    """Seconds from the end of one run to the start of the next."""


async def periodic(task: Periodic) -> None:
    """Run ``task.step`` now, then every ``task.every`` seconds, until cancelled."""
    while True:
        try:
            outcome = await task.step()
            log.debug(f"{task.name}.ran", outcome=outcome)
        except TRANSIENT as error:
            log.warning(f"{task.name}.failed", error=repr(error))
        await asyncio.sleep(task.every)
