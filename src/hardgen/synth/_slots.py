"""Query values for the model-free Reasoner: candidate values with the words around them, and a
scorer that matches them to a tool's parameters by context, name, type and enum."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hardgen.agents._text import STOPWORDS, tokens

_KEY_VALUE = re.compile(r"(?P<key>[A-Za-z][A-Za-z0-9 _\-]{0,40}?)\s*:\s*(?P<value>'[^']*'|\"[^\"]*\"|[^;\n]+?)(?=\s*;|\.\s|\.?$|\n)")
_LEAD_IN = re.compile(r"\s*[A-Za-z][A-Za-z0-9 _\-]{0,40}:\s")
_QUOTED = re.compile(r"(?<![\w'])'([^']+)'(?!\w)|\"([^\"]+)\"")
_BOUNDARY = re.compile(r"[,.;!?]\s|\b(?:and|with|for|at|on|using|then|but|so|about|where)\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b")
_NUMBER = re.compile(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\w-])")
_ONE = r"-?\d+(?:\.\d+)?"
_NUMBER_LIST = re.compile(rf"(?<![\w.-]){_ONE}(?:,\s*{_ONE})*(?:,?\s+and\s+{_ONE})(?![\w-])")
"""Numbers listed as a person lists them ("3.5, 7 and 12"): one value, for a parameter taking a list."""
_ID = re.compile(r"\b[A-Za-z]{1,6}[-_]\d+[A-Za-z0-9-]*\b")
_WORD = re.compile(r"(?<![\w'-])[a-z][a-z_]+(?![\w'-])")
_REFERENCE = re.compile(
    r"\b(?:the same one as before|the same (?P<a>(?:[a-z]+ ){0,3}?)as (?:before|last time|earlier)"
    r"|the (?P<b>(?:[a-z]+ ){1,3}?)from (?:before|earlier))\b")
_NAMING_WORDS = frozenset(tokens("name title called use set make new the value number"))


def humanize_name(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("-", " ").lower().split())


_ROLE_WORDS = frozenset(tokens("name title id email label nickname"))
"""Words that say which attribute of a thing a value is: a value they name fits a parameter only if
its name has that word too."""
_BASE = {"named": "name", "called": "name", "titled": "title", "labelled": "label", "nicknamed": "nickname",
         "dated": "date", "priced": "price"}
_PARTICIPLES = re.compile(r"\b(?:" + "|".join(_BASE) + r")\b", re.I)
REFERENCE = "the same one as before"
"""What a reference to an earlier turn's value reads as (the Query Writer's REFERENCE_PHRASE)."""
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
    """Candidate values of a query, most specific first (references to an earlier turn, keyed pairs,
    quotes, emails, dates, ids, numbers, proper names, then bare lower-case words, which only fill
    parameters with a fixed set of values), without overlaps."""
    found: list[QueryValue] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def before(pos: int, n: int = 4) -> list[str]:
        return tokens(query[max(0, pos - 60):pos])[-n:]

    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(query)]
    for ref in _REFERENCE.finditer(query):
        words = tokens(ref.group("a") or ref.group("b") or "")
        found.append(QueryValue(REFERENCE, [*before(ref.start(), 3), *words], "reference", ref.start()))
        taken.append((ref.start(), ref.end()))
    pos = 0
    while (m := _KEY_VALUE.search(query, pos)) is not None:
        pos = m.end()
        if any(a <= m.start() < b for a, b in quoted) or not free(m.start(), m.end()):
            continue  # a colon inside quoted free text ("Agenda: ...") is not a label
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
        ("quoted", _QUOTED), ("email", _EMAIL), ("date", _DATE), ("id", _ID), ("numbers", _NUMBER_LIST),
        ("number", _NUMBER), ("proper", _PROPER),
        ("word", _WORD),
    )
    for kind, pattern in patterns:
        for m in pattern.finditer(query):
            if not free(m.start(), m.end()):
                continue
            text = next((g for g in m.groups() if g), m.group(0)) if m.groups() else m.group(0)
            sentence_start = query[max(0, m.start() - 2):m.start()].strip() in ("", ".", "!", "?", ",")
            if kind == "proper" and sentence_start and len(text.split()) == 1:
                continue  # a capitalised first word of a sentence is not a name
            if kind == "word" and text in STOPWORDS:
                continue
            found.append(QueryValue(text, before(m.start()), kind, m.start()))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda v: v.start)
    # An unlabelled value is named by the words since the last boundary (a comma, "and", "with",
    # "for", or the value before it): "for the traveller named Ana" -> traveller, named.
    end = 0
    for v in found:
        if not v.keyed and v.kind != "reference":
            span = query[end:v.start]
            cuts = list(_BOUNDARY.finditer(span))
            raw = _PARTICIPLES.sub(lambda m: _BASE[m.group(0).lower()], span[cuts[-1].end():] if cuts else span)
            near = tokens(raw)[-4:]
            v.context = near
            v.key = " ".join(re.findall(r"[a-z]+", raw.lower())[-6:])
        if v.kind != "word":
            end = v.start + len(v.text) + (2 if v.kind == "quoted" else 0)
    return found


def refers_back(query: str) -> bool:
    """Whether a query names a value by referring to an earlier turn ("the same order as before")."""
    return _REFERENCE.search(query) is not None


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
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                return parsed
        parts = [p.strip() for p in re.split(r",?\s+and\s+|,\s*", text) if p.strip()]
        values = [coerce(p, items) for p in parts]
        return values if all(v is not None for v in values) else None
    if not types or "string" in types:
        return text
    return None


def match_score(value: QueryValue, name: str, schema: dict[str, Any], tool: str = "") -> float:
    """How well a query value fits a parameter of `tool` (0 = not at all)."""
    if value.kind == "word" and schema.get("enum") is None and schema.get("type") != "boolean":
        return 0.0  # a bare lower-case word is a value only where the parameter has a fixed set of them
    if value.kind != "reference" and coerce(value.text, schema) is None:
        return 0.0  # (a reference stands for an earlier value, which is checked once it is found)
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
    if name.lower().endswith("id") and not value.keyed and value.kind != "reference" \
            and not _ID.fullmatch(value.text.strip()):
        return 0.0  # identifiers are looked up, not guessed from other words of the request
    if name.lower().endswith("id") and not value.keyed and value.kind != "reference" and value.context \
            and not (name_words - {"id"}) & set(value.context):
        return 0.0  # an identifier the request names for something else ("the password lamp-42")
    if not value.keyed and value.kind not in ("reference", "word") and (_ROLE_WORDS & context) - name_words \
            and name_words & context:
        return 0.0  # "the currency name is X" names a thing's name, not the currency
    score = 0.0
    if name_words and context:
        overlap = len(name_words & context) / len(name_words)
        score += 3.0 * overlap
        if value.keyed and context == name_words:
            score += 3.0
    if not value.keyed and value.kind != "word" and context and context <= name_words:
        score += 1.0  # named by the parameter's own words and nothing else ("with the name X")
    phrase = humanize_name(name)
    if not value.keyed and value.key and " " in phrase and re.search(rf"\b{re.escape(phrase)}\b", value.key):
        score += 3.0  # the parameter's own name, in order ("the to currency is"), before the value
    if not value.keyed and value.kind != "reference" and context and name_words & context:
        extra = context - name_words - set(tokens(tool)) - _NAMING_WORDS
        score -= 2.5 * len(extra) / len(context)  # "the customer name" is not any name
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
