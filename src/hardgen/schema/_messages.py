"""ToolCall and Message in the OpenAI chat-completions shape.

Inside HardGen a call's arguments are a dict; they become a JSON string only on the wire to an
OpenAI endpoint (`to_openai` / `from_openai`).
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from pydantic import Field

from hardgen.schema._base import Record

Role = Literal["system", "user", "assistant", "tool"]


def new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:16]


class ToolCall(Record):
    """One function call requested by an assistant."""

    id: str = Field(default_factory=new_call_id)
    """Call id, echoed by the tool message that answers it."""
    name: str
    """Name of the tool to call."""
    arguments: dict[str, Any] = Field(default_factory=dict)
    """Arguments as a JSON object (a dict, never a string, inside HardGen)."""

    def to_openai(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": json.dumps(self.arguments, ensure_ascii=False)},
        }

    @classmethod
    def from_openai(cls, data: dict[str, Any]) -> ToolCall:
        """Read a wire tool call. Raises ValueError when the arguments are not a JSON object."""
        fn = data.get("function", data) if isinstance(data, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise ValueError(f"a tool call needs a function name: {str(data)[:200]}")
        raw = fn.get("arguments", {})
        if raw is None:  # some servers send null for a call without arguments
            raw = {}
        if isinstance(raw, str):
            try:
                raw = json.loads(raw) if raw.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f"arguments of call to {fn.get('name')!r} are not valid JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise ValueError(f"arguments of call to {fn.get('name')!r} must be a JSON object")
        kwargs: dict[str, Any] = {"name": fn["name"], "arguments": raw}
        if data.get("id"):
            kwargs["id"] = data["id"]
        return cls(**kwargs)


class Message(Record):
    """A chat message. `reasoning` holds the assistant's chain of thought, kept apart from `content`."""

    role: Role
    content: str | None = None
    reasoning: str | None = None
    """Assistant reasoning (`reasoning_content` / `<think>` on the wire)."""
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    """For role `tool`: the id of the call this message answers."""
    name: str | None = None
    """For role `tool`: the tool's name."""

    def to_openai(self, include_reasoning: bool = False, include_name: bool = True) -> dict[str, Any]:
        """The wire message. Reasoning is omitted unless asked for (most servers reject it), as
        `reasoning_content`. A tool message's `name` is not in the chat-completions standard (some
        providers reject it): `include_name=False` leaves it out; exported files keep it by default."""
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = [c.to_openai() for c in self.tool_calls]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if include_name and self.name is not None and self.role == "tool":
            out["name"] = self.name
        if include_reasoning and self.reasoning:
            out["reasoning_content"] = self.reasoning
        return out

    @classmethod
    def from_openai(cls, data: dict[str, Any]) -> Message:
        calls = data.get("tool_calls") or None
        content = data.get("content")
        if isinstance(content, list):  # content parts: keep the text ones
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        # Unchecked here on purpose: pydantic rejects a missing or unknown role (ValidationError, a ValueError).
        role: Any = data.get("role")
        return cls(
            role=role,
            content=content,
            reasoning=data.get("reasoning_content") or data.get("reasoning"),
            tool_calls=[ToolCall.from_openai(c) for c in calls] if calls else None,
            tool_call_id=data.get("tool_call_id"),
            name=data.get("name"),
        )

    @classmethod
    def system(cls, content: str) -> Message:
        return cls(role="system", content=content)

    @classmethod
    def user(cls, content: str) -> Message:
        return cls(role="user", content=content)

    @classmethod
    def assistant(
        cls, content: str | None = None, tool_calls: list[ToolCall] | None = None, reasoning: str | None = None
    ) -> Message:
        return cls(role="assistant", content=content, tool_calls=tool_calls or None, reasoning=reasoning)

    @classmethod
    def tool(cls, call: ToolCall, content: str) -> Message:
        return cls(role="tool", content=content, tool_call_id=call.id, name=call.name)
