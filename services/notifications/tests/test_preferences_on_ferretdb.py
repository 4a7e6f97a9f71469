"""Preferences on the real FerretDB: each save a version, the latest one read."""

from __future__ import annotations

import datetime as dt

import pytest
from imc_notifications.adapters.store import PreferenceStore
from imc_notifications.domain.preferences import Preferences
from imc_notifications.service_layer.ports import PreferencesChangedConcurrently
from imc_runtime.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase

pytestmark = pytest.mark.infra

AT = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)


@pytest.fixture
async def store(database: AsyncDatabase[Document]) -> PreferenceStore:
    made = PreferenceStore(database)
    await made.ensure_indexes()
    return made


async def test_the_latest_version_of_each_recipient_is_read_in_the_order_asked(
    store: PreferenceStore,
) -> None:
    digest, off = Preferences(default="digest"), Preferences(default="off")
    await store.save("m1", 0, Preferences(default="off"), AT)
    await store.save("m1", 1, digest, AT)
    await store.save("m2", 0, off, AT)
    assert await store.get_each(["m2", "nobody", "m1"]) == [
        (1, off),
        (0, Preferences()),
        (2, digest),
    ]
    assert await store.get_each(["m1"]) == [await store.get("m1")]
    assert await store.get_each([]) == []


async def test_a_save_on_a_version_read_before_another_save_is_refused(
    store: PreferenceStore,
) -> None:
    await store.save("m1", 0, Preferences(default="digest"), AT)
    with pytest.raises(PreferencesChangedConcurrently):
        await store.save("m1", 0, Preferences(default="off"), AT)
    assert await store.get_each(["m1"]) == [(1, Preferences(default="digest"))]
