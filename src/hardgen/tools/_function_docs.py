"""Import of JSON function docs in the BFCL style, normalised to JSON Schema.

BFCL docs say `"type": "dict"` for objects, `float` for numbers, `tuple` for arrays and `any`
for anything, and describe the result in a `response` block. Files may be a JSON list, one JSON
object per line (BFCL's `.json` files are JSON Lines), or a single object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import ValidationError

from hardgen.errors import ToolDefinitionError
from hardgen.schema import ToolSpec
from hardgen.tools._derive import MUTATES_GUESSED, guess_mutates

_TYPE_MAP = {
    "dict": "object",
    "object": "object",
    "float": "number",
    "double": "number",
    "number": "number",
    "int": "integer",
    "integer": "integer",
    "long": "integer",
    "str": "string",
    "string": "string",
    "bool": "boolean",
    "boolean": "boolean",
    "list": "array",
    "array": "array",
    "tuple": "array",
    "null": "null",
    "none": "null",
}


def normalize_schema(node: Any, where: str) -> Any:
    """Normalise one BFCL-style schema node (recursively) to JSON Schema."""
    if not isinstance(node, dict):
        raise ToolDefinitionError(f"{where}: schema must be an object, got {type(node).__name__}")
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "type":
            types = value if isinstance(value, list) else [value]
            mapped: list[str] = []
            for t in types:
                if not isinstance(t, str):
                    raise ToolDefinitionError(f"{where}: type must be a string, got {t!r}")
                if t.lower() == "any":
                    mapped = []
                    break
                if t.lower() not in _TYPE_MAP:
                    raise ToolDefinitionError(f"{where}: unknown type {t!r}")
                if _TYPE_MAP[t.lower()] not in mapped:  # ["float", "double"] is one JSON type
                    mapped.append(_TYPE_MAP[t.lower()])
            if len(mapped) == 1:
                out["type"] = mapped[0]
            elif mapped:
                out["type"] = mapped
        elif key == "properties":
            if not isinstance(value, dict):
                raise ToolDefinitionError(f"{where}: properties must be an object")
            out["properties"] = {k: normalize_schema(v, f"{where}.{k}") for k, v in value.items()}
        elif key == "items":
            if isinstance(value, list):  # tuple-style items: a list of schemas
                out["prefixItems"] = [normalize_schema(v, f"{where}[{i}]") for i, v in enumerate(value)]
            else:
                out["items"] = normalize_schema(value, f"{where}[]")
        elif key in ("additionalProperties",) and isinstance(value, dict):
            out[key] = normalize_schema(value, f"{where}.*")
        elif key in ("anyOf", "oneOf", "allOf") and isinstance(value, list):
            out[key] = [normalize_schema(v, f"{where}|{i}") for i, v in enumerate(value)]
        elif key == "optional":
            continue  # BFCL marks optional parameters by leaving them out of `required`
        elif key == "default" and isinstance(value, str) and value.strip() in ("None", "null"):
            # BFCL writes Python's None as the text "None": the parameter has no default, and the
            # text would be sent as a value ("destination='None'") and learned as one.
            continue
        else:
            out[key] = value
    _constraints_from_description(out)
    return out


_ENUM_IN_TEXT = re.compile(r"\[Enum\]:\s*(\[[^\]]*\])")
_RANGE_IN_TEXT = re.compile(r"\bbetween\s+(-?\d+(?:\.\d+)?)\b[^.;]{0,40}?\band\s+(-?\d+(?:\.\d+)?)\b")
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {"string": str, "integer": int, "number": (int, float)}


def _constraints_from_description(out: dict[str, Any]) -> None:
    """BFCL writes constraints in prose: `... [Enum]: ["engage", "release"]` and `between 0 (not
    pressed) and 1 (fully pressed)`. Made schema keywords, so arguments are generated within them
    and validated against them, as the tool itself would."""
    desc = out.get("description")
    if not isinstance(desc, str):
        return
    kind = out.get("type")
    match = _ENUM_IN_TEXT.search(desc)
    if match:
        try:
            values = json.loads(match.group(1))
        except json.JSONDecodeError:
            values = None
        target = out if kind in _JSON_TYPES else out.get("items") if kind == "array" else None
        item_kind = target.get("type") if isinstance(target, dict) else None
        if isinstance(values, list) and values and isinstance(target, dict) and "enum" not in target \
                and item_kind in _JSON_TYPES \
                and all(isinstance(v, _JSON_TYPES[item_kind]) and not isinstance(v, bool) for v in values):
            target["enum"] = values
    if kind in ("number", "integer") and "minimum" not in out and "maximum" not in out:
        found = _RANGE_IN_TEXT.search(desc)
        if found:
            low, high = float(found.group(1)), float(found.group(2))
            if low < high:
                out["minimum"], out["maximum"] = (int(low), int(high)) if kind == "integer" else (low, high)


def tool_spec_from_doc(doc: dict[str, Any], environment: str | None = None) -> ToolSpec:
    """One BFCL-style (or OpenAI-style) function doc -> ToolSpec. Raises ToolDefinitionError."""
    if not isinstance(doc, dict):
        raise ToolDefinitionError(f"function doc must be an object, got {type(doc).__name__}")
    if "function" in doc and isinstance(doc["function"], dict):
        doc = doc["function"]
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        raise ToolDefinitionError(f"function doc without a name: {json.dumps(doc)[:120]}")
    raw_params = doc.get("parameters") or {"type": "object", "properties": {}}
    parameters = normalize_schema(raw_params, f"{name}.parameters")
    parameters.setdefault("type", "object")
    parameters.setdefault("properties", {})
    returns = normalize_schema(doc["response"], f"{name}.response") if doc.get("response") else None
    for label, schema in (("parameters", parameters), ("response", returns)):
        if schema is None:
            continue
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise ToolDefinitionError(f"tool {name!r}: invalid {label} schema: {exc.message}") from exc
    try:
        return ToolSpec(
            name=name.replace(".", "_"),
            description=str(doc.get("description", "")),
            parameters=parameters,
            returns=returns,
            mutates=bool(doc.get("mutates", guess_mutates(name))),
            environment=environment,
            # Optional keys a docs file may carry for the graph and the task rules:
            # "requires": [tools that must run first], "enables": true for a session change,
            # "mutates": true/false (else guessed from the name, and settled by execution).
            hints={**{k: doc[k] for k in ("requires", "enables") if k in doc},
                   **({} if "mutates" in doc else {MUTATES_GUESSED: True})},
        )
    except ValidationError as exc:
        raise ToolDefinitionError(f"tool {name!r}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from exc


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def _iter_docs(text: str, source: str) -> Iterable[dict[str, Any]]:
    stripped = text.strip()
    if not stripped:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as whole_exc:
        lines = text.splitlines()
        first = next((line for line in lines if line.strip()), "")
        if not _is_json(first):
            # One (pretty-printed) document: the decoder's own position is the right one.
            raise ToolDefinitionError(
                f"{source}:{whole_exc.lineno}:{whole_exc.colno}: not valid JSON: {whole_exc.msg}"
            ) from whole_exc
        docs = []  # JSON Lines, BFCL's layout: one doc per line, and the error on its own line
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ToolDefinitionError(f"{source}:{lineno}: not valid JSON: {exc.msg}") from exc
        return docs
    if isinstance(data, dict):
        return data.get("tools", [data]) if "tools" in data else [data]
    if isinstance(data, list):
        return data
    raise ToolDefinitionError(f"{source}: expected a JSON list or object of function docs")


def load_function_docs(source: str | Path | list[dict[str, Any]], environment: str | None = None) -> list[ToolSpec]:
    """Read function docs from a file path or an already-parsed list.

    Raises ToolDefinitionError naming the file (and line or entry) and the problem.
    """
    if isinstance(source, list):
        docs: Iterable[dict[str, Any]] = source
        origin = "function docs"
    else:
        path = Path(source)
        origin = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ToolDefinitionError(f"cannot read function docs {path}: {exc}") from exc
        docs = _iter_docs(text, origin)
    specs = []
    for index, doc in enumerate(docs):
        try:
            specs.append(tool_spec_from_doc(doc, environment))
        except ToolDefinitionError as exc:
            raise ToolDefinitionError(f"{origin}: entry {index}: {exc}") from exc
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ToolDefinitionError(f"{origin}: tool {spec.name!r} is defined twice")
        seen.add(spec.name)
    return specs
