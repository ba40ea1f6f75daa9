"""The ladder: model-free agents of graded skill, selectable by name as target or reference.

Each rung is a real algorithm and a fair baseline (no access to a sample's gold, hint or the run's
execution-refined graph); each can do everything the rung below it can, and one thing more. With a
model-free target, failure mining, the baselines and the closed loop then measure something: which
tools a given skill level fails at, how much harder HardGen's samples are than uniform or
random-walk ones *for that skill level*, and how the failure set shrinks when the target climbs.

| rung | algorithm | can | cannot |
|---|---|---|---|
| `single-call` | retrieval + slot filling (`ModelFreeAgent`, the default) | call the tools whose arguments the request states, several independent ones per request | use any result: no lookups, no prerequisites |
| `lookup-1` | schema planner, one lookup level | fill a goal's parameter from one read whose own arguments the request states (the user's id from a name) | lookups that need lookups; state prerequisites |
| `chain` | schema planner, data-flow chaining | chain lookups up to four levels deep | state prerequisites (log in, change directory) |
| `chain-budget` | schema planner with prerequisites, 4 calls | chaining plus the prerequisites the schemas and names imply | tasks that need more than 4 calls in a turn |
| `noisy-planner` | schema planner with prerequisites, 15% argument noise | what `planner` can, but each call has a 15% chance that one argument takes another value of its type seen in the turn (seeded: the seed changes which calls) | be relied on: repeated attempts differ |
| `planner` | schema planner with prerequisites, no budget | chaining and prerequisites as far as the agent loop's step limit | what the schemas do not imply (an edge only execution reveals) |

The planner rungs are `PlannerAgent` (its module docstring says how they run). Only
`noisy-planner` is stochastic; the others ignore the seed except in call ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardgen.agents._model_free import ModelFreeAgent
from hardgen.agents._planner import PlannerAgent

DEFAULT_AGENT = "single-call"
"""The default model-free target: today's retrieval + slot-filling agent."""
NOISY_ERROR_RATE = 0.15
"""Per-call chance that `noisy-planner` swaps one argument for another value of its type."""


@dataclass(frozen=True)
class Rung:
    """One agent of the ladder: its name, position (skill order) and how to build it."""

    name: str
    level: int
    summary: str
    stochastic: bool = False
    depth: int | None = None
    prerequisites: bool = False
    max_calls: int | None = None
    error_rate: float = 0.0
    slot_filling: bool = False

    def build(self, seed: int = 0, **options: Any) -> ModelFreeAgent | PlannerAgent:
        """The agent, seeded (`options` go to `ModelFreeAgent` for `single-call`)."""
        if self.slot_filling:
            return ModelFreeAgent(seed=seed, **options)
        if options:
            raise ValueError(f"rung {self.name!r} takes no options, got {sorted(options)}")
        return PlannerAgent(seed, name=self.name, depth=self.depth, prerequisites=self.prerequisites,
                            max_calls=self.max_calls, error_rate=self.error_rate)


LADDER: tuple[Rung, ...] = (
    Rung("single-call", 0, "retrieval + slot filling, one call per request part, no chaining", slot_filling=True),
    Rung("lookup-1", 1, "planner: one lookup before the goal, no prerequisites", depth=1),
    Rung("chain", 2, "planner: data-flow chaining, no state prerequisites"),
    Rung("chain-budget", 3, "planner: chaining and prerequisites, at most 4 calls per turn", prerequisites=True,
         max_calls=4),
    Rung("noisy-planner", 4, f"planner with prerequisites, {NOISY_ERROR_RATE:.0%} argument noise per call",
         stochastic=True, prerequisites=True, error_rate=NOISY_ERROR_RATE),
    Rung("planner", 5, "planner: chaining and prerequisites, no budget", prerequisites=True),
)
RUNGS: dict[str, Rung] = {r.name: r for r in LADDER}
AGENT_NAMES: tuple[str, ...] = tuple(RUNGS)


def rung(name: str) -> Rung:
    """The rung called `name`; ValueError naming the choices otherwise."""
    try:
        return RUNGS[name]
    except KeyError:
        raise ValueError(f"unknown agent {name!r}; choose from {', '.join(AGENT_NAMES)}") from None


def build_agent(name: str, seed: int = 0, **options: Any) -> ModelFreeAgent | PlannerAgent:
    """The model-free agent of rung `name`, seeded."""
    return rung(name).build(seed, **options)


def next_rung(name: str) -> Rung | None:
    """The rung above `name` (None at the top)."""
    level = rung(name).level
    return next((r for r in LADDER if r.level == level + 1), None)
