"""An ``.ics`` event for a milestone's due date, so partners can put it in their calendar."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event


def due_date_event(
    *, uid: str, summary: str, description: str, due: dt.date, url: str, stamp: dt.datetime
) -> bytes:
    """An all-day event on ``due``. The UID is stable per milestone and due date, so a
    second reminder updates the calendar entry instead of adding another."""
    calendar = Calendar()
    calendar.add("prodid", "-//IMC Hub//notifications//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
