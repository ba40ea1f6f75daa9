"""Query values for the model-free Reasoner: candidate values with the words around them, and a
scorer that matches them to a tool's parameters by context, name, type and enum."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hardgen.agents._text import tokens

_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z][A-Za-z0-9 _\-]{0,40}?)\s*:\s*(?P<value>'[^']*'|\"[^\"]*\"|[^;\n]+?)(?=\s*;|\.\s|\.?$|\n)")
_LEAD_IN = re.compile(r"\s*[A-Za-z][A-Za-z0-9 _\-]{0,40}:\s")
_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b")
_NUMBER = re.compile(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\w-])")
_ID = re.compile(r"\b[A-Z]{1,6}-\d{2,}[A-Z0-9-]*\b")
_PROPER = re.compile(r"\b(?:[A-Z][a-z]+(?:\s+(?:[A-Z][a-z]+|de|da|van|von))*)\b")


@dataclass
class QueryValue:
    text: str
    context: list[str]
    """Normalised words naming the value (a `key:` label, or the words just before it)."""
    kind: str
    start: int
    keyed: bool = False
    key: str = ""
    """The label as written (`to currency`), for keyed values."""
    used_by: set[str] = field(default_factory=set)


def extract_values(query: str) -> list[QueryValue]:
    """Candidate values of a query, most specific first (keyed pairs, quotes, emails, dates, ids,
    numbers, proper names), without overlaps."""
    found: list[QueryValue] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def before(pos: int, n: int = 4) -> list[str]:
        return tokens(query[max(0, pos - 60):pos])[-n:]

    pos = 0
    while (m := _KEY_VALUE.search(query, pos)) is not None:
        pos = m.end()
        if _LEAD_IN.match(m.group("value")):
            pos = m.start("value")  # "Details: name: X" -> the real pair starts at the value
            continue
        value = m.group("value").strip()
        if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        # "Use these details - account number: X": the label is what follows the lead-in.
        key_text = re.split(r"\s[-\u2013\u2014]\s|[,.!?]\s+", m.group("key"))[-1].strip()
        key_words = tokens(key_text)
        if not key_words or len(key_text.split()) > 5:
            continue
        found.append(QueryValue(value, key_words, "keyed", m.start("value"), keyed=True,
                                key=" ".join(key_text.lower().split())))
        taken.append((m.start("key"), m.end("value")))
    patterns: Iterable[tuple[str, re.Pattern[str]]] = (
        ("quoted", _QUOTED), ("email", _EMAIL), ("date", _DATE), ("id", _ID), ("number", _NUMBER), ("proper", _PROPER),
    )
    for kind, pattern in patterns:
        for m in pattern.finditer(query):
            if not free(m.start(), m.end()):
                continue
            text = next((g for g in m.groups() if g), m.group(0)) if m.groups() else m.group(0)
            sentence_start = query[max(0, m.start() - 2):m.start()].strip() in ("", ".", "!", "?", ",")
            if kind == "proper" and sentence_start and len(text.split()) == 1:
                continue  # a capitalised first word of a sentence is not a name
            found.append(QueryValue(text, before(m.start()), kind, m.start()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda v: v.start)


def coerce(value: str, schema: dict[str, Any]) -> Any:
    """The query text as the parameter's JSON type, or None when it cannot be."""
    types = schema.get("type")
    types = types if isinstance(types, list) else [types] if types else []
    enum = schema.get("enum")
    if enum is not None:
        for option in enum:
            if str(option).lower() == value.strip().lower():
                return option
        return None
    text = value.strip()
    if "integer" in types:
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        if re.fullmatch(r"-?\d+\.0+", text):
            return int(float(text))
    if "number" in types and re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if "boolean" in types:
        low = text.lower()
        if low in ("yes", "true", "on"):
            return True
        if low in ("no", "false", "off"):
            return False
        return None
    if "array" in types:
        items = schema.get("items", {})
        parts = [p.strip() for p in re.split(r",\s*", text) if p.strip()]
        values = [coerce(p, items) for p in parts]
        return values if all(v is not None for v in values) else None
    if not types or "string" in types:
        return text
    return None


def match_score(value: QueryValue, name: str, schema: dict[str, Any], tool: str = "") -> float:
    """How well a query value fits a parameter of `tool` (0 = not at all)."""
    if coerce(value.text, schema) is None:
        return 0.0
    name_words = set(tokens(name.replace("_", " ")))
    if value.keyed and not (name_words & set(value.context)):
        return 0.0  # a labelled value belongs to the parameter its label names
    if value.keyed and tool:
        # A label that also names a tool ("reschedule calendar event start") belongs to that tool.
        extra = set(value.context) - name_words
        if extra:
            tool_words = set(tokens(tool))
            fit = len(extra & tool_words) / len(extra)
            if fit < 0.5:
                return 0.0
            name_words = name_words | (extra & tool_words)
    desc_words = set(tokens(schema.get("description", "")))
    context = set(value.context)
    if value.keyed and not (name_words & context):
        return 0.0  # a labelled value belongs to the parameter its label names
    if name.lower().endswith("id") and not value.keyed and not _ID.fullmatch(value.text.strip()):
        return 0.0  # identifiers are looked up, not guessed from other words of the request
    score = 0.0
    if name_words and context:
        overlap = len(name_words & context) / len(name_words)
        score += 3.0 * overlap
        if value.keyed and context == name_words:
            score += 3.0
    if value.keyed and value.key == " ".join(name.replace("_", " ").replace("-", " ").lower().split()):
        score += 4.0  # the label is the parameter's own name ("to currency" for to_currency)
    score += 0.5 * len(desc_words & context) / math.sqrt(len(desc_words) + 1)
    if schema.get("enum") is not None:
        score += 2.0
    kinds = {"email": "email", "date": "date", "id": "id"}
    if value.kind in kinds and kinds[value.kind] in name_words | desc_words:
        score += 1.5
    if value.kind == "number" and schema.get("type") in ("number", "integer"):
        score += 0.5
    return score
