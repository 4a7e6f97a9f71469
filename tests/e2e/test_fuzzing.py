"""Property-based fuzzing of each running service from its own OpenAPI document.

Every operation of the registry, roadmaps and notifications gets generated requests — valid
ones and, deliberately, invalid ones — as a coordinator (who may reach every code path):
none may answer with a 5xx, and every answer must fit the schema the operation documents,
refusals included. The budget is small and fixed so ``make test`` stays quick. Each runs on
an instance of its own: what it writes (a programme with made-up phases, say) must not
change the rules for the other tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, own_instance, token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.result import Ok

pytestmark = pytest.mark.infra


SERVICES = {"registry": 20, "roadmaps": 8, "notifications": 6}
"""Each service, and the operations its document must describe at least."""


@pytest.fixture(scope="module", params=list(SERVICES))
def service_url(services: Stack, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    with own_instance(services, request.param) as url:
        yield request.param, url


EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_breaks_a_service_or_its_documented_answers(
    service_url: tuple[str, str], mode: GenerationMode
) -> None:
    service, url = service_url
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    headers = bearer(token("coordinator"))
    operations = []
    for result in schema.get_all_operations():
        # An operation the document describes wrongly is itself a failure.
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) > SERVICES[service]
    skipped: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION[mode],
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def survives(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            survives()
        except Unsatisfiable:
            # An operation with no input (the health probes) has nothing to make invalid.
            assert mode is GenerationMode.NEGATIVE, operation.label
            skipped.append(operation.label)
    assert all(label.startswith("GET /health/") for label in skipped), skipped
