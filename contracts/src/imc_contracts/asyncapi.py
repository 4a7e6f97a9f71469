"""AsyncAPI 3.0 documents of each service, generated from the topic catalog and the contracts.

    python -m imc_contracts.asyncapi write|check

A service's document has every topic it publishes to or consumes from as a channel, each
event type on it as a message whose payload is the contract's JSON Schema, a ``send``
operation for the topic it produces and a ``receive`` one per topic it consumes (its
consumer group reads every message there and skips the types it has no use for). The
committed copies in ``contracts/asyncapi/`` are what a team integrating another frontend or
consumer reads; ``docs/asyncapi.md`` renders them for people; each service serves its own at
``/asyncapi.json``; a test fails when the committed ones drift from what the code generates.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from imc_contracts.catalog import TOPICS, Topic, dead_letter_topic
from imc_contracts.envelope import Event

SERVICES = ("registry", "roadmaps", "notifications")
ASYNCAPI_DIR = Path(__file__).parent / "asyncapi"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.md"

PURPOSE = {
    "registry": "The partnership registry and the frontends' write gateway: it announces the "
    "programme's records and every request a frontend makes of a roadmap, and learns from "
    "roadmaps how each request was decided.",
    "roadmaps": "Roadmap tracking: it applies the registry's requests to objectives, milestones, "
    "indicators and evaluations, or refuses them with a reason, and announces what changed, "
    "what is due soon and what is overdue.",
    "notifications": "Localized email to partners: it keeps a directory of the registry's "
    "people, mails them what roadmaps announces, and reports each email sent or failed.",
}


def _channel_id(topic: Topic) -> str:
    return topic.name.replace(".", "-")


def _role(service: str, topic: Topic) -> str | None:
    if topic.producer == service:
        return "send"
    if service in topic.consumer_groups:
        return "receive"
    return None


def document(service: str, version: str = "1.0.0") -> dict[str, Any]:
    """The AsyncAPI 3.0 document of ``service``."""
    if service not in SERVICES:
        raise KeyError(f"no service {service!r}")
    topics = [topic for topic in TOPICS if _role(service, topic) is not None]
    events = [event for topic in topics for event in topic.events]
    references, definitions = models_json_schema(
        [(event, "validation") for event in events],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = definitions.get("$defs", {})
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in topics:
        channel = _channel_id(topic)
        readers = ", ".join(topic.consumer_groups) or "no service yet"
        channels[channel] = {
            "address": topic.name,
            "title": topic.name,
            "description": f"Published by {topic.producer}; read by {readers}. Keyed by "
            f"partnership: one partnership's events stay in order. A consumer's poison "
            f"messages go to its dead-letter topic (e.g. {dead_letter_topic('roadmaps')}).",
            "messages": {
                event.TYPE: {"$ref": f"#/components/messages/{event.TYPE}"}
                for event in topic.events
            },
            "bindings": {"kafka": {"partitions": topic.partitions, "bindingVersion": "0.5.0"}},
        }
        role = _role(service, topic)
        operations[f"{role}-{channel}"] = {
            "action": role,
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": (
                f"{service} publishes its events here (from its commit log, at least once)."
                if role == "send"
                else f"{service}'s consumer group {service!r} reads every message here, "
                "committing only once its effect is stored; types it has no use for are "
                "counted and skipped."
            ),
            "messages": [
                {"$ref": f"#/channels/{channel}/messages/{event.TYPE}"} for event in topic.events
            ],
            "bindings": {
                "kafka": (
                    {"groupId": {"type": "string", "enum": [service]}, "bindingVersion": "0.5.0"}
                    if role == "receive"
                    else {"bindingVersion": "0.5.0"}
                )
            },
        }
        for event in topic.events:
            messages[event.TYPE] = {
                "name": event.TYPE,
                "title": _title(event),
                "summary": _summary(event),
                "contentType": "application/json",
                # The contract's schema name: qualified where two share a class name.
                "payload": references[(event, "validation")],
                "bindings": {
                    "kafka": {
                        "key": {
                            "type": "string",
                            "description": "The partnership's id, or 'programme'.",
                        },
                        "bindingVersion": "0.5.0",
                    }
                },
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": f"IMC Hub {service}",
            "version": version,
            "description": PURPOSE[service]
            + " Every message is one JSON envelope (event_id, type, occurred_at, producer, "
            "partnership_id, correlation_id, causation_id, actor, payload); a type's payload "
            "changes only by new optional fields, anything else is a new '.vN'.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "The deployment's brokers (IMC_KAFKA_BOOTSTRAP_SERVERS); "
                "SASL_SSL in production.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def _title(event: type[Event]) -> str:
    """``registry.milestone.reschedule_requested.v1`` → ``Milestone reschedule requested``."""
    _, entity, verb, _ = event.TYPE.split(".")
    return f"{entity} {verb}".replace("_", " ").capitalize()


def _summary(event: type[Event]) -> str:
    """The event's own docstring, else its payload's, else its title."""
    for source in (event, event.payload_type()):
        doc = source.__dict__.get("__doc__") if isinstance(source, type) else None
        if doc:
            return " ".join(inspect.cleandoc(doc).split())
    return f"{_title(event)}, as {event.PRODUCER} announces it."


def _text(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def markdown(documents: dict[str, dict[str, Any]]) -> str:
    """The documents for people: per service, its channels, and each message's fields."""
    lines = [
        "# Messages between the services (AsyncAPI)",
        "",
        "Generated by `make schemas` from the topic catalog and the contracts "
        "(`python -m imc_contracts.asyncapi write`); the AsyncAPI 3.0 documents themselves "
        "are `contracts/src/imc_contracts/asyncapi/<service>.json`, and each running service "
        "serves its own at `/asyncapi.json`.",
        "",
    ]
    for doc in documents.values():
        lines += [f"## {doc['info']['title']}", "", doc["info"]["description"], ""]
        lines += ["| operation | topic | messages |", "|---|---|---|"]
        for operation in doc["operations"].values():
            channel = doc["channels"][operation["channel"]["$ref"].rsplit("/", 1)[-1]]
            names = ", ".join(f"`{name}`" for name in channel["messages"])
            lines.append(f"| {operation['action']} | `{channel['address']}` | {names} |")
        lines.append("")
    lines += ["## The messages", ""]
    seen: set[str] = set()
    for doc in documents.values():
        schemas = doc["components"]["schemas"]
        for name, message in doc["components"]["messages"].items():
            if name in seen:
                continue
            seen.add(name)
            envelope = schemas[message["payload"]["$ref"].rsplit("/", 1)[-1]]
            payload = envelope["properties"]["payload"]
            fields = _fields(payload, schemas)
            lines += [f"### `{name}`", "", message["summary"], ""]
            if fields:
                lines += ["| payload field | type | required |", "|---|---|---|"]
                lines += [
                    f"| `{field}` | {kind} | {required} |" for field, kind, required in fields
                ]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _fields(schema: dict[str, Any], schemas: dict[str, Any]) -> list[tuple[str, str, str]]:
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    required = set(schema.get("required", []))
    return [
        (name, _kind(spec), "yes" if name in required else "")
        for name, spec in schema.get("properties", {}).items()
    ]


def _kind(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " or ".join(_kind(option) for option in spec["anyOf"])
    if spec.get("type") == "array":
        return f"list of {_kind(spec.get('items', {}))}"
    if "enum" in spec:
        return " / ".join(f"`{value}`" for value in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    return str(spec.get("format") or spec.get("type") or "any")


def generated() -> dict[Path, str]:
    """Every file this module writes, with its text."""
    documents = {service: document(service) for service in SERVICES}
    files = {ASYNCAPI_DIR / f"{service}.json": _text(doc) for service, doc in documents.items()}
    files[DOCS] = markdown(documents)
    return files


def drift() -> list[str]:
    """The committed files that differ from what the code generates."""
    return [
        str(path)
        for path, text in generated().items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "check"
    if command == "write":
        ASYNCAPI_DIR.mkdir(exist_ok=True)
        for path, text in generated().items():
            path.write_text(text, encoding="utf-8")
    elif command == "check":
        if stale := drift():
            sys.exit("out of date (run `make schemas`): " + ", ".join(stale))
    else:
        sys.exit("usage: python -m imc_contracts.asyncapi write|check")


if __name__ == "__main__":
    main(sys.argv[1:])
