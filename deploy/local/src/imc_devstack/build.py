"""Fetch and build the local infrastructure once, into the cache.

Apache Kafka's jars come from Maven Central through Maven; FerretDB is built from its Go
module. Each result lives under a directory named by the hash of the files that define it,
so a change to the pom or go.mod builds anew and an unchanged one is reused at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from imc_devstack.paths import DEPLOY_LOCAL, cache_dir

KAFKA_DIR = DEPLOY_LOCAL / "kafka"
FERRETDB_DIR = DEPLOY_LOCAL / "ferretdb"
FERRETDB_VERSION = "v1.24.2"


class BuildFailed(Exception):
    pass


def _digest(*files: Path) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _run(argv: list[str], cwd: Path, what: str, env: dict[str, str] | None = None) -> None:
    print(f"[build] {what}: {' '.join(argv)}", file=sys.stderr, flush=True)
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        raise BuildFailed(f"{what} failed ({result.returncode}):\n{tail}")


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BuildFailed(f"{tool} is not on PATH; this machine kind ships it, install it first")
    return path


@contextlib.contextmanager
def _exclusive(name: str) -> Iterator[None]:
    """One build of ``name`` at a time across processes (make run and make test may race)."""
    lock_path = cache_dir() / f"{name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def kafka_libs() -> Path:
    """The directory of Kafka's runtime jars (plus log4j2), fetched on first use."""
    with _exclusive("kafka"):
        return _kafka_libs()


def _kafka_libs() -> Path:
    pom = KAFKA_DIR / "pom.xml"
    target = cache_dir() / "kafka" / _digest(pom) / "libs"
    if target.is_dir() and any(target.glob("kafka_2.13-*.jar")):
        return target
    mvn = _require("mvn")
    _require("java")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as staging:
        _run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={staging}/libs",
                f"-Dmaven.repo.local={cache_dir() / 'm2'}",
            ],
            cwd=KAFKA_DIR,
            what="fetch Apache Kafka jars",
        )
        Path(staging, "libs").rename(target)
    return target


def ferretdb_binary() -> Path:
    """The FerretDB binary, built from its Go module on first use."""
    with _exclusive("ferretdb"):
        return _ferretdb_binary()


def _ferretdb_binary() -> Path:
    """Build FerretDB unless built already.

    ``go install …/cmd/ferretdb`` makes FerretDB the main module and its start-up then
    panics for want of ``build/version/version.txt`` (a generated file not in the module).
    So we build the command from a wrapper module, vendored, with that file written in as
    FerretDB's own docs ask.
    """
    sources = [FERRETDB_DIR / name for name in ("go.mod", "go.sum", "tools.go")]
    target = cache_dir() / "ferretdb" / _digest(*sources) / "ferretdb"
    if target.is_file():
        return target
    go = _require("go")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as staging:
        work = Path(staging)
        for source in sources:
            shutil.copy(source, work / source.name)
        env = _go_environment()
        _run([go, "mod", "vendor"], cwd=work, what="fetch FerretDB module", env=env)
        version_dir = work / "vendor/github.com/FerretDB/FerretDB/build/version"
        (version_dir / "version.txt").write_text(FERRETDB_VERSION + "\n")
        _run(
            [
                go,
                "build",
                "-mod=vendor",
                "-trimpath",
                "-o",
                str(work / "ferretdb"),
                "github.com/FerretDB/FerretDB/cmd/ferretdb",
            ],
            cwd=work,
            what="build FerretDB",
            env=env,
        )
        (work / "ferretdb").rename(target)
    return target


def _go_environment() -> dict[str, str]:
    """Go's module and build caches inside ours, writable so that a plain rm can clear them."""
    go_cache = cache_dir() / "go"
    return {
        **os.environ,
        "GOMODCACHE": str(go_cache / "mod"),
        "GOCACHE": str(go_cache / "build"),
        "GOFLAGS": "-modcacherw",
        "GOTOOLCHAIN": "local",
    }


def fetch_all() -> None:
    print(f"kafka libs: {kafka_libs()}")
    print(f"ferretdb:   {ferretdb_binary()}")
