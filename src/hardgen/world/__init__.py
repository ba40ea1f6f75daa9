"""The built-in tool world (many stateful domains) that makes HardGen run with no setup."""

from hardgen.world._domain import Chain, Domain

__all__ = ["Chain", "Domain"]
