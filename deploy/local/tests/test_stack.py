"""The local stack: loading the programme once, and refusing busy ports by name."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx
import pytest
from imc_devstack import seed
from imc_devstack.stack import Ports, Stack
from imc_devstack.testing import bearer, token


@pytest.mark.infra
def test_the_programme_loads_once_however_often_it_is_loaded(services: Stack) -> None:
    url = services.service_url("registry")
    first = seed.load(url, token("coordinator", subject="seed@example.org"))
    again = seed.load(url, token("coordinator", subject="seed@example.org"))
    data = seed.programme()
    records = len(data["municipalities"]) + len(data["partnerships"]) + len(data["members"])
    assert again.created == 0
    assert again.already_there == records
    assert first.created + first.already_there == records
    partnerships = httpx.get(f"{url}/v1/partnerships", headers=bearer(token("viewer"))).json()
    names = {p["name"]["fr"] for p in partnerships["items"]}
    assert "Aït Baha – Etterbeek" in names
    assert "Berkane – Saint-Gilles" in names


def test_the_programme_has_ten_partnerships_of_twenty_municipalities() -> None:
    data = seed.programme()
    assert len(data["partnerships"]) == 10
    assert len(data["municipalities"]) == 20
    assert {m["country"] for m in data["municipalities"]} == {"MA", "BE"}
    assert all("ar" in m["names"] for m in data["municipalities"])
    domains = {m["email"].rsplit("@", 1)[1] for m in data["members"]}
    assert domains <= {"example.org", "example.com", "example.net"}


def test_a_busy_port_is_refused_by_name(tmp_path: object) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        ports = Ports.free()
        env = {
            "IMC_FERRETDB_PORT": str(busy),
            **{
                f"IMC_{name.upper()}_PORT": str(getattr(ports, name))
                for name in (
                    "kafka",
                    "kafka_controller",
                    "smtp",
                    "mail_http",
                    "registry",
                    "roadmaps",
                    "notifications",
                )
            },
        }
        result = subprocess.run(
            [sys.executable, "-m", "imc_devstack", "run"],
            env={**__import__("os").environ, **env, "IMC_DATA_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"port {busy} (ferretdb) is already in use" in result.stderr
