"""What one client can do to a running service, tried on the real processes: huge bodies, slow
and partial requests, links and tokens made of anything. Each is refused with a 4xx in a
documented shape, early, and the service goes on answering its probes."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, own_instance, token

pytestmark = pytest.mark.infra

HUNDRED_MIB = 100 * 1024 * 1024


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


@contextlib.contextmanager
def raw(url: str, timeout: float = 30) -> Iterator[socket.socket]:
    connection = socket.create_connection(address(url), timeout=timeout)
    try:
        yield connection
    finally:
        connection.close()


def read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := connection.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize("service", ["registry", "roadmaps", "notifications"])
def test_a_declared_hundred_mib_body_is_refused_before_a_byte_of_it_is_read(
    services: Stack, service: str
) -> None:
    path = {
        "registry": "/v1/members",
        "roadmaps": "/v1/dashboard",
        "notifications": "/v1/preferences/x",
    }
    method = "PUT" if service == "notifications" else "POST"
    with raw(services.service_url(service)) as connection:
        connection.sendall(
            f"{method} {path[service]} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            f"content-length: {HUNDRED_MIB}\r\n\r\n".encode()
        )
        head = connection.recv(65536)  # answered without the body being sent
    assert head.startswith(b"HTTP/1.1 413"), head[:200]


def test_a_streamed_body_past_the_limit_is_cut_off_and_the_memory_stays_put(
    services: Stack,
) -> None:
    base = services.service_url("notifications")
    before = resident_memory(base)

    def stream() -> Iterator[bytes]:
        yield b'{"default": "'
        for _ in range(HUNDRED_MIB // 65536):
            yield b"x" * 65536
        yield b'"}'

    with contextlib.suppress(httpx.TransportError):  # the server may close mid-stream
        answer = httpx.put(
            f"{base}/v1/preferences/x",
            content=stream(),
            headers={"content-type": "application/json"},
            timeout=60,
        )
        assert answer.status_code == 413, answer.text
    assert resident_memory(base) - before < 50 * 1024 * 1024  # it grew by 200 MB before


def resident_memory(base: str) -> float:
    metrics = httpx.get(f"{base}/metrics", timeout=10).text
    line = next(
        line for line in metrics.splitlines() if line.startswith("process_resident_memory_bytes")
    )
    return float(line.split()[-1])


def test_a_big_wrong_body_is_refused_without_being_echoed_back(services: Stack) -> None:
    answer = httpx.put(
        f"{services.service_url('notifications')}/v1/preferences/x",
        json={"default": "x" * 200_000},
        headers=bearer(token("coordinator")),
        timeout=30,
    )
    assert answer.status_code == 422
    assert len(answer.content) < 2000
    assert answer.json()["detail"][0]["loc"] == ["body", "default"]


@pytest.mark.parametrize("token_value", ["abc.%C3%A9", "%C3%A9.abc", "abc.%00", "%F0%9F%99%82"])
def test_an_unsubscribe_link_of_any_characters_is_a_400_not_a_500(
    services: Stack, token_value: str
) -> None:
    base = services.service_url("notifications")
    page = httpx.get(f"{base}/v1/unsubscribe?token={token_value}", timeout=10)
    assert page.status_code == 400, page.text
    assert isinstance(page.json()["detail"], str)
    one_click = httpx.post(
        f"{base}/v1/unsubscribe?token={token_value}",
        content="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert one_click.status_code == 400
    form = httpx.post(
        f"{base}/v1/unsubscribe",
        content=f"token={token_value}&scope=all",
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert form.status_code == 400


def test_an_unsubscribe_without_a_token_names_the_field_as_the_openapi_says(
    services: Stack,
) -> None:
    answer = httpx.post(f"{services.service_url('notifications')}/v1/unsubscribe", timeout=10)
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"][-1] == "token"


@pytest.mark.parametrize("service", ["registry", "roadmaps", "notifications"])
def test_a_refused_token_is_not_echoed_back(services: Stack, service: str) -> None:
    forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluPHNjcmlwdD4ifQ.c2lnbmF0dXJl"
    path = {
        "registry": "/v1/members",
        "roadmaps": "/v1/dashboard",
        "notifications": "/v1/deliveries",
    }
    answer = httpx.get(
        services.service_url(service) + path[service], headers=bearer(forged), timeout=10
    )
    assert answer.status_code == 401
    assert "<script>" not in answer.text
    assert "admin" not in answer.text
    assert "input" not in answer.text


@pytest.fixture(scope="module")
def quick_registry(services: Stack) -> Iterator[str]:
    """A registry that gives a request's head 2 s and handles 8 requests at once."""
    with own_instance(
        services,
        "registry",
        {"IMC_HTTP_READ_TIMEOUT_SECONDS": "2", "IMC_HTTP_MAX_IN_FLIGHT": "8"},
    ) as url:
        yield url


def test_a_client_that_sends_half_a_request_head_is_answered_408_and_cut_off(
    quick_registry: str,
) -> None:
    with raw(quick_registry) as connection:
        connection.sendall(b"GET /v1/partnerships HTTP/1.1\r\nhost: x\r\nx-slow: ")
        started = time.monotonic()
        answer = read_all(connection)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert waited < 10  # it was held for as long as the client liked


def test_a_client_that_trickles_its_head_a_byte_at_a_time_is_cut_off(quick_registry: str) -> None:
    request = (
        b"GET /health/live HTTP/1.1\r\nhost: x\r\n" + b"x-padding: " + b"a" * 200 + b"\r\n\r\n"
    )
    with raw(quick_registry) as connection:
        started = time.monotonic()
        for byte in request:
            if select.select([connection], [], [], 0)[0]:
                break  # the server spoke (and hung up): stop sending
            connection.sendall(bytes([byte]))
            time.sleep(0.05)  # the trickle itself: 12 s for the whole head
        answer = read_all(connection)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - started < 10


def test_a_connection_that_never_speaks_is_closed(quick_registry: str) -> None:
    with raw(quick_registry) as connection:
        assert read_all(connection) == b""  # closed by the server, not by our timeout


def test_a_body_that_never_finishes_is_answered_408(quick_registry: str) -> None:
    with raw(quick_registry) as connection:
        connection.sendall(
            b"POST /v1/members HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b'content-length: 1000\r\n\r\n{"name": '
        )
        answer = read_all(connection)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_health_answers_at_once_while_slow_clients_and_a_flood_hold_the_service(
    quick_registry: str,
) -> None:
    """Fifty connections sending half a head and thirty requests in flight at once (over the
    instance's limit of eight): the probe is never refused and never waits on them."""
    slow = [socket.create_connection(address(quick_registry)) for _ in range(50)]
    for connection in slow:
        connection.sendall(b"GET /v1/partnerships HTTP/1.1\r\nhost: x\r\n")
    statuses: list[int] = []
    viewer = bearer(token("viewer"))

    def flood() -> None:
        with httpx.Client(base_url=quick_registry, timeout=30) as client:
            for _ in range(10):
                statuses.append(client.get("/v1/partnerships", headers=viewer).status_code)

    workers = [threading.Thread(target=flood) for _ in range(30)]
    for worker in workers:
        worker.start()
    probes: list[float] = []
    with httpx.Client(base_url=quick_registry, timeout=30) as probe:
        while any(worker.is_alive() for worker in workers):
            started = time.monotonic()
            assert probe.get("/health/live").status_code == 200
            probes.append(time.monotonic() - started)
    for worker in workers:
        worker.join()
    for connection in slow:
        connection.close()
    assert set(statuses) <= {200, 503}
    assert 200 in statuses
    assert max(probes) < 1.0, sorted(probes)[-5:]
