"""Every benchmark in one run, on one stack, each figure set against the limit it is judged by.

    make bench                       # or: .venv/bin/python -m bench.run [--quick]

Starts Kafka, FerretDB, Mailpit and the three services on free ports in a
temporary directory, then, minutes apart on the same machine:

1. the raw limits of the parts (``bench.limits``): Kafka, the store, SMTP, HTTP (``wrk``);
   and the raw pipeline (``bench.raw_pipeline``): the same job done the simplest way;
2. the pipeline (``bench.pipeline``): saturation, then 25 %, 50 % and 90 % of it;
3. scaling (``bench.scaling``): a second replica of roadmaps and of notifications, and the
   pipeline saturated again;
4. the registry's API (``bench.registry_api``) at 1, 16 and 64 connections, with ``wrk``;
5. rebuilding roadmaps' read models from 100,000 commits (``bench.rebuild``).

Each phase runs for a set time, so the whole takes the same few minutes on any machine.
Writes ``bench/results/<date>.json`` and ``<date>.md`` (the table) and prints the table.
The machine is shared and noisy: the load average is recorded at the start and the end, and
the targets are ratios to limits measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from imc_devstack import build
from imc_devstack.paths import REPO_ROOT
from imc_devstack.stack import Stack

from bench import limits, pipeline, raw_pipeline, rebuild, registry_api, scaling
from bench import profile as bench_profile

RESULTS = REPO_ROOT / "bench" / "results"
TOTAL_BUDGET = 470.0
"""Seconds for the whole run before the stack stops: ``make bench`` stays under ten minutes."""
SERVICES = ("registry", "roadmaps", "notifications")


@dataclass(frozen=True)
class Sizes:
    """How long each phase runs (seconds), and the rebuild's log."""

    limit_seconds: float = 4.0
    plan_seconds: float = 45.0
    saturation_seconds: float = 20.0
    phase_seconds: float = 12.0
    scaling_seconds: float = 15.0
    api_seconds: float = 3.0
    in_flight: int = 32
    rebuild_commits: int = 100_000

    @classmethod
    def quick(cls) -> Sizes:
        return cls(1.0, 6.0, 4.0, 3.0, 3.0, 0.5, 8, 2_000)


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("aiokafka", "pymongo", "faststream", "fastapi", "uvicorn", "aiosmtplib", "httpx"):
        found[name] = version(name)
    jar = next(build.kafka_libs().glob("kafka_2.13-*.jar"), None)
    match = re.search(r"kafka_2\.13-([\d.]+)\.jar", jar.name) if jar else None
    found["kafka"] = match.group(1) if match else "unknown"
    found["ferretdb"] = build.FERRETDB_VERSION
    return found


async def system(stack: Stack, sizes: Sizes, profile: Path | None = None) -> dict[str, Any]:
    """Pipeline, scaling and registry API, on the services already running."""
    programme = await asyncio.to_thread(pipeline.setup, stack)
    bench = await pipeline.start_watchers(stack, programme)
    results: dict[str, Any] = {}
    try:
        results["planning"] = await pipeline.plan(
            bench, sizes.plan_seconds, sizes.in_flight, 1_000_000
        )
        print(f"planned {results['planning']}", flush=True)
        async with bench_profile.recording(stack, profile, sizes.saturation_seconds):
            results["pipeline"] = await pipeline.measure(
                bench,
                saturation_seconds=sizes.saturation_seconds,
                phase_seconds=sizes.phase_seconds,
                in_flight=sizes.in_flight,
            )
        print(f"pipeline saturation {results['pipeline']['saturation']}", flush=True)
        joined = await scaling.add_second_replicas(stack)
        warm_up = await pipeline.saturate(bench, sizes.scaling_seconds / 3, 4)
        two = await pipeline.saturate(bench, sizes.scaling_seconds, sizes.in_flight)
        results["scaling"] = {
            "one_replica_per_s": results["pipeline"]["saturation"]["per_s"],
            "two_replicas_per_s": two["per_s"],
            "two_replicas": two,
            "ready_seconds": round(joined, 1),
            "warm_up": warm_up,
            "processes": pipeline.process_usage(stack),
        }
        print(f"scaling {two}", flush=True)
        results["registry_api"] = await registry_api.measure(
            stack.service_url("registry"),
            programme,
            sizes.api_seconds,
            cpu=lambda: pipeline.cpu_seconds(stack).get("registry", 0.0),
        )
        results["unused_milestones"] = len(bench.pool)
    finally:
        await pipeline.stop_watchers(bench)
    return results


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue: the figure, what it is set against, and met or missed."""
    raw = report["limits"]
    slowest = raw["slowest_raw_limit"]
    pipe = report["pipeline"]
    half = pipe["50%"]
    reads16 = next(r for r in report["registry_api"]["reads"] if r["clients"] == 16)
    best_writes = max(report["registry_api"]["writes"], key=lambda r: r["per_s"])
    service_rss = {
        name: usage["peak_rss_mb"] for name, usage in pipe["processes"].items() if name in SERVICES
    }
    simplest = report["raw_pipeline"]
    simplest_cpu = sum(figures["ms_per_report"] for figures in simplest["cpu"].values())
    ours_cpu = sum(figures["ms_per_report"] for figures in pipe["saturation"]["cpu"].values())
    commands = sum(
        c["commands_per_report"] for c in pipe["saturation"].get("db_commands", {}).values()
    )
    rows = [
        {
            "target": "pipeline max ≥ 50 % of the raw pipeline's (same run)",
            "figure": f"{pipe['saturation']['per_s']} reports/s",
            "against": f"raw pipeline {simplest['per_s']}/s",
            "ratio": pipe["saturation"]["per_s"] / max(simplest["per_s"], 0.1),
            "goal": 0.5,
        },
        {
            "target": "database commands per report ≤ 15 (all services)",
            "figure": f"{commands:.1f}",
            "against": f"raw pipeline {simplest['db_commands_per_report']}",
            "ratio": commands,
            "goal": 15.0,
            "lower_is_better": True,
        },
        {
            "target": "CPU per report ≤ 60 ms (all processes)",
            "figure": f"{ours_cpu:.1f} ms",
            "against": f"raw pipeline {simplest_cpu:.1f} ms",
            "ratio": ours_cpu,
            "goal": 60.0,
            "lower_is_better": True,
        },
        {
            "target": "pipeline max ≥ 50 % of the slowest raw limit",
            "figure": f"{pipe['saturation']['per_s']} reports/s",
            "against": f"{slowest['name']} {slowest['per_s']:.1f}/s",
            "ratio": pipe["saturation"]["per_s"] / slowest["per_s"],
            "goal": 0.5,
        },
        {
            "target": "p99 202 → email accepted ≤ 500 ms at 50 % of max",
            "figure": f"{half['to_email_s']['p99']} s at {half['rate_per_s']}/s",
            "against": "0.5 s",
            "ratio": half["to_email_s"]["p99"],
            "goal": 0.5,
            "lower_is_better": True,
        },
        {
            "target": "registry reads at 16 connections ≥ 50 % of a trivial endpoint's rate",
            "figure": f"{reads16['per_s']}/s",
            "against": f"trivial endpoint {raw['http_requests_per_s']:.0f}/s (wrk, 16 connections)",
            "ratio": reads16["per_s"] / max(raw["http_requests_per_s"], 0.1),
            "goal": 0.5,
        },
        {
            "target": "registry reads p99 ≤ 20 ms at 16 clients",
            "figure": f"{reads16['ms']['p99']} ms ({reads16['per_s']}/s)",
            "against": f"20 ms (a trivial endpoint: p99 {raw['http_p99_ms']:.1f} ms)",
            "ratio": reads16["ms"]["p99"],
            "goal": 20.0,
            "lower_is_better": True,
        },
        {
            "target": "registry writes ≥ 50 % of the raw store limit",
            "figure": f"{best_writes['per_s']}/s at {best_writes['clients']} clients",
            "against": f"store inserts {raw['store_inserts_per_s']:.1f}/s",
            "ratio": best_writes["per_s"] / raw["store_inserts_per_s"],
            "goal": 0.5,
        },
        {
            "target": "rebuild ≥ 50 % of the raw read rate of the log",
            "figure": f"{report['rebuild']['rebuild_per_s']} commits/s",
            "against": f"raw read {report['rebuild']['raw_read_per_s']}/s",
            "ratio": report["rebuild"]["ratio"],
            "goal": 0.5,
        },
        {
            "target": "each service ≤ 200 MB RSS under the pipeline",
            "figure": ", ".join(f"{n} {mb:.0f} MB" for n, mb in service_rss.items()),
            "against": "200 MB",
            "ratio": max(service_rss.values(), default=0.0),
            "goal": 200.0,
            "lower_is_better": True,
        },
    ]
    for row in rows:
        lower = row.pop("lower_is_better", False)
        row["ratio"] = round(row["ratio"], 3)
        row["met"] = row["ratio"] <= row["goal"] if lower else row["ratio"] >= row["goal"]
    return rows


def bounds(report: dict[str, Any]) -> dict[str, Any]:
    """What the store allows: each operation's database writes, and the rate the raw insert
    limit would allow if the store did nothing else (every write costs at least an insert's
    time on FerretDB's SQLite, which takes one writer at a time per database)."""
    inserts = report["limits"]["store_inserts_per_s"]
    pipe = report["pipeline"]["saturation"].get("db_commands", {})
    writes = sum(c["writes_per_report"] for c in pipe.values())
    commands = sum(c["commands_per_report"] for c in pipe.values())
    rate = report["pipeline"]["saturation"]["per_s"]
    best = max(report["registry_api"]["writes"], key=lambda r: r["per_s"])
    per_write = best.get("db_commands", {}).get("writes_per_report", 0.0)
    cpu = report["pipeline"]["saturation"].get("cpu", {})
    cpu_ms = sum(figures["ms_per_report"] for figures in cpu.values())
    cores = report["machine"]["cores"] or 1
    return {
        "pipeline_cpu_ms_per_report": round(cpu_ms, 1),
        "pipeline_cpu_ceiling_per_s": round(cores * 1000 / cpu_ms, 1) if cpu_ms else None,
        "pipeline_writes_per_report": round(writes, 1),
        "pipeline_commands_per_report": round(commands, 1),
        "pipeline_ceiling_per_s": round(inserts / writes, 1) if writes else None,
        "pipeline_writes_per_s": round(rate * writes, 1),
        "registry_writes_per_request": per_write,
        "registry_write_ceiling_per_s": round(inserts / per_write, 1) if per_write else None,
        "registry_store_writes_per_s": round(best["per_s"] * per_write, 1),
    }


def _md(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _bounds_md(report: dict[str, Any]) -> str:
    b = report["bounds"]
    inserts = report["limits"]["store_inserts_per_s"]
    return _md(
        [
            ["operation", "cost each", "ceiling it sets", "measured"],
            [
                "a progress report, through all three services (their databases as one writer)",
                f"{b['pipeline_writes_per_report']} writes (of "
                f"{b['pipeline_commands_per_report']} commands)",
                f"{b['pipeline_ceiling_per_s']}/s ({inserts:,.0f} inserts/s ÷ writes)",
                f"{report['pipeline']['saturation']['per_s']}/s = "
                f"{b['pipeline_writes_per_s']} writes/s",
            ],
            [
                "a progress report: CPU of every process (the measuring one too)",
                f"{b['pipeline_cpu_ms_per_report']} ms",
                f"{b['pipeline_cpu_ceiling_per_s']}/s ({report['machine']['cores']} cores ÷ CPU)",
                f"{report['pipeline']['saturation']['per_s']}/s",
            ],
            [
                "a registry write (POST /v1/members)",
                f"{b['registry_writes_per_request']} writes",
                f"{b['registry_write_ceiling_per_s']}/s",
                f"{b['registry_store_writes_per_s']} writes/s",
            ],
        ]
    )


def _cpu_ms(saturation: dict[str, Any]) -> float:
    return float(sum(figures["ms_per_report"] for figures in saturation["cpu"].values()))


def _ms(figures: dict[str, float]) -> str:
    return f"{figures['p50']:.2f} / {figures['p95']:.2f} / {figures['p99']:.2f}"


def table(report: dict[str, Any]) -> str:
    """The results as markdown: targets, limits, pipeline, API, scaling, processes."""
    raw = report["limits"]
    pipe = report["pipeline"]
    machine = report["machine"]
    parts = [
        f"Run {report['started_at']} on {machine['cores']} cores, load average "
        f"{machine['load_start'][0]:.1f} at the start, {machine['load_end'][0]:.1f} at the end; "
        f"{report['seconds']:.0f} s in all; {_backend(report)}. Versions: "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items())
        + ".",
        "### Targets",
        _md(
            [
                ["target", "measured", "set against", "ratio / value", "goal", "met"],
                *[
                    [
                        t["target"],
                        t["figure"],
                        t["against"],
                        f"{t['ratio']}",
                        f"{t['goal']}",
                        "yes" if t["met"] else "**no**",
                    ]
                    for t in report["targets"]
                ],
            ]
        ),
        "### Raw limits (same run)",
        _md(
            [
                ["part", "per second"],
                *[[name, f"{raw[name]:,.0f}"] for name in limits.RAW_LIMITS],
                ["trivial endpoint p99 at 16 clients", f"{raw['http_p99_ms']:.1f} ms"],
            ]
        ),
        "### The raw pipeline (same run): the same job the simplest correct way",
        _md(
            [
                ["measure", "raw pipeline", "ours"],
                [
                    f"saturation ({report['raw_pipeline']['in_flight']} in flight)",
                    f"{report['raw_pipeline']['per_s']}/s",
                    f"{pipe['saturation']['per_s']}/s",
                ],
                [
                    "202 → email p50/p95/p99 s at saturation",
                    _ms(report["raw_pipeline"]["to_email_s"]),
                    _ms(pipe["saturation"]["to_email_s"]),
                ],
                [
                    "database commands per report",
                    f"{report['raw_pipeline']['db_commands_per_report']}",
                    f"{report['bounds']['pipeline_commands_per_report']}",
                ],
                [
                    "CPU per report, every process",
                    f"{_cpu_ms(report['raw_pipeline']):.1f} ms",
                    f"{_cpu_ms(pipe['saturation']):.1f} ms",
                ],
            ]
        ),
        "### Pipeline: report → milestone reached → emails accepted",
        _md(
            [
                [
                    "phase",
                    "rate /s",
                    "done",
                    "202 → reached p50/p95/p99 s",
                    "202 → email p50/p95/p99 s",
                ],
                [
                    f"saturation ({pipe['saturation']['in_flight']} in flight)",
                    f"{pipe['saturation']['per_s']}",
                    f"{pipe['saturation']['completed']}",
                    _ms(pipe["saturation"]["to_reached_s"]),
                    _ms(pipe["saturation"]["to_email_s"]),
                ],
                *[
                    [
                        name,
                        f"{pipe[name]['rate_per_s']} (sent {pipe[name]['achieved_per_s']})",
                        f"{pipe[name]['mailed']}/{pipe[name]['sent']}",
                        _ms(pipe[name]["to_reached_s"]),
                        _ms(pipe[name]["to_email_s"]),
                    ]
                    for name in ("25%", "50%", "90%")
                ],
            ]
        ),
        "### Processes over the pipeline phases",
        _md(
            [
                ["process", "CPU s", "share of a core", "peak RSS MB"],
                *[
                    [
                        name,
                        f"{u['cpu_seconds']}",
                        f"{u.get('cpu_share', '')}",
                        f"{u['peak_rss_mb']}",
                    ]
                    for name, u in pipe["processes"].items()
                ],
            ]
        ),
        "### Database commands per report (saturation)",
        _md(
            [
                [
                    "service",
                    "commands",
                    "writes",
                    "their time ms",
                    "ceiling of its database alone",
                    "busiest (per report)",
                ],
                *[
                    [
                        name,
                        f"{c['commands_per_report']}",
                        f"{c.get('writes_per_report', '')}",
                        f"{c['db_ms_per_report']}",
                        f"{raw['store_inserts_per_s'] / c['writes_per_report']:.1f}/s"
                        if c.get("writes_per_report")
                        else "",
                        ", ".join(
                            f"{k} {v['per_report']}" for k, v in list(c["by_command"].items())[:6]
                        ),
                    ]
                    for name, c in pipe["saturation"].get("db_commands", {}).items()
                ],
            ]
        ),
        "### What the store and the cores allow",
        _bounds_md(report),
        "CPU per report at saturation, by process: "
        + ", ".join(
            f"{name} {figures['ms_per_report']} ms ({figures['share_of_a_core']} of a core)"
            for name, figures in pipe["saturation"].get("cpu", {}).items()
        )
        + ".",
        "### Registry API",
        _md(
            [
                [
                    "operation",
                    "clients",
                    "per second",
                    "p50 / p95 / p99 ms",
                    "errors",
                    "registry CPU ms each (share of a core)",
                ],
                *[
                    [
                        kind,
                        f"{r['clients']}",
                        f"{r['per_s']}",
                        _ms(r["ms"]),
                        f"{r['errors']}",
                        f"{r.get('cpu_ms_each', '')} ({r.get('cpu_share', '')})",
                    ]
                    for kind in ("reads", "writes")
                    for r in report["registry_api"][kind]
                ],
            ]
        ),
        "### Scaling and rebuild",
        _md(
            [
                ["measure", "figure"],
                ["pipeline max, one replica each", f"{report['scaling']['one_replica_per_s']}/s"],
                [
                    "pipeline max, two replicas of roadmaps and notifications",
                    f"{report['scaling']['two_replicas_per_s']}/s "
                    f"(ready in {report['scaling']['ready_seconds']} s, then a warm-up)",
                ],
                [
                    f"rebuild of {report['rebuild']['commits']:,} commits",
                    f"{report['rebuild']['rebuild_seconds']} s, "
                    f"{report['rebuild']['rebuild_per_s']} commits/s",
                ],
                [
                    "raw read of the same log",
                    f"{report['rebuild']['raw_read_seconds']} s, "
                    f"{report['rebuild']['raw_read_per_s']} commits/s",
                ],
            ]
        ),
    ]
    return "\n\n".join(parts) + "\n"


def _backend(report: dict[str, Any]) -> str:
    if report.get("ferretdb_backend") == "postgresql":
        return "FerretDB on PostgreSQL 15 with synchronous_commit=off"
    return f"FerretDB's SQLite with synchronous={report['sqlite_synchronous']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks that it runs")
    parser.add_argument("--rebuild-commits", type=int)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--sqlite-synchronous",
        default="normal",
        choices=("normal", "full"),
        help="FerretDB's SQLite: fsync at checkpoints (normal) or on every insert (full)",
    )
    parser.add_argument(
        "--ferretdb-backend",
        default="sqlite",
        choices=("sqlite", "postgresql"),
        help="FerretDB's storage: SQLite (as make run and the tests) or Debian's PostgreSQL",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="record the services with py-spy and FerretDB with Go's pprof during saturation, here",
    )
    args = parser.parse_args()
    sizes = Sizes.quick() if args.quick else Sizes()
    commits = args.rebuild_commits or sizes.rebuild_commits
    started = time.monotonic()
    report: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            "load_start": os.getloadavg(),
        },
        "versions": versions(),
        "sizes": sizes.__dict__ | {"rebuild_commits": commits},
        "sqlite_synchronous": args.sqlite_synchronous,
        "ferretdb_backend": args.ferretdb_backend,
    }
    with Stack.temporary(
        "imc-bench-",
        sqlite_synchronous=args.sqlite_synchronous,
        ferretdb_backend=args.ferretdb_backend,
        ferretdb_debug=args.profile is not None,
    ) as stack:
        stack.start_infrastructure()
        report["limits"] = limits.measure(stack, sizes.limit_seconds, 16)
        print(f"limits {report['limits']}", flush=True)
        report["raw_pipeline"] = raw_pipeline.measure(
            stack, sizes.saturation_seconds, sizes.in_flight
        )
        print(f"raw pipeline {report['raw_pipeline']}", flush=True)
        stack.start_services()
        report |= asyncio.run(system(stack, sizes, args.profile))
        # The rebuild gets what is left of the ten minutes, less a margin for stopping.
        left = TOTAL_BUDGET - (time.monotonic() - started)
        budget = None if args.rebuild_commits else max(60.0, left)
        report["rebuild"] = asyncio.run(rebuild.measure(stack.mongo_url, commits, 100, budget))
    report["machine"]["load_end"] = os.getloadavg()
    report["seconds"] = round(time.monotonic() - started, 1)
    report["targets"] = targets(report)
    report["bounds"] = bounds(report)
    markdown = table(report)
    print(markdown)
    args.out.mkdir(parents=True, exist_ok=True)
    name = "quick" if args.quick else dt.date.today().isoformat()
    if args.ferretdb_backend != "sqlite":
        name += f"-{args.ferretdb_backend}"
    (args.out / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (args.out / f"{name}.md").write_text(markdown)
    print(f"wrote {args.out / name}.json and .md")


if __name__ == "__main__":
    main()
