"""Lexical tool retrieval: which offered tool does a request ask for?

Each tool is a small document made of weighted fields (name words count most, then parameter names,
description, parameter descriptions and enum options); a request is scored against every tool with
BM25 over that collection. Literal values in the request (quoted text, names, ids, numbers) are
masked first and e-mails, dates, amounts and paths are replaced by a word for their kind, so that
"send 'let's book lunch' to Alice" looks for a sending tool, not a booking one.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hardgen.agents._literals import QueryLiteral
from hardgen.agents._text import tokens
from hardgen.schema import ToolSpec

# Field weights of a tool document.
NAME_WEIGHT = 3.0
PARAMETER_NAME_WEIGHT = 1.0
DESCRIPTION_WEIGHT = 1.0
PARAMETER_DESCRIPTION_WEIGHT = 0.5
ENUM_WEIGHT = 0.5

BM25_K1 = 1.2
BM25_B = 0.75

# Words so common in tool documents that matching only them does not make a tool relevant.
GENERIC_TERMS = frozenset(
    tokens(
        "get list set add create update delete search information detail id name number value data current "
        "user item type result return given specific the a new all by"
    )
)

# Phrase cues whose text is content to deliver (a message body, a title), not words of the request.
_CONTENT_CUES = frozenset(
    {"that says", "which says", "that reads", "saying", "says", "reading", "titled", "entitled", "called",
     "named", "subject", "telling them", "asking them", "asking"}
    | {f"with {a}{f}" for a in ("", "the ") for f in ("message", "text", "note", "subject", "title", "content",
                                                      "body", "caption", "comment", "description")}
)  # fmt: skip

_CUE_BEFORE = re.compile(
    r"\b(?:that says|which says|that reads|saying|says|reading|titled|entitled|called|named)\s*:?\s*$", re.IGNORECASE
)

_KIND_WORDS = {
    "email": "email",
    "url": "url link",
    "date": "date",
    "datetime": "date time",
    "time": "time",
    "amount": "amount",
    "percent": "percent",
}


@dataclass(frozen=True)
class ToolMatch:
    """A tool's retrieval score for a request."""

    tool: ToolSpec
    score: float
    matched: tuple[str, ...]
    """Normalised request words found in the tool's document, best first."""

    @property
    def relevant(self) -> bool:
        """Whether a word that is not generic matched, or two generic ones did (a `get` alone says
        nothing; `user id` does)."""
        return len(self.matched) >= 2 or any(t not in GENERIC_TERMS for t in self.matched)


def _schema_words(schema: Any, out: defaultdict[str, float], depth: int = 0) -> None:
    """Words of nested parameter schemas (objects, arrays, anyOf), at parameter-description weight."""
    if not isinstance(schema, dict) or depth > 3:
        return
    for key in ("items", "additionalProperties"):
        _schema_words(schema.get(key), out, depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []) or []:
            _schema_words(sub, out, depth + 1)
    for name, sub in (schema.get("properties") or {}).items():
        for t in tokens(name):
            out[t] += PARAMETER_DESCRIPTION_WEIGHT
        _schema_words(sub, out, depth + 1)
    if isinstance(schema.get("description"), str) and depth > 0:
        for t in tokens(schema["description"]):
            out[t] += PARAMETER_DESCRIPTION_WEIGHT
    for option in schema.get("enum", []) or []:
        if isinstance(option, str):
            for t in tokens(option):
                out[t] += ENUM_WEIGHT


def tool_document(tool: ToolSpec) -> defaultdict[str, float]:
    """The weighted bag of words that represents `tool` for retrieval."""
    doc: defaultdict[str, float] = defaultdict(float)  # float weights: a Counter types its counts as int
    for t in tokens(tool.name):
        doc[t] += NAME_WEIGHT
    for t in tokens(tool.description):
        doc[t] += DESCRIPTION_WEIGHT
    for name, schema in (tool.parameters.get("properties") or {}).items():
        for t in tokens(name):
            doc[t] += PARAMETER_NAME_WEIGHT
        if isinstance(schema, dict):
            if isinstance(schema.get("description"), str):
                for t in tokens(schema["description"]):
                    doc[t] += PARAMETER_DESCRIPTION_WEIGHT
            _schema_words({k: v for k, v in schema.items() if k != "description"}, doc, 1)
    return doc


def request_terms(text: str, literals: Sequence[QueryLiteral] = ()) -> list[str]:
    """The request's words for retrieval: literal values masked, typed values replaced by their kind."""
    spans: list[tuple[int, int, str]] = []
    for lit in literals:
        if lit.kind == "phrase" and lit.cue not in _CONTENT_CUES:
            continue  # "search for wireless headphones": these words describe what is wanted
        if lit.kind == "path":
            replacement = "file" if "." in lit.text.rsplit("/", 1)[-1] else "path"
        else:
            replacement = _KIND_WORDS.get(lit.kind, "")
        start = lit.start
        if lit.kind in {"quoted", "phrase"}:
            # The cue of a content value ("saying", "titled") belongs to the value, not the request.
            cue = _CUE_BEFORE.search(text[: lit.start])
            if cue:
                start = cue.start()
        spans.append((start, lit.end, replacement))
    spans.sort()
    pieces, cursor = [], 0
    for start, end, replacement in spans:
        if start < cursor:  # overlapping literal (a phrase over a name): already masked
            continue
        pieces.append(text[cursor:start])
        pieces.append(f" {replacement} ")
        cursor = end
    pieces.append(text[cursor:])
    return tokens("".join(pieces))


class ToolIndex:
    """BM25 over the offered tools. Build once per request; `rank` any text against it."""

    def __init__(self, tools: Sequence[ToolSpec]) -> None:
        self.tools = list(tools)
        self.documents = [tool_document(t) for t in self.tools]
        self.lengths = [sum(d.values()) for d in self.documents]
        self.average_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        self.document_frequency: Counter[str] = Counter()
        for doc in self.documents:
            self.document_frequency.update(doc.keys())

    def idf(self, term: str) -> float:
        n = len(self.documents)
        df = self.document_frequency.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def rank(self, terms: Sequence[str]) -> list[ToolMatch]:
        """Every tool with its score for `terms`, best first; ties keep the offered order."""
        unique = list(dict.fromkeys(terms))
        matches = []
        for position, (tool, doc, length) in enumerate(zip(self.tools, self.documents, self.lengths, strict=True)):
            score = 0.0
            hits: list[tuple[float, str]] = []
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / (self.average_length or 1.0))
            for term in unique:
                tf = doc.get(term, 0.0)
                if tf <= 0:
                    continue
                gain = self.idf(term) * tf * (BM25_K1 + 1) / (tf + norm)
                score += gain
                hits.append((gain, term))
            hits.sort(key=lambda h: -h[0])
            matches.append((-score, position, ToolMatch(tool, round(score, 6), tuple(t for _, t in hits))))
        return [m for _, _, m in sorted(matches, key=lambda m: (m[0], m[1]))]
