"""What the viewer shows of a sample or a rejected candidate, as plain JSON-ready dicts.

A sample's environments hold their initial state in full (most of a sample's bytes) and are left
out: the viewer shows the conversation, the gold with its data flow and the verification, which is
what a person curating data reads. Observations longer than `MAX_OBSERVATION_CHARS` are cut, with
the full length said, so one odd sample cannot make a page chunk huge.
"""

from __future__ import annotations

import json
from typing import Any

from hardgen.schema import Sample, Step

MAX_OBSERVATION_CHARS = 20_000
"""Characters of one observation or result kept in the viewer's data (the rest is in samples.jsonl)."""
MAX_SEARCH_CHARS = 4_000
"""Characters of a sample's text kept for the text search."""
TITLE_CHARS = 160
"""Characters of the first user turn shown in the list."""

_MISSING = object()


def _cut(text: str, limit: int = MAX_OBSERVATION_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… cut at {limit:,} of {len(text):,} characters (the full text is in samples.jsonl)"


def value_at(result: Any, path: list[str | int]) -> Any:
    """The value at `path` inside an observation's result, or `_MISSING` when the path does not lead
    anywhere (a gold recorded by an older version, a result shaped otherwise)."""
    here = result
    for key in path:
        in_dict = isinstance(here, dict) and key in here
        in_list = isinstance(here, list) and isinstance(key, int) and -len(here) <= key < len(here)
        if not (in_dict or in_list):
            return _MISSING
        here = here[key]
    return here


def _step(step: Step, turn_steps: list[Step]) -> dict[str, Any]:
    obs = step.observation
    sources = []
    for src in step.sources:
        source: dict[str, Any] = {"parameter": src.parameter, "step": src.step, "path": list(src.path)}
        if 0 <= src.step < len(turn_steps) and turn_steps[src.step].observation.ok:
            found = value_at(turn_steps[src.step].observation.result, list(src.path))
            if found is not _MISSING:
                source["value"] = _cut(json.dumps(found, ensure_ascii=False, default=str), 500)
            source["tool"] = turn_steps[src.step].call.name
        sources.append(source)
    return {
        "name": step.call.name,
        "arguments": step.call.arguments,
        "ok": obs.ok,
        "observation": _cut(obs.to_text()),
        "sources": sources,
    }


def sample_record(sample: Sample) -> dict[str, Any]:
    """The viewer's record of one sample: metadata, messages, gold per turn with each implicit
    argument's source (step, path and the value found there), verification."""
    md = sample.metadata
    messages = []
    for m in sample.messages:
        msg: dict[str, Any] = {"role": m.role}
        if m.content is not None:
            msg["content"] = _cut(m.content) if m.role == "tool" else m.content
        if m.reasoning:
            msg["reasoning"] = m.reasoning
        if m.tool_calls:
            msg["calls"] = [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in m.tool_calls]
        if m.tool_call_id:
            msg["call_id"] = m.tool_call_id
        if m.name:
            msg["name"] = m.name
        messages.append(msg)
    return {
        "id": sample.id,
        "metadata": {
            "domains": md.domains,
            "mode": md.sampling_mode,
            "chain_length": md.chain_length,
            "implicit_dependencies": md.implicit_dependencies,
            "turns": md.turns,
            "target_tools": md.target_tools,
            "failure_tools": md.failure_tools,
            "advanced_tools": md.advanced_tools,
            "model": md.provenance.model,
            "backend": md.provenance.backend,
            "seed": md.provenance.seed,
            "extra": {k: v for k, v in md.extra.items() if k != "goal_steps"},
        },
        "tools": [t.name for t in sample.tools],
        "environments": [e.name for e in sample.environments],
        "verification": sample.verification.model_dump(mode="json"),
        "messages": messages,
        "gold": [
            {
                "query": turn.query,
                "steps": [_step(s, turn.steps) for s in turn.steps],
                "required_observations": turn.required_observations,
                "answer_values": turn.answer_values,
            }
            for turn in sample.gold
        ],
    }


def sample_tools(sample: Sample) -> list[str]:
    """Distinct tools a sample's gold and conversation call, in first-call order (the tool filter)."""
    names: dict[str, None] = {}
    for turn in sample.gold:
        for step in turn.steps:
            names[step.call.name] = None
    for m in sample.messages:
        for call in m.tool_calls or []:
            names[call.name] = None
    return list(names)


def sample_title(sample: Sample) -> str:
    """The first user turn, shortened: what a row of the list says."""
    first = next((m.content or "" for m in sample.messages if m.role == "user"), "")
    first = " ".join(first.split())
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def sample_search_text(sample: Sample) -> str:
    """Lower-cased text the search box matches: id, user turns, answers and reasoning, tool names
    and arguments (observations are left out: they repeat the state, not what the sample says)."""
    parts = [sample.id]
    for m in sample.messages:
        if m.role in ("user", "assistant"):
            parts += [m.content or "", m.reasoning or ""]
            for call in m.tool_calls or []:
                parts += [call.name, json.dumps(call.arguments, ensure_ascii=False, default=str)]
    text = " ".join(" ".join(parts).split()).lower()
    return text[:MAX_SEARCH_CHARS]


def rejected_record(line: dict[str, Any]) -> dict[str, Any]:
    """The viewer's record of one rejected candidate (a line of rejected.jsonl), with the fields the
    list needs; anything else the line holds is kept under `other`."""
    known = ("unit_id", "stage", "reason", "advanced_tool", "attempts", "hints", "details")
    return {
        "unit_id": str(line.get("unit_id", "")),
        "stage": str(line.get("stage", "")),
        "reason": str(line.get("reason", "")),
        "advanced_tool": line.get("advanced_tool"),
        "attempts": line.get("attempts", 0),
        "hints": [str(h) for h in line.get("hints", []) or []],
        "details": [_cut(str(d), 2_000) for d in line.get("details", []) or []],
        "other": {k: v for k, v in line.items() if k not in known},
    }
