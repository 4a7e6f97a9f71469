"""``imc-ops`` (or ``python -m imc_runtime.ops``): one command for the people who run IMC Hub.

    imc-ops health                  every service's readiness, and why it is not ready
    imc-ops lag [--group G]         consumer-group lag per topic and partition
    imc-ops backlog                 unpublished commits (the relay's backlog) per service, and age
    imc-ops dlq list|show|replay|purge GROUP …   dead letters (see imc-ops dlq --help)
    imc-ops rebuild SERVICE         rebuild a service's read models from its commit log
    imc-ops topics [--partitions N] create the catalog's topics
    imc-ops token --subject … --role …   mint a bearer token (local use)

Connections come from the same ``IMC_*`` settings the services read (Kafka security included);
service URLs from ``IMC_<SERVICE>_URL`` and databases from ``IMC_<SERVICE>_DATABASE``
(default: the local ports and the services' default databases).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from imc_contracts.catalog import TOPICS, topics_consumed_by
from pydantic import Field

from imc_runtime import auth, dlq, mongo, topics
from imc_runtime.commitlog import CommitLog
from imc_runtime.kafka import Connection, client_options, connect, partitions_of
from imc_runtime.rebuild import registered
from imc_runtime.settings import ServiceSettings, load_settings

SERVICES = ("registry", "roadmaps", "notifications")
GROUPS = sorted({group for topic in TOPICS for group in topic.consumer_groups})


class OpsSettings(ServiceSettings):
    """Where the services answer and which databases they keep, as operators set them."""

    registry_url: str = Field(default="http://127.0.0.1:8001", description="For `health`.")
    roadmaps_url: str = Field(default="http://127.0.0.1:8002", description="For `health`.")
    notifications_url: str = Field(default="http://127.0.0.1:8003", description="For `health`.")
    registry_database: str = Field(default="imc_registry", description="For `backlog`.")
    roadmaps_database: str = Field(default="imc_roadmaps", description="For `backlog`.")
    notifications_database: str = Field(default="imc_notifications", description="For `backlog`.")

    def url(self, service: str) -> str:
        url: str = getattr(self, f"{service}_url")
        return url.rstrip("/")

    def database_of(self, service: str) -> str:
        name: str = getattr(self, f"{service}_database")
        return name


def health(settings: OpsSettings) -> int:
    """Print each service's readiness; the number of services not ready."""
    unready = 0
    for service in SERVICES:
        url = f"{settings.url(service)}/health/ready"
        try:
            response = httpx.get(url, timeout=5)
            checks = response.json().get("checks", {})
            state = "ready" if response.status_code == 200 else "NOT READY"
        except (httpx.HTTPError, ValueError) as error:
            checks, state = {"http": type(error).__name__}, "UNREACHABLE"
        if state != "ready":
            unready += 1
        detail = ", ".join(f"{name}={value}" for name, value in checks.items())
        print(f"{service:<14} {state:<12} {detail}   ({url})")
    return unready


async def lag(connection: Connection, groups: list[str]) -> list[tuple[str, str, int, int]]:
    """(group, topic, partition, lag) for every partition each group reads."""
    admin = AIOKafkaAdminClient(**connect(connection))
    consumer = AIOKafkaConsumer(**connect(connection), enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    rows = []
    try:
        for group in groups:
            committed = await admin.list_consumer_group_offsets(group)
            partitions = [
                TopicPartition(topic.name, p)
                for topic in topics_consumed_by(group)
                for p in await partitions_of(connection, topic.name)
            ]
            ends = await consumer.end_offsets(partitions) if partitions else {}
            for tp in sorted(ends, key=lambda tp: (tp.topic, tp.partition)):
                meta = committed.get(tp)
                done = meta.offset if meta is not None and meta.offset >= 0 else 0
                rows.append((group, tp.topic, tp.partition, ends[tp] - done))
    finally:
        await consumer.stop()
        await admin.close()
    return rows


async def backlog(settings: OpsSettings) -> list[tuple[str, int, float | None]]:
    """(service, unpublished commits, age of the oldest in seconds) per service database."""
    client = mongo.connect(settings)
    rows = []
    try:
        for service in SERVICES:
            commits = CommitLog(client[settings.database_of(service)])
            count, oldest = await commits.backlog()
            age = None if oldest is None else (datetime.now(UTC) - oldest).total_seconds()
            rows.append((service, count, age))
    finally:
        await client.close()
    return rows


async def rebuild(service: str) -> int:
    """Rebuild ``service``'s read models from its log (safe while it runs: projections are
    idempotent and never go back to an older version); the number of commits read."""
    hooks = registered()
    if service not in hooks:
        raise SystemExit(f"{service} keeps no read models here (rebuildable: {', '.join(hooks)})")
    return await hooks[service]()


PASSTHROUGH: dict[str, Callable[[list[str] | None], None]] = {
    "dlq": dlq.main,
    "topics": topics.main,
    "token": auth.main,
}
"""Subcommands that are whole commands of their own: their arguments go to them untouched."""


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments and arguments[0] in PASSTHROUGH:
        PASSTHROUGH[arguments[0]](arguments[1:])
        return
    parser = argparse.ArgumentParser(
        prog="imc-ops", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("health", help="readiness of every service")
    lag_parser = commands.add_parser("lag", help="consumer-group lag per partition")
    lag_parser.add_argument("--group", choices=GROUPS, action="append")
    commands.add_parser("backlog", help="the relay's unpublished commits per service")
    rebuild_parser = commands.add_parser("rebuild", help="rebuild read models from the log")
    rebuild_parser.add_argument("service", choices=sorted(registered()))
    for name, what in (
        ("dlq", "dead letters: list, show, replay, purge"),
        ("topics", "create the catalog's topics"),
        ("token", "mint a bearer token"),
    ):
        sub = commands.add_parser(name, help=what, add_help=False)
        sub.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(arguments)
    sys.exit(run(args))


def run(args: argparse.Namespace) -> int:
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "health": lambda _: health(load_settings(OpsSettings)),
        "lag": _show_lag,
        "backlog": _show_backlog,
        "rebuild": lambda a: _print(
            f"{a.service}: rebuilt from {asyncio.run(rebuild(a.service))} commits"
        ),
    }
    return handlers[args.command](args)


def _print(line: str) -> int:
    print(line)
    return 0


def _show_lag(args: argparse.Namespace) -> int:
    settings = load_settings(ServiceSettings)
    rows = asyncio.run(lag(client_options(settings), args.group or GROUPS))
    for group, topic, partition, behind in rows:
        print(f"{group:<14} {topic:<26} {partition:>3} {behind:>8}")
    total: dict[str, int] = {}
    for group, _, _, behind in rows:
        total[group] = total.get(group, 0) + behind
    for group, behind in total.items():
        print(f"{group}: {behind} message(s) behind", file=sys.stderr)
    return 0


def _show_backlog(_args: argparse.Namespace) -> int:
    rows: list[tuple[str, int, float | None]] = asyncio.run(backlog(load_settings(OpsSettings)))
    for service, count, age in rows:
        oldest = "-" if age is None else f"{age:.1f} s"
        print(f"{service:<14} {count:>8} unpublished   oldest {oldest}")
    return 0


if __name__ == "__main__":
    main()
