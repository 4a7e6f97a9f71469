"""Backward-compatibility check between two JSON Schemas of one contract version.

Within a version, changes are additive only: new optional fields. Producers and consumers
of the same version are deployed independently, so a change must neither make old writers'
messages invalid for new readers nor let new writers send what old readers reject.
`incompatibilities` lists every such break between a committed schema and a regenerated one.

The schemas are the ones pydantic v2 emits: `$ref` into the document's own `$defs`, `anyOf`
for optional and union fields, `enum`/`const` for enums and literals.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Schema = Mapping[str, Any]

# A pair of `$ref`s (old, new) already being compared higher up the current path.
_Seen = frozenset[tuple[Any, Any]]


def incompatibilities(old: Schema, new: Schema) -> list[str]:
    """Return the ways `new` breaks readers or writers that follow `old`; empty if none."""
    return _Diff(old, new).node(old, new, "", frozenset())


class _Diff:
    def __init__(self, old_doc: Schema, new_doc: Schema) -> None:
        # Each side resolves `$ref` against its own document: `$defs` may be renamed between them.
        self.old_doc = old_doc
        self.new_doc = new_doc

    def node(self, old: Schema, new: Schema, path: str, seen: _Seen) -> list[str]:
        refs = (old.get("$ref"), new.get("$ref"))
        if refs != (None, None):
            if refs in seen:
                return []  # a recursive model: this pair is already being compared above
            seen = seen | {refs}
        old, new = _resolve(self.old_doc, old), _resolve(self.new_doc, new)
        old_alts, new_alts = _alternatives(old), _alternatives(new)
        if len(old_alts) == 1 and len(new_alts) == 1:
            return self.single(old, new, path, seen)
        return self.alternatives(old_alts, new_alts, path, seen)

    def alternatives(
        self, old_alts: Sequence[Schema], new_alts: Sequence[Schema], path: str, seen: _Seen
    ) -> list[str]:
        # Pair alternatives by `$ref` name or type first; a `$defs` entry that was renamed
        # still pairs up by the type it resolves to, and is then compared structurally.
        pairs, old_left, new_left = _pair(old_alts, new_alts, _label, _label)
        more, old_left, new_left = _pair(
            old_left,
            new_left,
            lambda alt: _type(_resolve(self.old_doc, alt)),
            lambda alt: _type(_resolve(self.new_doc, alt)),
        )
        problems = [f"{_at(path)}: alternative {_label(alt)} removed" for alt in old_left]
        # Old readers reject a value of an added alternative. Only a new field may bring
        # alternatives nobody has seen, and new fields never get here, so this is always a break.
        problems += [f"{_at(path)}: alternative {_label(alt)} added" for alt in new_left]
        for old_alt, new_alt in pairs + more:
            problems += self.node(old_alt, new_alt, path, seen)
        return problems

    def single(self, old: Schema, new: Schema, path: str, seen: _Seen) -> list[str]:
        old_type, new_type = _type(old), _type(new)
        if old_type != new_type:
            return [f"{_at(path)}: type changed from {old_type} to {new_type}"]
        problems: list[str] = []
        old_format, new_format = old.get("format", "none"), new.get("format", "none")
        if old_format != new_format:
            problems.append(f"{_at(path)}: format changed from {old_format} to {new_format}")
        problems += _values(old, new, path)
        problems += self.properties(old, new, path, seen)
        problems += self.additional(old, new, path, seen)
        if "items" in old or "items" in new:
            problems += self.node(old.get("items", {}), new.get("items", {}), f"{path}[]", seen)
        return problems

    def properties(self, old: Schema, new: Schema, path: str, seen: _Seen) -> list[str]:
        old_props: Schema = old.get("properties", {})
        new_props: Schema = new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        problems: list[str] = []
        for name, old_prop in old_props.items():
            at = f"{path}.{name}" if path else name
            if name not in new_props:
                problems.append(f"{at}: property removed or renamed")
                continue
            if name in new_required and name not in old_required:
                problems.append(f"{at}: optional property became required")
            elif name in old_required and name not in new_required:
                # Old readers still require it, but new writers may now leave it out.
                problems.append(f"{at}: required property became optional")
            problems += self.node(old_prop, new_props[name], at, seen)
        for name in new_props:
            if name not in old_props and name in new_required:
                at = f"{path}.{name}" if path else name
                problems.append(f"{at}: new required property")
        return problems

    def additional(self, old: Schema, new: Schema, path: str, seen: _Seen) -> list[str]:
        # Absent means allowed; `true` allows anything, i.e. the empty schema.
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if new_extra is False:
            if old_extra is False:
                return []
            return [f"{_at(path)}: additionalProperties changed from allowed to false"]
        if old_extra is False:
            return []  # widening: readers of `new` accept whatever writers of `old` send
        old_schema: Schema = {} if old_extra is True else old_extra
        new_schema: Schema = {} if new_extra is True else new_extra
        if not old_schema and not new_schema:
            return []
        return self.node(old_schema, new_schema, f"{path}.*", seen)


def _resolve(doc: Schema, schema: Schema) -> Schema:
    """Replace a `$ref` by its target; sibling keywords (description, default) win."""
    followed: set[str] = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if ref in followed or not ref.startswith("#"):
            raise ValueError(f"cannot resolve $ref {ref!r}")
        followed.add(ref)
        target: Any = doc
        for part in filter(None, ref[1:].split("/")):
            try:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            except (KeyError, TypeError):
                raise ValueError(f"cannot resolve $ref {ref!r}") from None
        schema = {**target, **{key: value for key, value in schema.items() if key != "$ref"}}
    return schema


def _alternatives(schema: Schema) -> Sequence[Schema]:
    alternatives: Sequence[Schema] | None = schema.get("anyOf", schema.get("oneOf"))
    return alternatives if alternatives else [schema]


def _pair(
    olds: Sequence[Schema],
    news: Sequence[Schema],
    old_key: Callable[[Schema], str],
    new_key: Callable[[Schema], str],
) -> tuple[list[tuple[Schema, Schema]], list[Schema], list[Schema]]:
    """Pair each old schema with the first unpaired new one of the same key."""
    pairs: list[tuple[Schema, Schema]] = []
    old_left: list[Schema] = []
    new_left = list(news)
    for old in olds:
        match = next((new for new in new_left if new_key(new) == old_key(old)), None)
        if match is None:
            old_left.append(old)
        else:
            new_left.remove(match)
            pairs.append((old, match))
    return pairs, old_left, new_left


def _values(old: Schema, new: Schema, path: str) -> list[str]:
    """Enum and const values: readers validate against a closed set, so any change breaks."""
    old_values, new_values, at = _allowed(old), _allowed(new), _at(path)
    if old_values is None and new_values is None:
        return []
    if old_values is None:
        return [f"{at}: values restricted to {json.dumps(new_values)}"]
    if new_values is None:
        return [f"{at}: values no longer restricted to {json.dumps(old_values)}"]
    removed = [
        f"{at}: enum value {json.dumps(v)} removed" for v in old_values if v not in new_values
    ]
    added = [f"{at}: enum value {json.dumps(v)} added" for v in new_values if v not in old_values]
    return removed + added


def _allowed(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    return list(schema["enum"]) if "enum" in schema else None


def _type(schema: Schema) -> str:
    kind = schema.get("type", "any")
    return " | ".join(kind) if isinstance(kind, list) else str(kind)


def _label(schema: Schema) -> str:
    ref = schema.get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else _type(schema)


def _at(path: str) -> str:
    return path or "(root)"
