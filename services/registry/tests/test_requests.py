"""Roadmap requests on the running registry: each is a 202 submission whose event lands on
the registry's topic, keyed by the partnership, as its contract says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from imc_contracts import Event
from imc_contracts.registry import (
    EvaluationSubmitted,
    IndicatorProposed,
    IndicatorValueReported,
    MilestoneCancellationRequested,
    MilestoneProposed,
    MilestoneRescheduleRequested,
    MilestoneRevised,
    ObjectiveProposed,
    ProgressReported,
)
from imc_devstack.testing import bearer, eventually, token

pytestmark = pytest.mark.infra

Pair = tuple[str, str, str]
Published = Callable[..., list[tuple[bytes | None, Event]]]
COORDINATOR = bearer(token("coordinator"))


def requests(pair: Pair) -> list[tuple[str, str, dict[str, Any], type[Event]]]:
    """Every kind of roadmap request: method, path, body, and the event it publishes."""
    base = f"/v1/partnerships/{pair[0]}"
    milestone = f"{base}/milestones/youth-space"
    return [
        (
            "POST",
            f"{base}/objectives",
            {"objective_id": "youth", "theme": "youth", "title": {"fr": "Jeunesse"}},
            ObjectiveProposed,
        ),
        (
            "POST",
            f"{base}/milestones",
            {
                "milestone_id": "youth-space",
                "title": {"fr": "Espace jeunes", "ar": "فضاء الشباب"},
                "due_date": "2027-06-30",
                "responsible_municipality_id": pair[1],
                "objective_id": "youth",
                "weight": 2,
            },
            MilestoneProposed,
        ),
        ("PATCH", milestone, {"target": "200 young people"}, MilestoneRevised),
        (
            "POST",
            f"{milestone}/reschedule",
            {"due_date": "2027-12-31", "reason": "Works delayed"},
            MilestoneRescheduleRequested,
        ),
        (
            "POST",
            f"{milestone}/progress",
            {
                "progress": 40,
                "reported_on": "2026-11-29",
                "beneficiaries": [{"group": "youth", "sex": "female", "count": 25}],
                "correction": True,
            },
            ProgressReported,
        ),
        (
            "POST",
            f"{base}/indicators",
            {
                "indicator_id": "reached",
                "title": {"fr": "Jeunes touchés"},
                "measure": "unit",
                "periods": [{"period_id": "2026", "start": "2026-01-01", "end": "2026-12-31"}],
            },
            IndicatorProposed,
        ),
        (
            "POST",
            f"{base}/indicators/reached/values",
            {"period_id": "2026", "values": [{"value": 120}, {"group": "youth", "value": 80}]},
            IndicatorValueReported,
        ),
        (
            "POST",
            f"{milestone}/cancellation",
            {"reason": "Merged into another milestone"},
            MilestoneCancellationRequested,
        ),
        (
            "PUT",
            f"{base}/evaluations/2022-2026",
            {"relevance": 4, "sustainability": 2, "lessons": {"fr": "Mesurer dès le départ."}},
            EvaluationSubmitted,
        ),
    ]


def test_every_roadmap_request_is_a_submission_published_under_its_partnership(
    registry: httpx.Client, pair: Pair, published: Published
) -> None:
    submitted: dict[str, type[Event]] = {}
    for method, path, body, kind in requests(pair):
        response = registry.request(method, path, json=body, headers=COORDINATOR)
        assert response.status_code == 202, (path, response.text)
        answer = response.json()
        assert answer["status"] == "received"
        shown = registry.get(answer["links"]["self"], headers=COORDINATOR)
        assert shown.status_code == 200
        assert shown.json()["partnership_id"] == pair[0]
        assert shown.json()["status"] in ("received", "applied", "rejected")
        submitted[answer["submission_id"]] = kind

    events = published(
        lambda e: getattr(e.payload, "submission_id", None) in submitted, count=len(submitted)
    )
    for key, event in events:
        assert key == pair[0].encode()
        assert isinstance(event, submitted[event.payload.submission_id])
        assert event.correlation_id == event.payload.submission_id


def test_progress_carries_beneficiaries_and_the_correction_flag(
    registry: httpx.Client, pair: Pair, published: Published
) -> None:
    method, path, body, _ = requests(pair)[4]
    answer = registry.request(method, path, json=body, headers=COORDINATOR).json()
    [(_, event)] = published(
        lambda e: (
            isinstance(e, ProgressReported) and e.payload.submission_id == answer["submission_id"]
        )
    )
    assert isinstance(event, ProgressReported)
    assert event.payload.correction is True
    assert [(b.group, b.sex, b.count) for b in event.payload.beneficiaries] == [
        ("youth", "female", 25)
    ]


def test_a_request_roadmaps_refuses_shows_rejected_with_its_reason(
    registry: httpx.Client, pair: Pair
) -> None:
    response = registry.post(
        f"/v1/partnerships/{pair[0]}/milestones/no-such-milestone/progress",
        json={"progress": 10, "reported_on": "2026-11-29"},
        headers=COORDINATOR,
    )
    link = response.json()["links"]["self"]

    def decided() -> dict[str, Any] | None:
        body: dict[str, Any] = registry.get(link, headers=COORDINATOR).json()
        return body if body["status"] != "received" else None

    decision = eventually(decided, what="roadmaps decides the submission", timeout=60)
    assert decision["status"] == "rejected"
    assert decision["reason"]


def test_a_responsible_municipality_outside_the_partnership_is_refused(
    registry: httpx.Client, pair: Pair
) -> None:
    response = registry.patch(
        f"/v1/partnerships/{pair[0]}/milestones/m",
        json={"responsible_municipality_id": "tanger"},
        headers=COORDINATOR,
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "responsible_municipality_id"]


def test_an_indicator_period_cannot_end_before_it_starts(
    registry: httpx.Client, pair: Pair
) -> None:
    response = registry.post(
        f"/v1/partnerships/{pair[0]}/indicators",
        json={
            "title": {"fr": "X"},
            "measure": "unit",
            "periods": [{"period_id": "p", "start": "2026-12-31", "end": "2026-01-01"}],
        },
        headers=COORDINATOR,
    )
    assert response.status_code == 422
    assert "end" in response.text


def test_an_unknown_submission_is_a_404(registry: httpx.Client) -> None:
    assert registry.get("/v1/submissions/nothing", headers=COORDINATOR).status_code == 404


def test_an_evaluation_is_for_a_phase_the_partnership_takes_part_in(
    registry: httpx.Client, pair: Pair
) -> None:
    refused = registry.put(
        f"/v1/partnerships/{pair[0]}/evaluations/2017-2021",
        json={"relevance": 3},
        headers=COORDINATOR,
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "phase"]
    rating = registry.put(
        f"/v1/partnerships/{pair[0]}/evaluations/2022-2026",
        json={"relevance": 5},
        headers=COORDINATOR,
    )
    assert rating.status_code == 422


def test_a_closed_partnership_is_still_evaluated_and_the_evaluation_applies(
    registry: httpx.Client, pair: Pair
) -> None:
    path = f"/v1/partnerships/{pair[0]}"
    etag = registry.get(path, headers=COORDINATOR).headers["ETag"]
    closing = {"status": "closed", "reason": "The phase ended."}
    closed = registry.put(f"{path}/status", json=closing, headers={**COORDINATOR, "If-Match": etag})
    assert closed.status_code == 200
    evaluated = registry.put(
        f"{path}/evaluations/2022-2026",
        json={"effectiveness": 3, "findings": {"fr": "Objectifs atteints pour l'essentiel."}},
        headers=COORDINATOR,
    )
    assert evaluated.status_code == 202, evaluated.text
    link = evaluated.json()["links"]["self"]

    def decided() -> dict[str, Any] | None:
        body: dict[str, Any] = registry.get(link, headers=COORDINATOR).json()
        return body if body["status"] != "received" else None

    assert eventually(decided, what="roadmaps records the evaluation")["status"] == "applied"
