"""LLaMA-Factory sharegpt format with function calling, plus its `dataset_info.json` entry.

Per LLaMA-Factory's `data/README.md` (sharegpt format): a row is `{"conversations": [{"from":
..., "value": ...}], "system": ..., "tools": ...}` where `from` is `human`, `gpt`,
`function_call` or `observation`; `human` and `observation` turns must sit at odd positions and
`gpt` and `function_call` at even ones (1-based), and a conversation ends on an even one; `tools`
is a JSON string. Its FunctionFormatter reads a `function_call` value as an optional
`<think>...</think>` block followed by JSON: one `{"name", "arguments"}` object, or a list of them
for parallel calls, with `arguments` as an object.

Mapping from the canonical messages:
- a leading system message goes to the `system` column;
- an assistant message without calls is a `gpt` turn (reasoning as `<think>` unless `none`);
- an assistant message with calls is one `function_call` turn; text written next to the calls has
  no place of its own there, so it joins the reasoning inside the `<think>` block (and is dropped
  with reasoning `none`);
- consecutive tool messages (the answers to one parallel call) are one `observation` turn: the
  single tool content, or for several a JSON list of them in call order (each parsed back from
  JSON when it is JSON).
A sample whose messages cannot alternate this way raises ExportError. With `split_turns`, each row
ends at its own assistant turn; set `mask_history: true` in the LLaMA-Factory training config to
train on that last turn only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hardgen.export._errors import ExportError
from hardgen.export._options import ExportOptions
from hardgen.export._transform import training_units, with_thought
from hardgen.schema import Message, Sample

TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}
"""The sharegpt tags we write (LLaMA-Factory's defaults, stated explicitly)."""

_ODD = ("human", "observation")
_EVEN = ("gpt", "function_call")


def _json_or_text(text: str | None) -> Any:
    if text is None:
        return ""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _function_call_value(message: Message, keep_text: bool) -> str:
    calls = [{"name": c.name, "arguments": c.arguments} for c in message.tool_calls or []]
    payload = json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False)
    # Text beside the calls only survives inside the think block, and only while reasoning is kept.
    thought = "\n\n".join(x for x in (message.reasoning, message.content if keep_text else None) if x)
    return with_thought(thought, payload)


def sharegpt_conversation(sample: Sample, options: ExportOptions | None = None) -> tuple[str, list[dict[str, str]]]:
    """(system prompt, sharegpt turns) of one sample; raises ExportError when its messages cannot
    alternate as LLaMA-Factory requires. sharegpt has no reasoning field, so reasoning is always
    written inline as `<think>` (or dropped with `none`)."""
    options = options or ExportOptions()
    keep_text = options.reasoning != "none"
    messages = list(sample.messages)
    system = ""
    if messages and messages[0].role == "system":
        system = messages.pop(0).content or ""
    turns: list[dict[str, str]] = []
    i = 0
    while i < len(messages):
        m = messages[i]
        if m.role == "system":
            raise ExportError(f"sample {sample.id}: system message at position {i + 1}; sharegpt allows one, first")
        if m.role == "user":
            turns.append({"from": "human", "value": m.content or ""})
        elif m.role == "assistant" and m.tool_calls:
            turns.append({"from": "function_call", "value": _function_call_value(m, keep_text)})
        elif m.role == "assistant":
            turns.append({"from": "gpt", "value": with_thought(m.reasoning if keep_text else None, m.content)})
        else:  # tool: gather the answers to one parallel call
            group = [m]
            while i + 1 < len(messages) and messages[i + 1].role == "tool":
                i += 1
                group.append(messages[i])
            if len(group) == 1:
                value = group[0].content or ""
            else:
                value = json.dumps([_json_or_text(g.content) for g in group], ensure_ascii=False)
            turns.append({"from": "observation", "value": value})
        i += 1
    for pos, turn in enumerate(turns):
        allowed = _ODD if pos % 2 == 0 else _EVEN
        if turn["from"] not in allowed:
            raise ExportError(
                f"sample {sample.id}: turn {pos + 1} is {turn['from']!r} but sharegpt needs one of {allowed} there "
                "(human/observation and gpt/function_call must alternate)"
            )
    if len(turns) % 2:
        raise ExportError(f"sample {sample.id}: conversation ends on a {turns[-1]['from']!r} turn; it must end on gpt")
    return system, turns


def llamafactory_rows(samples: Sequence[Sample], options: ExportOptions | None = None) -> list[dict[str, Any]]:
    """One sharegpt row per sample (per assistant turn with `split_turns`)."""
    options = options or ExportOptions()
    rows = []
    for unit in training_units(samples, options):
        system, turns = sharegpt_conversation(unit, options)
        tools = [{"name": t.name, "description": t.description, "parameters": t.parameters} for t in unit.tools]
        rows.append(
            {"id": unit.id, "conversations": turns, "system": system, "tools": json.dumps(tools, ensure_ascii=False)}
        )
    return rows


def llamafactory_dataset_info(files: dict[str, str]) -> dict[str, Any]:
    """`dataset_info.json` entries: dataset name -> file name, for each file written."""
    return {
        name: {
            "file_name": file_name,
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "system": "system", "tools": "tools"},
            "tags": dict(TAGS),
        }
        for name, file_name in files.items()
    }
