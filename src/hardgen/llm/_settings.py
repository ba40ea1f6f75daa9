"""A role's sampling settings, sent with every request it makes.

Roles build their requests without sampling settings of their own (a hard-coded temperature
breaks reasoning models that accept only 1.0); the user's settings for that role are filled in by
`SettingsBackend` just before the request reaches the backend, so they are part of every request
and therefore of its cache key: changing a temperature is a cache miss, not a stale answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from hardgen.llm._protocol import Backend, ChatRequest, ChatResponse
from hardgen.schema import Record


class RequestSettings(Record):
    """Sampling settings of one role. Unset fields leave the request as the role built it."""

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    """A fixed seed for every request; None keeps the per-request seed a role derives, if any."""
    extra_body: dict[str, Any] = Field(default_factory=dict)
    """Server-specific fields (`top_k`, `chat_template_kwargs`, ...), merged under the request's own."""
    send_reasoning: bool = False
    """Send earlier assistant messages' reasoning back within an episode (`reasoning_content`), as
    the Qwen3 and gpt-oss chat templates expect on tool-calling steps."""
    send_tool_names: bool = False
    """Send the non-standard `name` on tool messages (some servers want it, some reject it)."""

    def is_empty(self) -> bool:
        return not (self.extra_body or self.send_reasoning or self.send_tool_names) and all(
            getattr(self, name) is None for name in ("temperature", "top_p", "max_tokens", "seed"))

    def apply(self, request: ChatRequest) -> ChatRequest:
        """`request` with these settings filled in. A value the request sets itself wins, except
        the seed: a configured seed is the user's explicit choice for every request."""
        update: dict[str, Any] = {}
        for name in ("temperature", "top_p", "max_tokens"):
            if getattr(request, name) is None and getattr(self, name) is not None:
                update[name] = getattr(self, name)
        if self.seed is not None:
            update["seed"] = self.seed
        if self.extra_body:
            update["extra_body"] = {**self.extra_body, **(request.extra_body or {})}
        for flag in ("send_reasoning", "send_tool_names"):
            if getattr(self, flag) and not getattr(request, flag):
                update[flag] = True
        return request.model_copy(update=update) if update else request


class SettingsBackend:
    """`backend` with a role's `RequestSettings` applied to every request. Everything else (its
    accounting, `aclose`, the breaker) is the wrapped backend's."""

    def __init__(self, backend: Backend, settings: RequestSettings) -> None:
        self.backend = backend
        self.settings = settings
        self.name: str = backend.name
        self.model: str | None = backend.model

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return await self.backend.complete(self.settings.apply(request))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)

    def __repr__(self) -> str:
        return f"SettingsBackend({self.backend!r}, {self.settings!r})"


def with_settings(backend: Backend, settings: RequestSettings) -> Backend:
    """`backend` sending `settings` with every request (the backend itself when there are none)."""
    return backend if settings.is_empty() else SettingsBackend(backend, settings)
