"""Load the real programme into the registry through its public API, once.

Every request carries an ``Idempotency-Key`` derived from what it creates, so loading again
changes nothing: the registry answers each replay as it answered the first time.
``python -m imc_registry.seed --url http://registry:8001`` is the first-start step of a
deployment; ``make run`` does the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import httpx


@dataclass(frozen=True)
class SeedReport:
    created: int
    already_there: int
    differ: tuple[str, ...] = ()
    """Records loaded before from a different definition (their keys' requests changed):
    the registry keeps what it has; edit them through the API if the new one is meant."""


def programme() -> dict[str, Any]:
    text = resources.files("imc_registry.seed").joinpath("programme.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load(registry_url: str, token: str) -> SeedReport:
    data = programme()
    created = already = 0
    differ: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=registry_url, headers=headers, timeout=30) as client:
        requests = [
            *(
                ("/v1/organisations", f"seed:organisation:{o['id']}", o)
                for o in data["organisations"]
            ),
            ("/v1/programme", "seed:programme", data["programme"]),
            *(
                ("/v1/municipalities", f"seed:municipality:{m['id']}", m)
                for m in data["municipalities"]
            ),
            *(("/v1/partnerships", f"seed:partnership:{p['id']}", p) for p in data["partnerships"]),
            *(("/v1/members", f"seed:member:{m['email']}", m) for m in data["members"]),
            *(("/v1/coordinators", f"seed:coordinator:{c['id']}", c) for c in data["coordinators"]),
        ]
        for path, key, body in requests:
            response = client.post(path, json=body, headers={"Idempotency-Key": key})
            if response.status_code == 201:
                created += 1
            elif response.status_code == 200:
                already += 1
            elif _reused(response):
                already += 1
                differ.append(key)
            else:
                raise RuntimeError(f"seeding {path} {key}: {response.status_code} {response.text}")
    return SeedReport(created, already, tuple(differ))


def _reused(response: httpx.Response) -> bool:
    if response.status_code != 422:
        return False
    problems = response.json().get("detail")
    return isinstance(problems, list) and any(
        isinstance(p, dict) and p.get("type") == "idempotency_key_reused" for p in problems
    )
