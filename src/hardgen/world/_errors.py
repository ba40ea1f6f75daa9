"""Errors the built-in tools raise. The environment turns each into an observation the agent sees
(`{"error": {"type": "NotFoundError", "message": ...}}`), so names and messages are written for an
agent to recover from: say what was wrong and, where it helps, what to do instead."""

from __future__ import annotations


class WorldToolError(Exception):
    """Base class of the built-in tools' errors."""


class NotFoundError(WorldToolError):
    """An id, name or path does not exist."""


class InvalidArgumentError(WorldToolError):
    """A value is well-typed but not acceptable (negative amount, unknown code, bad date)."""


class NotLoggedInError(WorldToolError):
    """The tool needs an authenticated session first."""


class AuthenticationError(WorldToolError):
    """Credentials were wrong."""


class PermissionDeniedError(WorldToolError):
    """The caller may not do this (wrong owner, locked resource)."""


class InsufficientFundsError(WorldToolError):
    """Not enough balance, credit or stock."""


class InvalidStateError(WorldToolError):
    """The object is in a state that does not allow this transition (e.g. cancel a shipped order)."""


class ConflictError(WorldToolError):
    """The thing already exists or collides with another (duplicate name, overlapping booking)."""
