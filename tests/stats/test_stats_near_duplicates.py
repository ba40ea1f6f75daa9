"""Near-duplicate detection: the exact join finds exactly what brute force finds; LSH finds nearly
all of it and never a false pair."""

from __future__ import annotations

import itertools
import random

import pytest

from hardgen.stats import jaccard, near_duplicate_groups, shingles

WORDS = ["book", "flight", "hotel", "from", "to", "on", "for", "the", "cheapest", "city"]
WORDS += ["account", "transfer", "balance", "email", "send", "report"]


def _brute_force(texts: list[str], threshold: float) -> set[int]:
    sets = [shingles(t) for t in texts]
    dup: set[int] = set()
    for i, j in itertools.combinations(range(len(texts)), 2):
        if sets[i] and sets[j] and jaccard(sets[i], sets[j]) >= threshold:
            dup.update((i, j))
    return dup


def _corpus(seed: int, n: int = 150) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        if texts and rng.random() < 0.35:  # a light edit of an earlier text
            words = rng.choice(texts).split()
            if words:
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            texts.append(" ".join(words))
        else:
            texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 14))))
    return texts


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.95])
def test_exact_join_equals_brute_force_and_lsh_finds_nearly_all(seed: int, threshold: float) -> None:
    texts = _corpus(seed)
    expected = _brute_force(texts, threshold)
    assert near_duplicate_groups(texts, threshold, method="exact").duplicated == expected
    found = near_duplicate_groups(texts, threshold).duplicated
    assert found <= expected  # every LSH candidate was verified
    assert len(found) >= 0.95 * len(expected)


@pytest.mark.parametrize("method", ["lsh", "exact"])
def test_groups_are_connected_components(method: str) -> None:
    texts = [
        "Book the cheapest flight from Rivermist to Stonebrook on Monday.",
        "Book the cheapest flight from Rivermist to Stonebrook on Monday!",
        "Completely unrelated: what is my savings balance?",
        "Book the cheapest flight from Rivermist to Stonebrook on Monday.",
        "",
        "",
    ]
    result = near_duplicate_groups(texts, method=method)  # type: ignore[arg-type]
    assert result.groups == [[0, 1, 3]]  # empty texts are not duplicates of each other


def test_threshold_must_be_a_similarity() -> None:
    with pytest.raises(ValueError, match="threshold"):
        near_duplicate_groups(["a"], 0.0)
    with pytest.raises(ValueError, match="method"):
        near_duplicate_groups(["a"], method="minhash")  # type: ignore[arg-type]
