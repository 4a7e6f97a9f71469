"""HTTP rates and latencies measured with ``wrk`` (Debian's, installed by ``imc_devstack
fetch``): a load generator in C, so the two cores go to the server measured, not to a Python
client sharing them.

Each run is ``wrk`` for a fixed time over N kept-open connections, with a Lua script that
names the requests (a rotation of paths, or a new member per request) and prints its summary
as one JSON line: requests, errors by kind, and latency percentiles.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from imc_devstack import build

_SUMMARY = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""

ROTATE = (
    """
local paths = {}
local counter = 0
init = function(args)
  for i, path in ipairs(args) do paths[i] = path end
end
request = function()
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end
"""
    + _SUMMARY
)
"""GET each path given, in turn."""

NEW_MEMBERS = (
    """
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
local municipality, prefix
init = function(args)
  municipality, prefix = args[1], args[2]
end
request = function()
  counter = counter + 1
  local name = string.format("%s-%d-%d", prefix, tid, counter)
  local body = string.format(
    '{"name": "Member %s", "email": "member.%s@example.org", "municipality_id": "%s", '
    .. '"role": "IMC officer", "language": "fr"}', name, name, municipality)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = "bench-member-" .. name
  return wrk.format("POST", "/v1/members", headers, body)
end
"""
    + _SUMMARY
)
"""POST a new member each time (its own name and Idempotency-Key): one write each."""


def binary() -> Path:
    found = build.wrk()
    if found is None:
        raise RuntimeError("wrk is not installed and cannot be here (needs root and apt-get)")
    return found


def run(
    base_url: str,
    *,
    connections: int,
    seconds: float,
    script: str,
    args: list[str],
    headers: dict[str, str] | None = None,
    threads: int = 1,
) -> dict[str, Any]:
    """One ``wrk`` run: rate, errors and latency (ms) in the shape the reports use."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        argv = [
            str(binary()),
            f"--threads={min(threads, connections)}",
            f"--connections={connections}",
            f"--duration={max(1, round(seconds))}s",
            "--timeout=30s",
            f"--script={lua.name}",
        ]
        for name, value in (headers or {}).items():
            argv += ["--header", f"{name}: {value}"]
        argv += [base_url, "--", *args]
        done = subprocess.run(  # noqa: S603 - the wrk binary, our arguments
            argv, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    elapsed = summary["duration_us"] / 1e6
    errors = sum(summary[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    answered = summary["requests"] - summary["status"]
    return {
        "clients": connections,
        "per_s": round(answered / elapsed, 1),
        "errors": errors,
        "ms": {p: round(summary[p] / 1000, 3) for p in ("p50", "p95", "p99", "max")},
        "n": answered,
        "tool": "wrk",
    }
