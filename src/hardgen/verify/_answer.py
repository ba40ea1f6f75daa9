"""Does a final answer carry the values the user asked for?"""

from __future__ import annotations

import re
from typing import Any


def _number_forms(value: float | int) -> set[str]:
    forms = {str(value)}
    if isinstance(value, float):
        if value.is_integer():
            forms |= {str(int(value)), f"{int(value):,}"}
        forms |= {f"{value:.2f}", f"{value:,.2f}", f"{value:.1f}", repr(round(value, 2))}
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
