"""Does a final answer carry the values the user asked for, and did a result the agent obtained give them?"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any


def plain_number(value: float) -> str:
    """A float as a person writes it: without the binary noise of its last digits
    (`282.52000000000004` -> `282.52`), twelve significant digits at most."""
    return f"{value:.12g}"


def _number_forms(value: float | int) -> set[str]:
    forms = {str(value)}
    if isinstance(value, float):
        if value.is_integer():
            forms |= {str(int(value)), f"{int(value):,}"}
        forms |= {f"{value:.2f}", f"{value:,.2f}", f"{value:.1f}", repr(round(value, 2)), plain_number(value)}
    else:
        forms.add(f"{value:,}")
    return forms


def value_in_text(value: Any, text: str) -> bool:
    """Whether `value` appears in `text` (numbers in common formats, strings case-insensitively,
    as whole tokens so that 12 is not found inside 120)."""
    if value is None or isinstance(value, bool):
        return True  # not checkable as text; never required
    if isinstance(value, (int, float)):
        return any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", text) for f in _number_forms(value))
    needle = str(value).strip().lower()
    if not needle:
        return True
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text.lower()) is not None


def missing_answer_values(values: list[Any], answer: str | None) -> list[Any]:
    """The required values that the answer does not carry."""
    text = answer or ""
    return [v for v in values if not value_in_text(v, text)]


def _leaves(node: Any, depth: int = 0) -> list[Any]:
    """The scalars of a result (dict keys too: some tools key their records by id)."""
    if depth > 12:
        return []
    if isinstance(node, dict):
        out: list[Any] = []
        for key, child in node.items():
            out.append(key)
            out.extend(_leaves(child, depth + 1))
        return out
    if isinstance(node, (list, tuple, set, frozenset)):
        return [leaf for child in node for leaf in _leaves(child, depth + 1)]
    return [node]


def _same_scalar(value: Any, leaf: Any) -> bool:
    if leaf is None or isinstance(leaf, bool):
        return False
    if isinstance(value, (int, float)) and isinstance(leaf, (int, float)):
        return abs(float(value) - float(leaf)) < 1e-9 * max(1.0, abs(float(value)))
    return value_in_text(value, str(leaf))


def value_in_results(value: Any, results: Sequence[Any], texts: Sequence[str] = ()) -> bool:
    """Whether `value` appears in one of `results` (as a scalar of the result, or inside one of its
    strings as a whole token) or in one of `texts` (what the user wrote)."""
    if value_in_text(value, ""):
        return True  # not checkable as text; never required
    if any(_same_scalar(value, leaf) for result in results for leaf in _leaves(result)):
        return True
    return any(value_in_text(value, text) for text in texts)


def ungrounded_answer_values(values: list[Any], results: Sequence[Any], texts: Sequence[str] = ()) -> list[Any]:
    """The required values that no obtained result (nor the user's own words) gave: an answer that
    states them anyway guessed them."""
    return [v for v in values if not value_in_results(v, results, texts)]
