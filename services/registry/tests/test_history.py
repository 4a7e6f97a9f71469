"""A partnership's history on the running registry: every change, who made it, and when."""

from __future__ import annotations

import httpx
import pytest
from imc_devstack.testing import bearer, token

pytestmark = pytest.mark.infra

Pair = tuple[str, str, str]


def test_the_history_lists_every_change_and_request_with_who_and_when(
    registry: httpx.Client, pair: Pair
) -> None:
    coordinator = bearer(token("coordinator", subject="hel.dumont@example.org"))
    officer = bearer(token("officer", subject="amal@example.org", municipality_id=pair[1]))
    base = f"/v1/partnerships/{pair[0]}"
    edited = registry.patch(
        base, json={"note": "kick-off in Ouarzazate"}, headers={**officer, "If-Match": '"1"'}
    )
    assert edited.status_code == 200, edited.text
    suspended = registry.put(
        f"{base}/status",
        json={"status": "suspended", "reason": "Elections"},
        headers={**coordinator, "If-Match": '"2"'},
    )
    assert suspended.status_code == 200, suspended.text
    reported = registry.post(
        f"{base}/milestones/m/progress",
        json={"progress": 10, "reported_on": "2026-11-29"},
        headers=officer,
    )
    assert reported.status_code == 202

    history = registry.get(f"{base}/history", headers=bearer(token("viewer"))).json()
    entries = history["items"]
    assert history["total"] == 4
    assert [e["what"] for e in entries] == [
        "registry.partnership.created.v1",
        "registry.partnership.updated.v1",
        "registry.partnership.status_changed.v1",
        "registry.progress.reported.v1",
    ]
    assert [e["who"]["id"] for e in entries[1:]] == [
        "amal@example.org",
        "hel.dumont@example.org",
        "amal@example.org",
    ]
    assert entries[2]["change"]["reason"] == "Elections"
    assert entries[3]["submission_id"] == reported.json()["submission_id"]
    assert all(e["at"] for e in entries)
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)


def test_an_unknown_partnership_has_no_history(registry: httpx.Client) -> None:
    response = registry.get("/v1/partnerships/nowhere/history", headers=bearer(token("viewer")))
    assert response.status_code == 404
