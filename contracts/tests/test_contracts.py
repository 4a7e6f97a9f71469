"""The contracts: committed schemas, names, the catalog, and the wire format."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from imc_contracts import EVENT_TYPES, TOPICS, PoisonMessage, UnknownEventType, decode, encode
from imc_contracts.compat import incompatibilities
from imc_contracts.registry import ProgressReported, ProgressReportedPayload
from imc_contracts.schemas import committed_schemas, problems
from pydantic import BaseModel, ValidationError

TYPE_NAME = re.compile(r"^(registry|roadmaps|notifications)\.[a-z_]+\.[a-z_]+\.v[1-9][0-9]*$")


def progress_event(progress: int = 40) -> ProgressReported:
    return ProgressReported.create(
        ProgressReportedPayload(
            submission_id="s-1",
            milestone_id="m-1",
            progress=progress,
            reported_on=dt.date(2026, 5, 9),
        ),
        partnership_id="berkane--saint-gilles",
    )


def test_models_match_their_committed_schemas() -> None:
    assert problems() == []


def test_every_event_type_has_a_committed_schema() -> None:
    assert set(committed_schemas()) == set(EVENT_TYPES)


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_event_type_names_read_service_entity_verb_version(type_name: str) -> None:
    assert TYPE_NAME.match(type_name)
    assert type_name.split(".")[0] == EVENT_TYPES[type_name].PRODUCER


def test_an_event_type_is_named_once_by_the_one_value_its_type_takes() -> None:
    event = progress_event()
    assert ProgressReported.TYPE == event.type == "registry.progress.reported.v1"
    assert ProgressReported.PRODUCER == event.producer == "registry"
    with pytest.raises(ValidationError):
        ProgressReported.model_validate({**event.model_dump(), "type": "registry.other.v1"})


def test_each_event_type_lives_on_its_producers_topic_only() -> None:
    seen: dict[str, str] = {}
    for topic in TOPICS:
        for event in topic.events:
            assert topic.producer == event.PRODUCER
            assert event.TYPE not in seen
            seen[event.TYPE] = topic.name
    assert len({topic.name for topic in TOPICS}) == len(TOPICS)


def test_removing_a_field_from_a_published_event_is_caught() -> None:
    committed = committed_schemas()[ProgressReported.TYPE]

    class Payload(BaseModel):
        submission_id: str
        milestone_id: str
        reported_on: dt.date

    class Changed(BaseModel):
        event_id: str
        payload: Payload

    schema = ProgressReported.model_json_schema()
    schema["$defs"]["ProgressReportedPayload"] = Payload.model_json_schema()
    found = incompatibilities(committed, schema)
    assert any("payload.progress" in problem for problem in found)


def test_an_event_round_trips_through_the_wire() -> None:
    event = progress_event()
    assert decode(encode(event)) == event


def test_events_are_frozen() -> None:
    event = progress_event()
    with pytest.raises(ValidationError):
        event.partnership_id = "other"  # type: ignore[misc]


def test_bytes_that_are_not_json_are_poison() -> None:
    with pytest.raises(PoisonMessage, match="not JSON"):
        decode(b"\xff{not json")


def test_json_nested_deeper_than_the_parser_goes_is_poison_not_a_crash() -> None:
    with pytest.raises(PoisonMessage, match="nested too deep"):
        decode(b"[" * 100_000)


def test_an_envelope_that_breaks_its_schema_is_poison() -> None:
    document = json.loads(encode(progress_event()))
    document["payload"]["progress"] = 140
    with pytest.raises(PoisonMessage, match="does not match its schema"):
        decode(json.dumps(document).encode())


def test_an_unknown_type_is_told_apart_from_poison() -> None:
    document = json.loads(encode(progress_event()))
    document["type"] = "registry.harvest.gathered.v1"
    with pytest.raises(UnknownEventType):
        decode(json.dumps(document).encode())


def test_an_unknown_version_of_a_known_type_is_poison_not_skipped() -> None:
    document = json.loads(encode(progress_event()))
    document["type"] = "registry.progress.reported.v9"
    with pytest.raises(PoisonMessage, match="unknown version"):
        decode(json.dumps(document).encode())


def test_unknown_fields_from_a_newer_producer_are_ignored() -> None:
    document = json.loads(encode(progress_event()))
    document["payload"]["photo_count"] = 12
    document["trace"] = "abc"
    assert decode(json.dumps(document).encode()).payload.progress == 40


def test_a_caused_event_carries_correlation_and_causation() -> None:
    cause = progress_event()
    effect = ProgressReported.create(cause.payload, partnership_id="p", caused_by=cause)
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == str(cause.event_id)
