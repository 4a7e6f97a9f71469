"""Roadmaps deciding evidence, on its storage in memory: a file is attached to a report that
exists and may still change, once however often the request arrives, and refused otherwise
with a reason in the submitter's language."""

from __future__ import annotations

from typing import Any

from imc_contracts import registry, roadmaps
from imc_contracts.common import Evidence
from imc_roadmaps.service_layer import evidence, handlers
from imc_roadmaps.service_layer.ports import Dependencies

from .steps import milestone, rejections, request, store


def attach(**subject: Any) -> Any:
    return request(
        registry.EvidenceAttachRequested,
        evidence=Evidence(
            evidence_id="file-1",
            name="liste.pdf",
            media_type="application/pdf",
            size=1200,
            sha256="a" * 64,
            report_submission_id="report-1",
            **subject,
        ),
    )


def attached(deps: Dependencies) -> list[roadmaps.EvidenceAttached]:
    return [e for e in store(deps).events("evidence:") if isinstance(e, roadmaps.EvidenceAttached)]


async def test_a_file_is_attached_to_a_milestones_report_once_with_its_title_and_phase(
    deps: Dependencies,
) -> None:
    await handlers.milestone_proposed(milestone(), deps)
    asked = attach(subject="progress", milestone_id="space")
    await evidence.evidence_attach_requested(asked, deps)
    await evidence.evidence_attach_requested(asked, deps)  # delivered twice
    [event] = attached(deps)
    assert event.payload.phase == "2022-2026"
    assert event.payload.title == {"fr": "Espace jeunes"}
    assert event.payload.evidence.sha256 == "a" * 64
    assert rejections(deps) == []


async def test_evidence_of_what_does_not_exist_is_refused_in_the_officers_language(
    deps: Dependencies,
) -> None:
    for subject in (
        {"subject": "progress", "milestone_id": "nowhere"},
        {"subject": "indicator_value", "indicator_id": "nothing"},
        {"subject": "evaluation", "phase": "2017-2021"},
    ):
        await evidence.evidence_attach_requested(attach(**subject), deps)
    codes = [r.payload.code for r in rejections(deps)]
    assert codes == ["milestone_unknown", "indicator_unknown", "evaluation_unknown"]
    assert "2017-2021" in rejections(deps)[2].payload.reason
    assert "evaluatie" in rejections(deps)[2].payload.reason  # the officer reads Dutch
    assert attached(deps) == []
