"""Roadmaps on the real Kafka and FerretDB: the registry's requests applied or refused.

Each test speaks for the registry on Kafka (its events, keyed by partnership, so one
partnership's requests are handled in order) and reads what roadmaps decided on its topic
and through its HTTP API.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from imc_contracts import (
    Actor,
    Event,
    Language,
    PoisonMessage,
    UnknownEventType,
    decode,
    encode,
    registry,
    topic_of,
)
from imc_contracts.common import BeneficiaryCount, DisaggregatedValue, ReportingPeriod
from imc_contracts.roadmaps import (
    EvaluationRecorded,
    IndicatorDefined,
    IndicatorValueRecorded,
    MilestoneCancelled,
    MilestonePlanned,
    MilestoneProgressed,
    MilestoneReached,
    MilestoneRescheduled,
    MilestoneRevised,
    ObjectivePlanned,
    RoadmapImported,
    RoadmapProgressed,
    SubmissionRejected,
)
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, token

pytestmark = pytest.mark.infra


class Bus:
    """Publishes events as their producer would and records every roadmaps event seen."""

    def __init__(self, bootstrap: str) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
        self._consumer = AIOKafkaConsumer(
            topic_of("roadmaps").name, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
        )
        self.seen: list[Event] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._producer.start()
        await self._consumer.start()
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        async for message in self._consumer:
            with contextlib.suppress(UnknownEventType, PoisonMessage):  # others publish poison here
                self.seen.append(decode(message.value or b""))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()
        await self._producer.stop()

    async def publish(self, *events: Event) -> None:
        for event in events:
            await self._producer.send_and_wait(
                topic_of(event.producer).name,
                encode(event),
                key=event.partnership_id.encode(),
                headers=[("event-type", event.type.encode())],
            )

    def matching(self, predicate: Callable[[Event], bool]) -> list[Event]:
        return [event for event in self.seen if predicate(event)]

    async def wait_for(
        self, predicate: Callable[[Event], bool], *, what: str, within: float = 90
    ) -> Event:
        deadline = time.monotonic() + within
        while True:
            found = self.matching(predicate)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not seen on Kafka within {within:.0f} s")
            await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
async def bus(services: Stack) -> AsyncIterator[Bus]:
    bus = Bus(services.kafka_bootstrap)
    await bus.start()
    yield bus
    await bus.stop()


TODAY = dt.date.today()


class Roadmap:
    """A fresh partnership, and requests about it as the registry would publish them."""

    def __init__(self, bus: Bus) -> None:
        run = uuid.uuid4().hex[:8]
        self.bus = bus
        self.moroccan = f"berkane-{run}"
        self.belgian = f"saint-gilles-{run}"
        self.id = f"{self.moroccan}--{self.belgian}"

    async def create(self) -> None:
        await self.bus.publish(
            registry.PartnershipCreated.create(
                registry.PartnershipCreatedPayload(
                    partnership_id=self.id,
                    moroccan_municipality_id=self.moroccan,
                    belgian_municipality_id=self.belgian,
                    name={"fr": "Berkane – Saint-Gilles"},
                    phases=["2017-2021", "2022-2026"],
                    themes=["youth", "women"],
                    status="active",
                ),
                partnership_id=self.id,
                actor=Actor(kind="coordinator", id="coordinator@example.org"),
            )
        )

    def request(
        self,
        kind: type[Event],
        language: Language = "fr",
        *,
        by: Actor | None = None,
        **fields: Any,
    ) -> Event:
        payload_type = kind.model_fields["payload"].annotation
        assert isinstance(payload_type, type)
        payload = payload_type(submission_id=f"sub-{uuid.uuid4().hex[:12]}", **fields)
        return kind.create(
            payload,
            partnership_id=self.id,
            actor=by
            or Actor(
                kind="officer",
                id="karim@example.net",
                municipality_id=self.moroccan,
                language=language,
            ),
        )

    async def send(self, *requests: Event) -> None:
        await self.bus.publish(*requests)

    async def outcome(self, request: Event, *expected: type[Event]) -> list[Event]:
        """Every event roadmaps decided about ``request``, once all of ``expected`` are seen."""
        cause = str(request.event_id)
        for kind in expected:
            await self.bus.wait_for(
                lambda e, kind=kind: e.causation_id == cause and isinstance(e, kind),  # type: ignore[misc]
                what=f"{kind.__name__} for {request.type}",
            )
        return self.bus.matching(lambda e: e.causation_id == cause)

    async def rejection(self, request: Event) -> SubmissionRejected:
        events = await self.outcome(request, SubmissionRejected)
        assert len(events) == 1, events
        rejected = events[0]
        assert isinstance(rejected, SubmissionRejected)
        assert rejected.payload.submission_id == request.payload.submission_id
        return rejected

    def milestone(self, milestone_id: str, **fields: Any) -> Event:
        return self.request(
            registry.MilestoneProposed,
            milestone_id=milestone_id,
            title={"fr": f"Jalon {milestone_id}", "ar": "مرحلة"},
            due_date=fields.pop("due_date", TODAY + dt.timedelta(days=120)),
            responsible_municipality_id=fields.pop("responsible_municipality_id", self.moroccan),
            **fields,
        )

    def progress(self, milestone_id: str, progress: int, **fields: Any) -> Event:
        return self.request(
            registry.ProgressReported,
            fields.pop("language", "fr"),
            milestone_id=milestone_id,
            progress=progress,
            reported_on=TODAY,
            **fields,
        )


@pytest.fixture
async def roadmap(bus: Bus) -> Roadmap:
    created = Roadmap(bus)
    await created.create()
    return created


def api(services: Stack) -> httpx.Client:
    return httpx.Client(
        base_url=services.service_url("roadmaps"), headers=bearer(token("viewer")), timeout=10
    )


async def test_a_planned_roadmap_rolls_progress_up_to_the_dashboard(
    roadmap: Roadmap, services: Stack
) -> None:
    objective = roadmap.request(
        registry.ObjectiveProposed,
        objective_id="social-service",
        phase="2022-2026",
        theme="women",
        title={"fr": "Service social municipal", "nl": "Gemeentelijke sociale dienst"},
    )
    heavy = roadmap.milestone("hire-social-workers", objective_id="social-service", weight=3)
    light = roadmap.milestone("open-the-office", objective_id="social-service")
    done = roadmap.progress(
        "hire-social-workers",
        100,
        beneficiaries=[BeneficiaryCount(group="women", sex="female", count=40)],
        note="two social workers hired",
    )
    await roadmap.send(objective, heavy, light, done)

    await roadmap.outcome(objective, ObjectivePlanned)
    planned = await roadmap.outcome(heavy, MilestonePlanned)
    assert planned[0].payload.phase == "2022-2026"
    assert planned[0].payload.weight == 3
    events = await roadmap.outcome(done, MilestoneProgressed, MilestoneReached, RoadmapProgressed)
    assert [type(e) for e in events] == [MilestoneProgressed, MilestoneReached, RoadmapProgressed]
    rolled = events[2]
    assert isinstance(rolled, RoadmapProgressed)
    assert (rolled.payload.previous_progress, rolled.payload.progress) == (0.0, 75.0)
    assert rolled.payload.objectives == {"social-service": 75.0}

    client = api(services)
    view = client.get(f"/v1/partnerships/{roadmap.id}/roadmap").json()
    assert view["progress"] == 75.0
    [social] = view["objectives"]
    assert social["progress"] == 75.0
    assert {m["id"]: m["status"] for m in social["milestones"]} == {
        "hire-social-workers": "reached",
        "open-the-office": "planned",
    }
    figures = client.get("/v1/dashboard").json()
    assert figures["partnerships"][roadmap.id] == 75.0
    assert "women" in figures["themes"]
    assert any(
        b["group"] == "women" and b["sex"] == "female" and b["reached"] >= 40
        for b in figures["beneficiaries"]
    )

    history = client.get(
        f"/v1/partnerships/{roadmap.id}/milestones/hire-social-workers/history"
    ).json()["items"]
    assert [entry["type"] for entry in history] == [
        "roadmaps.milestone.planned.v1",
        "roadmaps.milestone.progressed.v1",
        "roadmaps.milestone.reached.v1",
        "roadmaps.roadmap.progressed.v1",
    ]
    assert history[1]["who"]["id"] == "karim@example.net"
    assert history[1]["why"] == "two social workers hired"
    assert history[1]["what"]["beneficiaries"][0]["count"] == 40


async def test_every_rule_refuses_with_a_reason_in_the_submitters_language(
    roadmap: Roadmap,
) -> None:
    m = roadmap.moroccan
    setup = [
        roadmap.milestone("climbing"),
        roadmap.progress("climbing", 60),
        roadmap.milestone("finished"),
        roadmap.progress("finished", 100),
        roadmap.milestone("dropped"),
        roadmap.request(
            registry.MilestoneCancellationRequested, milestone_id="dropped", reason="merged"
        ),
        roadmap.request(
            registry.IndicatorProposed,
            indicator_id="people-reached",
            title={"fr": "Personnes accompagnées"},
            measure="unit",
            unit="people",
            periods=[
                ReportingPeriod(
                    period_id="2023", start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)
                )
            ],
        ),
    ]
    cases: list[tuple[Event, str, str]] = [
        (roadmap.progress("never-planned", 10, language="nl"), "milestone_unknown", "Mijlpaal"),
        (roadmap.progress("dropped", 10), "milestone_cancelled", "Le jalon dropped a été annulé"),
        (
            roadmap.progress("climbing", 30, language="en"),
            "progress_decreasing",
            "Progress cannot go down from 60%",
        ),
        (
            roadmap.progress("finished", 90, language="en"),
            "milestone_reached",
            "Milestone finished is already reached",
        ),
        (
            roadmap.milestone("late", due_date=TODAY - dt.timedelta(days=1), language="ar"),
            "due_date_past",
            "تاريخ الاستحقاق",
        ),
        (
            roadmap.milestone("elsewhere", responsible_municipality_id="tanger"),
            "responsible_not_partner",
            "La commune tanger n'est pas partenaire",
        ),
        (
            roadmap.milestone("orphan", objective_id="nowhere"),
            "objective_unknown",
            "L'objectif nowhere",
        ),
        (
            roadmap.request(
                registry.IndicatorValueReported,
                indicator_id="people-reached",
                period_id="2031",
                values=[DisaggregatedValue(value=12)],
            ),
            "period_unknown",
            "n'a pas de période de rapportage 2031",
        ),
        (
            roadmap.request(
                registry.IndicatorValueReported,
                indicator_id="unknown-indicator",
                period_id="2023",
                values=[DisaggregatedValue(value=12)],
            ),
            "indicator_unknown",
            "L'indicateur unknown-indicator",
        ),
        (
            roadmap.request(
                registry.MilestoneRescheduleRequested,
                milestone_id="climbing",
                due_date=TODAY - dt.timedelta(days=3),
            ),
            "due_date_past",
            "est déjà passée",
        ),
        (
            roadmap.request(
                registry.MilestoneCancellationRequested, milestone_id="finished", reason="x"
            ),
            "milestone_already_reached",
            "déjà atteint",
        ),
        (
            roadmap.request(
                registry.MilestoneRevised,
                milestone_id="climbing",
                responsible_municipality_id="jette",
            ),
            "responsible_not_partner",
            "La commune jette",
        ),
    ]
    await roadmap.send(*setup, *(request for request, _, _ in cases))
    for request, code, words in cases:
        rejected = await roadmap.rejection(request)
        assert rejected.payload.code == code
        assert words in rejected.payload.reason, rejected.payload.reason
    assert m  # the moroccan partner's own milestones were accepted:
    for request in setup:
        events = await roadmap.outcome(request)
        assert not any(isinstance(e, SubmissionRejected) for e in events)


async def test_corrections_revisions_rescheduling_cancellation_and_indicator_values_apply(
    roadmap: Roadmap, services: Stack
) -> None:
    plan = roadmap.milestone("youth-council", weight=2)
    reached = roadmap.progress("youth-council", 100)
    corrected = roadmap.progress("youth-council", 80, correction=True, note="one district left")
    completed = roadmap.progress("youth-council", 100)
    revised = roadmap.request(
        registry.MilestoneRevised,
        milestone_id="youth-council",
        title={"fr": "Conseil des jeunes", "nl": "Jeugdraad"},
        responsible_municipality_id=roadmap.belgian,
    )
    moved = roadmap.milestone("citizens-house")
    rescheduled = roadmap.request(
        registry.MilestoneRescheduleRequested,
        milestone_id="citizens-house",
        due_date=TODAY + dt.timedelta(days=400),
        reason="building permit delayed",
    )
    cancelled = roadmap.request(
        registry.MilestoneCancellationRequested,
        milestone_id="citizens-house",
        reason="funded by the region instead",
    )
    indicator = roadmap.request(
        registry.IndicatorProposed,
        indicator_id="young-people-trained",
        title={"fr": "Jeunes formés"},
        measure="unit",
        unit="people",
        baseline=DisaggregatedValue(value=0),
        baseline_year=2022,
        periods=[
            ReportingPeriod(
                period_id="2024",
                start=dt.date(2024, 1, 1),
                end=dt.date(2024, 12, 31),
                targets=[DisaggregatedValue(group="youth", sex="female", value=30)],
            )
        ],
    )
    value = roadmap.request(
        registry.IndicatorValueReported,
        indicator_id="young-people-trained",
        period_id="2024",
        values=[
            DisaggregatedValue(group="youth", sex="female", value=21),
            DisaggregatedValue(group="youth", sex="male", value=17),
        ],
    )
    await roadmap.send(
        plan,
        reached,
        corrected,
        completed,
        revised,
        moved,
        rescheduled,
        cancelled,
        indicator,
        value,
    )

    assert MilestoneReached in {type(e) for e in await roadmap.outcome(reached, MilestoneReached)}
    after_correction = await roadmap.outcome(corrected, MilestoneProgressed, RoadmapProgressed)
    assert after_correction[0].payload.correction
    assert after_correction[0].payload.previous_progress == 100
    again = await roadmap.outcome(completed, MilestoneReached)
    assert [type(e) for e in again][:2] == [MilestoneProgressed, MilestoneReached]
    [revision] = await roadmap.outcome(revised, MilestoneRevised)
    assert revision.payload.responsible_municipality_id == roadmap.belgian
    assert revision.payload.weight == 2  # kept: the request did not change it
    [move] = await roadmap.outcome(rescheduled, MilestoneRescheduled)
    assert move.payload.reason == "building permit delayed"
    cancellation = await roadmap.outcome(cancelled, MilestoneCancelled)
    assert cancellation[0].payload.reason == "funded by the region instead"
    await roadmap.outcome(indicator, IndicatorDefined)
    await roadmap.outcome(value, IndicatorValueRecorded)

    client = api(services)
    milestones = {
        m["id"]: m for m in client.get(f"/v1/partnerships/{roadmap.id}/milestones").json()["items"]
    }
    assert milestones["youth-council"]["status"] == "reached"
    assert milestones["youth-council"]["title"]["nl"] == "Jeugdraad"
    assert milestones["citizens-house"]["status"] == "cancelled"
    view = client.get(f"/v1/partnerships/{roadmap.id}/roadmap").json()
    assert view["progress"] == 100.0  # the cancelled milestone no longer counts
    [trained] = view["indicators_without_objective"]
    assert {(a["sex"], a["value"]) for a in trained["periods"][0]["actuals"]} == {
        ("female", 21),
        ("male", 17),
    }


async def test_back_filled_history_may_lie_in_the_past_and_says_so(roadmap: Roadmap) -> None:
    # 2017-2021 may be closed on this stack: a coordinator still records its history.
    old = roadmap.milestone(
        "agadir-workshop-follow-up",
        due_date=dt.date(2018, 5, 19),
        phase="2017-2021",
        backfill=True,
        by=Actor(kind="coordinator", id="coordinator@example.org", language="fr"),
    )
    await roadmap.send(old)
    [planned] = await roadmap.outcome(old, MilestonePlanned)
    assert planned.payload.backfill
    assert planned.payload.phase == "2017-2021"


async def test_a_redelivered_request_has_no_second_effect(
    roadmap: Roadmap, services: Stack
) -> None:
    plan = roadmap.milestone("autism-care-institute")
    done = roadmap.progress("autism-care-institute", 100)
    marker = roadmap.milestone("after-the-replays")
    # The same events, byte for byte, delivered twice: as after a consumer crash.
    await roadmap.send(plan, plan, done, done, marker)
    await roadmap.outcome(marker, MilestonePlanned)

    assert len(roadmap.bus.matching(lambda e: e.causation_id == str(plan.event_id))) == 1
    reached = roadmap.bus.matching(
        lambda e: (
            isinstance(e, MilestoneReached)
            and e.payload.milestone_id == "autism-care-institute"
            and e.partnership_id == roadmap.id
        )
    )
    assert len(reached) == 1
    history = (
        api(services)
        .get(f"/v1/partnerships/{roadmap.id}/milestones/autism-care-institute/history")
        .json()["items"]
    )
    assert [entry["type"] for entry in history] == [
        "roadmaps.milestone.planned.v1",
        "roadmaps.milestone.progressed.v1",
        "roadmaps.milestone.reached.v1",
        "roadmaps.roadmap.progressed.v1",
    ]
    assert sum(entry["type"] == "roadmaps.milestone.reached.v1" for entry in history) == 1


async def test_coordinators_record_evaluations_and_two_phases_compare(
    roadmap: Roadmap, services: Stack
) -> None:
    await roadmap.send(roadmap.milestone("marker"))
    await roadmap.bus.wait_for(
        lambda e: isinstance(e, MilestonePlanned) and e.partnership_id == roadmap.id,
        what="the partnership is known",
    )
    earlier: dict[str, Any] = {
        "relevance": 4, "coherence": 3, "effectiveness": 2, "efficiency": 2, "impact": 2,
        "sustainability": 1,
        "findings": {"fr": "Service social lancé, peu de suivi des bénéficiaires."},
        "lessons": {"fr": "Mesurer dès le départ.", "nl": "Van bij het begin meten."},
        "backfill": True,
    }  # fmt: skip
    later = {**earlier, "effectiveness": 3, "sustainability": 3, "backfill": False}
    first = roadmap.request(registry.EvaluationSubmitted, phase="2017-2021", **earlier)
    second = roadmap.request(registry.EvaluationSubmitted, phase="2022-2026", **later)
    wrong_phase = roadmap.request(registry.EvaluationSubmitted, phase="2030-2034", **later)
    await roadmap.send(first, first, second, wrong_phase)  # the first one delivered twice

    [recorded] = await roadmap.outcome(first, EvaluationRecorded)
    assert isinstance(recorded, EvaluationRecorded)
    assert recorded.payload.submission_id == first.payload.submission_id
    assert recorded.actor is not None
    assert recorded.actor.id == "karim@example.net"
    await roadmap.outcome(second, EvaluationRecorded)
    refused = await roadmap.rejection(wrong_phase)
    assert refused.payload.code == "phase_unknown"

    with api(services) as client:
        comparison = client.get(
            f"/v1/partnerships/{roadmap.id}/phase-comparison",
            params=[("phases", "2017-2021"), ("phases", "2022-2026")],
        ).json()
        evaluations = client.get(f"/v1/partnerships/{roadmap.id}/evaluations").json()
    assert comparison["rating_changes"]["sustainability"] == 2
    assert comparison["rating_changes"]["relevance"] == 0
    assert comparison["phases"][0]["lessons"]["nl"] == "Van bij het begin meten."
    assert evaluations["total"] == 2  # the redelivered first one is still one evaluation


async def test_a_programme_level_milestone_is_planned_for_the_whole_programme(
    roadmap: Roadmap, services: Stack
) -> None:
    await roadmap.send(roadmap.milestone("marker"))
    await roadmap.bus.wait_for(
        lambda e: isinstance(e, MilestonePlanned) and e.partnership_id == roadmap.id,
        what="the partnership is known",
    )
    workshop_id = f"ouarzazate-workshop-{roadmap.id}"
    workshop = registry.MilestoneProposed.create(
        registry.MilestoneProposedPayload(
            submission_id=f"sub-{uuid.uuid4().hex}",
            milestone_id=workshop_id,
            title={"fr": "Atelier de Ouarzazate (9–13 mai)", "ar": "ورشة ورزازات"},
            due_date=dt.date(2022, 5, 13),
            responsible_municipality_id=roadmap.moroccan,
            phase="2022-2026",
            backfill=True,
        ),
        partnership_id="programme",
        actor=Actor(kind="coordinator", id="coordinator@example.org"),
    )
    await roadmap.bus.publish(workshop)
    [planned] = await roadmap.outcome(workshop, MilestonePlanned)
    assert planned.partnership_id == "programme"
    listed = api(services).get("/v1/partnerships/programme/milestones").json()["items"]
    assert workshop_id in {m["id"] for m in listed}
    assert "programme" not in api(services).get("/v1/dashboard").json()["partnerships"]


def sheet_row(row: int, milestone_id: str, responsible: str, **fields: Any) -> dict[str, Any]:
    return {
        "row": row,
        "milestone_id": milestone_id,
        "title": fields.pop("title", {"fr": milestone_id}),
        "due_date": fields.pop("due_date", TODAY + dt.timedelta(days=90)),
        "responsible_municipality_id": responsible,
        **fields,
    }


async def test_a_roadmap_imports_from_a_sheet_all_or_nothing(
    roadmap: Roadmap, services: Stack
) -> None:
    await roadmap.send(roadmap.milestone("already-there"))
    await roadmap.bus.wait_for(
        lambda e: isinstance(e, MilestonePlanned) and e.partnership_id == roadmap.id,
        what="the partnership is known",
    )
    broken = roadmap.request(
        registry.RoadmapImportRequested,
        import_id=f"broken-{roadmap.id}",
        rows=[
            sheet_row(2, "new-one", roadmap.moroccan),
            sheet_row(3, "already-there", roadmap.moroccan),
            sheet_row(4, "elsewhere", "tanger"),
            sheet_row(5, "late", roadmap.belgian, due_date=TODAY - dt.timedelta(days=1)),
            sheet_row(
                6, "new-objective", roadmap.belgian, objective_id="o", objective_theme="youth"
            ),
        ],
    )
    await roadmap.send(broken)
    refused = await roadmap.rejection(broken)
    assert refused.payload.code == "sheet_refused"
    assert {(p.row, p.column, p.code) for p in refused.payload.problems} == {
        (3, "milestone_id", "milestone_exists"),
        (4, "responsible_municipality_id", "responsible_not_partner"),
        (5, "due_date", "due_date_past"),
        (6, "phase", "required"),
    }
    with api(services) as client:
        milestones = client.get(f"/v1/partnerships/{roadmap.id}/milestones").json()["items"]
    assert {m["id"] for m in milestones} == {"already-there"}  # nothing of it was written

    rows = [
        sheet_row(
            2,
            "first",
            roadmap.moroccan,
            title={"fr": "Premier", "ar": "الأول"},
            objective_id="youth-council",
            phase="2022-2026",
            objective_theme="youth",
            objective_title={"fr": "Conseil des jeunes"},
            weight=2,
        ),
        sheet_row(3, "second", roadmap.belgian, objective_id="youth-council"),
    ]
    good = roadmap.request(
        registry.RoadmapImportRequested, import_id=f"good-{roadmap.id}", rows=rows
    )
    await roadmap.send(good, good)  # delivered twice: imported once
    [imported] = await roadmap.outcome(good, RoadmapImported)
    assert isinstance(imported, RoadmapImported)
    assert (imported.payload.milestones, imported.payload.objectives) == (2, 1)
    # The same sheet in a second submission adds nothing and says so.
    again = roadmap.request(
        registry.RoadmapImportRequested, import_id=f"good-{roadmap.id}", rows=rows
    )
    await roadmap.send(again)
    [repeated] = await roadmap.outcome(again, RoadmapImported)
    assert isinstance(repeated, RoadmapImported)
    assert (repeated.payload.milestones, repeated.payload.already_imported) == (0, 2)
    with api(services) as client:
        view = client.get(f"/v1/partnerships/{roadmap.id}/roadmap").json()
    [objective] = view["objectives"]
    assert objective["objective_id"] == "youth-council"
    assert {m["id"]: m["weight"] for m in objective["milestones"]} == {"first": 2.0, "second": None}
    first = next(m for m in objective["milestones"] if m["id"] == "first")
    assert first["title"] == {"fr": "Premier", "ar": "الأول"}


async def test_a_partnership_update_changes_who_may_be_responsible(roadmap: Roadmap) -> None:
    newcomer = f"jette-{roadmap.id[-8:]}"
    updated = registry.PartnershipUpdated.create(
        registry.PartnershipCreatedPayload(
            partnership_id=roadmap.id,
            moroccan_municipality_id=roadmap.moroccan,
            belgian_municipality_id=newcomer,
            name={"fr": "Berkane – Jette"},
            phases=["2022-2026"],
            themes=["youth"],
            status="active",
        ),
        partnership_id=roadmap.id,
        actor=Actor(kind="coordinator", id="coordinator@example.org"),
    )
    by_newcomer = roadmap.milestone("newcomer-leads", responsible_municipality_id=newcomer)
    by_former = roadmap.milestone("former-leads", responsible_municipality_id=roadmap.belgian)
    await roadmap.bus.publish(updated)
    await roadmap.send(by_newcomer, by_former)
    await roadmap.outcome(by_newcomer, MilestonePlanned)
    assert (await roadmap.rejection(by_former)).payload.code == "responsible_not_partner"
