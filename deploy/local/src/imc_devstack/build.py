"""Fetch and build the local infrastructure once, into the cache.

Apache Kafka's jars come from Maven Central through Maven; FerretDB is built from its Go
module; the web frontend is built with npm and Vite. Each result lives under a directory
named by the hash of the files that define it, so a change to the pom, go.mod or the web
sources builds anew and an unchanged one is reused at once. The browser tests use Debian's
Chromium, installed with apt when missing.
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

from imc_devstack.paths import DEPLOY_LOCAL, REPO_ROOT, cache_dir

KAFKA_DIR = DEPLOY_LOCAL / "kafka"
FERRETDB_DIR = DEPLOY_LOCAL / "ferretdb"
FERRETDB_VERSION = "v1.24.2"
WEB_DIR = REPO_ROOT / "web"
WEB_SOURCES = ("package.json", "package-lock.json", "index.html", "vite.config.ts", "tsconfig.json")
CHROMIUM = Path("/usr/bin/chromium")


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


def _npm_environment() -> dict[str, str]:
    return {
        **os.environ,
        "npm_config_cache": str(cache_dir() / "npm"),
        "npm_config_update_notifier": "false",
    }


def web_modules() -> Path:
    """``web/node_modules`` as ``package-lock.json`` pins it (``npm ci``, from npm's cache
    under ours), installed again only when the lock file changed."""
    with _exclusive("web-modules"):
        modules = WEB_DIR / "node_modules"
        stamp = modules / ".imc-lock-digest"
        digest = _digest(WEB_DIR / "package-lock.json")
        if stamp.is_file() and stamp.read_text() == digest:
            return modules
        npm = _require("npm")
        _run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
            cwd=WEB_DIR,
            what="install the web frontend's packages",
            env=_npm_environment(),
        )
        stamp.write_text(digest)
        return modules


def _web_digest() -> str:
    files = [WEB_DIR / name for name in WEB_SOURCES]
    for folder in ("src", "public"):
        files += sorted(path for path in (WEB_DIR / folder).rglob("*") if path.is_file())
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.relative_to(WEB_DIR)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def web_dist() -> Path:
    """The built web frontend (``index.html`` and its assets), built when its sources changed."""
    with _exclusive("web"):
        target = cache_dir() / "web" / _web_digest() / "dist"
        if (target / "index.html").is_file():
            return target
        web_modules()
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as staging:
            out = Path(staging, "dist")
            env = _npm_environment()
            _run(
                ["node", "node_modules/typescript/bin/tsc", "--noEmit"],
                WEB_DIR,
                "type-check web",
                env,
            )
            _run(
                [
                    "node",
                    "node_modules/vite/bin/vite.js",
                    "build",
                    "--outDir",
                    str(out),
                    "--emptyOutDir",
                ],
                cwd=WEB_DIR,
                what="build the web frontend",
                env=env,
            )
            out.rename(target)
        return target


def axe_core_script() -> Path:
    """axe-core's browser script, from the web frontend's pinned development packages."""
    return web_modules() / "axe-core" / "axe.min.js"


def chromium() -> Path | None:
    """Debian's Chromium for the browser tests: installed with apt when missing and this
    runs as root (as on CI); None when it cannot be installed here."""
    if CHROMIUM.is_file():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return None
    with _exclusive("chromium"):
        if not CHROMIUM.is_file():
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            _run([apt, "update", "-q"], Path("/"), "refresh Debian's package lists", env)
            _run(
                [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"],
                Path("/"),
                "install Debian's Chromium",
                env,
            )
    return CHROMIUM if CHROMIUM.is_file() else None


def fetch_all() -> None:
    print(f"kafka libs: {kafka_libs()}")
    print(f"ferretdb:   {ferretdb_binary()}")
    print(f"web:        {web_dist()}")
    print(f"chromium:   {chromium() or 'not installed (needs root and apt-get)'}")
