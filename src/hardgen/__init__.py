"""HardGen: hard, execution-verified training samples for tool-using LLM agents."""

from hardgen._version import __version__

__all__ = ["__version__"]
