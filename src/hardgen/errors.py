"""Exceptions HardGen raises to its caller (as opposed to tool errors, which become observations)."""

from __future__ import annotations


class HardGenError(Exception):
    """Base class of every error HardGen raises on purpose."""


class ToolDefinitionError(HardGenError):
    """A tool's signature, docstring or JSON docs cannot be turned into a valid schema."""


class EnvironmentLoadError(HardGenError):
    """An environment could not be built or loaded with its initial state."""


class ConfigError(HardGenError):
    """A configuration file or option is invalid."""


class RunStoppedError(HardGenError):
    """A run stopped before its end because a model server cannot serve it; the message says why and
    what to fix. Everything written so far is kept, and `--resume` goes on from it."""


class MissingDependencyError(HardGenError, ImportError):
    """An optional dependency is needed for this feature; the message says what to install."""


def require(module: str, extra: str, feature: str) -> object:
    """Import an optional dependency lazily, or raise with the exact install command."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{feature} needs the optional dependency {module!r}: pip install 'hardgen[{extra}]'"
        ) from exc
