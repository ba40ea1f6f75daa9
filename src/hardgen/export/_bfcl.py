"""BFCL multi-turn style: held-out samples as Berkeley Function Calling Leaderboard test entries.

One row per sample, the shape of BFCL's `BFCL_v4_multi_turn_*.json` entries plus their answers, in
files named and with ids numbered the way BFCL's runner routes them (`BFCL_v4_<category>.json`,
`<category>_<n>`; the category is `multi_turn_hardgen` unless the options say otherwise):
- `question`: one list of messages per user turn, `[[{"role": "user", "content": ...}], ...]`;
- `function`: the offered tools as BFCL function docs (`"type": "dict"` for objects, `float` for
  numbers, the result schema under `response`);
- `ground_truth`: per turn, the gold calls as Python call strings, `f(a=1, b='x')` (values are
  Python literals, so `ast.literal_eval` reads them back);
- `initial_config`: the environments' initial states keyed by class name, `involved_classes`
  those names, `path` the gold calls as `Class.method`;
- `missed_function` (missing-function samples only): turn -> the tools offered from that turn on.
A turn of a sample family that makes no call (a clarifying question, a decline) has `[]` as its
ground truth, as in BFCL's missing-parameter and missing-function categories; parallel calls are
the turn's call list as it is.
BFCL keeps answers in a separate `possible_answer/` file of `{"id", "ground_truth"}`; `bfcl_answers`
makes those rows. BFCL has no assistant text, so reasoning options do not apply, and per-turn
splitting is refused (a BFCL entry is a whole multi-turn task).

Names: a tool name with `-` (allowed by OpenAI, not by Python) is written with `_` in the call
string; an argument name that is not a Python identifier is passed as `**{'name': value}`.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hardgen.export._errors import ExportError
from hardgen.export._options import ExportOptions
from hardgen.schema import EnvironmentSpec, Sample, ToolCall, ToolSpec

_BFCL_TYPES = {"object": "dict", "number": "float"}
_SCHEMA_CHILDREN = ("items", "additionalProperties")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")


def bfcl_schema(node: Any) -> Any:
    """A JSON Schema node in BFCL's dialect (`dict` for objects, `float` for numbers), recursively."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "type":
            out[key] = (
                [_BFCL_TYPES.get(t, t) for t in value] if isinstance(value, list) else _BFCL_TYPES.get(value, value)
            )
        elif key == "properties" and isinstance(value, dict):
            out[key] = {k: bfcl_schema(v) for k, v in value.items()}
        elif key in _SCHEMA_CHILDREN:
            out[key] = bfcl_schema(value)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [bfcl_schema(v) for v in value]
        else:
            out[key] = value
    return out


def bfcl_function_doc(spec: ToolSpec) -> dict[str, Any]:
    """A tool as a BFCL function doc."""
    doc: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "parameters": bfcl_schema(spec.parameters),
    }
    if spec.returns is not None:
        doc["response"] = bfcl_schema(spec.returns)
    return doc


def python_call(call: ToolCall) -> str:
    """`call` as a Python call expression with keyword arguments, e.g. `cd(folder='docs')`."""
    name = re.sub(r"\W", "_", call.name)
    plain = [f"{k}={v!r}" for k, v in call.arguments.items() if k.isidentifier() and not keyword.iskeyword(k)]
    odd = {k: v for k, v in call.arguments.items() if not (k.isidentifier() and not keyword.iskeyword(k))}
    if odd:
        plain.append(f"**{odd!r}")
    return f"{name}({', '.join(plain)})"


def _class_key(env: EnvironmentSpec) -> str:
    if env.kind == "class":
        return env.target.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
    return env.name


def _class_keys(sample: Sample) -> dict[str, str]:
    keys: dict[str, str] = {}
    used: set[str] = set()
    for env in sample.environments:
        key = _class_key(env)
        if key in used:  # two environments of one class: tell them apart by environment name
            key = env.name
        used.add(key)
        keys[env.name] = key
    return keys


DEFAULT_BFCL_CATEGORY = "multi_turn_hardgen"
"""The category exported rows are named under: BFCL routes an entry by its id (`<category>_<n>`)
and its file name (`BFCL_v4_<category>.json`); README says how to register it."""


def _excluded(sample: Sample, involved: Sequence[EnvironmentSpec]) -> list[str]:
    """Tools of the involved classes that the sample does not offer (BFCL's `excluded_function`),
    read from each class's docs file where the spec names one."""
    offered = {t.name for t in sample.tools}
    excluded: list[str] = []
    for env in involved:
        if not env.docs:
            continue
        try:
            text = Path(env.docs).read_text(encoding="utf-8")
            docs = json.loads(text) if text.lstrip().startswith("[") else [json.loads(x) for x in text.splitlines() if x.strip()]
        except (OSError, ValueError):
            continue
        excluded.extend(d["name"] for d in docs if isinstance(d, dict) and d.get("name") not in offered)
    return sorted(set(excluded))


def bfcl_row(sample: Sample, index: int | None = None, category: str = DEFAULT_BFCL_CATEGORY) -> dict[str, Any]:
    """One BFCL multi-turn entry (with its ground truth) for `sample`: id `<category>_<index>` (the
    sample's own id in `hardgen_id`), only the classes the gold calls in `involved_classes`."""
    queries = [m.content or "" for m in sample.messages if m.role == "user"]
    if len(queries) != len(sample.gold):
        raise ExportError(
            f"sample {sample.id}: {len(queries)} user messages but {len(sample.gold)} gold turns; "
            "BFCL needs one gold turn per user turn"
        )
    keys = _class_keys(sample)
    tool_env = {t.name: t.environment for t in sample.tools if t.environment}
    only_env = next(iter(keys)) if len(keys) == 1 else None

    def path_of(call: ToolCall) -> str:
        env = tool_env.get(call.name, only_env)
        return f"{keys[env]}.{call.name}" if env in keys else call.name

    gold_calls = [[s.call for s in turn.steps] for turn in sample.gold]
    used = {tool_env.get(c.name, only_env) for turn in gold_calls for c in turn}
    involved = [e for e in sample.environments if e.name in used] or list(sample.environments)
    # A missing function, as BFCL writes it: `missed_function` maps a turn to the names offered from
    # it on (BFCL's runner holds their docs back until then); `function` lists every doc.
    added = {str(i): list(turn.tools_added) for i, turn in enumerate(sample.gold) if turn.tools_added}
    row: dict[str, Any] = {
        "id": f"{category}_{index}" if index is not None else sample.id,
        "hardgen_id": sample.id,
        "question": [[{"role": "user", "content": q}] for q in queries],
        "function": [bfcl_function_doc(t) for t in sample.tools],
        "initial_config": {keys[e.name]: e.initial_state for e in involved},
        "path": [path_of(c) for turn in gold_calls for c in turn],
        "involved_classes": [keys[e.name] for e in involved],
        "excluded_function": _excluded(sample, involved),
        "ground_truth": [[python_call(c) for c in turn] for turn in gold_calls],
    }
    if added:
        row["missed_function"] = added
    return row


def bfcl_rows(samples: Sequence[Sample], options: ExportOptions | None = None) -> list[dict[str, Any]]:
    """One BFCL multi-turn entry per sample."""
    options = options or ExportOptions()
    if options.split_turns:
        raise ExportError("the bfcl format keeps each multi-turn task whole; it has no per-turn split")
    return [bfcl_row(s, i, options.bfcl_category) for i, s in enumerate(samples)]


def bfcl_answers(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `possible_answer` rows (`{"id", "ground_truth"}`) of BFCL entries."""
    return [{"id": r["id"], "ground_truth": r["ground_truth"]} for r in rows]
