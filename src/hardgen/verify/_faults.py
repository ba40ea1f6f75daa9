"""What an agent under evaluation meets in a family sample's turn: injected faults, the tools offered
so far, and which of its calls were issued together.

An error-recovery sample's gold met an injected transient failure (`GoldTurn.faults`). An agent
evaluated on it meets the same failure: `FaultInjector` answers the first call with the fault's
tool and arguments by the fault instead of running it, and `without_faults` leaves those answered
calls out of what is replayed (they never reached a tool). The retry is the call that counts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from hardgen.schema import GoldTurn, InjectedFault, Message, Observation, Step, ToolSpec
from hardgen.tools import same_state


class FaultInjector:
    """An environment that answers the first call matching each fault by the fault (never running
    it) and passes every other call to `environment`."""

    def __init__(self, environment: Any, faults: Sequence[InjectedFault]) -> None:
        self.environment = environment
        self.pending = list(faults)
        self.injected: list[InjectedFault] = []

    def call(self, name: str, arguments: dict[str, Any]) -> Observation:
        for fault in self.pending:
            if fault.tool == name and same_state(fault.arguments, arguments):
                self.pending.remove(fault)
                self.injected.append(fault)
                return Observation.failure(fault.error_type, fault.message)
        observation: Observation = self.environment.call(name, arguments)
        return observation


def without_faults(steps: Sequence[Step], faults: Sequence[InjectedFault]) -> list[Step]:
    """`steps` less the first step answered by each fault (in order): calls that never ran."""
    left = list(faults)
    kept = []
    for step in steps:
        error = step.observation.error
        match = next((f for f in left if error is not None and f.tool == step.call.name
                      and error.type == f.error_type and error.message == f.message
                      and same_state(f.arguments, step.call.arguments)), None)
        if match is not None:
            left.remove(match)
            continue
        kept.append(step)
    return kept


def batches_of(messages: Sequence[Message], ran: Sequence[Step]) -> list[int]:
    """How many of the calls in `ran` each assistant message of `messages` issued, in order (the
    `CandidateTurn.batches` of an agent's turn)."""
    ids = {s.call.id for s in ran}
    sizes = [sum(1 for c in m.tool_calls or [] if c.id in ids) for m in messages if m.role == "assistant"]
    return [n for n in sizes if n]


def tools_for_turn(tools: Sequence[ToolSpec], gold: Sequence[GoldTurn], turn: int) -> list[ToolSpec]:
    """The tools offered in `turn`: all but those a later turn adds (`GoldTurn.tools_added`)."""
    later: Collection[str] = {n for t in gold[turn + 1:] for n in t.tools_added}
    return [t for t in tools if t.name not in later]
