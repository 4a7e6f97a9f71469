"""Child processes of the local stack: started, watched, and stopped, leaving no orphans."""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the launcher dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class PortInUse(Exception):
    def __init__(self, name: str, port: int) -> None:
        super().__init__(
            f"port {port} ({name}) is already in use: stop what holds it, "
            f"or choose another port with its IMC_*_PORT variable"
        )


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, below the kernel's ephemeral range.

    Asking the kernel for port 0 gives an ephemeral port — the range every outgoing
    connection takes its local port from — so between this answer and the server's bind, a
    client connection (Kafka's, the database's) could take it: a service then failed to
    start, its address in use. Below the range only servers bind."""
    low = _ephemeral_low()
    while True:
        port = random.randrange(10_000, low)  # noqa: S311 - not a secret
        if port not in _HANDED_OUT and port_is_free(port):
            _HANDED_OUT.add(port)
            return port


def _ephemeral_low() -> int:
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768
    return low if low > 12_000 else 32_768


def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log_file: Path | None = None
    popen: subprocess.Popen[bytes] | None = None
    _pump: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> None:
        self.popen = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )
        assert self.popen.stdout is not None
        sink = self._open_sink()
        self._pump = threading.Thread(
            target=_pump_lines, args=(self.name, self.popen.stdout, sink), daemon=True
        )
        self._pump.start()

    def _open_sink(self) -> Callable[[str], None]:
        if self.log_file is None:
            width = 14

            def to_console(line: str) -> None:
                sys.stdout.write(f"{self.name:<{width}}| {line}")
                sys.stdout.flush()

            return to_console
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log_file.open("a", encoding="utf-8")

        def to_file(line: str) -> None:
            handle.write(line)
            handle.flush()

        return to_file

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout``; the exit code."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        if self._pump is not None:
            self._pump.join(timeout=2)
        return self.popen.returncode

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def _pump_lines(name: str, stream: IO[bytes], sink: Callable[[str], None]) -> None:
    for raw in iter(stream.readline, b""):
        sink(raw.decode("utf-8", "replace"))
    stream.close()


def answers(url: str, timeout: float = 1) -> Callable[[], bool]:
    """A readiness check for ``wait_until``: ``url`` answers 200."""
    return lambda: httpx.get(url, timeout=timeout).status_code == 200


def wait_until(
    condition: Callable[[], bool], *, what: str, timeout: float, process: Process | None = None
) -> None:
    """Poll ``condition`` until it holds; fail early if ``process`` exits meanwhile."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while time.monotonic() < deadline:
        if process is not None and process.popen is not None and process.popen.poll() is not None:
            raise RuntimeError(
                f"{process.name} exited with code {process.popen.returncode} before {what}"
            )
        with contextlib.suppress(Exception):
            if condition():
                return
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
    raise TimeoutError(f"{what}: not ready after {timeout:.0f} s")
