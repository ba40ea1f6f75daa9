"""Near-duplicate detection for queries: shingled Jaccard similarity with prefix filtering.

Two texts are near-duplicates when the Jaccard similarity of their character shingle sets is at
least a threshold (0.8 by default). Comparing every pair is O(n²); instead we use the classic
prefix-filtering join (Bayardo et al., "Scaling up all pairs similarity search", WWW 2007): order
shingles rarest first; two sets with Jaccard ≥ t must share a shingle among the first
`|s| - ceil(t·|s|) + 1` of each, so only those prefixes go into an inverted index, and only pairs
that meet there (and pass the size filter) are verified exactly. The result is exact, not an
estimate as with MinHash, and deterministic.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

_SPACE_RE = re.compile(r"\s+")
_PUNCT_RE = re.compile(r"[^\w\s]")


def shingles(text: str, size: int = 5) -> frozenset[str]:
    """Character `size`-grams of `text` after lower-casing, dropping punctuation and collapsing
    whitespace. A text shorter than `size` is one shingle (itself); an empty text has none."""
    norm = _SPACE_RE.sub(" ", _PUNCT_RE.sub(" ", text.lower())).strip()
    if not norm:
        return frozenset()
    if len(norm) <= size:
        return frozenset([norm])
    return frozenset(norm[i : i + size] for i in range(len(norm) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity |a ∩ b| / |a ∪ b| (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def _prefix_length(size: int, threshold: float) -> int:
    # The small epsilon keeps ceil(0.8 * 5) at 4 despite floating point.
    return size - math.ceil(threshold * size - 1e-9) + 1


@dataclass(frozen=True)
class NearDuplicateGroups:
    """Texts grouped by near-duplication (connected components of the "similar" relation)."""

    groups: list[list[int]]
    """Indices of texts, one list per group of two or more, each sorted, groups by first index."""
    pairs: int
    """Similar pairs found (each unordered pair once)."""

    @property
    def duplicated(self) -> set[int]:
        """Indices of texts that have at least one near-duplicate."""
        return {i for group in self.groups for i in group}


def near_duplicate_groups(texts: Sequence[str], threshold: float = 0.8, shingle_size: int = 5) -> NearDuplicateGroups:
    """Find texts whose shingled Jaccard similarity is at least `threshold`.

    For people auditing a dataset's diversity and for the `hardgen stats` report. Empty texts are
    never counted as duplicates of each other (there is nothing to compare).
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    sets = [shingles(t, shingle_size) for t in texts]

    parent = list(range(len(sets)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    pairs = 0
    # Identical sets first: they need no verification and would otherwise crowd the index.
    by_set: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        if s:
            by_set[s].append(i)
    reps: list[tuple[int, frozenset[str]]] = []
    for s, members in by_set.items():
        for other in members[1:]:
            union(members[0], other)
        pairs += len(members) * (len(members) - 1) // 2
        reps.append((members[0], s))

    # Global order: rarest shingle first, ties broken by the shingle so the order is deterministic.
    freq: dict[str, int] = defaultdict(int)
    for _, s in reps:
        for g in s:
            freq[g] += 1
    ordered = [(rep, sorted(s, key=lambda g: (freq[g], g))) for rep, s in reps]
    ordered.sort(key=lambda item: (len(item[1]), item[0]))

    index: dict[str, list[int]] = defaultdict(list)  # shingle -> positions in `ordered`
    for pos, (rep, tokens) in enumerate(ordered):
        size = len(tokens)
        min_size = threshold * size - 1e-9  # earlier records are no larger (sorted by size)
        seen: set[int] = set()
        for g in tokens[: _prefix_length(size, threshold)]:
            for other_pos in index[g]:
                if other_pos in seen:
                    continue
                seen.add(other_pos)
                other_rep, other_tokens = ordered[other_pos]
                if len(other_tokens) < min_size:
                    continue
                if jaccard(sets[rep], sets[other_rep]) >= threshold - 1e-12:
                    pairs += len(by_set[sets[rep]]) * len(by_set[sets[other_rep]])
                    union(rep, other_rep)
            index[g].append(pos)

    components: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        if s:
            components[find(i)].append(i)
    groups = sorted((sorted(m) for m in components.values() if len(m) > 1), key=lambda m: m[0])
    return NearDuplicateGroups(groups=groups, pairs=pairs)
