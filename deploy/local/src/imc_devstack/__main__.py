"""``python -m imc_devstack run|fetch``: the local stack without Docker.

``run`` builds the web frontend (unless built already), starts Kafka, FerretDB, Mailpit,
the three services and the frontend in dependency order, waits for each to be
ready, loads the programme, prints where everything is, and on Ctrl-C or SIGTERM stops
everything it started.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType

from imc_registry import seed
from imc_registry.seed.examples import load_examples
from imc_runtime.auth import mint
from imc_runtime.settings import ServiceSettings

from imc_devstack import build
from imc_devstack.paths import cache_dir, data_dir
from imc_devstack.processes import PortInUse
from imc_devstack.stack import Ports, Stack


@dataclass(frozen=True)
class LocalToken:
    role: str
    municipality: str
    token: str


def _tokens(settings: ServiceSettings) -> list[LocalToken]:
    """A coordinator, one officer per municipality (as its first contact person), a viewer.

    The coordinator's subject stays ``coordinator@example.org``: the seed's idempotency keys
    are per caller, so another subject would load the programme a second time.
    """
    week = timedelta(days=7)
    data = seed.programme()
    coordinator = mint(
        settings,
        subject="coordinator@example.org",
        role="coordinator",
        language="fr",
        valid_for=week,
    )
    tokens = [LocalToken("coordinator", "-", coordinator)]
    for municipality in data["municipalities"]:
        contact = next(m for m in data["members"] if m["municipality_id"] == municipality["id"])
        token = mint(
            settings,
            subject=contact["email"],
            role="officer",
            municipality_id=municipality["id"],
            language=contact["language"],
            valid_for=week,
        )
        tokens.append(LocalToken("officer", municipality["id"], token))
    viewer = mint(settings, subject="viewer@example.org", role="viewer", valid_for=week)
    tokens.append(LocalToken("viewer", "-", viewer))
    return tokens


def local_stack(ports: Ports) -> Stack:
    """``make run``'s stack: in ``.data``, and every ``IMC_*`` setting of the environment
    passed on to the services (those naming where its servers are excepted)."""
    return Stack(data_dir(), ports, inherit_settings=True)


def _examples_wanted() -> bool:
    """Example roadmaps unless ``IMC_LOAD_EXAMPLES`` says no (docker-compose and k8s load
    none unless it says yes)."""
    return os.environ.get("IMC_LOAD_EXAMPLES", "true").strip().lower() not in ("0", "false", "no")


def run() -> int:
    ports = Ports.from_environment()
    try:
        ports.check_free()
    except PortInUse as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    stack = local_stack(ports)
    try:
        dist = build.web_dist()
        stack.start_infrastructure()
        stack.start_services()
        settings = ServiceSettings()
        tokens = _tokens(settings)
        stack.start_web(
            dist,
            accounts=[
                {"role": t.role, "municipality": t.municipality, "token": t.token} for t in tokens
            ],
        )
        report = seed.load(stack.service_url("registry"), tokens[0].token)
        print(
            f"\nprogramme loaded: {report.created} records created, "
            f"{report.already_there} already there\n"
        )
        if _examples_wanted():
            examples = asyncio.run(load_examples(stack.service_url("registry"), tokens[0].token))
            refused = f", refused: {', '.join(examples.rejected)}" if examples.rejected else ""
            print(f"example roadmaps: {examples.requests} requests answered{refused}\n")
        if report.differ:
            print(
                f"note: {len(report.differ)} records were loaded before from an older "
                f"definition and are kept as they are: {', '.join(report.differ[:5])}",
                file=sys.stderr,
            )
        _print_welcome(stack, tokens)
        while not stopping.wait(1):
            for name, process in stack.processes.items():
                if name != "kafka-format" and not process.running:
                    print(
                        f"error: {name} exited ({process.popen and process.popen.returncode})",
                        file=sys.stderr,
                    )
                    return 1
        return 0
    except Exception as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        print("stopping…", file=sys.stderr)
        stack.stop()


def _print_welcome(stack: Stack, tokens: list[LocalToken]) -> None:
    lines = [
        "IMC Hub is up.",
        f"  web            {stack.web_url}/  (sign in with a token below)",
        f"  registry       {stack.service_url('registry')}/docs",
        f"  roadmaps       {stack.service_url('roadmaps')}/docs",
        f"  notifications  {stack.service_url('notifications')}/docs",
        f"  mail inbox     {stack.mail_api}/",
        f"  kafka          {stack.kafka_bootstrap}",
        f"  ferretdb       {stack.mongo_url}",
        "",
        "Bearer tokens (valid 7 days, local secret), one a line: role, municipality, token:",
    ]
    lines += [f"  {t.role:<12} {t.municipality:<22} {t.token}" for t in tokens]
    lines += ["", "Ctrl-C stops everything."]
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imc_devstack", description=__doc__)
    parser.add_argument("command", choices=["run", "fetch", "where"])
    args = parser.parse_args(argv)
    if args.command == "fetch":
        build.fetch_all()
    elif args.command == "where":
        print(f"cache: {cache_dir()}\ndata:  {data_dir()}")
    else:
        sys.exit(run())


if __name__ == "__main__":
    main()
