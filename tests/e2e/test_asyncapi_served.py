"""Each running service serves its AsyncAPI document, the one committed beside the contracts."""

from __future__ import annotations

import json

import httpx
import pytest
from imc_contracts import asyncapi
from imc_devstack.stack import SERVICES, Stack

pytestmark = pytest.mark.infra


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_serves_the_committed_asyncapi_document(services: Stack, service: str) -> None:
    served = httpx.get(f"{services.service_url(service)}/asyncapi.json", timeout=10)
    assert served.status_code == 200
    committed = json.loads((asyncapi.ASYNCAPI_DIR / f"{service}.json").read_text())
    assert served.json() == committed
