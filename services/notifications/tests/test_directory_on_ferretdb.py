"""The directory on the real FerretDB: what it keeps between emails, and when it lets go."""

from __future__ import annotations

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
