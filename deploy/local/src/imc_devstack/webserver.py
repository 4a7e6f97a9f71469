"""``python -m imc_devstack.webserver``: serves the built web frontend and its ``config.json``.

The same build works against any stack: the page learns where the services are from
``config.json``, which the launcher writes with the real ports. A static server is all the
frontend needs; it answers only files, never the services' data.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class FrontendHandler(SimpleHTTPRequestHandler):
    """Files of the build; ``/config.json`` from the launcher; no directory listings."""

    def __init__(self, *args: Any, config: bytes, connect: str, **kwargs: Any) -> None:
        self._config = config
        self._connect = connect
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/config.json":
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self._config)))
            self.end_headers()
            self.wfile.write(self._config)
            return
        if self.path.split("?")[0].endswith("/") and self.path.split("?")[0] != "/":
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        super().do_GET()

    def end_headers(self) -> None:
        # The shell and its config change with each build; the hashed assets never do.
        if "/assets/" in self.path:
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            f"connect-src 'self' {self._connect}; frame-ancestors 'none'; base-uri 'none'",
        )
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).startswith(("4", "5")):  # the files served are no news; failures are
            super().log_request(code, size)


SERVICES = ("registry", "roadmaps", "notifications", "mail")


def serve(dist: Path, port: int, config: dict[str, Any], host: str = "127.0.0.1") -> None:
    # The page may talk to the services config.json names, and to nothing else.
    connect = " ".join(sorted({str(config[key]) for key in SERVICES if key in config}))
    handler = functools.partial(
        FrontendHandler,
        directory=str(dist),
        config=json.dumps(config).encode(),
        connect=connect,
    )
    with ThreadingHTTPServer((host, port), handler) as server:
        server.daemon_threads = True
        print(f"serving {dist} on http://{host}:{port}", flush=True)
        server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imc_devstack.webserver", description=__doc__)
    parser.add_argument("--dist", type=Path, required=True, help="the built frontend")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", type=Path, required=True, help="config.json to serve")
    args = parser.parse_args(argv)
    config: dict[str, Any] = json.loads(args.config.read_text("utf-8"))
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.dist, args.port, config)


if __name__ == "__main__":
    main()
