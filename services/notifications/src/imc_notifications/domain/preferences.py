"""What each recipient wants to receive, and how: immediately, in a daily digest, or not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from imc_notifications.domain.rules import Kind

Mode = Literal["immediate", "digest", "off"]


class Preferences(BaseModel):
    """A recipient's choices. Absent kinds are ``default``; mandatory kinds are never off."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: Mode = "immediate"
    kinds: dict[Kind, Mode] = Field(default_factory=dict)
    whole_programme: bool = Field(
        default=False,
        description="Coordinators: also receive kinds that otherwise reach only the partners.",
    )
    time_zone: str | None = Field(
        default=None, max_length=64, description="IANA zone for the digest hour; else inferred."
    )
    digest_hour: int | None = Field(
        default=None, ge=0, le=23, description="Local hour of the digest; else the service's."
    )

    def mode_for(self, kind: Kind, mandatory: Collection[str]) -> Mode:
        mode = self.kinds.get(kind, self.default)
        if mode == "off" and kind in mandatory:
            # A mandatory kind still reaches its recipient, in the way they chose for others.
            return "digest" if self.default == "digest" else "immediate"
        return mode

    def unsubscribed(self, kind: Kind | None) -> Preferences:
        """These preferences after a one-click unsubscribe from ``kind`` (None: from all)."""
        if kind is None:
            return self.model_copy(update={"default": "off", "kinds": {}})
        return self.model_copy(update={"kinds": {**self.kinds, kind: "off"}})


def digest_date(at: dt.datetime, time_zone: str, hour: int) -> dt.date:
    """The local date of the digest an item queued ``at`` goes into.

    The digest of a date is sent at ``hour`` on that date, so an item queued after that hour
    waits for the next day's."""
    local = at.astimezone(ZoneInfo(time_zone))
    return local.date() if local.hour < hour else local.date() + dt.timedelta(days=1)


def digest_due(day: dt.date, now: dt.datetime, time_zone: str, hour: int) -> bool:
    """Whether the digest of ``day`` may be sent ``now``."""
    local = now.astimezone(ZoneInfo(time_zone))
    return day < local.date() or (day == local.date() and local.hour >= hour)
