"""The AsyncAPI documents: committed as the code generates them, and valid to the AsyncAPI
Initiative's own parser."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from imc_contracts import asyncapi
from imc_contracts.catalog import TOPICS


def test_the_committed_documents_are_what_the_catalog_and_contracts_generate() -> None:
    assert asyncapi.drift() == [], "run `make schemas` and commit the result"


def test_each_service_sends_on_its_topic_and_receives_on_those_its_group_reads() -> None:
    for service in asyncapi.SERVICES:
        doc = asyncapi.document(service)
        actions = {
            (op["action"], doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[-1]]["address"])
            for op in doc["operations"].values()
        }
        expected = {("send", t.name) for t in TOPICS if t.producer == service} | {
            ("receive", t.name) for t in TOPICS if service in t.consumer_groups
        }
        assert actions == expected, service


def test_every_message_payload_is_its_contracts_schema() -> None:
    doc = asyncapi.document("roadmaps")
    schemas = doc["components"]["schemas"]
    for message in doc["components"]["messages"].values():
        envelope = schemas[message["payload"]["$ref"].rsplit("/", 1)[-1]]
        assert envelope["properties"]["type"]["const"] == message["name"]
        assert {"event_id", "type", "partnership_id", "payload"} <= set(envelope["required"])


@pytest.mark.infra  # installs the web frontend's pinned npm packages, the parser among them
def test_the_asyncapi_parser_finds_no_error_in_any_document(tmp_path: Path) -> None:
    from imc_devstack import build

    modules = build.web_modules()
    files = [str(asyncapi.ASYNCAPI_DIR / f"{service}.json") for service in asyncapi.SERVICES]
    script = Path(__file__).with_name("asyncapi_parse.mjs")
    # Node resolves the parser from the script's folder upwards: a link to web's packages.
    (tmp_path / "node_modules").symlink_to(modules)
    copy = tmp_path / script.name
    copy.write_text(script.read_text())
    result = subprocess.run(
        ["node", str(copy), *files],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SCARF_ANALYTICS": "false"},
        timeout=120,
    )
    diagnostics = json.loads(result.stdout)
    errors = {file: [d for d in found if d["severity"] == 0] for file, found in diagnostics.items()}
    assert errors == {file: [] for file in files}
