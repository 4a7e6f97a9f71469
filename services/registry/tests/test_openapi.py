"""The registry's OpenAPI document: every operation shows a frontend developer examples."""

from __future__ import annotations

from typing import Any

from imc_registry.bootstrap import build_app


def test_every_operation_has_an_example_answer_and_an_example_body() -> None:
    document: dict[str, Any] = build_app().openapi()
    schemas = document["components"]["schemas"]
    lacking = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"].values()
            if not any(
                "example" in a.get("content", {}).get("application/json", {}) for a in answers
            ):
                lacking.append(f"{method} {path}: answer")
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                name = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                if not schemas[name].get("examples"):
                    lacking.append(f"{method} {path}: body")
            elif body and not any("example" in kind for kind in body.values()):
                lacking.append(f"{method} {path}: body")  # a sheet upload shows a CSV
    assert lacking == []
    assert len(document["paths"]) >= 20
