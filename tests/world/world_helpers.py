"""Assertions shared by the per-domain world tests."""

from __future__ import annotations

from typing import Any

from hardgen.tools import Session


def ok(session: Session, tool: str, **arguments: Any) -> Any:
    """Call a tool that must succeed; return its result."""
    obs = session.call(tool, arguments)
    assert obs.ok, f"{tool}({arguments}) failed: {obs.error}"
    return obs.result


def error_type(session: Session, tool: str, **arguments: Any) -> str:
    """Call a tool that must fail with a message; return the error type."""
    obs = session.call(tool, arguments)
    assert not obs.ok, f"{tool}({arguments}) unexpectedly succeeded: {obs.result}"
    assert obs.error is not None and obs.error.message
    return obs.error.type


def fails(session: Session, tool: str, error_type: str, **arguments: Any) -> str:
    """Call a tool that must fail with `error_type`; return the message."""
    obs = session.call(tool, arguments)
    assert not obs.ok, f"{tool}({arguments}) should fail with {error_type}, got {obs.result}"
    assert obs.error is not None and obs.error.type == error_type, obs.error
    return obs.error.message
