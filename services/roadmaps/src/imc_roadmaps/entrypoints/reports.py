"""The funder's report over HTTP: a partnership's or the programme's, for a phase, as PDF or
HTML, in one of the programme's languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
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


WRITTEN: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}, "text/html": {}}}
}


@dataclass(frozen=True)
class ReportAsked:
    """What a report's reader chose: its phase (the current one by default), its language,
    and PDF or HTML."""

    phase: str
    language: Language
    output: Literal["pdf", "html"]


async def _asked(
    request: Request,
    phase: PhaseQuery = None,
    language: LanguageQuery = "fr",
    output: FormatQuery = "pdf",
) -> ReportAsked:
    return ReportAsked(await chosen_phase(request, phase, known=True), language, output)


Asked = Annotated[ReportAsked, Depends(_asked)]


@router.get("/partnerships/{partnership_id}", responses=WRITTEN)
async def partnership_report(
    partnership_id: str, _principal: CurrentPrincipal, request: Request, asked: Asked
) -> Response:
    """The funder's report of one partnership for a phase (the current one by default)."""
    figures = await report.partnership_report(
        store_of(request), partnership_id, asked.phase, today_of(request)
    )
    if figures is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no roadmap for {excerpt(partnership_id)}")
    return await _written(figures, asked, f"report-{partnership_id}-{asked.phase}")


@router.get("/programme", responses=WRITTEN)
async def programme_report(
    _principal: CurrentPrincipal, request: Request, asked: Asked
) -> Response:
    """The whole programme's funder's report for a phase (the current one by default)."""
    figures = await report.programme_report(store_of(request), asked.phase, today_of(request))
    return await _written(figures, asked, f"report-programme-{asked.phase}")


async def _written(figures: dict[str, Any], asked: ReportAsked, stem: str) -> Response:
    language = asked.language
    if asked.output == "html":
        return HTMLResponse(writer.html(figures, language))
    return Response(
        await writer.pdf(figures, language),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{stem}-{language}.pdf"'},
    )
