"""The local stack: loading the programme once, and refusing busy ports by name."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest
from imc_devstack.__main__ import local_stack
from imc_devstack.stack import Ports, Stack
from imc_devstack.testing import bearer, eventually, own_instance, token
from imc_registry import seed


@pytest.mark.infra
def test_the_programme_loads_once_however_often_it_is_loaded(services: Stack) -> None:
    # A registry of its own: the programme it defines restricts phases programme-wide.
    with own_instance(services, "registry") as url:
        first = seed.load(url, token("coordinator", subject="seed@example.org"))
        again = seed.load(url, token("coordinator", subject="seed@example.org"))
        data = seed.programme()
        kinds = ("organisations", "municipalities", "partnerships", "members", "coordinators")
        records = sum(len(data[kind]) for kind in kinds) + 1  # and the programme itself
        assert (first.created, first.already_there) == (records, 0)
        assert (again.created, again.already_there) == (0, records)
        viewer = bearer(token("viewer"))
        found = httpx.get(f"{url}/v1/partnerships", headers=viewer).json()
        assert found["total"] == 10
        assert "Aït Baha – Etterbeek" in {p["name"]["fr"] for p in found["items"]}
        programme = httpx.get(f"{url}/v1/programme", headers=viewer).json()
        assert programme["funder"]["iati_identifier"] == "XM-DAC-2-10"
        assert [o["id"] for o in programme["coordinating_organisations"]] == ["brulocalis", "uvcw"]
        assert {p["phase_id"]: (p["status"], p["evaluated"]) for p in programme["phases"]} == {
            "2017-2021": ("closed", True),
            "2022-2026": ("running", False),
        }


def test_the_programme_has_ten_partnerships_of_twenty_municipalities() -> None:
    data = seed.programme()
    assert len(data["partnerships"]) == 10
    assert len(data["municipalities"]) == 20
    assert {m["country"] for m in data["municipalities"]} == {"MA", "BE"}
    assert all("ar" in m["names"] for m in data["municipalities"])
    people = data["members"] + data["coordinators"]
    domains = {person["email"].rsplit("@", 1)[1] for person in people}
    assert domains <= {"example.org", "example.com", "example.net"}
    assert all(person["language"] in ("ar", "fr", "nl", "en") for person in people)
    per_municipality = Counter(m["municipality_id"] for m in data["members"])
    assert set(per_municipality) == {m["id"] for m in data["municipalities"]}
    assert all(2 <= count <= 3 for count in per_municipality.values())
    assert {c["organisation"] for c in data["coordinators"]} == {"Brulocalis", "UVCW"}
    associations = {o["id"] for o in data["organisations"] if o["kind"] == "association"}
    assert {m.get("association") for m in data["municipalities"] if m["country"] == "BE"} == (
        associations
    )
    phases = {phase["id"] for phase in data["programme"]["phases"]}
    assert all(set(p["phases"]) <= phases for p in data["partnerships"])


@pytest.mark.process
def test_a_busy_port_is_refused_by_name(tmp_path: Path) -> None:
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
            env={**os.environ, **env, "IMC_DATA_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"port {busy} (ferretdb) is already in use" in result.stderr


def _descendants(pid: int) -> set[int]:
    """Every process whose ancestry leads to ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        frontier = children - found
        found |= children
    return found


def _alive(pids: set[int]) -> set[int]:
    alive: set[int] = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _commands(pids: set[int]) -> str:
    lines = []
    for pid in sorted(pids):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        lines.append(f"{pid}: {argv.decode(errors='replace')[:200]}")
    return "; ".join(lines)


@pytest.mark.infra
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL])
def test_the_launcher_leaves_no_process_behind(
    infra: Stack, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    """``make run``'s launcher brings everything up, then on SIGTERM — or even when it is
    killed outright — every process it started goes too. The example roadmaps are left out
    (``IMC_LOAD_EXAMPLES=false``): they start nothing. Its output is read to the end, as a
    terminal would: a pipe left full would hold every child writing a log line."""
    ports = Ports.free()
    env = {
        **os.environ,
        **{f"IMC_{name.upper()}_PORT": str(getattr(ports, name)) for name in vars(ports)},
        "IMC_DATA_DIR": str(tmp_path),
        "IMC_LOAD_EXAMPLES": "false",
    }
    launcher = subprocess.Popen(
        [sys.executable, "-m", "imc_devstack", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert launcher.stdout is not None
    seen: list[str] = []
    try:
        for line in launcher.stdout:
            seen.append(line)
            if "IMC Hub is up." in line:
                break
        else:
            pytest.fail("launcher ended before the stack was up:\n" + "".join(seen[-40:]))
        children = _descendants(launcher.pid)
        assert len(children) >= 6  # kafka, ferretdb, mailpit, three services
        threading.Thread(target=seen.extend, args=(launcher.stdout,), daemon=True).start()
        launcher.send_signal(stop_signal)
        launcher.wait(timeout=60)
        try:
            eventually(lambda: _alive(children) == set() or None, what="children exit", timeout=60)
        except AssertionError as late:
            raise AssertionError(f"{late}; still running: {_commands(_alive(children))}") from None
    finally:
        if launcher.poll() is None:
            launcher.kill()
        launcher.stdout.close()


def test_make_runs_stack_passes_every_imc_setting_of_the_environment_to_the_services(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMC_ROADMAPS_SCHEDULE_INTERVAL_SECONDS", "5")
    monkeypatch.setenv("IMC_SMTP_KEEP_ALIVE_SECONDS", "0")
    monkeypatch.setenv("IMC_MONGO_URL", "mongodb://elsewhere.example.org/")
    ports = Ports()
    run = local_stack(ports).service_env()
    assert run["IMC_ROADMAPS_SCHEDULE_INTERVAL_SECONDS"] == "5"
    assert run["IMC_SMTP_KEEP_ALIVE_SECONDS"] == "0"
    # Where the stack's own servers are is the stack's to say.
    assert run["IMC_MONGO_URL"] == f"mongodb://127.0.0.1:{ports.ferretdb}/?directConnection=true"


def test_a_test_stack_keeps_the_developers_settings_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IMC_ROADMAPS_SCHEDULE_INTERVAL_SECONDS", "5")
    assert "IMC_ROADMAPS_SCHEDULE_INTERVAL_SECONDS" not in Stack(tmp_path, Ports()).service_env()


@pytest.mark.infra
def test_a_programme_whose_definition_changed_keeps_what_was_loaded_and_says_so(
    services: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    with own_instance(services, "registry") as url:
        coordinator = token("coordinator", subject="seed-changed@example.org")
        seed.load(url, coordinator)
        original = seed.programme()
        changed = {**original, "members": [dict(original["members"][0], role="Another role")]}
        monkeypatch.setattr(seed, "programme", lambda: changed)
        again = seed.load(url, coordinator)
        assert again.created == 0
        assert again.differ == (f"seed:member:{original['members'][0]['email']}",)
