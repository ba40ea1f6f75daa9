"""Near-duplicate detection for queries: shingled Jaccard similarity, found through an index.

Two texts are near-duplicates when the Jaccard similarity of their character shingle sets is at
least a threshold (0.8 by default); near-duplicates are grouped into connected components.
Comparing every pair is O(n²), so two indexed methods:

- `lsh` (default): MinHash locality-sensitive hashing. Each text gets a 32-value signature by
  one-permutation hashing with rotation densification (Shrivastava & Li, ICML 2014), cut into 8
  bands of 4; texts sharing a band bucket are candidates, and a candidate joins a group only after
  its exact Jaccard is checked. Each bucket keeps a few representatives of distinct groups, so the
  work per text is bounded and the whole run is linear, even when most texts are near-duplicates
  (templated queries). Precision is exact; recall per pair at J = 0.8 is about 98%, higher above (see
  bench/bench_stats_near_duplicates.py for the share of near-duplicates found against `exact`).
- `exact`: the prefix-filtering join (Bayardo et al., WWW 2007): shingles ordered rarest first, two
  sets with Jaccard ≥ t share one of the first `|s| - ceil(t·|s|) + 1` shingles of each, so only
  those go into an inverted index. Exact, but its cost grows with the number of similar pairs.

Both are deterministic (shingles are hashed with BLAKE2b, not Python's salted `hash`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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


class _Components:
    """Union-find over text indices."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


@dataclass(frozen=True)
class NearDuplicateGroups:
    """Texts grouped by near-duplication (connected components of the "similar" relation)."""

    groups: list[list[int]]
    """Indices of texts, one list per group of two or more, each sorted, groups by first index."""
    method: str
    """`lsh` or `exact`."""

    @property
    def duplicated(self) -> set[int]:
        """Indices of texts that have at least one near-duplicate."""
        return {i for group in self.groups for i in group}


def _join_exact(reps: list[tuple[int, frozenset[str]]], threshold: float, comps: _Components) -> None:
    freq: dict[str, int] = defaultdict(int)
    for _, s in reps:
        for g in s:
            freq[g] += 1
    # Global order: rarest shingle first, ties broken by the shingle so the order is deterministic.
    ordered = [(rep, s, sorted(s, key=lambda g: (freq[g], g))) for rep, s in reps]
    ordered.sort(key=lambda item: (len(item[1]), item[0]))
    index: dict[str, list[int]] = defaultdict(list)  # shingle -> positions in `ordered`
    for pos, (rep, s, tokens) in enumerate(ordered):
        min_size = threshold * len(s) - 1e-9  # earlier records are no larger (sorted by size)
        seen: set[int] = set()
        for g in tokens[: _prefix_length(len(s), threshold)]:
            for other_pos in index[g]:
                if other_pos in seen:
                    continue
                seen.add(other_pos)
                other_rep, other_s, _ = ordered[other_pos]
                if len(other_s) < min_size or comps.find(rep) == comps.find(other_rep):
                    continue  # too small to reach the threshold, or already in one group
                if jaccard(s, other_s) >= threshold - 1e-12:
                    comps.union(rep, other_rep)
            index[g].append(pos)


_BINS = 32  # signature length (a power of two: the bin is the hash's low bits)
_ROWS = 4  # values per band: 8 bands
_REPRESENTATIVES = 4  # groups a bucket keeps a member of (8 gains <1% recall for 1.5x the time)
_ROTATION = 1 << 60  # offset per step of densification, above any bin value (hashes >> 5 < 2**59)


def _signature(s: frozenset[str], cache: dict[str, int]) -> list[int]:
    sig = [-1] * _BINS
    for g in s:
        h = cache.get(g)
        if h is None:
            h = cache[g] = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
        b, v = h & (_BINS - 1), h >> 5
        if sig[b] < 0 or v < sig[b]:
            sig[b] = v
    if -1 in sig:  # an empty bin borrows from the next non-empty one to its right, marked by distance
        filled = list(sig)
        for i in range(_BINS):
            if sig[i] < 0:
                j, d = (i + 1) % _BINS, 1
                while sig[j] < 0:
                    j, d = (j + 1) % _BINS, d + 1
                filled[i] = sig[j] + d * _ROTATION
        sig = filled
    return sig


def _join_lsh(reps: list[tuple[int, frozenset[str]]], threshold: float, comps: _Components) -> None:
    cache: dict[str, int] = {}
    buckets: dict[tuple[int, ...], list[int]] = {}
    sets = dict(reps)
    for rep, s in reps:
        sig = _signature(s, cache)
        checked: set[int] = set()
        for band in range(0, _BINS, _ROWS):
            members = buckets.setdefault((band, *sig[band : band + _ROWS]), [])
            represented = False
            for m in members:
                if comps.find(m) == comps.find(rep):
                    represented = True
                elif m not in checked:
                    checked.add(m)
                    other = sets[m]
                    if min(len(s), len(other)) < threshold * max(len(s), len(other)) - 1e-9:
                        continue  # sizes alone rule out the threshold
                    if jaccard(s, other) >= threshold - 1e-12:
                        comps.union(rep, m)
                        represented = True
            if not represented and len(members) < _REPRESENTATIVES:
                members.append(rep)


def near_duplicate_groups(
    texts: Sequence[str],
    threshold: float = 0.8,
    shingle_size: int = 5,
    method: Literal["lsh", "exact"] = "lsh",
) -> NearDuplicateGroups:
    """Group texts whose shingled Jaccard similarity is at least `threshold` (see the module
    docstring for the two methods).

    For people auditing a dataset's diversity and for the `hardgen stats` report. Empty texts are
    never counted as duplicates of each other (there is nothing to compare).
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if method not in ("lsh", "exact"):
        raise ValueError(f"method must be 'lsh' or 'exact', got {method!r}")
    sets = [shingles(t, shingle_size) for t in texts]
    comps = _Components(len(sets))
    # Identical sets first: they need no hashing or verification and would crowd the index.
    by_set: dict[frozenset[str], int] = {}
    reps: list[tuple[int, frozenset[str]]] = []
    for i, s in enumerate(sets):
        if not s:
            continue
        if s in by_set:
            comps.union(by_set[s], i)
        else:
            by_set[s] = i
            reps.append((i, s))
    (_join_exact if method == "exact" else _join_lsh)(reps, threshold, comps)

    members: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        if s:
            members[comps.find(i)].append(i)
    groups = sorted((sorted(m) for m in members.values() if len(m) > 1), key=lambda m: m[0])
    return NearDuplicateGroups(groups=groups, method=method)
