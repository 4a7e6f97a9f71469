"""The directory on the real FerretDB: what it keeps between emails, and when it lets go."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from imc_notifications.adapters.directory import Directory
from imc_notifications.domain.recipients import Recipient
from imc_runtime.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase

pytestmark = pytest.mark.infra


def member(id: str, municipality: str = "berkane") -> Recipient:
    return Recipient(id, f"Person {id}", f"{id}@example.org", municipality, "fr", "member")


async def test_a_change_made_here_is_seen_at_once(database: AsyncDatabase[Document]) -> None:
    directory = Directory(database, cache_seconds=300)
    await directory.put_member(member("m1"))
    assert [r.member_id for r in await directory.members_of("berkane")] == ["m1"]
    await directory.put_member(member("m2"))
    assert [r.member_id for r in await directory.members_of("berkane")] == ["m1", "m2"]
    await directory.remove_member("m1")
    assert [r.member_id for r in await directory.members_of("berkane")] == ["m2"]
    await directory.put_municipality("berkane", {"fr": "Berkane"}, ["ar", "fr"], "MA")
    assert await directory.municipality_languages("berkane") == ["ar", "fr"]
    await directory.put_municipality("berkane", {"fr": "Berkane"}, ["fr"], "MA")
    assert await directory.municipality_languages("berkane") == ["fr"]


async def test_a_change_another_instance_made_is_seen_once_the_entry_expires(
    database: AsyncDatabase[Document],
) -> None:
    kept, uncached, other = (
        Directory(database, cache_seconds=300),
        Directory(database),
        Directory(database),
    )
    await other.put_partnership("p", {"fr": "Berkane–Saint-Gilles"}, ["berkane", "saint-gilles"])
    assert (await kept.partnership("p")) is not None
    assert await kept.members_of("berkane") == []
    await other.put_member(member("m1"))
    assert await kept.members_of("berkane") == []  # read before, kept
    assert [r.member_id for r in await uncached.members_of("berkane")] == ["m1"]
    kept._cache.expire(kept._cache.timer() + 301)  # type: ignore[union-attr]
    assert [r.member_id for r in await kept.members_of("berkane")] == ["m1"]


async def test_an_older_event_published_again_brings_back_neither_a_person_nor_an_address(
    database: AsyncDatabase[Document],
) -> None:
    directory = Directory(database)
    added, moved, removed = (dt.datetime(2026, 11, d, 9, tzinfo=dt.UTC) for d in (2, 3, 4))
    await directory.put_member(member("m1"), as_of=added)
    new_address = dataclasses.replace(member("m1"), email="m1.new@example.org")
    await directory.put_member(new_address, as_of=moved)
    await directory.put_member(member("m1"), as_of=added)  # the relay publishes again
    assert [r.email for r in await directory.members_of("berkane")] == ["m1.new@example.org"]
    await directory.remove_member("m1", as_of=removed)
    await directory.put_member(new_address, as_of=moved)  # again, after the removal
    assert await directory.members_of("berkane") == []
    assert await directory.recipient("m1") is None
    assert await directory.by_actor("m1.new@example.org") is None

    coordinator = Recipient("c1", "Hélène", "c1@example.org", None, "fr", "coordinator")
    await directory.put_coordinator(coordinator, as_of=added)
    await directory.remove_coordinator("c1", as_of=removed)
    await directory.put_coordinator(coordinator, as_of=added)
    assert await directory.coordinators() == []
