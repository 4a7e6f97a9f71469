"""A second replica of roadmaps and of notifications, on the same machine, joined to their
consumer groups before the pipeline is saturated again."""

from __future__ import annotations

import asyncio
import time

import httpx
from imc_devstack.processes import free_port
from imc_devstack.stack import Stack

SCALED = ("roadmaps", "notifications")


async def add_second_replicas(stack: Stack, within: float = 120) -> float:
    """Start ``<service>-2`` for each scaled service; seconds until both answer ready.

    Their consumers then join the groups, which rebalance; the caller runs a short warm-up
    through the pipeline before measuring, so the figure is of the groups at work, not of
    the rebalance. (aiokafka's admin client cannot decode this broker's DescribeGroups
    answer, so membership is not read directly.)"""
    started = time.monotonic()
    ports = {}
    for service in SCALED:
        port = free_port()
        ports[service] = port
        await asyncio.to_thread(
            stack.start_service,
            service,
            name=f"{service}-2",
            extra_env={f"IMC_{service.upper()}_PORT": str(port)},
        )
    async with asyncio.timeout(within), httpx.AsyncClient(timeout=2) as client:
        for port in ports.values():
            while True:
                try:
                    ready = await client.get(f"http://127.0.0.1:{port}/health/ready")
                    if ready.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.3)
    return time.monotonic() - started
