"""ToolSpec: a function an agent may call, in the OpenAI function shape plus HardGen metadata."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from hardgen.schema._base import Record

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")


class ToolSpec(Record):
    """A tool offered to an agent.

    `parameters` and `returns` are JSON Schema objects. The OpenAI wire shape is produced by
    `to_openai()`; the extra metadata never reaches a model.
    """

    name: str
    """Function name as the model sees it (OpenAI rules: letters, digits, `_` and `-`, at most 64)."""
    description: str = ""
    """What the tool does, for a model deciding whether to call it."""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    """JSON Schema of the arguments (always an object schema)."""
    returns: dict[str, Any] | None = None
    """JSON Schema of the result, when known."""
    mutates: bool = False
    """Whether calling the tool may change environment state (a write tool)."""
    environment: str | None = None
    """Name of the environment that provides the tool."""
    hints: dict[str, Any] = Field(default_factory=dict)
    """Free-form hints for the graph builder, e.g. {"requires": ["login"]}."""
    kind: Literal["primitive", "advanced"] = "primitive"
    """Primitive tools execute directly; advanced tools are composites made by the Tool Maker."""

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError(
                f"tool name {value!r} is not a valid function name "
                "(letters, digits, '_' or '-', starting with a letter or '_', at most 64 characters)"
            )
        return value

    @field_validator("parameters")
    @classmethod
    def _check_parameters(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value.get("type", "object") != "object":
            raise ValueError(f"parameters must be an object schema, got type {value.get('type')!r}")
        props = value.get("properties", {})
        if not isinstance(props, dict):
            raise ValueError("parameters.properties must be a mapping of parameter name to schema")
        for req in value.get("required", []):
            if req not in props:
                raise ValueError(f"required parameter {req!r} is not declared in properties")
        return value

    @property
    def parameter_names(self) -> list[str]:
        return list(self.parameters.get("properties", {}))

    @property
    def required(self) -> list[str]:
        return list(self.parameters.get("required", []))

    def to_openai(self) -> dict[str, Any]:
        """The `tools=[...]` entry for an OpenAI-compatible chat-completions request."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }

    @classmethod
    def from_openai(cls, data: dict[str, Any], **metadata: Any) -> ToolSpec:
        """Read an OpenAI `tools` entry (with or without the `{"type": "function"}` wrapper)."""
        fn = data.get("function", data)
        return cls(
            name=fn.get("name"),  # missing: a ValidationError (a ValueError), not a KeyError
            description=fn.get("description", ""),
            parameters=fn.get("parameters") or {"type": "object", "properties": {}},
            **metadata,
        )
