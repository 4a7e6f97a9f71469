"""The whole local system: Kafka, FerretDB, Mailpit, the three services and the web frontend.

Used by ``make run`` (through ``python -m imc_devstack run``) and by the test suite, which
starts its own stack on free ports and its own data directory.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from imc_runtime.kafka import ensure_topics

from imc_devstack import build
from imc_devstack.paths import DEPLOY_LOCAL, REPO_ROOT
from imc_devstack.processes import (
    PortInUse,
    Process,
    answers,
    free_port,
    port_accepts,
    port_is_free,
    wait_until,
)

SERVICES = ("registry", "roadmaps", "notifications")
PASSED = frozenset({"IMC_JWT_SECRET", "IMC_LOG_FORMAT", "IMC_LOG_LEVEL", "IMC_FRONTEND_BASE_URL"})
"""The ``IMC_*`` variables a test stack's services still take from the environment."""


@dataclass(frozen=True)
class Ports:
    kafka: int = 9092
    kafka_controller: int = 9093
    ferretdb: int = 27017
    smtp: int = 1025
    mail_http: int = 8025
    registry: int = 8001
    roadmaps: int = 8002
    notifications: int = 8003
    web: int = 8080

    @classmethod
    def from_environment(cls) -> Ports:
        """Defaults, each overridable by ``IMC_<NAME>_PORT`` (e.g. ``IMC_KAFKA_PORT``)."""
        values = {}
        for spec in fields(cls):
            raw = os.environ.get(f"IMC_{spec.name.upper()}_PORT")
            if raw:
                values[spec.name] = int(raw)
        return cls(**values)

    @classmethod
    def free(cls) -> Ports:
        return cls(**{spec.name: free_port() for spec in fields(cls)})

    def check_free(self) -> None:
        for spec in fields(self):
            port = getattr(self, spec.name)
            if not port_is_free(port):
                raise PortInUse(spec.name, port)


@dataclass(frozen=True)
class SecureListener:
    """A SASL_SSL listener beside the PLAINTEXT one, for testing Kafka security settings:
    TLS with a PEM keystore (key and certificate chain in one file) and one SCRAM-SHA-512
    user, created when the storage is formatted."""

    port: int
    keystore: Path
    username: str
    password: str


def mailpit_argv(directory: Path, ports: Ports) -> list[str]:
    """How the stack runs Mailpit: on loopback, every message kept (its default keeps 500,
    and a test run or a fault run sends thousands), headers held to RFC 5322's line
    endings, no look-ups outside the machine."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        str(build.mailpit_binary()),
        f"--database={directory / 'mailpit.db'}",
        f"--smtp=127.0.0.1:{ports.smtp}",
        f"--listen=127.0.0.1:{ports.mail_http}",
        "--max=0",
        # The services may log in (IMC_SMTP_USERNAME) over plain SMTP on loopback.
        "--smtp-auth-accept-any",
        "--smtp-auth-allow-insecure",
        "--smtp-strict-rfc-headers",
        "--smtp-disable-rdns",
        "--disable-version-check",
        "--quiet",
    ]


def postgres_user() -> list[str]:
    """The prefix that runs a program as Debian's ``postgres`` user (``setpriv`` execs it,
    so the stack's process is the server itself)."""
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


class Stack:
    def __init__(
        self,
        data_dir: Path,
        ports: Ports,
        *,
        log_dir: Path | None = None,
        partitions: int | None = None,
        environment: str = "local",
        secure_listener: SecureListener | None = None,
        sqlite_synchronous: str = "normal",
        ferretdb_backend: str = "sqlite",
        ferretdb_debug_port: int | None = None,
        inherit_settings: bool = False,
    ) -> None:
        self.data_dir = data_dir
        self.inherit_settings = inherit_settings
        self.ports = ports
        self.log_dir = log_dir
        self.partitions = partitions
        self.environment = environment
        self.secure_listener = secure_listener
        self.sqlite_synchronous = sqlite_synchronous
        self.ferretdb_backend = ferretdb_backend
        self.ferretdb_debug_port = ferretdb_debug_port
        self.processes: dict[str, Process] = {}

    @classmethod
    @contextlib.contextmanager
    def temporary(
        cls,
        prefix: str,
        *,
        partitions: int | None = 6,
        sqlite_synchronous: str = "normal",
        ferretdb_backend: str = "sqlite",
        ferretdb_debug: bool = False,
    ) -> Iterator[Stack]:
        """A stack on free ports in a temporary directory (so it runs beside ``make run``
        and the tests), stopped and removed on leaving; nothing is started yet.
        ``ferretdb_debug`` opens FerretDB's debug handler (Go's pprof) on a free port."""
        with tempfile.TemporaryDirectory(prefix=prefix) as root:
            stack = cls(
                Path(root) / "data",
                Ports.free(),
                log_dir=Path(root) / "logs",
                partitions=partitions,
                environment="test",
                sqlite_synchronous=sqlite_synchronous,
                ferretdb_backend=ferretdb_backend,
                ferretdb_debug_port=free_port() if ferretdb_debug else None,
            )
            stack.data_dir.mkdir(parents=True)
            try:
                yield stack
            finally:
                stack.stop()

    # -- addresses -------------------------------------------------------------------
    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.ports.kafka}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.ports.ferretdb}/?directConnection=true"

    @property
    def mail_api(self) -> str:
        return f"http://127.0.0.1:{self.ports.mail_http}"

    def service_url(self, service: str) -> str:
        return f"http://127.0.0.1:{getattr(self.ports, service)}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.web}"

    @property
    def web_origins(self) -> list[str]:
        """Where the frontend's pages come from: browsers name either host."""
        return [self.web_url, f"http://localhost:{self.ports.web}"]

    def service_env(self) -> dict[str, str]:
        """The environment each service process runs with: where the stack's Kafka, FerretDB,
        Mailpit and services are, over this process's environment. With
        ``inherit_settings`` (``make run``) every other ``IMC_*`` variable reaches the
        services as it is; otherwise (the tests' stacks) only the few in ``PASSED``."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("IMC_") or self.inherit_settings or key in PASSED
        }
        env.update(
            {
                "IMC_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
                "IMC_MONGO_URL": self.mongo_url,
                "IMC_SMTP_HOST": "127.0.0.1",
                "IMC_SMTP_PORT": str(self.ports.smtp),
                "IMC_REGISTRY_PORT": str(self.ports.registry),
                "IMC_ROADMAPS_PORT": str(self.ports.roadmaps),
                "IMC_NOTIFICATIONS_PORT": str(self.ports.notifications),
                "IMC_ENVIRONMENT": self.environment,
                "IMC_CORS_ORIGINS": ",".join(self.web_origins),
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.inherit_settings:  # where things are is the stack's; what they are, the user's
            for key in ("IMC_ENVIRONMENT", "IMC_CORS_ORIGINS"):
                if key in os.environ:
                    env[key] = os.environ[key]
        return env

    def start_process(self, name: str, argv: list[str], env: dict[str, str]) -> Process:
        """A process of the caller's (a benchmark's), stopped with the stack."""
        process = self._process(name, argv, env)
        process.start()
        return process

    def _process(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Process:
        log_file = None if self.log_dir is None else self.log_dir / f"{name}.log"
        process = Process(name, argv, env or dict(os.environ), REPO_ROOT, log_file)
        self.processes[name] = process
        return process

    # -- infrastructure ----------------------------------------------------------------
    def start_infrastructure(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.start_kafka()
        self.start_ferretdb()
        self.start_mail()
        self.wait_for_kafka()

    def start_kafka(self) -> None:
        libs = build.kafka_libs()
        kafka_data = self.data_dir / "kafka"
        config = self._kafka_config(kafka_data)
        classpath = f"{libs}/*"
        java = [
            "java",
            "-Xms128m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-cp",
            classpath,
            f"-Dlog4j2.configurationFile={DEPLOY_LOCAL / 'kafka' / 'log4j2.xml'}",
        ]
        if not (kafka_data / "meta.properties").exists():
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            scram = []
            if self.secure_listener is not None:
                user = self.secure_listener
                scram = [
                    "--add-scram",
                    f"SCRAM-SHA-512=[name={user.username},password={user.password}]",
                ]
            format_tool = self._process(
                "kafka-format",
                [
                    *java,
                    "kafka.tools.StorageTool",
                    "format",
                    # One argument: a random id may start with "-", which would read as an option.
                    f"--cluster-id={cluster_id}",
                    "-c",
                    str(config),
                    *scram,
                ],
            )
            format_tool.start()
            if format_tool.popen is None or format_tool.popen.wait(120) != 0:
                raise RuntimeError("formatting Kafka's storage failed; see its output above")
        self._process("kafka", [*java, "kafka.Kafka", str(config)]).start()

    def _kafka_config(self, kafka_data: Path) -> Path:
        kafka_data.mkdir(parents=True, exist_ok=True)
        p = self.ports
        config = kafka_data.parent / "kafka-server.properties"
        listeners = [f"PLAINTEXT://127.0.0.1:{p.kafka}"]
        protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"]
        secure: list[str] = []
        if self.secure_listener is not None:
            listener = self.secure_listener
            listeners.append(f"SASL_SSL://127.0.0.1:{listener.port}")
            protocols.append("SASL_SSL:SASL_SSL")
            secure = [
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "listener.name.sasl_ssl.ssl.keystore.type=PEM",
                f"listener.name.sasl_ssl.ssl.keystore.location={listener.keystore}",
            ]
        config.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@127.0.0.1:{p.kafka_controller}",
                    f"listeners={','.join(listeners)},CONTROLLER://127.0.0.1:{p.kafka_controller}",
                    f"advertised.listeners={','.join(listeners)}",
                    "controller.listener.names=CONTROLLER",
                    f"listener.security.protocol.map={','.join(protocols)}",
                    "inter.broker.listener.name=PLAINTEXT",
                    *secure,
                    f"log.dirs={kafka_data}",
                    "num.partitions=1",
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=6",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "min.insync.replicas=1",
                    "group.initial.rebalance.delay.ms=0",
                    "log.retention.hours=-1",
                    "",
                ]
            )
        )
        return config

    def wait_for_kafka(self, timeout: float = 120) -> None:
        kafka = self.processes["kafka"]
        ready = functools.partial(port_accepts, self.ports.kafka)
        wait_until(ready, what="Kafka port", timeout=timeout, process=kafka)
        created = asyncio.run(self._create_topics(timeout))
        if created:
            print(f"created topics: {', '.join(created)}", file=sys.stderr)

    async def _create_topics(self, within: float) -> list[str]:
        async with asyncio.timeout(within):
            while True:
                try:
                    return await ensure_topics(self.kafka_bootstrap, partitions=self.partitions)
                except Exception:
                    await asyncio.sleep(0.3)

    def start_ferretdb(self, timeout: float = 60) -> None:
        binary = build.ferretdb_binary()
        if self.ferretdb_backend == "postgresql":
            backend = ["--handler=postgresql", f"--postgresql-url={self.start_postgresql()}"]
        else:
            sqlite_dir = self.data_dir / "ferretdb"
            sqlite_dir.mkdir(parents=True, exist_ok=True)
            # WAL (FerretDB's default) with synchronous=NORMAL: a commit reaches the OS at
            # once and the disk at each checkpoint, not with an fsync per insert. That
            # survives the process dying (the fault runs kill it) and may lose the last
            # moments of writes to a power cut, as MongoDB's default does (journal flushed
            # every 100 ms). ``full`` fsyncs every insert, and every insert of every service
            # then waits for the disk (docs/benchmarks.md: the figures).
            backend = [
                "--handler=sqlite",
                f"--sqlite-url=file:{sqlite_dir}/?_pragma=synchronous({self.sqlite_synchronous})",
            ]
        process = self._process(
            "ferretdb",
            [
                str(binary),
                *backend,
                f"--listen-addr=127.0.0.1:{self.ports.ferretdb}",
                "--telemetry=disable",
                "--debug-addr="
                + (f"127.0.0.1:{self.ferretdb_debug_port}" if self.ferretdb_debug_port else "-"),
                "--log-level=warn",
            ],
        )
        process.start()
        ready = functools.partial(port_accepts, self.ports.ferretdb)
        wait_until(ready, what="FerretDB", timeout=timeout, process=process)

    def start_postgresql(self, timeout: float = 60) -> str:
        """Debian's PostgreSQL on a free port, its cluster in ``<data>/postgresql``, for
        FerretDB's PostgreSQL backend; the URL FerretDB connects with. As root (CI), the
        server runs as Debian's ``postgres`` user: PostgreSQL refuses to run as root.
        ``synchronous_commit=off`` is the counterpart of SQLite's synchronous=NORMAL above:
        a commit may be lost to a power cut, never half-written."""
        programs = build.postgresql()
        if programs is None:
            raise RuntimeError("FerretDB's PostgreSQL backend needs Debian's postgresql-15")
        cluster = self.data_dir / "postgresql"
        as_user = postgres_user() if os.geteuid() == 0 else []
        if not (cluster / "PG_VERSION").is_file():
            cluster.mkdir(parents=True, exist_ok=True)
            if as_user:
                for directory in (self.data_dir.parent, self.data_dir):  # let it through
                    directory.chmod(directory.stat().st_mode | 0o001)
                shutil.chown(cluster, "postgres", "postgres")
            subprocess.run(
                [
                    *as_user,
                    str(programs / "initdb"),
                    "-D",
                    str(cluster),
                    "-U",
                    "ferretdb",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ],
                check=True,
                capture_output=True,
            )
        port = free_port()
        process = self._process(
            "postgresql",
            [
                *as_user,
                str(programs / "postgres"),
                "-D",
                str(cluster),
                "-p",
                str(port),
                "-k",
                str(cluster),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "synchronous_commit=off",
            ],
        )
        process.start()
        wait_until(
            functools.partial(port_accepts, port),
            what="PostgreSQL",
            timeout=timeout,
            process=process,
        )
        return f"postgres://ferretdb@127.0.0.1:{port}/postgres"

    def start_mail(self, timeout: float = 60) -> None:
        """Mailpit: SMTP on ``ports.smtp``, its inbox and API on ``ports.mail_http``, its
        messages in ``<data>/mail``."""
        process = self._process("mail", mailpit_argv(self.data_dir / "mail", self.ports))
        process.start()
        wait_until(
            answers(f"{self.mail_api}/readyz"), what="Mailpit", timeout=timeout, process=process
        )

    # -- services ----------------------------------------------------------------------
    def start_service(
        self, service: str, *, name: str | None = None, extra_env: dict[str, str] | None = None
    ) -> Process:
        env = {**self.service_env(), **(extra_env or {})}
        process = self._process(name or service, [sys.executable, "-m", f"imc_{service}"], env)
        process.start()
        return process

    def wait_ready(self, service: str, process: Process, timeout: float = 90) -> None:
        url = f"{self.service_url(service)}/health/ready"
        wait_until(
            answers(url, timeout=2), what=f"{service} ready", timeout=timeout, process=process
        )

    def start_services(self) -> None:
        started = {service: self.start_service(service) for service in SERVICES}
        for service, process in started.items():
            self.wait_ready(service, process)

    # -- web frontend --------------------------------------------------------------------
    def start_web(
        self, dist: Path, *, accounts: list[dict[str, str]] | None = None, timeout: float = 30
    ) -> Process:
        """Serve the built frontend, with a ``config.json`` naming this stack's services and,
        on a local stack, the ``accounts`` (role, municipality, token) to sign in with."""
        config = self.data_dir / "web-config.json"
        config.parent.mkdir(parents=True, exist_ok=True)
        values: dict[str, object] = {
            "registry": self.service_url("registry"),
            "roadmaps": self.service_url("roadmaps"),
            "notifications": self.service_url("notifications"),
            "mail": self.mail_api,
            "environment": self.environment,
        }
        if accounts:
            values["tokens"] = accounts
        config.write_text(json.dumps(values))
        process = self._process(
            "web",
            [
                sys.executable,
                "-m",
                "imc_devstack.webserver",
                "--dist",
                str(dist),
                "--port",
                str(self.ports.web),
                "--config",
                str(config),
            ],
        )
        process.start()
        ready = answers(f"{self.web_url}/config.json")
        wait_until(ready, what="web frontend", timeout=timeout, process=process)
        return process

    def stop(self) -> None:
        """Stop everything started, services first, Kafka last."""
        for name in reversed(list(self.processes)):
            self.processes[name].stop()
