"""Committed JSON Schemas of every event type: ``python -m imc_contracts.schemas write|check``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from imc_contracts.catalog import EVENT_TYPES
from imc_contracts.compat import incompatibilities

SCHEMA_DIR = Path(__file__).parent / "schemas"


def current_schemas() -> dict[str, dict[str, Any]]:
    return {name: model.model_json_schema() for name, model in sorted(EVENT_TYPES.items())}


def committed_schemas() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(SCHEMA_DIR.glob("*.json"))}


def problems() -> list[str]:
    """Every way the models differ incompatibly from, or are missing in, the committed schemas."""
    found: list[str] = []
    committed = committed_schemas()
    for name, schema in current_schemas().items():
        if name not in committed:
            found.append(f"{name}: no committed schema (run `make schemas`)")
            continue
        found += [f"{name}: {problem}" for problem in incompatibilities(committed[name], schema)]
    for name in committed.keys() - current_schemas().keys():
        found.append(f"{name}: committed schema has no model; a published type is never removed")
    return found


def write() -> None:
    """Write the current schemas. Refuses an incompatible change: that needs a new ``.vN``."""
    found = problems()
    incompatible = [problem for problem in found if "no committed schema" not in problem]
    if incompatible:
        sys.exit("refusing to write incompatible schemas:\n" + "\n".join(incompatible))
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, schema in current_schemas().items():
        text = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        (SCHEMA_DIR / f"{name}.json").write_text(text)


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "check"
    if command == "write":
        write()
    elif command == "check":
        found = problems()
        if found:
            sys.exit("\n".join(found))
    else:
        sys.exit("usage: python -m imc_contracts.schemas write|check")


if __name__ == "__main__":
    main(sys.argv[1:])
