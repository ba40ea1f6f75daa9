"""How the samples' text reads: template-likeness of queries, answers and reasoning.

A model trained on text from a handful of templates learns the templates. These figures show it:

- **query skeletons**: a sample's user text with its values masked (the gold's argument values, and
  anything quoted, numeric, dated, e-mail-, id- or name-shaped) and its filler dropped (sentences
  without a value that recur across the set: greetings, sign-offs, the same context remark), then
  compared exactly and as near-duplicates;
- **sentence frames**: the first five words of a sentence, values masked; how much of all query
  sentences the 20 most frequent frames cover;
- **copied description**: the share of query word 4-grams that also occur in the offered tools'
  descriptions (a docstring pasted into a request);
- **answers** with key-value dumps ("x done - a: 1; b: 2"), index paths (`items[0].id`) or Python
  literals (None / True / False);
- **reasoning frames**: the share of reasoning texts that open with the most frequent frame.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from hardgen.schema import Sample
from hardgen.stats._near_duplicates import near_duplicate_groups

_VALUE_PATTERNS = [re.compile(p) for p in (
    r"(?<![\w'])'[^']+'(?!\w)|\"[^\"]+\"",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b",
    r"\b[A-Za-z]{1,6}[-_]\d+[A-Za-z0-9-]*\b",
    r"-?\d[\d,]*(?:\.\d+)?",
    r"(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+)*",
)]
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"<v>|[a-z][a-z']*")
_DUMP = re.compile(r"\bdone - |(?:[\w .]{1,40}: [^;\n]{1,80}; ){2,}")
_INDEX_PATH = re.compile(r"\w\[\d+\]")
_PY_LITERAL = re.compile(r"\b(?:None|True|False)\b")
_SLOT = "<v>"


class LanguageReport(BaseModel):
    """Template-likeness of a set of samples' text (see the module docstring)."""

    samples: int = 0
    query_sentences: int = 0
    distinct_query_skeletons: int = 0
    skeletons_per_100_samples: float = 0.0
    """Distinct skeletons per 100 samples (100 = no two samples share a skeleton)."""
    exact_duplicate_skeletons: int = 0
    """Samples whose skeleton another sample has too."""
    near_duplicate_skeletons: int = 0
    """Samples whose skeleton has a near-duplicate (Jaccard of character 5-shingles >= 0.8)."""
    top20_frame_share: float = 0.0
    """Share of query sentences whose frame is one of the 20 most frequent."""
    top_query_frames: list[tuple[str, int]] = Field(default_factory=list)
    description_4gram_share: float = 0.0
    """Share of query word 4-grams found in the offered tools' descriptions."""
    answers: int = 0
    answers_with_dumps: int = 0
    answers_with_index_paths: int = 0
    answers_with_python_literals: int = 0
    reasoning_texts: int = 0
    top_reasoning_frame: str = ""
    top_reasoning_frame_share: float = 0.0
    """Share of reasoning texts that open with the most frequent frame."""


def _atoms(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _atoms(v)
    elif isinstance(value, list):
        for v in value:
            yield from _atoms(v)
    elif value is not None and not isinstance(value, bool):
        yield value


def mask_values(text: str, values: Iterable[Any] = ()) -> str:
    """`text` with known values and value-shaped spans replaced by <v>, lower-cased."""
    for value in sorted({str(v) for v in values if len(str(v)) >= 2}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", _SLOT, text, flags=re.I)
    for pattern in _VALUE_PATTERNS:
        text = pattern.sub(_SLOT, text)
    return re.sub(r"(?:<v>[\s,]*)+<v>", _SLOT, " ".join(text.split())).lower()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def frame(sentence: str, n: int = 5) -> str:
    """The first `n` words of a (masked) sentence."""
    return " ".join(_WORD.findall(sentence.lower())[:n])


def _sample_values(sample: Sample) -> list[Any]:
    values: list[Any] = []
    for turn in sample.gold:
        for step in turn.steps:
            values.extend(_atoms(step.call.arguments))
        values.extend(_atoms(turn.answer_values))
    return values


def _grams(words: Sequence[str], n: int = 4) -> list[tuple[str, ...]]:
    return [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]


def language_report(samples: Sequence[Sample]) -> LanguageReport:
    n = len(samples)
    if not n:
        return LanguageReport()
    masked_turns: list[list[str]] = []
    for sample in samples:
        values = _sample_values(sample)
        masked_turns.append([mask_values(m.content or "", values) for m in sample.messages if m.role == "user"])
    per_sample = [[s for turn in turns for s in sentences(turn)] for turns in masked_turns]
    all_sentences = [s for ss in per_sample for s in ss]
    # Filler: value-free sentences that recur (greetings, sign-offs, the same remark).
    df = Counter(s for ss in per_sample for s in set(ss))
    cutoff = max(3, round(0.02 * n))
    filler = {s for s, c in df.items() if c >= cutoff and _SLOT not in s}
    skeletons = [" ".join(s for s in ss if s not in filler) for ss in per_sample]
    counts = Counter(skeletons)
    near = near_duplicate_groups(skeletons, 0.8, 5, "lsh")
    frames = Counter(frame(s) for s in all_sentences)
    top = frames.most_common(20)

    query_grams = copied = 0
    for sample in samples:
        described = {g for t in sample.tools for g in _grams(_WORD.findall((t.description or "").lower()))}
        for m in sample.messages:
            if m.role != "user":
                continue
            grams = [g for g in _grams(_WORD.findall(mask_values(m.content or "", _sample_values(sample))))
                     if _SLOT not in g]
            query_grams += len(grams)
            copied += sum(1 for g in grams if g in described)

    answers = [m.content or "" for s in samples for m in s.messages
               if m.role == "assistant" and not m.tool_calls and m.content]
    reasoning = [mask_values(m.reasoning, _sample_values(s)) for s in samples for m in s.messages
                 if m.role == "assistant" and m.reasoning]
    reasoning_frames = Counter(frame(r) for r in reasoning)
    top_reasoning = reasoning_frames.most_common(1)

    def ratio(part: int, whole: int) -> float:
        return round(part / whole, 4) if whole else 0.0

    return LanguageReport(
        samples=n,
        query_sentences=len(all_sentences),
        distinct_query_skeletons=len(counts),
        skeletons_per_100_samples=round(100 * len(counts) / n, 1),
        exact_duplicate_skeletons=sum(c for c in counts.values() if c > 1),
        near_duplicate_skeletons=len(near.duplicated),
        top20_frame_share=ratio(sum(c for _, c in top), len(all_sentences)),
        top_query_frames=frames.most_common(5),
        description_4gram_share=ratio(copied, query_grams),
        answers=len(answers),
        answers_with_dumps=sum(1 for a in answers if _DUMP.search(a)),
        answers_with_index_paths=sum(1 for a in answers if _INDEX_PATH.search(a)),
        answers_with_python_literals=sum(1 for a in answers if _PY_LITERAL.search(a)),
        reasoning_texts=len(reasoning),
        top_reasoning_frame=top_reasoning[0][0] if top_reasoning else "",
        top_reasoning_frame_share=ratio(top_reasoning[0][1], len(reasoning)) if top_reasoning else 0.0,
    )
