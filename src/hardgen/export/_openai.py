"""OpenAI chat JSONL: the fine-tuning / chat-completions shape.

Each row is `{"messages": [...], "tools": [...]}`: tool calls carry their arguments as JSON strings
and `tools` are `{"type": "function", "function": {...}}` entries, as in a chat-completions
request. Reasoning goes to `reasoning_content` (the field vLLM, SGLang and DeepSeek use) or inline
as `<think>`. With `split_turns`, every earlier assistant message gets `"weight": 0` (OpenAI
fine-tuning's way to keep a message as context only), so each row trains its last turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hardgen.export._options import ExportOptions
from hardgen.export._transform import inline_reasoning, training_units
from hardgen.schema import Message, Sample


def _message(message: Message, options: ExportOptions) -> dict[str, Any]:
    if options.reasoning == "inline" and message.role == "assistant":
        message = inline_reasoning(message)
    return message.to_openai(include_reasoning=options.reasoning == "field")


def openai_rows(samples: Sequence[Sample], options: ExportOptions | None = None) -> list[dict[str, Any]]:
    """One OpenAI chat row per sample (per assistant turn with `split_turns`)."""
    options = options or ExportOptions()
    rows = []
    for unit in training_units(samples, options):
        messages = [_message(m, options) for m in unit.messages]
        context = unit.metadata.extra.get("context_messages")
        if isinstance(context, int):  # a missing function's turns before it was offered: context here
            for m in messages[:context]:
                if m["role"] == "assistant":
                    m["weight"] = 0
        if options.split_turns:
            last = len(messages) - 1
            for i, m in enumerate(messages):
                if m["role"] == "assistant" and i != last:
                    m["weight"] = 0
        rows.append({"messages": messages, "tools": [t.to_openai() for t in unit.tools]})
    return rows
