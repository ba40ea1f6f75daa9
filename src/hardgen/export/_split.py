"""Train/test split by advanced tool: no test sample uses an advanced tool seen in training.

Held-out evaluation of tool-use data is only meaningful when the test tasks are new compositions,
not paraphrases of training ones. Samples that share an advanced tool (`metadata.advanced_tools`)
are linked; each connected group goes wholly to one side. Samples without advanced tools are
groups of one. Groups are shuffled with the seed and taken into the test split while they fit the
target size, so the split is deterministic for a seed and the test share is as close to the asked
fraction as the groups allow (a group larger than what is left is skipped, never cut).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from pydantic import BaseModel, Field

from hardgen.schema import Sample


class DatasetSplit(BaseModel):
    """A train/test split and its report."""

    train: list[Sample] = Field(default_factory=list)
    test: list[Sample] = Field(default_factory=list)
    test_fraction: float = 0.0
    """The asked share of test samples."""
    seed: int = 0
    groups: int = 0
    """Groups of samples linked by shared advanced tools."""
    largest_group: int = 0
    """Samples in the largest group (a group is never split, so it bounds how exact the split can be)."""
    train_advanced_tools: list[str] = Field(default_factory=list)
    test_advanced_tools: list[str] = Field(default_factory=list)

    def report(self) -> dict[str, object]:
        """Sizes and tool counts, for people and for `split.json`."""
        total = len(self.train) + len(self.test)
        return {
            "train": len(self.train),
            "test": len(self.test),
            "test_fraction_asked": self.test_fraction,
            "test_fraction_actual": round(len(self.test) / total, 4) if total else 0.0,
            "seed": self.seed,
            "groups": self.groups,
            "largest_group": self.largest_group,
            "train_advanced_tools": len(self.train_advanced_tools),
            "test_advanced_tools": len(self.test_advanced_tools),
            "shared_advanced_tools": len(set(self.train_advanced_tools) & set(self.test_advanced_tools)),
        }


def _groups(samples: Sequence[Sample]) -> list[list[int]]:
    parent = list(range(len(samples)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, sample in enumerate(samples):
        for tool in sample.metadata.advanced_tools:
            if tool in owner:
                a, b = find(owner[tool]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[tool] = i
    members: dict[int, list[int]] = {}
    for i in range(len(samples)):
        members.setdefault(find(i), []).append(i)
    # Ordered by first sample, so the shuffle below depends on the seed and the input order only.
    return sorted(members.values(), key=lambda m: m[0])


def split_by_advanced_tool(samples: Sequence[Sample], test_fraction: float, seed: int = 0) -> DatasetSplit:
    """Split `samples` so that no advanced tool appears on both sides; see the module docstring.

    Within each side, samples keep their input order.
    """
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    groups = _groups(samples)
    target = round(test_fraction * len(samples))
    order = list(range(len(groups)))
    random.Random(seed).shuffle(order)
    test_idx: set[int] = set()
    for g in order:
        if len(test_idx) >= target:
            break
        if len(test_idx) + len(groups[g]) <= target:
            test_idx.update(groups[g])
    train = [s for i, s in enumerate(samples) if i not in test_idx]
    test = [s for i, s in enumerate(samples) if i in test_idx]
    return DatasetSplit(
        train=train,
        test=test,
        test_fraction=test_fraction,
        seed=seed,
        groups=len(groups),
        largest_group=max((len(g) for g in groups), default=0),
        train_advanced_tools=sorted({t for s in train for t in s.metadata.advanced_tools}),
        test_advanced_tools=sorted({t for s in test for t in s.metadata.advanced_tools}),
    )
