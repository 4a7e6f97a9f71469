"""Every registry use case, on the storage in memory (``fakes.InMemoryRegistry``): what each
records, and what each refuses, in milliseconds. The same use cases run against FerretDB in
the tests of the running registry."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from imc_contracts import registry
from imc_contracts.roadmaps import MilestoneReached, MilestoneReachedPayload
from imc_registry.domain import commands, roadmap_requests
from imc_registry.domain.model import Conflict, Forbidden, Invalid, NotFound, PreconditionRequired
from imc_registry.service_layer import handlers
from imc_registry.service_layer.changes import Ask
from imc_registry.service_layer.sheets import ImportRefused
from imc_runtime.commits import CauseReused, request_fingerprint
from imc_runtime.principal import Principal

from .fakes import InMemoryRegistry

COORDINATOR = Principal(subject="coordinator@example.org", role="coordinator", language="fr")
BERKANE = Principal(subject="karim@example.net", role="officer", municipality_id="berkane")
ETTERBEEK = Principal(subject="lotte@example.org", role="officer", municipality_id="etterbeek")
VIEWER = Principal(subject="viewer@example.org", role="viewer")
DUE = dt.date(2027, 6, 30)


@pytest.fixture
async def store() -> InMemoryRegistry:
    """Berkane and Saint-Gilles, partners in 2022–2026, and Etterbeek."""
    made = InMemoryRegistry()
    for id, country, name in (
        ("berkane", "MA", "Berkane"),
        ("saint-gilles", "BE", "Saint-Gilles"),
        ("etterbeek", "BE", "Etterbeek"),
    ):
        await handlers.register_municipality(
            commands.RegisterMunicipality(
                id=id, names={"fr": name}, country=country, languages=["fr"]
            ),
            Ask(COORDINATOR),
            made,
        )
    await handlers.create_partnership(
        commands.CreatePartnership(
            moroccan_municipality_id="berkane",
            belgian_municipality_id="saint-gilles",
            themes=["youth"],
        ),
        Ask(COORDINATOR),
        made,
    )
    return made


PAIR = "berkane--saint-gilles"


def last(store: InMemoryRegistry, stream_prefix: str = "") -> Any:
    return store.events(stream_prefix)[-1]


# -- municipalities ---------------------------------------------------------------------


async def test_a_coordinator_registers_a_municipality_with_an_id_from_its_name(
    store: InMemoryRegistry,
) -> None:
    appended = await handlers.register_municipality(
        commands.RegisterMunicipality(names={"fr": "Aït Baha"}, country="MA", languages=["ar"]),
        Ask(COORDINATOR),
        store,
    )
    assert appended.commit.stream == "municipality:ait-baha"
    assert isinstance(appended.commit.events[0], registry.MunicipalityRegistered)


async def test_an_officer_may_not_register_a_municipality(store: InMemoryRegistry) -> None:
    with pytest.raises(Forbidden):
        await handlers.register_municipality(
            commands.RegisterMunicipality(names={"fr": "Tiznit"}, country="MA", languages=["fr"]),
            Ask(BERKANE),
            store,
        )


async def test_renaming_a_municipality_renames_its_partnerships(store: InMemoryRegistry) -> None:
    await handlers.update_municipality(
        "saint-gilles",
        commands.UpdateMunicipality(names={"fr": "Saint-Gilles", "nl": "Sint-Gillis"}),
        Ask(COORDINATOR, expected_version=1),
        store,
    )
    renamed = last(store, f"partnership:{PAIR}")
    assert isinstance(renamed, registry.PartnershipUpdated)
    assert renamed.payload.name["nl"] == "Berkane – Sint-Gillis"


async def test_an_edit_of_a_name_in_one_language_keeps_the_others(
    store: InMemoryRegistry,
) -> None:
    await handlers.update_municipality(
        "berkane",
        commands.UpdateMunicipality(names={"ar": "بركان"}),
        Ask(COORDINATOR, expected_version=1),
        store,
    )
    await handlers.update_municipality(
        "berkane",
        commands.UpdateMunicipality(names={"fr": "Berkane (Oriental)"}),
        Ask(COORDINATOR, expected_version=2),
        store,
    )
    assert last(store, "municipality:berkane").payload.names == {
        "fr": "Berkane (Oriental)",
        "ar": "بركان",
    }


async def test_an_edit_needs_the_version_read_and_a_stale_one_is_a_conflict(
    store: InMemoryRegistry,
) -> None:
    change = commands.UpdateMunicipality(region="Oriental")
    with pytest.raises(PreconditionRequired):
        await handlers.update_municipality(
            "berkane", change, Ask(COORDINATOR, expected_version=None), store
        )
    await handlers.update_municipality(
        "berkane", change, Ask(COORDINATOR, expected_version=1), store
    )
    with pytest.raises(Conflict):
        await handlers.update_municipality(
            "berkane", change, Ask(COORDINATOR, expected_version=1), store
        )


# -- partnerships -----------------------------------------------------------------------


async def test_a_partnership_is_of_a_moroccan_and_a_belgian_municipality(
    store: InMemoryRegistry,
) -> None:
    with pytest.raises(Invalid, match="moroccan_municipality_id"):
        await handlers.create_partnership(
            commands.CreatePartnership(
                moroccan_municipality_id="etterbeek", belgian_municipality_id="saint-gilles"
            ),
            Ask(COORDINATOR),
            store,
        )
    assert (await store.partnership(PAIR)) is not None


async def test_a_partner_officer_edits_the_partnership_and_another_may_not(
    store: InMemoryRegistry,
) -> None:
    edit = commands.UpdatePartnership(note="Réunion à Ouarzazate")
    await handlers.update_partnership(PAIR, edit, Ask(BERKANE, expected_version=1), store)
    assert last(store, f"partnership:{PAIR}").payload.note == "Réunion à Ouarzazate"
    with pytest.raises(Forbidden):
        await handlers.update_partnership(PAIR, edit, Ask(ETTERBEEK, expected_version=2), store)


async def test_a_coordinator_suspends_a_partnership_with_a_reason(store: InMemoryRegistry) -> None:
    change = commands.ChangePartnershipStatus(status="suspended", reason="Élections")
    await handlers.change_partnership_status(
        PAIR, change, Ask(COORDINATOR, expected_version=1), store
    )
    event = last(store, f"partnership:{PAIR}")
    assert (event.payload.previous_status, event.payload.status) == ("active", "suspended")
    with pytest.raises(Invalid, match="suspended already"):
        await handlers.change_partnership_status(
            PAIR, change, Ask(COORDINATOR, expected_version=2), store
        )


# -- people -----------------------------------------------------------------------------


def member(**changes: Any) -> commands.AddMember:
    fields: dict[str, Any] = {
        "name": "Amal Berrada",
        "email": "amal@example.org",
        "municipality_id": "berkane",
        "role": "IMC officer",
        "language": "ar",
    }
    return commands.AddMember(**{**fields, **changes})


async def test_an_officer_adds_a_member_of_their_own_municipality_only(
    store: InMemoryRegistry,
) -> None:
    appended = await handlers.add_member(member(), Ask(BERKANE), store)
    assert isinstance(appended.commit.events[0], registry.MemberAdded)
    with pytest.raises(Forbidden):
        await handlers.add_member(member(municipality_id="etterbeek"), Ask(BERKANE), store)


async def test_the_same_idempotency_key_adds_one_member(store: InMemoryRegistry) -> None:
    first = await handlers.add_member(member(), Ask(BERKANE, idempotency_key="k"), store)
    again = await handlers.add_member(member(), Ask(BERKANE, idempotency_key="k"), store)
    assert again.duplicate
    assert again.commit.id == first.commit.id


async def test_a_member_is_edited_and_removed_and_is_then_gone(store: InMemoryRegistry) -> None:
    added = await handlers.add_member(member(), Ask(BERKANE), store)
    member_id = added.commit.events[0].payload.member_id
    await handlers.update_member(
        member_id, commands.UpdateMember(role="Mayor"), Ask(BERKANE, expected_version=1), store
    )
    assert last(store, "member:").payload.role == "Mayor"
    await handlers.remove_member(member_id, Ask(BERKANE, expected_version=2), store)
    assert isinstance(last(store, "member:"), registry.MemberRemoved)
    with pytest.raises(NotFound, match="removed"):
        await handlers.update_member(
            member_id, commands.UpdateMember(role="x"), Ask(BERKANE, expected_version=3), store
        )


async def test_a_coordinator_adds_edits_and_removes_a_programme_coordinator(
    store: InMemoryRegistry,
) -> None:
    added = await handlers.add_coordinator(
        commands.AddCoordinator(
            name="Claire Dubois",
            email="claire@example.org",
            organisation="Brulocalis",
            language="fr",
        ),
        Ask(COORDINATOR),
        store,
    )
    coordinator_id = added.commit.events[0].payload.coordinator_id
    assert coordinator_id == "claire-at-example-org"
    change = commands.UpdateCoordinator(language="nl")
    await handlers.update_coordinator(
        coordinator_id, change, Ask(COORDINATOR, expected_version=1), store
    )
    assert last(store, "coordinator:").payload.language == "nl"
    await handlers.remove_coordinator(coordinator_id, Ask(COORDINATOR, expected_version=2), store)
    assert isinstance(last(store, "coordinator:"), registry.CoordinatorRemoved)
    with pytest.raises(Forbidden):
        await handlers.remove_coordinator(coordinator_id, Ask(BERKANE, expected_version=3), store)


# -- the programme ----------------------------------------------------------------------


async def organisations(store: InMemoryRegistry) -> None:
    for id, kind in (("dgd", "funder"), ("brulocalis", "association")):
        await handlers.register_organisation(
            commands.RegisterOrganisation(id=id, names={"fr": id.upper()}, kind=kind, country="BE"),
            Ask(COORDINATOR),
            store,
        )


def phase(id: str, start: int, status: str) -> commands.PhaseInput:
    end = start + 4
    return commands.PhaseInput(
        id=id, start=dt.date(start, 1, 1), end=dt.date(end, 12, 31), status=status
    )


async def test_the_programme_is_defined_with_its_funder_and_its_phases(
    store: InMemoryRegistry,
) -> None:
    await organisations(store)
    definition = commands.DefineProgramme(
        id="imc-morocco",
        names={"fr": "CIC Maroc"},
        funder_id="dgd",
        coordinating_organisation_ids=["brulocalis"],
        phases=[phase("2022-2026", 2022, "running"), phase("2017-2021", 2017, "closed")],
    )
    await handlers.define_programme(definition, Ask(COORDINATOR), store)
    assert await store.programme_phases() == ["2017-2021", "2022-2026"]  # in order of time
    with pytest.raises(Invalid, match="funder_id"):
        await handlers.define_programme(
            definition.model_copy(update={"funder_id": "brulocalis"}), Ask(COORDINATOR), store
        )


async def test_a_phase_partnerships_take_part_in_cannot_leave_the_programme(
    store: InMemoryRegistry,
) -> None:
    await programme_in(store, phase("2022-2026", 2022, "running"))
    with pytest.raises(Invalid, match="berkane--saint-gilles"):
        await handlers.update_programme(
            commands.UpdateProgramme(phases=[phase("2027-2031", 2027, "planned")]),
            Ask(COORDINATOR, expected_version=1),
            store,
        )
    closed = commands.UpdateProgramme(
        phases=[phase("2022-2026", 2022, "closed"), phase("2027-2031", 2027, "planned")]
    )
    await handlers.update_programme(closed, Ask(COORDINATOR, expected_version=1), store)
    assert await store.programme_phases() == ["2022-2026", "2027-2031"]


async def programme_in(store: InMemoryRegistry, *phases: commands.PhaseInput) -> None:
    """The programme, defined by a coordinator with its organisations and these phases."""
    await organisations(store)
    await handlers.define_programme(
        commands.DefineProgramme(
            id="imc-morocco",
            names={"fr": "CIC Maroc"},
            funder_id="dgd",
            coordinating_organisation_ids=["brulocalis"],
            phases=list(phases),
        ),
        Ask(COORDINATOR),
        store,
    )


async def test_the_next_phase_opens_partnerships_carry_over_and_the_old_one_closes(
    store: InMemoryRegistry,
) -> None:
    await programme_in(store, phase("2022-2026", 2022, "running"))
    next_phase = commands.OpenPhase(
        id="2027-2031", start=dt.date(2027, 1, 1), end=dt.date(2031, 12, 31)
    )
    with pytest.raises(Forbidden):
        await handlers.open_phase(next_phase, Ask(BERKANE), store)
    with pytest.raises(Invalid, match="overlaps phase 2022-2026"):
        await handlers.open_phase(
            next_phase.model_copy(update={"id": "2026-2030", "start": dt.date(2026, 1, 1)}),
            Ask(COORDINATOR),
            store,
        )
    await handlers.open_phase(next_phase, Ask(COORDINATOR), store)
    with pytest.raises(Conflict, match="already"):
        await handlers.open_phase(next_phase, Ask(COORDINATOR), store)
    assert await handlers.current_phase(store) == "2027-2031"

    with pytest.raises(Invalid, match="nowhere--nothing"):
        await handlers.carry_over(
            "2027-2031",
            commands.CarryOver(partnership_ids=[PAIR, "nowhere--nothing"]),
            Ask(COORDINATOR),
            store,
        )
    assert (await store.partnership(PAIR)).phases == ("2022-2026",)  # type: ignore[union-attr]
    carried = await handlers.carry_over(
        "2027-2031", commands.CarryOver(from_phase="2022-2026"), Ask(COORDINATOR), store
    )
    assert carried.carried == [PAIR]
    again = await handlers.carry_over(
        "2027-2031", commands.CarryOver(partnership_ids=[PAIR]), Ask(COORDINATOR), store
    )
    assert again.already == [PAIR]
    assert (await store.partnership(PAIR)).phases == ("2022-2026", "2027-2031")  # type: ignore[union-attr]

    await handlers.close_phase(
        "2022-2026", commands.ClosePhase(evaluated=True), Ask(COORDINATOR), store
    )
    with pytest.raises(Conflict, match="already closed"):
        await handlers.close_phase("2022-2026", commands.ClosePhase(), Ask(COORDINATOR), store)
    with pytest.raises(Invalid, match="closed"):
        await handlers.carry_over(
            "2022-2026", commands.CarryOver(partnership_ids=[PAIR]), Ask(COORDINATOR), store
        )
    programme = last(store, "programme")
    assert [(p.phase_id, p.status, p.evaluated) for p in programme.payload.phases] == [
        ("2022-2026", "closed", True),
        ("2027-2031", "running", False),
    ]


async def test_two_carry_overs_at_once_add_the_phase_once(store: InMemoryRegistry) -> None:
    await programme_in(store, phase("2022-2026", 2022, "running"))
    next_phase = commands.OpenPhase(
        id="2027-2031", start=dt.date(2027, 1, 1), end=dt.date(2031, 12, 31)
    )
    await handlers.open_phase(next_phase, Ask(COORDINATOR), store)
    # Both coordinators read the partnership before either writes.
    both_read = asyncio.Barrier(2)
    read = store.partnership

    async def read_then_wait(partnership_id: str) -> Any:
        found = await read(partnership_id)
        await both_read.wait()
        return found

    store.partnership = read_then_wait  # type: ignore[method-assign,assignment]
    carry = commands.CarryOver(partnership_ids=[PAIR])
    reports = await asyncio.gather(
        handlers.carry_over("2027-2031", carry, Ask(COORDINATOR, "first"), store),
        handlers.carry_over("2027-2031", carry, Ask(COORDINATOR, "second"), store),
    )
    store.partnership = read  # type: ignore[method-assign]
    assert sorted(len(r.carried) for r in reports) == [0, 1]
    assert (await store.partnership(PAIR)).phases == ("2022-2026", "2027-2031")  # type: ignore[union-attr]


async def test_an_organisation_is_edited_by_a_coordinator(store: InMemoryRegistry) -> None:
    await organisations(store)
    change = commands.UpdateOrganisation(note="Formerly AVCB/VSGB.")
    await handlers.update_organisation(
        "brulocalis", change, Ask(COORDINATOR, expected_version=1), store
    )
    assert last(store, "organisation:").payload.note == "Formerly AVCB/VSGB."


# -- roadmap requests -------------------------------------------------------------------


async def test_an_officer_proposes_an_objective_and_a_milestone_as_submissions(
    store: InMemoryRegistry,
) -> None:
    objective = await handlers.propose_objective(
        PAIR,
        roadmap_requests.ProposeObjective(
            objective_id="youth", theme="youth", title={"fr": "Jeunesse"}
        ),
        Ask(BERKANE),
        store,
    )
    milestone = await handlers.propose_milestone(
        PAIR,
        roadmap_requests.ProposeMilestone(
            milestone_id="space",
            title={"fr": "Espace jeunes"},
            due_date=DUE,
            responsible_municipality_id="saint-gilles",
            objective_id="youth",
        ),
        Ask(BERKANE),
        store,
    )
    for appended, kind in (
        (objective, registry.ObjectiveProposed),
        (milestone, registry.MilestoneProposed),
    ):
        [event] = appended.commit.events
        assert isinstance(event, kind)
        assert appended.commit.stream == f"submission:{event.payload.submission_id}"
        assert event.correlation_id == event.payload.submission_id
        assert event.actor is not None
        assert event.actor.municipality_id == "berkane"


async def test_a_milestone_is_the_responsibility_of_a_partner(store: InMemoryRegistry) -> None:
    with pytest.raises(Invalid, match="responsible_municipality_id"):
        await handlers.propose_milestone(
            PAIR,
            roadmap_requests.ProposeMilestone(
                title={"fr": "x"}, due_date=DUE, responsible_municipality_id="etterbeek"
            ),
            Ask(BERKANE),
            store,
        )


async def test_an_officer_of_another_municipality_or_a_viewer_may_request_nothing(
    store: InMemoryRegistry,
) -> None:
    report = roadmap_requests.ReportProgress(progress=40, reported_on=dt.date(2026, 11, 29))
    with pytest.raises(Forbidden):
        await handlers.report_progress(PAIR, "space", report, Ask(ETTERBEEK), store)
    with pytest.raises(Forbidden):
        await handlers.report_progress(PAIR, "space", report, Ask(VIEWER), store)
    with pytest.raises(NotFound):
        await handlers.report_progress("nowhere--nobody", "space", report, Ask(BERKANE), store)


async def test_a_milestone_is_revised_rescheduled_reported_and_cancelled_by_request(
    store: InMemoryRegistry,
) -> None:
    await handlers.revise_milestone(
        PAIR, "space", roadmap_requests.ReviseMilestone(weight=2), Ask(BERKANE), store
    )
    await handlers.reschedule_milestone(
        PAIR,
        "space",
        roadmap_requests.RescheduleMilestone(due_date=DUE, reason="Travaux"),
        Ask(BERKANE),
        store,
    )
    await handlers.report_progress(
        PAIR,
        "space",
        roadmap_requests.ReportProgress(
            progress=60,
            reported_on=dt.date(2026, 11, 29),
            beneficiaries=[roadmap_requests.Beneficiaries(group="youth", sex="female", count=40)],
        ),
        Ask(BERKANE),
        store,
    )
    await handlers.cancel_milestone(
        PAIR, "space", roadmap_requests.CancelMilestone(reason="Remplacé"), Ask(BERKANE), store
    )
    kinds = [type(event) for event in store.events("submission:")]
    assert kinds == [
        registry.MilestoneRevised,
        registry.MilestoneRescheduleRequested,
        registry.ProgressReported,
        registry.MilestoneCancellationRequested,
    ]
    reported = store.events("submission:")[2]
    assert reported.payload.beneficiaries[0].count == 40


async def test_a_closed_partnership_takes_no_request(store: InMemoryRegistry) -> None:
    change = commands.ChangePartnershipStatus(status="closed", reason="Fin de la phase")
    await handlers.change_partnership_status(
        PAIR, change, Ask(COORDINATOR, expected_version=1), store
    )
    with pytest.raises(Conflict):
        await handlers.cancel_milestone(
            PAIR, "space", roadmap_requests.CancelMilestone(reason="x"), Ask(BERKANE), store
        )


async def test_an_indicator_is_proposed_and_a_value_reported(store: InMemoryRegistry) -> None:
    await handlers.propose_indicator(
        PAIR,
        roadmap_requests.ProposeIndicator(
            indicator_id="reached",
            title={"fr": "Jeunes touchés"},
            measure="unit",
            periods=[
                roadmap_requests.Period(
                    period_id="2026",
                    start=dt.date(2026, 1, 1),
                    end=dt.date(2026, 12, 31),
                    targets=[roadmap_requests.Value(group="youth", value=100)],
                )
            ],
        ),
        Ask(BERKANE),
        store,
    )
    await handlers.report_indicator_value(
        PAIR,
        "reached",
        roadmap_requests.ReportIndicatorValue(
            period_id="2026", values=[roadmap_requests.Value(group="youth", value=40)]
        ),
        Ask(BERKANE),
        store,
    )
    proposed, reported = store.events("submission:")
    assert proposed.payload.periods[0].targets[0].value == 100
    assert reported.payload.values[0].value == 40


async def test_a_coordinator_evaluates_a_phase_the_partnership_takes_part_in(
    store: InMemoryRegistry,
) -> None:
    evaluation = roadmap_requests.SubmitEvaluation(relevance=4, findings={"fr": "Utile"})
    with pytest.raises(Forbidden):
        await handlers.submit_evaluation(PAIR, "2022-2026", evaluation, Ask(BERKANE), store)
    with pytest.raises(Invalid, match="2017-2021"):
        await handlers.submit_evaluation(PAIR, "2017-2021", evaluation, Ask(COORDINATOR), store)
    await handlers.submit_evaluation(PAIR, "2022-2026", evaluation, Ask(COORDINATOR), store)
    assert last(store, "submission:").payload.relevance == 4


async def test_a_roadmap_sheet_is_one_request_and_the_same_sheet_again_is_the_same(
    store: InMemoryRegistry,
) -> None:
    sheet = (
        "milestone_id,title_fr,due_date,responsible_municipality_id\n"
        f"m1,Ouverture,{DUE.isoformat()},berkane\n"
    ).encode()
    first = await handlers.import_roadmap(PAIR, sheet, "csv", Ask(BERKANE), store)
    [event] = first.commit.events
    assert isinstance(event, registry.RoadmapImportRequested)
    assert [row.milestone_id for row in event.payload.rows] == ["m1"]
    with pytest.raises(ImportRefused):
        await handlers.import_roadmap(PAIR, b"milestone_id\n", "csv", Ask(BERKANE), store)


# -- outcomes ---------------------------------------------------------------------------


async def test_roadmaps_answer_marks_the_submission_once(store: InMemoryRegistry) -> None:
    def reached(submission_id: str) -> MilestoneReached:
        return MilestoneReached.create(
            MilestoneReachedPayload(
                submission_id=submission_id,
                milestone_id="m",
                title={"fr": "x"},
                due_date=DUE,
                reached_on=dt.date(2026, 11, 29),
                responsible_municipality_id="berkane",
            ),
            partnership_id=PAIR,
        )

    await handlers.record_outcome(reached("s-1"), store)
    await handlers.record_outcome(reached("s-1"), store)
    assert store.outcomes == {"s-1": {"status": "applied", "code": None, "reason": None}}


async def test_a_retried_removal_or_status_change_answers_as_it_did(
    store: InMemoryRegistry,
) -> None:
    added = await handlers.add_member(member(), Ask(BERKANE), store)
    member_id = added.commit.events[0].payload.member_id
    retry = Ask(COORDINATOR, idempotency_key="remove-1", expected_version=1)
    first = await handlers.remove_member(member_id, retry, store)
    again = await handlers.remove_member(member_id, retry, store)  # not "was removed"
    assert again.duplicate
    assert again.commit.id == first.commit.id

    suspend = commands.ChangePartnershipStatus(status="suspended", reason="Élections")
    retry = Ask(COORDINATOR, idempotency_key="suspend-1", expected_version=1)
    first = await handlers.change_partnership_status(PAIR, suspend, retry, store)
    again = await handlers.change_partnership_status(PAIR, suspend, retry, store)
    assert again.commit.id == first.commit.id  # not "is suspended already"


async def test_a_key_sent_again_with_another_request_is_refused_not_answered_as_the_first(
    store: InMemoryRegistry,
) -> None:
    suspend = commands.ChangePartnershipStatus(status="suspended", reason="Élections")
    retry = Ask(COORDINATOR, idempotency_key="suspend-1", expected_version=1)
    asked = request_fingerprint.set("the first request")
    try:
        await handlers.change_partnership_status(PAIR, suspend, retry, store)
    finally:
        request_fingerprint.reset(asked)
    asked = request_fingerprint.set("another request")
    try:
        with pytest.raises(CauseReused):
            await handlers.change_partnership_status(PAIR, suspend, retry, store)
    finally:
        request_fingerprint.reset(asked)


async def test_an_edit_of_the_programme_keeps_its_phases_apart_and_a_closed_one_closed(
    store: InMemoryRegistry,
) -> None:
    await programme_in(store, phase("2022-2026", 2022, "closed"))
    overlapping = phase("2026-2030", 2026, "running")
    with pytest.raises(Invalid, match="overlaps"):
        await handlers.update_programme(
            commands.UpdateProgramme(phases=[phase("2022-2026", 2022, "closed"), overlapping]),
            Ask(COORDINATOR, expected_version=1),
            store,
        )
    with pytest.raises(Invalid, match="not reopened"):
        await handlers.update_programme(
            commands.UpdateProgramme(phases=[phase("2022-2026", 2022, "running")]),
            Ask(COORDINATOR, expected_version=1),
            store,
        )
    assert last(store, "programme").payload.phases[0].status == "closed"
