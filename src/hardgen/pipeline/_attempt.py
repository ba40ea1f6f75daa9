"""Run any agent on a sample's turns and score it with the verifier (DESIGN.md §4).

Used by failure mining (probe tasks are single-turn samples) and by `hardgen eval`. It lives in
`pipeline`, below `evaluate`, so that failure mining needs nothing from `evaluate` (which builds on
`pipeline`); `hardgen.evaluate` re-exports every name.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from hardgen.agents import run_agent
from hardgen.llm import Backend
from hardgen.schema import GoldTurn, Message, Record, Sample, Step
from hardgen.tools import DEFAULT_TIMEOUT_S, Session
from hardgen.verify import (
    CandidateTurn,
    FailureKind,
    FaultInjector,
    Verdict,
    batches_of,
    tools_for_turn,
    verify_candidate,
    without_faults,
)


class AgentAttempt(Record):
    """One agent's attempt at one sample, scored."""

    sample_id: str
    verdict: Verdict
    steps: list[Step] = Field(default_factory=list)
    stop_reasons: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def passed(self) -> bool:
        return self.verdict.passed


def system_prompt_of(sample: Sample) -> str | None:
    first = sample.messages[0] if sample.messages else None
    return first.content if first is not None and first.role == "system" else None


async def attempt_sample(
    backend: Backend,
    sample_id: str,
    environments: Sequence,
    gold: Sequence[GoldTurn],
    tools: Sequence,
    *,
    system_prompt: str | None = None,
    max_steps: int = 12,
    seed: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT_S,
) -> AgentAttempt:
    """Let `backend` act on a fresh copy of the environments, one user turn at a time (the queries
    of `gold`), then verify its calls by re-execution from the initial state."""
    session = Session.from_specs(environments, timeout=timeout)
    messages: list[Message] = [Message.system(system_prompt)] if system_prompt else []
    candidate: list[CandidateTurn] = []
    steps: list[Step] = []
    stops: list[str] = []
    errors: list[str] = []
    prompt_tokens = completion_tokens = 0
    try:
        for turn, gold_turn in enumerate(gold):
            messages.append(Message.user(gold_turn.query))
            # A family turn: the tools offered so far, and the injected faults the gold met.
            environment = FaultInjector(session, gold_turn.faults)
            run = await run_agent(backend, messages, tools_for_turn(tools, gold, turn), environment,
                                  max_steps=max_steps, seed=seed, metadata={"sample": sample_id, "turn": turn})
            messages.extend(run.messages)
            steps.extend(s.model_copy(update={"turn": turn}) for s in run.steps)
            stops.append(run.stop_reason)
            if run.error:
                errors.append(run.error)
            prompt_tokens += run.usage.prompt_tokens
            completion_tokens += run.usage.completion_tokens
            # What never ran (unknown tools, malformed calls) is not replayed, and fails the turn.
            ran = without_faults(run.steps, environment.injected)  # calls a fault answered never ran
            candidate.append(CandidateTurn(calls=[s.call for s in ran], answer=run.final_answer,
                                           malformed_calls=len(run.parse_errors), rejected=run.rejected,
                                           batches=batches_of(run.messages, ran)))
    finally:
        session.close()
    verdict = verify_candidate(environments, gold, candidate, timeout=timeout)
    return AgentAttempt(sample_id=sample_id, verdict=verdict, steps=steps, stop_reasons=stops, errors=errors,
                        prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


async def attempt(backend: Backend, sample: Sample, *, max_steps: int = 12, seed: int | None = None,
                  timeout: float | None = DEFAULT_TIMEOUT_S) -> AgentAttempt:
    """`attempt_sample` for a canonical Sample (its tools, system prompt and gold turns)."""
    return await attempt_sample(backend, sample.id, sample.environments, sample.gold, sample.tools,
                                system_prompt=system_prompt_of(sample), max_steps=max_steps, seed=seed, timeout=timeout)


class ToolFailureStats(Record):
    """Per tool: how often it was part of a task, how often the agent got it wrong, and how."""

    attempts: int = 0
    failures: int = 0
    taxonomy: dict[str, int] = Field(default_factory=dict)

    @property
    def failure_rate(self) -> float:
        return self.failures / self.attempts if self.attempts else 0.0

    def add(self, failed: bool, kind: FailureKind | None) -> None:
        self.attempts += 1
        if failed:
            self.failures += 1
            key = kind or "state_mismatch"
            self.taxonomy[key] = self.taxonomy.get(key, 0) + 1


def tool_outcomes(gold: Sequence[GoldTurn], verdict: Verdict) -> list[tuple[str, bool, FailureKind | None]]:
    """(tool, failed, failure kind) for every distinct gold tool of every turn."""
    out = []
    for turn, tv in zip(gold, verdict.turns, strict=False):
        failed = set(tv.failed_tools)
        for tool in dict.fromkeys(s.call.name for s in turn.steps):
            out.append((tool, tool in failed, tv.failure if tool in failed else None))
    return out
