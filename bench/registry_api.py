"""The registry's API under 1, 16 and 64 concurrent clients: reads and writes, each for a
fixed time with ``wrk`` (``bench.wrk``), with throughput and latency percentiles.

Reads: ``GET /v1/partnerships/{id}`` (a partnership of the run, by id). Writes: ``POST
/v1/members`` (one new member each: one commit in the registry's log, its projection, and an
event the other services consume), with the registry's database commands per write. Used
by ``bench.run`` on the stack it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from imc_devstack.faults import Programme

from bench import wrk
from bench.pipeline import db_commands, per_report

CLIENTS = (1, 16, 64)


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
    results: dict[str, Any] = {"reads": [], "writes": []}
    for kind in ("reads", "writes"):
        for clients in CLIENTS:
            # Each level its own members (and Idempotency-Keys): a key met again would be a
            # replay, answered from the log, not a write.
            script, args = (
                (wrk.ROTATE, [f"/v1/partnerships/{p}" for p in partnerships])
                if kind == "reads"
                else (wrk.NEW_MEMBERS, [municipality, f"m{programme.run}-{clients}"])
            )
            before, cpu_before = await db_commands({"registry": base_url}), cpu()
            figures = await asyncio.to_thread(
                wrk.run,
                base_url,
                connections=clients,
                seconds=seconds,
                script=script,
                args=args,
                headers=coordinator,
            )
            used = cpu() - cpu_before
            after = await db_commands({"registry": base_url})
            # The registry's own work per request (its relay and consumers included).
            figures["db_commands"] = per_report(before, after, figures["n"])["registry"]
            figures["cpu_ms_each"] = round(1000 * used / max(figures["n"], 1), 2)
            figures["cpu_share"] = round(used / seconds, 2)
            results[kind].append(figures)
    return results
