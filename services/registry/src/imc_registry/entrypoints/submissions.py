"""Roadmap requests under /v1: each is stored as a submission and answered ``202``.

Roadmaps decides; ``GET /v1/submissions/{id}`` shows ``received``, then ``applied`` or
``rejected`` with its reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from imc_runtime.auth import CurrentPrincipal
from imc_runtime.commitlog import Appended

from imc_registry.adapters.store import submission_kind
from imc_registry.domain import commands
from imc_registry.domain.model import NotFound
from imc_registry.entrypoints.deps import IdempotencyKey, Store, public
from imc_registry.entrypoints.examples import ACCEPTED, SUBMISSION, one
from imc_registry.service_layer import handlers

router = APIRouter(prefix="/v1", tags=["roadmap requests"])
_ACCEPTED = one(ACCEPTED, 202)
_MILESTONE = "/partnerships/{partnership_id}/milestones/{milestone_id}"


def _accepted(appended: Appended) -> dict[str, Any]:
    event = appended.commit.events[0]
    request = event.payload.model_dump(mode="json")
    subject = next(
        (key for key in ("milestone_id", "indicator_id", "objective_id") if request.get(key)),
        None,
    )
    body: dict[str, Any] = {
        "submission_id": request["submission_id"],
        "kind": submission_kind(event),
        "subject": {"kind": subject, "id": request.get(subject) if subject else None},
        "status": "received",
        "links": {"self": f"/v1/submissions/{request['submission_id']}"},
    }
    if "milestone_id" in request:
        body["milestone_id"] = request["milestone_id"]
    return body


@router.post("/partnerships/{partnership_id}/objectives", status_code=202, responses=_ACCEPTED)
async def propose_objective(
    partnership_id: str,
    command: commands.ProposeObjective,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Plan an objective, or edit one by giving its ``objective_id``."""
    return _accepted(
        await handlers.propose_objective(partnership_id, command, principal, store, idempotency_key)
    )


@router.post("/partnerships/{partnership_id}/milestones", status_code=202, responses=_ACCEPTED)
async def propose_milestone(
    partnership_id: str,
    command: commands.ProposeMilestone,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return _accepted(
        await handlers.propose_milestone(partnership_id, command, principal, store, idempotency_key)
    )


@router.patch(_MILESTONE, status_code=202, responses=_ACCEPTED)
async def revise_milestone(
    partnership_id: str,
    milestone_id: str,
    command: commands.ReviseMilestone,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Edit a planned milestone; fields left out stay as they are."""
    return _accepted(
        await handlers.revise_milestone(
            partnership_id, milestone_id, command, principal, store, idempotency_key
        )
    )


@router.post(f"{_MILESTONE}/reschedule", status_code=202, responses=_ACCEPTED)
async def reschedule_milestone(
    partnership_id: str,
    milestone_id: str,
    command: commands.RescheduleMilestone,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return _accepted(
        await handlers.reschedule_milestone(
            partnership_id, milestone_id, command, principal, store, idempotency_key
        )
    )


@router.post(f"{_MILESTONE}/cancellation", status_code=202, responses=_ACCEPTED)
async def cancel_milestone(
    partnership_id: str,
    milestone_id: str,
    command: commands.CancelMilestone,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return _accepted(
        await handlers.cancel_milestone(
            partnership_id, milestone_id, command, principal, store, idempotency_key
        )
    )


@router.post(f"{_MILESTONE}/progress", status_code=202, responses=_ACCEPTED)
async def report_progress(
    partnership_id: str,
    milestone_id: str,
    command: commands.ReportProgress,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Report progress, with beneficiaries by group and sex; ``correction`` may lower it."""
    return _accepted(
        await handlers.report_progress(
            partnership_id, milestone_id, command, principal, store, idempotency_key
        )
    )


@router.post("/partnerships/{partnership_id}/indicators", status_code=202, responses=_ACCEPTED)
async def propose_indicator(
    partnership_id: str,
    command: commands.ProposeIndicator,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Define an indicator with its periods and targets, or redefine one by its id."""
    return _accepted(
        await handlers.propose_indicator(partnership_id, command, principal, store, idempotency_key)
    )


@router.post(
    "/partnerships/{partnership_id}/indicators/{indicator_id}/values",
    status_code=202,
    responses=_ACCEPTED,
)
async def report_indicator_value(
    partnership_id: str,
    indicator_id: str,
    command: commands.ReportIndicatorValue,
    principal: CurrentPrincipal,
    store: Store,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return _accepted(
        await handlers.report_indicator_value(
            partnership_id, indicator_id, command, principal, store, idempotency_key
        )
    )


@router.get("/submissions/{submission_id}", tags=["submissions"], responses=one(SUBMISSION))
async def get_submission(
    submission_id: str, _principal: CurrentPrincipal, store: Store
) -> dict[str, Any]:
    submission = await store.submission(submission_id)
    if submission is None:
        raise NotFound(f"no submission {submission_id!r}")
    return public(submission)
