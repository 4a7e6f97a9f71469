"""``python -m imc_registry.seed --url URL``: load the programme into a running registry."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import httpx
from imc_runtime.auth import mint

from imc_registry.seed import load
from imc_registry.seed.examples import load_examples
from imc_registry.settings import RegistrySettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8001", help="the registry's base URL")
    parser.add_argument(
        "--wait", type=float, default=120, help="seconds to wait for it to be ready"
    )
    parser.add_argument(
        "--examples",
        action="store_true",
        help="also load example roadmaps for every partnership (or IMC_LOAD_EXAMPLES=true)",
    )
    args = parser.parse_args(argv)
    settings = RegistrySettings()
    give_up = time.monotonic() + args.wait
    while True:
        try:
            if httpx.get(f"{args.url}/health/ready", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass  # not listening yet: ask again below
        if time.monotonic() > give_up:
            sys.exit(f"the registry at {args.url} was not ready within {args.wait:.0f} s")
        time.sleep(1)
    # The same subject as make run's coordinator: idempotency keys include the caller.
    token = mint(settings, subject="coordinator@example.org", role="coordinator")
    report = load(args.url, token)
    print(
        f"programme loaded: {report.created} records created, {report.already_there} already there"
    )
    if args.examples or settings.load_examples:
        examples = asyncio.run(load_examples(args.url, token))
        print(f"example roadmaps: {examples.requests} requests, {len(examples.rejected)} refused")


if __name__ == "__main__":
    main()
