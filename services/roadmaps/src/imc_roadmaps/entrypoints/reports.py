"""The funder's report over HTTP: a partnership's or the programme's, for a phase, as PDF or
HTML, in one of the programme's languages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from imc_contracts import Language
from imc_runtime.auth import CurrentPrincipal
from imc_runtime.problems import excerpt

from imc_roadmaps.adapters.reports import ReportWriter
from imc_roadmaps.entrypoints.http import PhaseQuery, chosen_phase, store_of, today_of
from imc_roadmaps.service_layer import report

router = APIRouter(prefix="/v1/reports")
writer = ReportWriter()

LanguageQuery = Annotated[Language, Query(description="The report's language.")]
FormatQuery = Annotated[
    Literal["pdf", "html"], Query(alias="format", description="PDF to send, HTML to read.")
]


@router.get(
    "/partnerships/{partnership_id}",
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
async def partnership_report(
    partnership_id: str,
    _principal: CurrentPrincipal,
    request: Request,
    phase: PhaseQuery = None,
    language: LanguageQuery = "fr",
    output: FormatQuery = "pdf",
) -> Response:
    """The funder's report of one partnership for a phase (the current one by default)."""
    chosen = await chosen_phase(request, phase)
    figures = await report.partnership_report(
        store_of(request), partnership_id, chosen, today_of(request)
    )
    if figures is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no roadmap for {excerpt(partnership_id)}")
    return await _written(figures, language, output, f"report-{partnership_id}-{chosen}")


@router.get("/programme", responses={200: {"content": {"application/pdf": {}, "text/html": {}}}})
async def programme_report(
    _principal: CurrentPrincipal,
    request: Request,
    phase: PhaseQuery = None,
    language: LanguageQuery = "fr",
    output: FormatQuery = "pdf",
) -> Response:
    """The whole programme's funder's report for a phase (the current one by default)."""
    chosen = await chosen_phase(request, phase)
    figures = await report.programme_report(store_of(request), chosen, today_of(request))
    return await _written(figures, language, output, f"report-programme-{chosen}")


async def _written(figures: dict[str, Any], language: Language, output: str, stem: str) -> Response:
    if output == "html":
        return HTMLResponse(writer.html(figures, language))
    return Response(
        await writer.pdf(figures, language),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{stem}-{language}.pdf"'},
    )
