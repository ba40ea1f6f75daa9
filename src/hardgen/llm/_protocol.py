"""The one interface through which every role talks to a model."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from pydantic import Field

from hardgen.schema import Message, Record, ToolSpec


class ChatRequest(Record):
    """A chat-completion request in canonical form (also the response-cache key)."""

    messages: list[Message]
    tools: list[ToolSpec] | None = None
    response_schema: dict[str, Any] | None = None
    """JSON Schema for structured output, when the role wants JSON back."""
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    stop: list[str] | None = None
    tool_choice: str | None = None
    """`auto`, `none` or `required` (None: the server's default)."""
    extra_body: dict[str, Any] | None = None
    """Server-specific options merged into the request body (over the backend's own `extra_body`), e.g.
    `{"chat_template_kwargs": {"enable_thinking": False}}` or `{"top_k": 20}`; part of the cache key."""
    send_reasoning: bool = False
    """Send each assistant message's `reasoning` back as `reasoning_content` (what Qwen3 and gpt-oss
    chat templates expect on the tool-calling steps of a turn). Off by default: hosted APIs reject
    unknown message fields, and the reasoning costs prompt tokens."""
    send_tool_names: bool = False
    """Send the tool's `name` on tool messages. Not in the chat-completions standard and rejected by
    some providers, so off by default; the `tool_call_id` links a result to its call either way."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Not sent to the model: who asked (role, unit id), for accounting and logs."""


class Usage(Record):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ChatResponse(Record):
    message: Message
    """The assistant message, tool calls parsed into `tool_calls`, reasoning into `reasoning`."""
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    cache_hit: bool = False
    model: str | None = None
    parse_errors: list[str] = Field(default_factory=list)
    """Problems met while reading the model's output (malformed tool-call text, bad JSON)."""


@runtime_checkable
class Backend(Protocol):
    """Async chat completion with tools. Implementations: OpenAI-compatible, model-free."""

    name: str
    """Short label for provenance, e.g. `openai-compatible` or `model-free`."""
    model: str | None

    async def complete(self, request: ChatRequest) -> ChatResponse: ...
