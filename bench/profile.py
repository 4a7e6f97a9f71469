"""py-spy on the running services while a phase runs: ``bench.run --profile DIR`` records
each service's stacks during the pipeline's saturation, as collapsed stacks (one line per
stack, with its sample count) that ``summarise`` turns into the functions that cost most;
and FerretDB's CPU profile from its debug handler (Go's pprof), ``DIR/ferretdb.pprof``, read
with ``go tool pprof -top -cum DIR/ferretdb.pprof``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from imc_devstack.stack import Stack

SERVICES = ("registry", "roadmaps", "notifications")


@contextlib.asynccontextmanager
async def recording(stack: Stack, into: Path | None, seconds: float) -> AsyncIterator[None]:
    """Record each service for ``seconds`` while the body runs (nothing if ``into`` is None)."""
    beside = Path(sys.executable).parent / "py-spy"  # the venv's, when it is not on PATH
    spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if into is None or spy is None:
        yield
        return
    await asyncio.to_thread(into.mkdir, parents=True, exist_ok=True)
    recorders = []
    for name in SERVICES:
        process = stack.processes[name].popen
        if process is None:
            continue
        recorders.append(
            await asyncio.create_subprocess_exec(
                spy,
                "record",
                "--pid",
                str(process.pid),
                "--duration",
                str(int(seconds)),
                "--rate",
                "50",
                "--idle",
                "--format",
                "raw",
                "--output",
                str(into / f"{name}.txt"),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        )
    ferretdb = None
    if stack.ferretdb_debug_port is not None:
        ferretdb = asyncio.create_task(
            _pprof(stack.ferretdb_debug_port, seconds, into / "ferretdb.pprof")
        )
    try:
        yield
    finally:
        for recorder in recorders:
            await recorder.wait()
        if ferretdb is not None:
            await ferretdb


async def _pprof(port: int, seconds: float, into: Path) -> None:
    """A Go program's CPU profile over ``seconds``, from its ``net/http/pprof`` handler."""
    url = f"http://127.0.0.1:{port}/debug/pprof/profile"
    async with httpx.AsyncClient(timeout=seconds + 30) as client:
        response = await client.get(url, params={"seconds": int(seconds)})
        response.raise_for_status()
    await asyncio.to_thread(into.write_bytes, response.content)


def summarise(collapsed: Path, top: int = 25) -> list[tuple[float, str]]:
    """The functions present in most samples (inclusive), as (share, function)."""
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        for frame in set(stack.split(";")):
            inclusive[frame] += samples
    return [(samples / max(total, 1), frame) for frame, samples in inclusive.most_common(top)]


def main() -> None:
    parser = argparse.ArgumentParser(description="the costliest functions of a recording")
    parser.add_argument("recording", type=Path)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    for share, frame in summarise(args.recording, args.top):
        print(f"{share:6.1%}  {frame}")


if __name__ == "__main__":
    main()
