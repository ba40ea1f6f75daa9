"""The metadata-only `@tool` decorator: it marks a function, it never wraps the call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])

TOOL_ATTRIBUTE = "__hardgen_tool__"


@dataclass(frozen=True)
class ToolMeta:
    """What `@tool` records on a function."""

    mutates: bool = False
    """The tool may change environment state (a write tool)."""
    name: str | None = None
    """Name override (default: the function name)."""
    hints: dict[str, Any] = field(default_factory=dict)
    """Hints for the graph builder, e.g. {"requires": ["login"]} or {"produces": ["order_id"]}."""


@overload
def tool(fn: F) -> F: ...


@overload
def tool(
    fn: None = None, *, mutates: bool = False, name: str | None = None, **hints: Any
) -> Callable[[F], F]: ...


def tool(
    fn: F | None = None, *, mutates: bool = False, name: str | None = None, **hints: Any
) -> F | Callable[[F], F]:
    """Mark a function or method as a tool.

    ``@tool`` declares a read tool, ``@tool(mutates=True)`` a write tool. Keyword hints are kept
    for the API graph (for example ``requires=["login"]``). The function itself is returned
    unchanged, so it stays an ordinary, testable Python function.
    """

    def mark(f: F) -> F:
        setattr(f, TOOL_ATTRIBUTE, ToolMeta(mutates=mutates, name=name, hints=dict(hints)))
        return f

    return mark(fn) if fn is not None else mark


def tool_meta(fn: Any) -> ToolMeta | None:
    """The `@tool` metadata of a function, or None when it is not marked."""
    return getattr(fn, TOOL_ATTRIBUTE, None)
