"""TRL conversational format with tool calling, as TRL's SFTTrainer expects it.

Per TRL's "Dataset formats" guide (Tool Calling section): a row is `{"messages": [...], "tools":
[...]}`; an assistant message calls tools through `tool_calls: [{"type": "function", "function":
{"name": ..., "arguments": {...}}}]` with the arguments as a dict; a tool result is a
`{"role": "tool", "name": ..., "content": ...}` message; `tools` holds JSON schemas
(`{"type": "function", "function": {"name", "description", "parameters"}}`, what
`transformers.utils.get_json_schema` makes), which the chat template renders.

We also keep the call `id` and the tool message's `tool_call_id`, which templates such as
Mistral's need and the others ignore. Reasoning goes to `reasoning_content` (read by Qwen3's
template) or inline as `<think>`. With `split_turns`, rows are in TRL's conversational
prompt-completion type: `prompt` is the conversation before the turn and `completion` is the turn,
so the loss is on that turn only.

Loading: tool arguments are arbitrary JSON, so Arrow must not align them into one struct (it would
add every other call's keys as nulls). TRL recommends `Dataset.from_list(rows,
on_mixed_types="use_json")` (datasets >= 4.7); see `load_trl_jsonl`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hardgen.errors import MissingDependencyError, require
from hardgen.export._options import ExportOptions
from hardgen.export._transform import inline_reasoning, training_units
from hardgen.schema import Message, Sample, ToolSpec


def trl_tool(spec: ToolSpec) -> dict[str, Any]:
    """A tool as a JSON schema in the shape `transformers.utils.get_json_schema` produces."""
    return {
        "type": "function",
        "function": {"name": spec.name, "description": spec.description, "parameters": spec.parameters},
    }


def trl_message(message: Message, options: ExportOptions) -> dict[str, Any]:
    """One message in the transformers chat-template shape."""
    if options.reasoning == "inline" and message.role == "assistant":
        message = inline_reasoning(message)
    out: dict[str, Any] = {"role": message.role, "content": message.content or ""}
    if message.role == "assistant":
        if options.reasoning == "field" and message.reasoning:
            out["reasoning_content"] = message.reasoning
        if message.tool_calls:
            out["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in message.tool_calls
            ]
    if message.role == "tool":
        out["name"] = message.name
        out["tool_call_id"] = message.tool_call_id
    return out


def trl_rows(samples: Sequence[Sample], options: ExportOptions | None = None) -> list[dict[str, Any]]:
    """One TRL row per sample: language-modelling `messages`, or `prompt`/`completion` per
    assistant turn with `split_turns`."""
    options = options or ExportOptions()
    rows = []
    for unit in training_units(samples, options):
        messages = [trl_message(m, options) for m in unit.messages]
        tools = [trl_tool(t) for t in unit.tools]
        if options.split_turns:
            rows.append({"prompt": messages[:-1], "completion": messages[-1:], "tools": tools})
        else:
            rows.append({"messages": messages, "tools": tools})
    return rows


def load_trl_jsonl(path: str | Path) -> Any:
    """Load a TRL export as a `datasets.Dataset` with JSON-typed columns, so that tool arguments
    and schemas keep exactly their own keys."""
    datasets: Any = require("datasets", "hf", "Loading a TRL export as a Hugging Face dataset")
    with Path(path).open("r", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    if not hasattr(datasets, "Json"):
        raise MissingDependencyError(
            "loading tool-calling rows keeps arguments as JSON only with datasets >= 4.7 (found "
            f"{getattr(datasets, '__version__', '?')}): pip install -U 'datasets>=4.7'"
        )
    return datasets.Dataset.from_list(rows, on_mixed_types="use_json")
