"""How long a state hash takes on worlds of thousands of records.

The verifier hashes the state after every replayed call, so this is on the hot path. Compares
`state_hash` (the C JSON encoder, calling back into Python only for sets, objects, enums...) with
the pure-Python canonical walk it falls back to (`state_digest(canonical_state(x))`).

    python bench/bench_state_hash.py
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from hardgen.tools import canonical_state, state_digest, state_hash


@dataclasses.dataclass
class Row:
    id: int
    name: str
    tags: set[str]
    meta: dict[str, Any]


class ModelRow(BaseModel):
    id: int
    name: str
    tags: set[str]
    meta: dict[str, Any]


class ObjectRow:
    def __init__(self, i: int) -> None:
        self.id = i
        self.name = f"name-{i}"
        self.tags = {f"tag-{j}" for j in range(3)}
        self.meta = {"balance": i * 1.5, "history": [1, 2, 3]}
        self._cache: dict[str, Any] = {}


def _fields(i: int) -> dict[str, Any]:
    return {"id": i, "name": f"name-{i}", "tags": {f"tag-{j}" for j in range(3)},
            "meta": {"balance": i * 1.5, "history": [1, 2, 3]}}


ROWS: dict[str, Callable[[int], Any]] = {
    "dict": _fields,
    "dataclass": lambda i: Row(**_fields(i)),
    "pydantic": lambda i: ModelRow(**_fields(i)),
    "object": ObjectRow,
}


class World:
    def __init__(self, kind: str, n: int) -> None:
        self.records = {f"r{i}": ROWS[kind](i) for i in range(n)}
        self.index = {i: f"r{i}" for i in range(n)}


def _best_ms(fn: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):  # CPU time: steady even on a busy machine
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return 1000 * min(times)


def main() -> None:
    print(f"{'records':>8} {'kind':>10} {'state_hash ms':>14} {'python walk ms':>15} {'speed-up':>9}")
    speedups = []
    for n in (1_000, 10_000):
        for kind in ROWS:
            world = World(kind, n)
            fast = _best_ms(lambda w=world: state_hash(w))
            slow = _best_ms(lambda w=world: state_digest(canonical_state(w)))
            speedups.append(slow / fast)
            print(f"{n:>8} {kind:>10} {fast:>14.1f} {slow:>15.1f} {slow / fast:>8.1f}x")
    print(f"median speed-up {statistics.median(speedups):.1f}x")


if __name__ == "__main__":
    main()
