"""Each test builds a contract "v1" and a changed "v1", and checks what the comparison reports.

The old and new nested models have different class names, so their `$defs` keys differ too:
the comparison must follow each document's own references rather than match names.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

import pytest
from imc_contracts.compat import incompatibilities
from pydantic import BaseModel, ConfigDict, Field


def compare(old: type[BaseModel], new: type[BaseModel]) -> list[str]:
    return incompatibilities(old.model_json_schema(), new.model_json_schema())


def test_removing_a_field_is_reported() -> None:
    class OldPayload(BaseModel):
        milestone_id: str
        title: str

    class Old(BaseModel):
        payload: OldPayload

    class NewPayload(BaseModel):
        title: str

    class New(BaseModel):
        payload: NewPayload

    assert compare(Old, New) == ["payload.milestone_id: property removed or renamed"]


def test_renaming_a_field_is_reported_as_a_removal_and_a_new_required_field() -> None:
    class Old(BaseModel):
        milestone_id: str

    class New(BaseModel):
        milestone: str

    assert compare(Old, New) == [
        "milestone_id: property removed or renamed",
        "milestone: new required property",
    ]


def test_changing_a_field_type_is_reported() -> None:
    class OldPayload(BaseModel):
        progress: int

    class Old(BaseModel):
        payload: OldPayload

    class NewPayload(BaseModel):
        progress: str

    class New(BaseModel):
        payload: NewPayload

    assert compare(Old, New) == ["payload.progress: type changed from integer to string"]


def test_changing_a_string_format_is_reported() -> None:
    class Old(BaseModel):
        due: datetime

    class New(BaseModel):
        due: date

    assert compare(Old, New) == ["due: format changed from date-time to date"]


def test_a_change_inside_a_list_of_models_is_reported_through_the_ref() -> None:
    class OldItem(BaseModel):
        weight: int

    class Old(BaseModel):
        items: list[OldItem]

    class NewItem(BaseModel):
        weight: float

    class New(BaseModel):
        items: list[NewItem]

    assert compare(Old, New) == ["items[].weight: type changed from integer to number"]


def test_a_renamed_model_with_the_same_fields_is_compatible() -> None:
    class Item(BaseModel):
        weight: int

    class Old(BaseModel):
        item: Item
        maybe: Item | None = None

    class Entry(BaseModel):
        weight: int

    class New(BaseModel):
        item: Entry
        maybe: Entry | None = None

    assert compare(Old, New) == []


def test_removing_an_alternative_is_reported() -> None:
    class Old(BaseModel):
        note: str | None

    class New(BaseModel):
        note: str

    assert compare(Old, New) == ["note: alternative null removed"]


def test_adding_an_alternative_to_an_existing_field_is_reported() -> None:
    class Old(BaseModel):
        progress: int

    class New(BaseModel):
        progress: int | str

    assert compare(Old, New) == ["progress: alternative string added"]


def test_replacing_an_alternative_reports_both_sides() -> None:
    class Old(BaseModel):
        progress: int | None = None

    class New(BaseModel):
        progress: str | None = None

    assert compare(Old, New) == [
        "progress: alternative integer removed",
        "progress: alternative string added",
    ]


def test_adding_a_model_to_a_union_is_reported() -> None:
    class Created(BaseModel):
        title: str

    class Deleted(BaseModel):
        reason: str

    class Old(BaseModel):
        change: Created | None

    class New(BaseModel):
        change: Created | Deleted | None

    assert compare(Old, New) == ["change: alternative Deleted added"]


def test_a_new_required_field_is_reported() -> None:
    class Old(BaseModel):
        title: str

    class New(BaseModel):
        title: str
        owner: str

    assert compare(Old, New) == ["owner: new required property"]


def test_an_optional_field_becoming_required_is_reported() -> None:
    class Old(BaseModel):
        owner: str = "nobody"

    class New(BaseModel):
        owner: str

    assert compare(Old, New) == ["owner: optional property became required"]


def test_a_required_field_becoming_optional_is_reported() -> None:
    class Old(BaseModel):
        owner: str

    class New(BaseModel):
        owner: str = "nobody"

    assert compare(Old, New) == ["owner: required property became optional"]


def test_removing_an_enum_value_is_reported() -> None:
    class OldStatus(StrEnum):
        OPEN = "open"
        DONE = "done"

    class Old(BaseModel):
        status: OldStatus

    class NewStatus(StrEnum):
        OPEN = "open"

    class New(BaseModel):
        status: NewStatus

    assert compare(Old, New) == ['status: enum value "done" removed']


def test_adding_an_enum_value_is_reported() -> None:
    class Old(BaseModel):
        status: Literal["open", "done"]

    class New(BaseModel):
        status: Literal["open", "done", "archived"]

    assert compare(Old, New) == ['status: enum value "archived" added']


def test_changing_a_const_is_reported() -> None:
    class Old(BaseModel):
        kind: Literal["milestone.created"]

    class New(BaseModel):
        kind: Literal["milestone.updated"]

    assert compare(Old, New) == [
        'kind: enum value "milestone.created" removed',
        'kind: enum value "milestone.updated" added',
    ]


def test_restricting_a_string_to_fixed_values_is_reported() -> None:
    class Old(BaseModel):
        kind: str

    class New(BaseModel):
        kind: Literal["a", "b"]

    assert compare(Old, New) == ['kind: values restricted to ["a", "b"]']


def test_forbidding_additional_properties_is_reported() -> None:
    class OldPayload(BaseModel):
        title: str

    class Old(BaseModel):
        payload: OldPayload

    class NewPayload(BaseModel):
        model_config = ConfigDict(extra="forbid")
        title: str

    class New(BaseModel):
        payload: NewPayload

    assert compare(Old, New) == ["payload: additionalProperties changed from allowed to false"]


def test_changing_the_value_type_of_a_mapping_is_reported() -> None:
    class Old(BaseModel):
        labels: dict[str, int]

    class New(BaseModel):
        labels: dict[str, str]

    assert compare(Old, New) == ["labels.*: type changed from integer to string"]


def test_a_change_in_a_recursive_model_is_reported_once_and_terminates() -> None:
    class OldNode(BaseModel):
        name: str
        children: list[OldNode] = []

    class Old(BaseModel):
        root: OldNode

    class NewNode(BaseModel):
        name: int
        children: list[NewNode] = []

    class New(BaseModel):
        root: NewNode

    assert compare(Old, New) == ["root.name: type changed from string to integer"]


def test_compatible_changes_report_nothing() -> None:
    class OldPayload(BaseModel):
        """Old description."""

        progress: int = Field(default=0, title="Progress", examples=[1])
        status: Literal["open", "done"] = "open"
        note: str | None = None

    class Old(BaseModel):
        model_config = ConfigDict(extra="forbid")
        payload: OldPayload

    class NewPayload(BaseModel):
        """New description."""

        progress: int = Field(default=5, title="Done", description="Percent", examples=[2, 3])
        status: Literal["open", "done"] = "done"
        note: str | None = Field(default=None, description="Free text")
        # A new field may have any shape as long as it is optional.
        labels: dict[str, int | str] | None = None
        owner: str = "nobody"

    class New(BaseModel):
        payload: NewPayload

    assert compare(Old, New) == []


def test_a_rich_schema_is_compatible_with_itself() -> None:
    class Status(StrEnum):
        OPEN = "open"

    class Item(BaseModel):
        weight: float
        tags: list[str] = []

    class Event(BaseModel):
        model_config = ConfigDict(extra="forbid")
        kind: Literal["created"]
        status: Status
        at: datetime
        items: list[Item]
        by_name: dict[str, Item]
        anything: Any = None
        either: Item | int | None = None

    schema = Event.model_json_schema()
    assert incompatibilities(schema, schema) == []


def test_an_unresolvable_ref_is_an_error() -> None:
    schema = {"properties": {"a": {"$ref": "#/$defs/Missing"}}}

    with pytest.raises(ValueError, match="Missing"):
        incompatibilities(schema, schema)
