"""Every service's bodies are bounded and held to strict JSON before any route or token check,
and every refusal is in one of the two documented shapes, echoing nothing back."""

from __future__ import annotations

import json

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from imc_runtime.auth import CurrentPrincipal, mint
from imc_runtime.guard import Refused, strict_json
from imc_runtime.service import Infrastructure, ServiceParts, create_app
from imc_runtime.settings import ServiceSettings
from pydantic import BaseModel, ConfigDict, Field

SETTINGS = ServiceSettings(max_body_bytes=4096)


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    progress: float = Field(ge=0, le=100)
    note: str | None = Field(default=None, max_length=200)
    values: list[dict[str, float]] = Field(default_factory=list)


router = APIRouter()


@router.post("/v1/reports")
async def report(body: Report, _principal: CurrentPrincipal) -> dict[str, float]:
    return {"progress": body.progress}


def client() -> TestClient:
    # No ``with``: the lifespan (Kafka, the database) does not start; the routes answer.
    parts = ServiceParts("t", None, routers=[router])
    return TestClient(create_app(Infrastructure.build(SETTINGS), parts))


TOKEN = {"Authorization": f"Bearer {mint(SETTINGS, subject='c@example.org', role='coordinator')}"}


def post(content: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
    answer = client().post(
        "/v1/reports",
        content=content,
        headers={"content-type": "application/json", **TOKEN, **(headers or {})},
    )
    return answer.status_code, answer.json()


def test_an_oversized_body_is_refused_before_the_token_is_even_looked_at() -> None:
    status, body = post(b'{"progress": 1, "note": "' + b"x" * 10_000 + b'"}', {"Authorization": ""})
    assert status == 413
    assert body["detail"][0]["loc"] == ["body"]  # type: ignore[index]


def test_a_chunked_body_is_refused_once_it_passes_the_limit() -> None:
    def chunks() -> object:
        yield b'{"progress": 1, "note": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    answer = client().post(
        "/v1/reports", content=chunks(), headers={"content-type": "application/json", **TOKEN}
    )
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("content", "loc"),
    [
        (b'{"progress": NaN}', ["body", "progress"]),
        (b'{"progress": 1, "values": [{"a": 1}, {"b": -Infinity}]}', ["body", "values", 1, "b"]),
        (b'{"progress": 1, "progress": 2}', ["body", "progress"]),
        (b'{"progress": 1, "values": [{"$gt": 1}]}', ["body", "values", 0, "$gt"]),
        (b'{"progress": 1, "note": "\\ud800"}', ["body", "note"]),
        (b'{"progress": 1, ".note": "x"}', ["body", ".note"]),
    ],
)
def test_json_no_field_of_ours_can_mean_is_refused_naming_the_field(
    content: bytes, loc: list[object]
) -> None:
    status, body = post(content)
    assert status == 422
    assert body["detail"][0]["loc"] == loc  # type: ignore[index]


def test_nesting_deeper_than_any_request_of_ours_is_refused() -> None:
    status, body = post(b'{"progress": 1, "values": ' + b"[" * 100 + b"]" * 100 + b"}")
    assert status == 422
    assert body["detail"][0]["type"] == "too_deep"  # type: ignore[index]


def test_a_refusal_does_not_echo_the_input_back() -> None:
    payload = "<script>" + "y" * 3000
    status, body = post(json.dumps({"progress": payload}).encode())
    assert status == 422
    text = json.dumps(body)
    assert "<script>" not in text
    assert len(text) < 500
    assert body["detail"][0]["loc"] == ["body", "progress"]  # type: ignore[index]


def test_a_refusal_without_a_token_is_a_401_in_the_documented_shape() -> None:
    status, body = post(b'{"progress": 1}', {"Authorization": ""})
    assert status == 401
    assert isinstance(body["detail"], str)


def test_every_documented_refusal_is_in_the_openapi_document() -> None:
    document = client().get("/openapi.json").json()
    responses = document["paths"]["/v1/reports"]["post"]["responses"]
    assert {"401", "403", "404", "408", "413", "422", "503"} <= set(responses)
    schemas = document["components"]["schemas"]
    assert "Problem" in schemas
    assert "ValidationProblem" in schemas


def test_strict_json_passes_what_is_plain_json() -> None:
    assert strict_json(b'{"a": [1, 2.5, "x"], "b": {"c": null}}') == {
        "a": [1, 2.5, "x"],
        "b": {"c": None},
    }
    with pytest.raises(Refused):
        strict_json(b'{"a": NaN}')
    with pytest.raises(ValueError, match="Expecting"):
        strict_json(b"{")
