"""The registry's API under 1, 16 and 64 concurrent clients: reads and writes, each for a
fixed time, with throughput and latency percentiles.

Reads: ``GET /v1/partnerships/{id}`` (a partnership of the run, by id). Writes: ``POST
/v1/members`` (one new member each: one commit in the registry's log, its projection, and an
event the other services consume), with the registry's database commands per write. Used
by ``bench.run`` on the stack it started.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from imc_devstack.faults import Programme

from bench.pipeline import db_commands, per_report, percentiles

CLIENTS = (1, 16, 64)


async def _for_seconds(
    base_url: str,
    clients: int,
    seconds: float,
    request: Callable[[httpx.AsyncClient], Awaitable[int]],
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def loop() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                status = await request(client)
                if status >= 300:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(loop() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    figures = percentiles([latency * 1000 for latency in latencies])
    return {
        "clients": clients,
        "per_s": round(len(latencies) / elapsed, 1),
        "errors": errors,
        "ms": {k: v for k, v in figures.items() if k != "n"},
        "n": figures["n"],
    }


async def measure(
    base_url: str,
    programme: Programme,
    seconds: float,
    cpu: Callable[[], float] = lambda: 0.0,
) -> dict[str, Any]:
    """Reads then writes at each level of concurrency; ``cpu`` reads the registry process's
    CPU seconds, for its CPU per request."""
    coordinator = {"Authorization": f"Bearer {programme.coordinator}"}
    partnerships = programme.partnerships
    # Members of a municipality of their own, in no partnership: they get no milestone's mail.
    municipality = f"api-{programme.run}"
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post(
            "/v1/municipalities",
            json={
                "id": municipality,
                "names": {"fr": "Commune du banc d'essai"},
                "country": "BE",
                "languages": ["fr"],
            },
            headers={**coordinator, "Idempotency-Key": f"bench-{municipality}"},
        )
        response.raise_for_status()
    counter = iter(range(10**9))

    async def read(client: httpx.AsyncClient) -> int:
        partnership = partnerships[next(counter) % len(partnerships)]
        response = await client.get(f"/v1/partnerships/{partnership}", headers=coordinator)
        return response.status_code

    async def write(client: httpx.AsyncClient) -> int:
        name = uuid.uuid4().hex[:12]
        response = await client.post(
            "/v1/members",
            json={
                "name": f"Member {name}",
                "email": f"member.{name}@example.org",
                "municipality_id": municipality,
                "role": "IMC officer",
                "language": "fr",
            },
            headers={**coordinator, "Idempotency-Key": f"bench-member-{name}"},
        )
        return response.status_code

    results: dict[str, Any] = {"reads": [], "writes": []}
    for kind, request in (("reads", read), ("writes", write)):
        for clients in CLIENTS:
            before, cpu_before = await db_commands({"registry": base_url}), cpu()
            figures = await _for_seconds(base_url, clients, seconds, request)
            used = cpu() - cpu_before
            after = await db_commands({"registry": base_url})
            # The registry's own work per request (its relay and consumers included).
            figures["db_commands"] = per_report(before, after, figures["n"])["registry"]
            figures["cpu_ms_each"] = round(1000 * used / max(figures["n"], 1), 2)
            figures["cpu_share"] = round(used / seconds, 2)
            results[kind].append(figures)
    return results
