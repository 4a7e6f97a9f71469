"""Finding partnerships on the running registry: search in Latin and Arabic, filters, pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from imc_devstack.testing import bearer, token

pytestmark = pytest.mark.infra

Pair = tuple[str, str, str]
VIEWER = bearer(token("viewer"))


def found(registry: httpx.Client, **params: str) -> set[str]:
    response = registry.get("/v1/partnerships", params=params, headers=VIEWER)
    assert response.status_code == 200, response.text
    return {p["id"] for p in response.json()["items"]}


def test_a_partnership_is_found_in_any_case_with_or_without_accents_or_hamza(
    registry: httpx.Client, make_pair: Callable[..., Pair]
) -> None:
    run = uuid.uuid4().hex[:6]
    ours = make_pair(
        ({"fr": f"Aït Baha {run}", "ar": "آيت باها"}, {"fr": f"Etterbeek {run}", "ar": "إتربيك"})
    )[0]
    other = make_pair()[0]
    for query in (f"ait baha {run}", f"Aït Baha {run}", f"AÏT-BAHA {run}", f"{run} etterbeek"):
        assert ours in found(registry, q=query, limit="200"), query
    for query in ("آيت باها", "أيت باها", "ايت باها", "آيْت بَاهَا", "إتربيك"):
        results = found(registry, q=query, limit="200")
        assert ours in results, query
        assert other not in results, query
    assert ours not in found(registry, q=f"berkane {run}")


def test_partnerships_filter_by_theme_phase_municipality_and_status(
    registry: httpx.Client, pair: Pair
) -> None:
    ours = pair[0]
    assert ours in found(registry, theme="youth", limit="200")
    assert ours not in found(registry, theme="women", limit="200")
    assert ours in found(registry, phase="2022-2026", limit="200")
    assert ours not in found(registry, phase="2017-2021", limit="200")
    assert found(registry, municipality=pair[1]) == {ours}
    assert found(registry, municipality=pair[2], status="active") == {ours}
    assert ours not in found(registry, municipality=pair[2], status="closed")


def test_lists_are_paged_with_their_total(
    registry: httpx.Client, make_pair: Callable[..., Pair]
) -> None:
    make_pair()
    make_pair()
    first = registry.get("/v1/partnerships", params={"limit": 1}, headers=VIEWER).json()
    second = registry.get(
        "/v1/partnerships", params={"limit": 1, "offset": 1}, headers=VIEWER
    ).json()
    assert first["total"] == second["total"] >= 2
    assert len(first["items"]) == len(second["items"]) == 1
    assert first["items"][0]["id"] != second["items"][0]["id"]
    assert registry.get("/v1/partnerships", params={"limit": 0}, headers=VIEWER).status_code == 422


def test_municipalities_filter_by_country_and_search(registry: httpx.Client, pair: Pair) -> None:
    moroccan = registry.get(
        "/v1/municipalities", params={"country": "MA", "q": pair[1]}, headers=VIEWER
    ).json()
    assert [m["id"] for m in moroccan["items"]] == [pair[1]]
    belgian = registry.get(
        "/v1/municipalities", params={"country": "BE", "q": pair[1]}, headers=VIEWER
    ).json()
    assert belgian["items"] == []
