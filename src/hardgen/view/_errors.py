"""The viewer's error."""

from __future__ import annotations

from hardgen.errors import HardGenError


class ViewError(HardGenError):
    """A run directory cannot be shown (missing, not a run, unreadable files); the message says which."""
