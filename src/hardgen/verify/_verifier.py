"""Verification by re-execution (DESIGN.md §4).

A candidate passes a turn only if re-executing its calls (on the state left by the earlier turns,
from the sample's initial state) gives the gold turn's final state hash, every read result the gold
turn needed was obtained, and the final answer carries the values the user asked for. Order between
independent calls is free; order along dependencies is enforced by execution itself (a call made
before its prerequisite fails, so its result or its state change is missing).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from hardgen.schema import EnvironmentSpec, GoldTurn, Message, Record, Sample, Step, ToolCall
from hardgen.tools import DEFAULT_TIMEOUT_S, Session, same_state
from hardgen.verify._answer import missing_answer_values
from hardgen.verify._verdict import FailureKind, TurnVerdict, Verdict

_MALFORMED_ERRORS = {"UnknownToolError", "ArgumentError", "MalformedCallError"}


class CandidateTurn(Record):
    """What an agent did in one user turn: its calls in order and its final answer."""

    calls: list[ToolCall] = Field(default_factory=list)
    answer: str | None = None
    malformed_calls: int = 0
    """Calls the agent tried that could not even be parsed (bad JSON, no name)."""


def candidate_from_messages(messages: Sequence[Message]) -> list[CandidateTurn]:
    """Split a transcript at user messages into per-turn candidates (calls + last assistant text)."""
    turns: list[CandidateTurn] = []
    for message in messages:
        if message.role == "user":
            turns.append(CandidateTurn())
        elif message.role == "assistant" and turns:
            if message.tool_calls:
                turns[-1].calls.extend(message.tool_calls)
            if message.content:
                turns[-1].answer = message.content
    return turns



def classify_failure(gold: Sequence[Step], candidate: Sequence[Step], malformed_calls: int = 0) -> FailureKind | None:
    """The probe taxonomy for a failed attempt, from what was called versus the gold steps."""
    if not candidate and malformed_calls == 0:
        return "gave_up"
    if not gold:
        return None
    called = {s.call.name for s in candidate}
    goal = gold[-1].call.name
    prerequisites = [s.call.name for s in gold[:-1]]
    if goal in called and any(p not in called for p in prerequisites):
        return "missing_prerequisite"
    # A malformed call the agent put right later (the same tool, called successfully) is not the fault.
    fixed = {s.call.name for s in candidate if s.observation.ok}
    malformed = malformed_calls > 0 or any(
        s.observation.error is not None and s.observation.error.type in _MALFORMED_ERRORS and s.call.name not in fixed
        for s in candidate
    )
    if goal not in called:
        return "malformed_call" if malformed else "wrong_tool"
    if malformed:
        return "malformed_call"
    for g in gold:
        matches = [s for s in candidate if s.call.name == g.call.name]
        if not any(same_state(s.call.arguments, g.call.arguments) for s in matches):
            return "wrong_argument"
    return None


def _matched_tools(gold: Sequence[Step], candidate: Sequence[Step]) -> set[int]:
    """Indices of gold steps reproduced by some candidate call (same tool, same arguments, ok)."""
    done = set()
    for i, g in enumerate(gold):
        for s in candidate:
            if s.call.name == g.call.name and s.observation.ok and same_state(s.call.arguments, g.call.arguments):
                done.add(i)
                break
    return done


def verify_turn(
    session: Session, turn_index: int, gold: GoldTurn, candidate: CandidateTurn
) -> tuple[TurnVerdict, list[Step]]:
    """Execute one candidate turn on `session` (mutating it) and judge it against the gold turn."""
    steps = [Step(call=c, observation=session.call(c.name, c.arguments), turn=turn_index) for c in candidate.calls]
    actual = session.state_hash()
    reasons: list[str] = []
    if gold.final_state_hash is not None and actual != gold.final_state_hash:
        reasons.append("final state differs from the gold state (a write is missing, wrong or extra)")
    missing_obs = []
    for j in gold.required_observations:
        want = gold.steps[j]
        if not any(s.call.name == want.call.name and s.observation.ok
                   and same_state(s.observation.result, want.observation.result) for s in steps):
            missing_obs.append(j)
    if missing_obs:
        names = ", ".join(sorted({gold.steps[j].call.name for j in missing_obs}))
        reasons.append(f"needed results were not obtained from: {names}")
    missing_vals = missing_answer_values(gold.answer_values, candidate.answer)
    if missing_vals:
        reasons.append(f"the final answer lacks {len(missing_vals)} requested value(s)")
    passed = not reasons
    failure: FailureKind | None = None
    failed_tools: list[str] = []
    if not passed:
        only_answer = len(reasons) == 1 and bool(missing_vals)
        # When state and reads are right, the answer is the fault, whatever harmless argument
        # differences (letter case, an optional argument left out) the calls had.
        failure = "answer_missing" if only_answer else classify_failure(gold.steps, steps, candidate.malformed_calls)
        if failure is None:
            failure = "state_mismatch" if reasons[0].startswith("final state") else (
                "missing_observation" if missing_obs else "answer_missing")
        matched = _matched_tools(gold.steps, steps)
        failed_tools = sorted({g.call.name for i, g in enumerate(gold.steps) if i not in matched})
        if not failed_tools and gold.steps:
            failed_tools = [gold.steps[-1].call.name]
    verdict = TurnVerdict(
        turn=turn_index,
        passed=passed,
        expected_state_hash=gold.final_state_hash,
        actual_state_hash=actual,
        missing_observations=missing_obs,
        missing_answer_values=[str(v) for v in missing_vals],
        failure=failure,
        failed_tools=failed_tools,
        reasons=reasons,
    )
    return verdict, steps


def verify_candidate(
    environments: Sequence[EnvironmentSpec],
    gold: Sequence[GoldTurn],
    candidate: Sequence[CandidateTurn],
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
) -> Verdict:
    """Replay a candidate's turns from the initial state and judge every turn (DESIGN.md §4)."""
    session = Session.from_specs(environments, timeout=timeout)
    try:
        turns: list[TurnVerdict] = []
        for i, gold_turn in enumerate(gold):
            cand = candidate[i] if i < len(candidate) else CandidateTurn()
            verdict, _ = verify_turn(session, i, gold_turn, cand)
            turns.append(verdict)
        reasons = [f"turn {t.turn + 1}: {r}" for t in turns for r in t.reasons]
        if len(candidate) > len(gold):
            reasons.append(f"{len(candidate) - len(gold)} more turn(s) than the sample has")
        return Verdict(passed=all(t.passed for t in turns) and len(candidate) <= len(gold), turns=turns,
                       reasons=reasons)
    finally:
        session.close()


def check_gold(sample: Sample, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> list[str]:
    """Re-execute the gold calls: they must reproduce the recorded observations and state hashes.
    Returns problems (empty when the gold is reproducible, i.e. the environments have not drifted)."""
    problems: list[str] = []
    session = Session.from_specs(sample.environments, timeout=timeout)
    try:
        for t, turn in enumerate(sample.gold):
            for j, step in enumerate(turn.steps):
                obs = session.call(step.call.name, step.call.arguments)
                if obs.ok != step.observation.ok or not same_state(obs.result, step.observation.result):
                    problems.append(f"turn {t + 1} gold step {j + 1} ({step.call.name}) no longer gives its recorded result")
            if turn.final_state_hash is not None and session.state_hash() != turn.final_state_hash:
                problems.append(f"turn {t + 1}: gold calls no longer reach the recorded state hash")
    finally:
        session.close()
    return problems


def verify_sample(sample: Sample, *, timeout: float | None = DEFAULT_TIMEOUT_S, gold_check: bool = True) -> Verdict:
    """Re-verify a stored sample from scratch: its assistant calls replayed from the initial state
    must pass every gold turn, and (with `gold_check`) the gold itself must still reproduce."""
    candidate = candidate_from_messages(sample.messages)
    verdict = verify_candidate(sample.environments, sample.gold, candidate, timeout=timeout)
    if gold_check:
        problems = check_gold(sample, timeout=timeout)
        if problems:
            verdict = verdict.model_copy(update={"passed": False, "reasons": [*verdict.reasons, *problems]})
    return verdict
