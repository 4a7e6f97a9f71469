"""The registry's rules without I/O: folding a stream, versions, search keys."""

from __future__ import annotations

import pytest
from imc_contracts.registry import (
    MemberAdded,
    MemberAddedPayload,
    MemberRemoved,
    MemberRemovedPayload,
    PartnershipCreated,
    PartnershipCreatedPayload,
    PartnershipStatusChanged,
    PartnershipStatusChangedPayload,
)
from imc_registry.domain.model import (
    Conflict,
    PreconditionRequired,
    check_version,
    matches,
    replay,
    search_key,
)
from imc_registry.domain.roadmap_requests import ReportProgress
from pydantic import ValidationError

CREATED = PartnershipCreated.create(
    PartnershipCreatedPayload(
        partnership_id="ait-baha--etterbeek",
        moroccan_municipality_id="ait-baha",
        belgian_municipality_id="etterbeek",
        name={"fr": "Aït Baha – Etterbeek"},
        phases=["2022-2026"],
        themes=["youth"],
        status="active",
    ),
    partnership_id="ait-baha--etterbeek",
)


def test_a_stream_folds_into_the_record_at_its_last_version() -> None:
    suspended = PartnershipStatusChanged.create(
        PartnershipStatusChangedPayload(
            partnership_id="ait-baha--etterbeek",
            status="suspended",
            previous_status="active",
            reason="Elections",
        ),
        partnership_id="ait-baha--etterbeek",
    )
    snapshot = replay([(1, CREATED), (2, suspended)])
    assert snapshot is not None
    assert snapshot.version == 2
    assert isinstance(snapshot.state, PartnershipCreatedPayload)
    assert snapshot.state.status == "suspended"


def test_a_removed_member_folds_into_a_removed_record_that_keeps_its_data() -> None:
    added = MemberAdded.create(
        MemberAddedPayload(
            member_id="m",
            name="Amal Berrada",
            email="amal@example.org",
            municipality_id="ait-baha",
            role="officer",
            language="ar",
        ),
        partnership_id="programme",
    )
    removed = MemberRemoved.create(
        MemberRemovedPayload(member_id="m", municipality_id="ait-baha"),
        partnership_id="programme",
    )
    snapshot = replay([(1, added), (2, removed)])
    assert snapshot is not None
    assert (snapshot.removed, snapshot.version) == (True, 2)
    assert isinstance(snapshot.state, MemberAddedPayload)
    assert snapshot.state.name == "Amal Berrada"


def test_an_empty_stream_is_no_record() -> None:
    assert replay([]) is None


def test_an_edit_must_name_the_version_it_read_and_that_must_be_the_latest() -> None:
    snapshot = replay([(1, CREATED)])
    assert snapshot is not None
    assert check_version(snapshot, 1, "it") == 1
    with pytest.raises(Conflict):
        check_version(snapshot, 0, "it")
    with pytest.raises(PreconditionRequired):
        check_version(snapshot, None, "it")


@pytest.mark.parametrize(
    "query",
    [
        "ait baha",
        "Aït Baha",
        "AÏT-BAHA",
        "آيت باها",
        "أيت باها",
        "ايت باها",
        "آيْتْ بَاهَا",
        "etterbeek",
    ],
)
def test_a_search_ignores_case_accents_hamza_and_tashkeel(query: str) -> None:
    key = search_key("Aït Baha – Etterbeek آيت باها – إتربيك")
    assert matches(query, key)


def test_a_search_needs_every_word() -> None:
    key = search_key("Aït Baha – Etterbeek")
    assert not matches("ait baha berkane", key)


@pytest.mark.parametrize("given", [True, "50", 50.0, None])
def test_a_number_is_a_json_number_not_a_boolean_or_a_string_that_looks_like_one(
    given: object,
) -> None:
    with pytest.raises(ValidationError, match="progress"):
        ReportProgress.model_validate({"progress": given, "reported_on": "2026-11-29"})
    with pytest.raises(ValidationError, match="count"):
        ReportProgress.model_validate(
            {
                "progress": 50,
                "reported_on": "2026-11-29",
                "beneficiaries": [{"group": "youth", "count": given}],
            }
        )
    assert (
        ReportProgress.model_validate({"progress": 50, "reported_on": "2026-11-29"}).progress == 50
    )


def test_the_women_group_counts_women() -> None:
    body = {"progress": 50, "reported_on": "2026-11-29"}
    with pytest.raises(ValidationError, match="women group counts women"):
        ReportProgress.model_validate(
            {**body, "beneficiaries": [{"group": "women", "sex": "male", "count": 3}]}
        )
    for sex in ("female", "unspecified"):
        reached = [{"group": "women", "sex": sex, "count": 3}]
        assert ReportProgress.model_validate({**body, "beneficiaries": reached}).beneficiaries
