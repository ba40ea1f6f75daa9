"""Replay: re-execute calls from a recorded initial state. The basis of verification."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hardgen.schema import EnvironmentSpec, Observation, Step, ToolCall, Trace
from hardgen.tools._environment import DEFAULT_TIMEOUT_S
from hardgen.tools._session import Session


@dataclass
class ReplayResult:
    steps: list[Step]
    final_state_hash: str
    initial_state_hash: str
    state_hashes: list[str] = field(default_factory=list)
    """State hash after each step."""

    @property
    def observations(self) -> list[Observation]:
        return [s.observation for s in self.steps]


def replay(
    calls: Sequence[ToolCall],
    environments: Sequence[EnvironmentSpec],
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    session: Session | None = None,
) -> ReplayResult:
    """Execute `calls` in order on fresh environments built from `environments`.

    Deterministic: the same calls from the same specs give the same observations and hashes.
    Pass `session` to continue on an existing one instead (it is used as it is, not reset).
    """
    owned = session is None
    sess = session or Session.from_specs(environments, timeout=timeout)
    try:
        initial = sess.state_hash()
        steps: list[Step] = []
        hashes: list[str] = []
        for call in calls:
            obs = sess.call(call.name, call.arguments)
            h = sess.state_hash()
            hashes.append(h)
            steps.append(Step(call=call, observation=obs, state_hash=h))
        return ReplayResult(steps=steps, final_state_hash=sess.state_hash(), initial_state_hash=initial,
                            state_hashes=hashes)
    finally:
        if owned:
            sess.close()


def replay_trace(trace: Trace, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> ReplayResult:
    """Replay a trace's calls from its own recorded initial state."""
    return replay(trace.calls, trace.environments, timeout=timeout)
