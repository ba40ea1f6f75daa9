"""A module of plain functions: the module adapter's tool source."""

from __future__ import annotations

from math import sqrt  # imported, not defined here: not a tool

__all__ = ["add", "hypotenuse", "shout", "sqrt"]


def add(a: int, b: int = 0) -> int:
    """Add two integers.

    Args:
        a: First addend.
        b: Second addend.
    """
    return a + b


def hypotenuse(x: float, y: float) -> float:
    """Length of the hypotenuse."""
    return sqrt(x * x + y * y)


def shout(text: str) -> str:
    """Upper-case a text."""
    if not text:
        raise ValueError("nothing to shout")
    return text.upper()


def _helper() -> None:  # private: not a tool
    return None
