"""Fetch and build the local infrastructure once, into the cache.

Apache Kafka's jars come from Maven Central through Maven; FerretDB and Mailpit are built
from their Go modules (Mailpit with its web interface bundled by npm first); the web
frontend is built with npm and Vite. Each result lives under a directory
named by the hash of the files that define it, so a change to the pom, go.mod or the web
sources builds anew and an unchanged one is reused at once. The browser tests use Debian's
Chromium and the funder's report its fonts (DejaVu Sans, Amiri), installed with apt when
missing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
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
MAILPIT_DIR = DEPLOY_LOCAL / "mailpit"
MAILPIT_MODULE = "github.com/axllent/mailpit"
WEB_DIR = REPO_ROOT / "web"
WEB_SOURCES = ("package.json", "package-lock.json", "index.html", "vite.config.ts", "tsconfig.json")
CHROMIUM = Path("/usr/bin/chromium")
WRK = Path("/usr/bin/wrk")
AMIRI = Path("/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PDFTOPPM = Path("/usr/bin/pdftoppm")
POSTGRESQL = Path("/usr/lib/postgresql/15/bin")
"""Debian 12's PostgreSQL server programs (``postgres``, ``initdb``)."""


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
        work, env = _vendored(go, sources, Path(staging), "FerretDB")
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


def mailpit_binary() -> Path:
    """The Mailpit binary, with its web interface, built from its Go module on first use."""
    with _exclusive("mailpit"):
        return _mailpit_binary()


def _mailpit_binary() -> Path:
    """Build Mailpit unless built already.

    The Go binary embeds ``server/ui``, where the module ships the page shells but not the
    bundle its pages load (``server/ui/dist``, made by esbuild from ``server/ui-src``). So:
    vendor the wrapper module, bundle the interface from the module's own sources with npm,
    put the bundle into the vendored copy, then ``go build``.

    npm installs from ``mailpit/ui/package-lock.json``: the module's own lock with one
    package moved, because the registry here serves neither version the module pins of it —
    ``rapidoc`` (the API documentation page) 12.1.0 becomes 9.3.8 with its dependencies.
    ``sass-embedded``, an optional peer of the Sass plugin whose pinned version is not served
    either, is left out (``--omit=peer``): the plugin uses ``sass``. Every other package is the
    module's, checked against its lock before anything is installed.
    """
    ui_lock = MAILPIT_DIR / "ui"
    sources = [MAILPIT_DIR / name for name in ("go.mod", "go.sum", "tools.go")]
    ui_files = [ui_lock / "package.json", ui_lock / "package-lock.json"]
    target = cache_dir() / "mailpit" / _digest(*sources, *ui_files) / "mailpit"
    if target.is_file():
        return target
    go = _require("go")
    npm = _require("npm")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as staging:
        work, env = _vendored(go, sources, Path(staging), "Mailpit")
        version = _module_version(MAILPIT_DIR / "go.mod", MAILPIT_MODULE)
        module = Path(env["GOMODCACHE"]) / f"{MAILPIT_MODULE}@{version}"
        ui = work / "ui"
        # Plain copies: the module cache's files are read-only, and npm and esbuild write here.
        shutil.copytree(
            module, ui, ignore=shutil.ignore_patterns("*.go"), copy_function=shutil.copyfile
        )
        for folder in [ui, *ui.rglob("*")]:
            if folder.is_dir():
                folder.chmod(0o755)
        _check_ui_lock(ui / "package-lock.json", ui_files[1])
        for file in ui_files:
            (ui / file.name).unlink()
            shutil.copy(file, ui / file.name)
        npm_env = {**_npm_environment(), "MINIFY": "true"}
        _run(
            [npm, "ci", "--omit=peer", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=ui,
            what="install Mailpit's interface packages",
            env=npm_env,
        )
        _run(["node", "esbuild.config.mjs"], ui, "bundle Mailpit's interface", npm_env)
        vendored_ui = work / "vendor" / MAILPIT_MODULE / "server" / "ui"
        shutil.copytree(ui / "server" / "ui" / "dist", vendored_ui / "dist")
        _run(
            [
                go,
                "build",
                "-mod=vendor",
                "-trimpath",
                "-ldflags",
                f"-X {MAILPIT_MODULE}/config.Version={version}",
                "-o",
                str(work / "mailpit"),
                MAILPIT_MODULE,
            ],
            cwd=work,
            what="build Mailpit",
            env=env,
        )
        (work / "mailpit").rename(target)
    return target


def _vendored(go: str, sources: list[Path], work: Path, what: str) -> tuple[Path, dict[str, str]]:
    """A wrapper module's files copied into ``work`` and its dependencies vendored there;
    the Go environment to build with."""
    for source in sources:
        shutil.copy(source, work / source.name)
    env = _go_environment()
    _run([go, "mod", "vendor"], cwd=work, what=f"fetch the {what} module", env=env)
    return work, env


def _module_version(go_mod: Path, module: str) -> str:
    for line in go_mod.read_text().splitlines():
        words = line.replace("require", "").split()
        if len(words) >= 2 and words[0] == module:
            return words[1]
    raise BuildFailed(f"{go_mod} does not require {module}")


UI_PACKAGES_MOVED = frozenset({"node_modules/rapidoc"})
"""Packages of Mailpit's own lock that ``mailpit/ui/package-lock.json`` pins differently."""


def _check_ui_lock(module_lock: Path, ours: Path) -> None:
    """Every package the module's lock pins, ours pins the same (but those moved on
    purpose), so a new Mailpit version with an old lock of ours fails here, naming them."""
    theirs = json.loads(module_lock.read_text())["packages"]
    mine = json.loads(ours.read_text())["packages"]
    differ = sorted(
        name
        for name, package in theirs.items()
        if name
        and name not in UI_PACKAGES_MOVED
        and not package.get("peer")
        and (
            name not in mine
            or (mine[name].get("version"), mine[name].get("integrity"))
            != (package.get("version"), package.get("integrity"))
        )
    )
    if differ:
        raise BuildFailed(
            f"{ours} is not Mailpit's own lock but for {sorted(UI_PACKAGES_MOVED)}: it differs "
            f"in {', '.join(differ[:10])}{' …' if len(differ) > 10 else ''}. Make it again from "
            "the module's package-lock.json (deploy/local/mailpit/README.md says how)."
        )


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
        "SCARF_ANALYTICS": "false",  # a dependency of the AsyncAPI parser would phone home
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
            # No install scripts: nothing the frontend or its tests use needs one.
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"],
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
    return _debian("chromium", CHROMIUM)


def report_fonts() -> Path | None:
    """The fonts the funder's report is set in (DejaVu Sans, and Amiri for Arabic), from
    Debian; None when they are missing and cannot be installed here."""
    return _debian("fonts-hosny-amiri", AMIRI) and _debian("fonts-dejavu-core", DEJAVU) and AMIRI


def wrk() -> Path | None:
    """Debian's ``wrk``, the HTTP load generator of the benchmarks."""
    return _debian("wrk", WRK)


def postgresql() -> Path | None:
    """Debian's PostgreSQL 15 (the directory of ``postgres`` and ``initdb``), for FerretDB's
    PostgreSQL backend — which the benchmarks measure against its SQLite one. Installed on
    first use, not by ``fetch``: nothing else needs it."""
    return POSTGRESQL if _debian("postgresql-15", POSTGRESQL / "postgres") else None


def pdf_pages() -> Path | None:
    """Poppler's ``pdftoppm``, which draws a PDF's pages as images for the docs."""
    return _debian("poppler-utils", PDFTOPPM)


def _debian(package: str, installs: Path) -> Path | None:
    """``installs``, after ``apt-get install package`` when it is missing and this runs as
    root (as on CI); None when it cannot be installed here."""
    if installs.is_file():
        return installs
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return None
    with _exclusive("debian"):
        if not installs.is_file():
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            _run([apt, "update", "-q"], Path("/"), "refresh Debian's package lists", env)
            _run(
                [apt, "install", "-y", "-q", "--no-install-recommends", package],
                Path("/"),
                f"install Debian's {package}",
                env,
            )
    return installs if installs.is_file() else None


def fetch_all() -> None:
    print(f"kafka libs: {kafka_libs()}")
    print(f"ferretdb:   {ferretdb_binary()}")
    print(f"mailpit:    {mailpit_binary()}")
    print(f"web:        {web_dist()}")
    print(f"chromium:   {chromium() or 'not installed (needs root and apt-get)'}")
    print(f"fonts:      {report_fonts() or 'not installed (needs root and apt-get)'}")
    print(f"wrk:        {wrk() or 'not installed (needs root and apt-get)'}")
