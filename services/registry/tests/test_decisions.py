"""How the registry reads roadmaps' answers: every decision marks its submission."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from imc_contracts import roadmaps
from imc_contracts.common import Evidence
from imc_registry.adapters.store import RegistryStore
from imc_registry.service_layer import handlers


class Outcomes:
    """Stands in for the store's submission outcomes: the first decision stands."""

    def __init__(self) -> None:
        self.decided: dict[str, tuple[str, str | None]] = {}

    async def record_outcome(
        self,
        submission_id: str,
        status: str,
        *,
        event_id: str,
        code: str | None,
        reason: str | None,
        details: dict[str, Any] | None = None,
    ) -> bool:
        if submission_id in self.decided:
            return False
        self.decided[submission_id] = (status, code)
        return True

    async def submission_state(self, submission_id: str) -> None:
        return None  # not an evidence submission: no file to forget


TITLE = {"fr": "Jalon"}
DAY = dt.date(2026, 11, 29)


def decision(
    kind: type[handlers.SubmissionOutcome], submission_id: str
) -> handlers.SubmissionOutcome:
    """A decision of this kind, with plain values in its required fields."""
    payload_type = kind.model_fields["payload"].annotation
    assert isinstance(payload_type, type)
    fields: dict[str, Any] = {"submission_id": submission_id}
    for name, field in payload_type.model_fields.items():
        if name == "submission_id" or not field.is_required():
            continue
        fields[name] = _value_for(field.annotation)
    return kind.create(payload_type.model_validate(fields), partnership_id="p")


def _value_for(annotation: Any) -> Any:
    text = str(annotation)
    if "date" in text:
        return DAY.isoformat()
    if "dict" in text:
        return TITLE
    if "list" in text:
        return []
    if "int" in text or "float" in text:
        return 1
    if "Literal" in text:
        return annotation.__args__[0]
    if isinstance(annotation, type) and issubclass(annotation, Evidence):
        return EVIDENCE
    return "x"


EVIDENCE = Evidence(
    evidence_id="e-1",
    name="photo.png",
    media_type="image/png",
    size=1,
    sha256="0" * 64,
    subject="progress",
    report_submission_id="s-0",
)


@pytest.mark.parametrize(
    "kind", [k for k in handlers.SUBMISSION_OUTCOMES if k is not roadmaps.SubmissionRejected]
)
async def test_every_roadmaps_answer_marks_its_submission_applied(
    kind: type[handlers.SubmissionOutcome],
) -> None:
    outcomes = Outcomes()
    await handlers.record_outcome(decision(kind, "s-1"), cast(RegistryStore, outcomes))
    assert outcomes.decided == {"s-1": ("applied", None)}


async def test_a_rejection_marks_the_submission_rejected_with_its_code() -> None:
    outcomes = Outcomes()
    rejected = roadmaps.SubmissionRejected.create(
        roadmaps.SubmissionRejectedPayload(
            submission_id="s-2", code="milestone_unknown", reason="Jalon inconnu"
        ),
        partnership_id="p",
    )
    await handlers.record_outcome(rejected, cast(RegistryStore, outcomes))
    assert outcomes.decided == {"s-2": ("rejected", "milestone_unknown")}


async def test_a_decision_without_a_submission_changes_nothing() -> None:
    outcomes = Outcomes()
    await handlers.record_outcome(
        decision(roadmaps.MilestoneReached, "s-3"), cast(RegistryStore, outcomes)
    )
    unsolicited = decision(roadmaps.MilestoneReached, "s-4").model_copy(
        update={
            "payload": decision(roadmaps.MilestoneReached, "s-4").payload.model_copy(
                update={"submission_id": None}
            )
        }
    )
    await handlers.record_outcome(unsolicited, cast(RegistryStore, outcomes))
    assert set(outcomes.decided) == {"s-3"}
