"""With an OTLP endpoint configured, one trace follows a progress report from the registry's
HTTP API through Kafka into roadmaps and on to notifications."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from imc_devstack.processes import free_port, port_accepts, wait_until
from imc_devstack.stack import SERVICES, Ports, Stack
from imc_devstack.testing import bearer, eventually, token
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

pytestmark = pytest.mark.infra


class Collector:
    """A minimal OTLP/HTTP trace receiver: remembers (service, trace id, span name)."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, str]] = []
        self.port = free_port()
        app = FastAPI()

        @app.post("/v1/traces")
        async def receive(request: Request) -> Response:
            export = ExportTraceServiceRequest()
            export.ParseFromString(await request.body())
            for resource_spans in export.resource_spans:
                service = next(
                    (
                        a.value.string_value
                        for a in resource_spans.resource.attributes
                        if a.key == "service.name"
                    ),
                    "?",
                )
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        self.spans.append((service, span.trace_id.hex(), span.name))
            return Response(status_code=200)

        self.server = uvicorn.Server(uvicorn.Config(app, port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def services_in(self, trace_id: str) -> set[str]:
        return {service for service, trace, _name in self.spans if trace == trace_id}


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Collector]]:
    collector = Collector()
    collector.thread.start()
    wait_until(lambda: port_accepts(collector.port), what="collector", timeout=30)
    root: Path = tmp_path_factory.mktemp("traced")
    stack = Stack(
        root / "data", Ports.free(), log_dir=root / "logs", partitions=1, environment="test"
    )
    try:
        stack.start_infrastructure()
        endpoint = {"IMC_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.port}"}
        started = {s: stack.start_service(s, extra_env=endpoint) for s in SERVICES}
        for service, process in started.items():
            stack.wait_ready(service, process)
        yield stack, collector
    finally:
        stack.stop()
        collector.server.should_exit = True


def test_one_trace_crosses_all_three_services(traced: tuple[Stack, Collector]) -> None:
    stack, collector = traced
    coordinator = bearer(token("coordinator"))
    with httpx.Client(base_url=stack.service_url("registry"), timeout=10) as registry:
        for body in (
            {"id": "berkane", "names": {"fr": "Berkane"}, "country": "MA", "languages": ["ar"]},
            {
                "id": "saint-gilles",
                "names": {"fr": "Saint-Gilles"},
                "country": "BE",
                "languages": ["fr"],
            },
        ):
            registry.post("/v1/municipalities", json=body, headers=coordinator)
        registry.post(
            "/v1/partnerships",
            headers=coordinator,
            json={"moroccan_municipality_id": "berkane", "belgian_municipality_id": "saint-gilles"},
        )
        registry.post(
            "/v1/members",
            headers=coordinator,
            json={
                "name": "Sophie Lambert",
                "email": "sophie@example.net",
                "municipality_id": "saint-gilles",
                "role": "officer",
                "language": "fr",
            },
        )
        registry.post(
            "/v1/partnerships/berkane--saint-gilles/milestones",
            headers=coordinator,
            json={
                "milestone_id": "m1",
                "title": {"fr": "Ouverture"},
                "due_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
                "responsible_municipality_id": "berkane",
            },
        )

        trace_id = secrets.token_hex(16)
        traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
        reported = eventually(
            lambda: (lambda r: r if r.status_code == 202 else None)(
                registry.post(
                    "/v1/partnerships/berkane--saint-gilles/milestones/m1/progress",
                    headers={**coordinator, "traceparent": traceparent},
                    json={"progress": 100, "reported_on": dt.date.today().isoformat()},
                )
            ),
            what="the report is accepted",
        )
        assert reported.status_code == 202

    eventually(
        lambda: collector.services_in(trace_id) >= set(SERVICES) or None,
        what="spans of every service in one trace",
        timeout=60,
    )
