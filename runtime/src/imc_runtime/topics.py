"""``python -m imc_runtime.topics``: create the catalog's topics (an init step for deployments)."""

from __future__ import annotations

import argparse
import asyncio

from imc_runtime.kafka import client_options, ensure_topics
from imc_runtime.settings import ServiceSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partitions", type=int, default=None, help="override the catalog")
    args = parser.parse_args(argv)
    created = asyncio.run(
        ensure_topics(client_options(ServiceSettings()), partitions=args.partitions)
    )
    print("created: " + (", ".join(created) if created else "nothing, all topics exist"))


if __name__ == "__main__":
    main()
