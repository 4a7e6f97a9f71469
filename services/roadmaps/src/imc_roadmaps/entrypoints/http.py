"""Roadmaps' HTTP API under /v1: read only, for viewers and up. Changes come from the registry."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response
from imc_runtime.auth import CurrentPrincipal
from imc_runtime.problems import excerpt

from imc_roadmaps.service_layer import evaluations, exports, iati, phases, views
from imc_roadmaps.service_layer.ports import Dependencies, RoadmapsRepository
from imc_roadmaps.settings import RoadmapsSettings

router = APIRouter(prefix="/v1")

PhaseQuery = Annotated[str | None, Query(max_length=50, pattern=r"^[0-9A-Za-z_-]+$")]


def deps_of(request: Request) -> Dependencies:
    deps: Dependencies = request.app.state.dependencies
    return deps


def store_of(request: Request) -> RoadmapsRepository:
    return deps_of(request).store


def settings_of(request: Request) -> RoadmapsSettings:
    settings: RoadmapsSettings = request.app.state.settings
    return settings


async def chosen_phase(request: Request, phase: str | None, *, known: bool = False) -> str:
    """The phase asked for, else the programme's latest running one. With ``known``, 404 for
    a phase the programme does not have (once it has phases): a report is a document for
    the funder, not of a phase that is not. A view takes any: a phase the registry opened a
    moment ago may not have reached roadmaps yet, and its view is empty meanwhile."""
    if phase is not None:
        phases_known = await phases.programme_phases(store_of(request))
        if known and phases_known and phase not in phases_known:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"no phase {excerpt(phase)} in the programme: it has {', '.join(phases_known)}",
            )
        return phase
    return await phases.current_phase(store_of(request), settings_of(request).current_phase)


def today_of(request: Request) -> dt.date:
    return deps_of(request).today()


@router.get("/partnerships/{partnership_id}/milestones")
async def milestones(
    partnership_id: str, _principal: CurrentPrincipal, request: Request
) -> dict[str, Any]:
    today = today_of(request)
    items = [
        views.milestone_view(m, today)
        for m in await store_of(request).milestones_of(partnership_id)
    ]
    return {"items": items, "total": len(items)}


@router.get("/partnerships/{partnership_id}/roadmap")
async def roadmap(
    partnership_id: str, _principal: CurrentPrincipal, request: Request, phase: PhaseQuery = None
) -> dict[str, Any]:
    """The partnership's roadmap for a phase (the current one by default), with roll-ups."""
    view = await views.roadmap_view(
        store_of(request),
        partnership_id,
        await chosen_phase(request, phase),
        today_of(request),
    )
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no roadmap for {excerpt(partnership_id)}")
    return view


@router.get("/partnerships/{partnership_id}/milestones/{milestone_id}/history")
async def milestone_history(
    partnership_id: str, milestone_id: str, _principal: CurrentPrincipal, request: Request
) -> dict[str, Any]:
    history = await views.milestone_history(store_of(request), partnership_id, milestone_id)
    if history is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no milestone {excerpt(milestone_id)}")
    return {"milestone_id": milestone_id, "items": history, "total": len(history)}


@router.get("/milestones/overdue")
async def overdue(_principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """Open milestones past their due date, across the programme."""
    late, _ = await views.due_lists(
        store_of(request), today_of(request), settings_of(request).due_soon_days
    )
    return {"items": late, "total": len(late)}


@router.get("/milestones/due-soon")
async def due_soon(
    _principal: CurrentPrincipal,
    request: Request,
    days: Annotated[int | None, Query(ge=0, le=365)] = None,
) -> dict[str, Any]:
    """Open milestones due within ``days`` (the due-soon setting by default)."""
    _, soon = await views.due_lists(
        store_of(request),
        today_of(request),
        days if days is not None else settings_of(request).due_soon_days,
    )
    return {"items": soon, "total": len(soon)}


@router.get("/dashboard")
async def dashboard(
    _principal: CurrentPrincipal, request: Request, phase: PhaseQuery = None
) -> dict[str, Any]:
    """Programme figures: progress per partnership and theme, beneficiaries against targets."""
    return await views.dashboard(store_of(request), await chosen_phase(request, phase))


@router.get("/partnerships/{partnership_id}/evaluations")
async def evaluations_of(
    partnership_id: str, _principal: CurrentPrincipal, request: Request
) -> dict[str, Any]:
    items = await store_of(request).evaluations_of(partnership_id)
    return {"items": items, "total": len(items)}


@router.get("/partnerships/{partnership_id}/phase-comparison")
async def phase_comparison(
    partnership_id: str,
    _principal: CurrentPrincipal,
    request: Request,
    phases: Annotated[list[str], Query(min_length=2, max_length=5)],
) -> dict[str, Any]:
    """Phases of one partnership side by side, e.g. ``?phases=2017-2021&phases=2022-2026``."""
    return await evaluations.compare_phases(store_of(request), partnership_id, phases)


PartnershipQuery = Annotated[str | None, Query(max_length=200)]


def _csv(text: str, file_name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{file_name}"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/exports/milestones.csv")
async def milestones_csv(
    _principal: CurrentPrincipal, request: Request, partnership_id: PartnershipQuery = None
) -> Response:
    text = await exports.milestones_csv(store_of(request), today_of(request), partnership_id)
    return _csv(text, "milestones.csv")


@router.get("/exports/indicators.csv")
async def indicators_csv(
    _principal: CurrentPrincipal, request: Request, partnership_id: PartnershipQuery = None
) -> Response:
    text = await exports.indicators_csv(store_of(request), partnership_id)
    return _csv(text, "indicators.csv")


@router.get("/exports/iati-activities.xml")
async def iati_activities(
    _principal: CurrentPrincipal, request: Request, phase: PhaseQuery = None
) -> Response:
    """The programme (parent) and its partnerships (children) as IATI 2.03 activities."""
    settings = settings_of(request)
    publisher = iati.Publisher(
        reporting_org_ref=settings.iati_reporting_org_ref,
        reporting_org_type=settings.iati_reporting_org_type,
        reporting_org_name=settings.iati_reporting_org_name,
        programme_identifier=settings.iati_programme_identifier,
        phase=await chosen_phase(request, phase, known=True),
    )
    return Response(
        await iati.iati_activities(store_of(request), publisher), media_type="application/xml"
    )
