"""Roadmap requests under /v1: each is stored as a submission and answered ``202``.

Roadmaps decides; ``GET /v1/submissions/{id}`` shows ``received``, then ``applied`` or
``rejected`` with its reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from imc_runtime.auth import CurrentPrincipal
from imc_runtime.commits import Appended

from imc_registry.adapters.store import submission_kind
from imc_registry.domain import commands, roadmap_requests
from imc_registry.domain.model import NotFound
from imc_registry.entrypoints.deps import Asking, Store, public
from imc_registry.entrypoints.examples import ACCEPTED, SUBMISSION, one
from imc_registry.service_layer import handlers
from imc_registry.service_layer.sheets import ImportRefused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(prefix="/v1", tags=["roadmap requests"])
_ACCEPTED = one(ACCEPTED, 202)
_MILESTONE = "/partnerships/{partnership_id}/milestones/{milestone_id}"


def accepted(appended: Appended) -> dict[str, Any]:
    event = appended.commit.events[0]
    request = event.payload.model_dump(mode="json")
    subject = next(
        (key for key in ("milestone_id", "indicator_id", "objective_id") if request.get(key)), None
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
    partnership_id: str, command: roadmap_requests.ProposeObjective, ask: Asking, store: Store
) -> dict[str, Any]:
    """Plan an objective, or edit one by giving its ``objective_id``."""
    return accepted(await handlers.propose_objective(partnership_id, command, ask, store))


@router.post("/partnerships/{partnership_id}/milestones", status_code=202, responses=_ACCEPTED)
async def propose_milestone(
    partnership_id: str, command: roadmap_requests.ProposeMilestone, ask: Asking, store: Store
) -> dict[str, Any]:
    return accepted(await handlers.propose_milestone(partnership_id, command, ask, store))


@router.patch(_MILESTONE, status_code=202, responses=_ACCEPTED)
async def revise_milestone(
    partnership_id: str,
    milestone_id: str,
    command: roadmap_requests.ReviseMilestone,
    ask: Asking,
    store: Store,
) -> dict[str, Any]:
    """Edit a planned milestone; fields left out stay as they are."""
    return accepted(
        await handlers.revise_milestone(partnership_id, milestone_id, command, ask, store)
    )


@router.post(f"{_MILESTONE}/reschedule", status_code=202, responses=_ACCEPTED)
async def reschedule_milestone(
    partnership_id: str,
    milestone_id: str,
    command: roadmap_requests.RescheduleMilestone,
    ask: Asking,
    store: Store,
) -> dict[str, Any]:
    return accepted(
        await handlers.reschedule_milestone(partnership_id, milestone_id, command, ask, store)
    )


@router.post(f"{_MILESTONE}/cancellation", status_code=202, responses=_ACCEPTED)
async def cancel_milestone(
    partnership_id: str,
    milestone_id: str,
    command: roadmap_requests.CancelMilestone,
    ask: Asking,
    store: Store,
) -> dict[str, Any]:
    return accepted(
        await handlers.cancel_milestone(partnership_id, milestone_id, command, ask, store)
    )


@router.post(f"{_MILESTONE}/progress", status_code=202, responses=_ACCEPTED)
async def report_progress(
    partnership_id: str,
    milestone_id: str,
    command: roadmap_requests.ReportProgress,
    ask: Asking,
    store: Store,
) -> dict[str, Any]:
    """Report progress, with beneficiaries by group and sex; ``correction`` may lower it."""
    return accepted(
        await handlers.report_progress(partnership_id, milestone_id, command, ask, store)
    )


@router.post("/partnerships/{partnership_id}/indicators", status_code=202, responses=_ACCEPTED)
async def propose_indicator(
    partnership_id: str, command: roadmap_requests.ProposeIndicator, ask: Asking, store: Store
) -> dict[str, Any]:
    """Define an indicator with its periods and targets, or redefine one by its id."""
    return accepted(await handlers.propose_indicator(partnership_id, command, ask, store))


@router.post(
    "/partnerships/{partnership_id}/indicators/{indicator_id}/values",
    status_code=202,
    responses=_ACCEPTED,
)
async def report_indicator_value(
    partnership_id: str,
    indicator_id: str,
    command: roadmap_requests.ReportIndicatorValue,
    ask: Asking,
    store: Store,
) -> dict[str, Any]:
    return accepted(
        await handlers.report_indicator_value(partnership_id, indicator_id, command, ask, store)
    )


@router.put(
    "/partnerships/{partnership_id}/evaluations/{phase}", status_code=202, responses=_ACCEPTED
)
async def submit_evaluation(
    partnership_id: str,
    phase: Annotated[str, Path(pattern=commands.PHASE_PATTERN, description="e.g. 2017-2021")],
    command: roadmap_requests.SubmitEvaluation,
    ask: Asking,
    store: Store,
) -> dict[str, Any]:
    """Evaluate a roadmap for a phase on the OECD-DAC criteria (coordinators); a later
    evaluation of the same phase replaces the earlier one. Back-fill an earlier phase with
    ``backfill: true``."""
    return accepted(await handlers.submit_evaluation(partnership_id, phase, command, ask, store))


SHEET_TYPES = {"text/csv": "csv", XLSX: "xlsx"}
_SHEET_BODY = {
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": "milestone_id,title_fr,title_ar,due_date,responsible_municipality_id\n"
            "social-service,Lancement du service social,إطلاق المصلحة الاجتماعية,2027-06-30,"
            "berkane\n",
        },
        XLSX: {"schema": {"type": "string", "format": "binary"}},
    },
    "required": True,
}
_SHEET_REFUSED: dict[int | str, dict[str, Any]] = {
    422: {
        "content": {
            "application/json": {
                "example": {
                    "detail": [
                        {
                            "loc": ["body", 3, "due_date"],
                            "msg": "'30/06/2027' is not a date (YYYY-MM-DD)",
                            "type": "invalid_date",
                            "row": 3,
                            "column": "due_date",
                        }
                    ]
                }
            }
        }
    },
    415: {"content": {"application/json": {"example": {"detail": "send text/csv or XLSX"}}}},
}


@router.post(
    "/partnerships/{partnership_id}/roadmap/import",
    status_code=202,
    responses={**_ACCEPTED, **_SHEET_REFUSED},
    openapi_extra={"requestBody": _SHEET_BODY},
)
async def import_roadmap(partnership_id: str, request: Request, ask: Asking, store: Store) -> Any:
    """Import a roadmap from a sheet (CSV or XLSX), one row per milestone, all or nothing.

    Columns: ``milestone_id``, ``title_<ar|fr|nl|en>`` (one at least), ``due_date``,
    ``responsible_municipality_id``; optionally ``objective_id``, ``phase``, ``weight``,
    ``target``, ``backfill`` (yes/no), ``objective_theme`` and ``objective_title_<lang>`` to
    create an objective. Problems of form answer ``422`` at once, each naming its row and
    column; roadmaps then applies the sheet and the submission shows ``applied`` with what
    was imported, or ``rejected`` with every problem by row and column.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in SHEET_TYPES:
        return JSONResponse({"detail": f"send text/csv or {XLSX}"}, status_code=415)
    sheet = await request.body()
    try:
        appended = await handlers.import_roadmap(
            partnership_id, sheet, SHEET_TYPES[content_type], ask, store
        )
    except ImportRefused as refused:
        detail = [
            {
                "loc": ["body", problem.row, problem.column],
                "msg": problem.message,
                "type": problem.code,
                "row": problem.row,
                "column": problem.column,
            }
            for problem in refused.problems
        ]
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse(accepted(appended), status_code=202)


@router.get("/submissions/{submission_id}", tags=["submissions"], responses=one(SUBMISSION))
async def get_submission(
    submission_id: str, _principal: CurrentPrincipal, store: Store
) -> dict[str, Any]:
    submission = await store.submission(submission_id)
    if submission is None:
        raise NotFound(f"no submission {submission_id!r}")
    return public(submission)
