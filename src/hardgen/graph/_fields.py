"""Output fields and input parameters of a tool, read from its JSON Schemas, with matching keys.

An output field is a leaf of a tool's `returns` schema, found by walking nested objects, arrays
and mappings; its path uses `*` for "any element" (`["orders", "*", "order_id"]`). Each field and
each parameter gets *keys*: compact normalised names (`orderid`) with a score saying how sure the
key is. A key shared by a field of Ti and a parameter of Tj, with compatible JSON types, makes a
candidate data-flow edge Ti -> Tj. Keys go into an index, so candidates come from a join, never
from comparing every tool with every other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hardgen.graph._naming import (
    QUALIFIABLE_TOKENS,
    is_identifier,
    name_tokens,
    text_tokens,
    tool_subject,
)
from hardgen.schema import ToolSpec

MAX_DEPTH = 6
MAX_FIELDS = 64
_SCALARS = ("string", "integer", "number", "boolean")


def json_type(schema: Any) -> str | None:
    """The JSON type a schema describes (the first non-null one), or None when unknown."""
    if not isinstance(schema, dict):
        return None
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if isinstance(t, str):
        return t
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if schema.get("enum"):
        first = schema["enum"][0]
        return {bool: "boolean", int: "integer", float: "number", str: "string"}.get(type(first))
    for branch in _branches(schema):
        bt = json_type(branch)
        if bt is not None:
            return bt
    return None


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for k in ("anyOf", "oneOf", "allOf"):
        for b in schema.get(k, []) or []:
            if isinstance(b, dict) and b.get("type") != "null":
                out.append(b)
    return out


def type_class(t: str | None) -> str | None:
    """Coarse class used by the index: `str`, `num`, `bool`, `obj`, `arr`."""
    return {"string": "str", "integer": "num", "number": "num", "boolean": "bool",
            "object": "obj", "array": "arr"}.get(t or "")


def compatible(param_type: str | None, field_type: str | None) -> bool:
    """Whether a value of `field_type` may be passed to a parameter of `param_type`."""
    if param_type is None or field_type is None:
        return param_type == field_type or param_type is None
    if param_type == field_type:
        return True
    return param_type == "number" and field_type == "integer"


def compact(tokens: tuple[str, ...]) -> str:
    """Tokens joined without separators, so `zip_code` and `zipcode` share the key `zipcode`."""
    return "".join(tokens)


@dataclass(frozen=True)
class OutputField:
    """A leaf of a tool's result."""

    tool: str
    path: tuple[str, ...]
    """Path inside the result; `*` is any element of an array or any value of a mapping."""
    name: str
    type: str | None
    description: str
    keys: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class InputParameter:
    """A parameter of a tool, with what matching needs to know about it."""

    tool: str
    name: str
    type: str | None
    """JSON type of the value a source must supply (the item type when `wrap_list`)."""
    required: bool
    description: str
    identifier: bool
    wrap_list: bool = False
    """The parameter is an array of identifiers; a single upstream value is passed as `[value]`."""
    keys: tuple[tuple[str, float], ...] = field(default_factory=tuple)


def _qualified(tokens: tuple[str, ...], qualifiers: list[tuple[str, ...]], score: float) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for q in qualifiers:
        if q and q != tokens:
            out.append((compact(q + tokens), score))
    return out


def field_keys(name_toks: tuple[str, ...], container: tuple[str, ...], subject: tuple[str, ...]) -> list[tuple[str, float]]:
    keys = [(compact(name_toks), 1.0)]
    if len(name_toks) == 1 and name_toks[0] in QUALIFIABLE_TOKENS:
        keys += _qualified(name_toks, [container[-1:]], 0.9)
        keys += _qualified(name_toks, [(t,) for t in subject[:3]], 0.75)
    return keys


def output_fields(spec: ToolSpec) -> list[OutputField]:
    """Every leaf of `spec.returns` with its path and matching keys (at most MAX_FIELDS)."""
    subject = tool_subject(spec.name)
    extra = [str(x) for x in spec.hints.get("produces", []) if isinstance(x, str)]
    fields: list[OutputField] = []
    returns = spec.returns
    seen: set[tuple[str, ...]] = set()

    def add(path: tuple[str, ...], schema: dict[str, Any], t: str | None, container: tuple[str, ...]) -> None:
        if len(fields) >= MAX_FIELDS or path in seen:
            return
        named = [p for p in path if p != "*"]
        name = named[-1] if named else "_".join(subject)
        toks = name_tokens(name) if name else ()
        if not toks:
            return
        seen.add(path)
        desc = str(schema.get("description", "")) if isinstance(schema, dict) else ""
        fields.append(OutputField(spec.name, path, name, t, desc, tuple(field_keys(toks, container, subject))))

    def walk(schema: Any, path: tuple[str, ...], container: tuple[str, ...], depth: int) -> None:
        if not isinstance(schema, dict) or depth > MAX_DEPTH or len(fields) >= MAX_FIELDS:
            return
        t = json_type(schema)
        if t is None and not schema.get("properties"):
            for b in _branches(schema):
                walk(b, path, container, depth + 1)
            return
        if t == "object" or "properties" in schema:
            here = name_tokens(path[-1]) if path and path[-1] != "*" else container
            for prop, sub in (schema.get("properties") or {}).items():
                walk(sub, (*path, prop), here or container, depth + 1)
            extra_values = schema.get("additionalProperties")
            if isinstance(extra_values, dict) and extra_values:
                walk(extra_values, (*path, "*"), here or container, depth + 1)
            for b in _branches(schema):
                walk(b, path, container, depth + 1)
            return
        if t == "array":
            items = schema.get("items")
            item_t = json_type(items)
            here = name_tokens(path[-1]) if path and path[-1] != "*" else container
            if item_t in _SCALARS:
                add(path, schema, "array", container)
            walk(items, (*path, "*"), here or container, depth + 1)
            return
        if t in _SCALARS:
            add(path, schema, t, container)

    if isinstance(returns, dict) and returns:
        walk(returns, (), subject, 0)
    for key in extra:  # hints={"produces": [...]} name values the schema does not show
        toks = name_tokens(key)
        if toks and (key,) not in seen:
            fields.append(OutputField(spec.name, (key,), key, "string", "", ((compact(toks), 1.0),)))
    return fields


# Parameters that name a thing by its name rather than an id (a file system's folders and files).
_NAMED_THINGS = frozenset({"file", "folder", "directory", "dir", "source", "destination", "target", "path"})


def input_parameters(spec: ToolSpec) -> list[InputParameter]:
    """The parameters of `spec` with matching keys."""
    props = spec.parameters.get("properties", {}) or {}
    required = set(spec.parameters.get("required", []) or [])
    subject = tool_subject(spec.name)
    out: list[InputParameter] = []
    for pname, schema in props.items():
        toks = name_tokens(pname)
        if not toks:
            continue
        t = json_type(schema)
        wrap = False
        if t == "array" and isinstance(schema, dict):
            item_t = json_type(schema.get("items"))
            if item_t in ("string", "integer") and is_identifier(pname):
                t, wrap = item_t, True
        desc = str(schema.get("description", "")) if isinstance(schema, dict) else ""
        ident = is_identifier(pname) and t in ("string", "integer")
        keys: list[tuple[str, float]] = [(compact(toks), 1.0)]
        if len(toks) == 1 and toks[0] in QUALIFIABLE_TOKENS:
            keys += _qualified(toks, [(s,) for s in subject[:3]], 0.85)
        elif ident and len(toks) > 1:
            # `source_account_id` is an `account_id`; `receiver_id` may be a `user_id` per its description.
            keys += [(compact(toks[i:]), 0.8) for i in range(1, len(toks) - 1)]
            last = toks[-1]
            for word in sorted(text_tokens(desc))[:8]:
                if word != last and (word,) != toks[:-1]:
                    keys.append((word + last, 0.6))
        if t == "string" and not ident and "name" not in dict(keys):
            # `file_name`, or a `folder` "name of the directory": the state's plain `name` values
            # (file and folder names) fit when nothing more specific does.
            words = text_tokens(desc)
            if (len(toks) > 1 and toks[-1] == "name") or (len(toks) == 1 and toks[0] in _NAMED_THINGS) \
                    or ("name" in words and words & _NAMED_THINGS):
                keys.append(("name", 0.5))
        seen: dict[str, float] = {}
        for k, s in keys:
            seen[k] = max(s, seen.get(k, 0.0))
        out.append(InputParameter(spec.name, pname, t, pname in required, desc, ident, wrap, tuple(seen.items())))
    return out
