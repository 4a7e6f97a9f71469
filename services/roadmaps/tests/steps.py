"""The steps roadmaps' fast tests share: Berkane and Saint-Gilles in partnership for
2022–2026, and their officer's requests as the registry sends them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from imc_contracts import Actor, Event, registry, roadmaps
from imc_roadmaps.service_layer import replica
from imc_roadmaps.service_layer.ports import Dependencies

from .fakes import InMemoryRoadmaps

TODAY = dt.date(2026, 11, 30)
PAIR = "berkane--saint-gilles"
OFFICER = Actor(kind="officer", id="karim@example.net", municipality_id="berkane", language="nl")


def store(deps: Dependencies) -> InMemoryRoadmaps:
    assert isinstance(deps.store, InMemoryRoadmaps)
    return deps.store


def request(kind: type[Event], **fields: Any) -> Any:
    payload = kind.model_fields["payload"].annotation
    assert isinstance(payload, type)
    return kind.create(
        payload(submission_id=f"sub-{uuid.uuid4().hex[:8]}", **fields),
        partnership_id=PAIR,
        actor=OFFICER,
    )


def milestone(milestone_id: str = "space", due: dt.date = dt.date(2027, 6, 30), **more: Any) -> Any:
    fields = {"title": {"fr": "Espace jeunes"}, "responsible_municipality_id": "berkane", **more}
    return request(registry.MilestoneProposed, milestone_id=milestone_id, due_date=due, **fields)


def rejections(deps: Dependencies) -> list[roadmaps.SubmissionRejected]:
    return [
        e for e in store(deps).events("submission:") if isinstance(e, roadmaps.SubmissionRejected)
    ]


async def partnered() -> Dependencies:
    """Berkane and Saint-Gilles in partnership for 2022–2026."""
    made = Dependencies(InMemoryRoadmaps(), lambda: TODAY, due_soon_days=14)
    await taking_part_in(made, ["2022-2026"])
    return made


async def taking_part_in(deps: Dependencies, phases: list[str]) -> None:
    """The partnership as the registry says it is now, in these phases."""
    await replica.partnership_created(
        registry.PartnershipCreated.create(
            registry.PartnershipCreatedPayload(
                partnership_id=PAIR,
                moroccan_municipality_id="berkane",
                belgian_municipality_id="saint-gilles",
                name={"fr": "Berkane – Saint-Gilles"},
                phases=phases,
                themes=["youth"],
                status="active",
            ),
            partnership_id=PAIR,
        ),
        deps,
    )
