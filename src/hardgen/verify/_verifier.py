"""Verification by re-execution (DESIGN.md §4): the verifier judges what the user asked, not how the
gold did it.

A candidate passes a turn when re-executing its calls (on the state left by the earlier turns, from
the sample's initial state) gives

1. the gold turn's final state hash (a write missing, wrong or extra shows here);
2. a final answer that carries every requested value (`GoldTurn.answer_values`);
3. no guessed value: each requested value appears in a successful result the candidate itself
   obtained in this turn or an earlier turn of the conversation, or in the user's own words
   (`user_texts`; by default the gold queries up to this turn); and
4. no guessed argument: a candidate call that uses one of the gold's *intermediate values* (an
   argument the gold took from an earlier result, not from the user) must come after a result the
   candidate obtained, or a user message, that gives that value. One lookup instead of three is
   fine; knowing an order id nobody told it is not. (Flags, blanks and counts from -1 to 10 are
   too common to count as guesses.)
5. the gold's *checked* observations (below); and
6. nothing that never ran: a call to a tool that was not offered, output that could not be read as
   a call, or a call skipped when the episode stopped (`CandidateTurn.rejected`) fails the turn.
   Such calls are never replayed: only calls to offered tools that ran are.

The candidate need not repeat the gold's intermediate reads, so sensible alternatives pass: one
lookup instead of three, a search tool instead of a list tool, `cd` straight to a given path, acting
on the existing entity. Of `GoldTurn.required_observations`, a step is **checked** only when nothing
else can check it:

- a step is *intermediate*, and never checked, when a later gold step of the turn takes an argument
  from it (its `sources` say so; a gold recorded without any `sources` counts a step as feeding a
  later call when one of that call's argument values is a scalar of the step's result). Whatever it
  fed is checked by the state or the answer instead;
- a required **write** that is not intermediate is checked: it is listed because its effect is
  invisible to the state hash (a no-op write), so the candidate must have made a successful call
  to the same tool with the same result;
- a required **read** that is not intermediate is checked only when the turn has no answer values
  (a read goal such as "show me my orders": the result is all there is to check); then the candidate
  must have obtained the same result from some tool. With answer values, rules 2 and 3 check it.

Whether a step is a write comes from the tool's spec in the session (`mutates`). Order between
independent calls is free; order along dependencies is enforced by execution itself (a call made
before its prerequisite fails, so its result or its state change is missing).

Turns of the sample families (`GoldTurn.behaviour` and friends) add their own rules:

- a **clarify** turn (the user left out a value only they know) passes when the candidate changes
  nothing, calls none of the tools that need the value (`needs_value`), uses none of the withheld
  values in any call or in its answer, and asks: its answer is a question. Lookups of other things
  are allowed;
- a **decline** turn (no offered tool serves the request, or the one it needs is not offered yet)
  passes when the candidate makes no call at all and says so in an answer;
- a **parallel** turn fails a candidate that repeats a successful call of the turn (same tool, same
  arguments) with nothing changed in between; issuing the calls one by one is fine. In it, calls
  issued together in one assistant message (`CandidateTurn.batches`) cannot use each other's
  results: a value one of them needs must come from an earlier message (rule 4);
- a call answered by an injected fault (`GoldTurn.faults`) never reached a tool: it is not replayed
  (`candidate_from_messages(faulted=...)`), and the retry that follows is the call that counts;
- a tool offered only from a later turn on (`GoldTurn.tools_added`) counts as not offered before.

Failures are classified so that the probe taxonomy still says what went wrong: when the state
differs, by comparing the calls with the gold's (`classify_failure`, falling back to
`state_mismatch`); when the state is right, the fault is what was observed or answered: a gold
tool called with other arguments is `wrong_argument`, a skipped lookup or a guessed argument
`missing_prerequisite`, otherwise a value no result gave or a checked observation not obtained is
`missing_observation`; a requested value the answer leaves out (and nothing else) is
`answer_missing`; no calls at all is `gave_up`, unresolved malformed calls `malformed_call`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Literal

from pydantic import Field

from hardgen.schema import EnvironmentSpec, GoldTurn, Message, Record, RejectedCall, Sample, Step, ToolCall
from hardgen.tools import DEFAULT_TIMEOUT_S, Session, same_state
from hardgen.verify._answer import missing_answer_values, ungrounded_answer_values, value_in_results, value_in_text
from hardgen.verify._verdict import FailureKind, TurnVerdict, Verdict

_MALFORMED_ERRORS = {"UnknownToolError", "ArgumentError", "MalformedCallError"}


class CandidateTurn(Record):
    """What an agent did in one user turn: its calls in order and its final answer."""

    calls: list[ToolCall] = Field(default_factory=list)
    """Calls to offered tools that ran when the agent made them; only these are replayed."""
    answer: str | None = None
    malformed_calls: int = 0
    """Calls the agent tried that could not even be parsed (bad JSON, no name), when only a count is
    known; used to classify a failure."""
    rejected: list[RejectedCall] = Field(default_factory=list)
    """What the agent tried that never ran (`AgentRun.rejected`): malformed output, calls to tools
    that were not offered, skipped calls. Never replayed; any of them fails the turn."""
    batches: list[int] | None = None
    """How many of `calls` each assistant message issued, in order (None: unknown, each call counts
    as its own message). Calls of one message cannot use each other's results."""


# Tool messages with these errors answered a call that never reached a tool: the call is not replayed.
_NEVER_RAN: dict[str, Literal["malformed", "skipped"]] = {"MalformedCallError": "malformed",
                                                           "SkippedCallError": "skipped"}


def _never_ran(content: str | None) -> str | None:
    """The error type of a tool message that answered a call which never ran, else None."""
    if not content or not content.startswith('{"error"'):
        return None
    try:
        data = json.loads(content)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    kind = error.get("type") if isinstance(error, dict) else None
    return kind if isinstance(kind, str) and kind in _NEVER_RAN else None


def candidate_from_messages(
    messages: Sequence[Message], offered: Collection[str] | None = None, *,
    faulted: Collection[str] = (), offered_per_turn: Sequence[Collection[str]] | None = None,
) -> list[CandidateTurn]:
    """Split a transcript at user messages into per-turn candidates (calls + last assistant text).

    Calls that never ran are moved to `CandidateTurn.rejected`: with `offered` (the sample's tool
    names, or per turn `offered_per_turn`), calls to any other tool; and calls answered with a
    `MalformedCallError` (the stand-ins that files written before rejected calls were recorded
    hold) or a `SkippedCallError`. Calls whose ids are in `faulted` were answered by an injected
    fault and never reached a tool: they are left out altogether."""
    turns: list[CandidateTurn] = []
    answers: dict[str, str | None] = {}
    for message in messages:
        if message.role == "tool" and message.tool_call_id is not None:
            answers.setdefault(message.tool_call_id, _never_ran(message.content))
    for message in messages:
        if message.role == "user":
            turns.append(CandidateTurn())
        elif message.role == "assistant" and turns:
            turn = len(turns) - 1
            if offered_per_turn is not None:
                offered = offered_per_turn[turn] if turn < len(offered_per_turn) else offered_per_turn[-1]
            issued = 0
            for call in message.tool_calls or []:
                never = answers.get(call.id)
                if call.id in faulted:
                    continue
                if never is not None:
                    turns[-1].rejected.append(RejectedCall(kind=_NEVER_RAN[never], turn=turn, call=call,
                                                           reason=f"answered with {never}: it never ran"))
                elif offered is not None and call.name not in offered:
                    turns[-1].rejected.append(RejectedCall(kind="unoffered", turn=turn, call=call,
                                                           reason=f"no tool named {call.name!r} is offered"))
                else:
                    turns[-1].calls.append(call)
                    issued += 1
            if issued:
                turns[-1].batches = [*(turns[-1].batches or []), issued]
            if message.content:
                turns[-1].answer = message.content
    return turns


def user_texts_from_messages(messages: Sequence[Message]) -> list[list[str]]:
    """The user's words per turn (a turn starts at each user message), aligned with
    `candidate_from_messages`."""
    return [[m.content] if m.content else [] for m in messages if m.role == "user"]


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


def _scalars(node: object, depth: int = 0) -> list[object]:
    if depth > 12:
        return []
    if isinstance(node, dict):
        return [leaf for child in node.values() for leaf in _scalars(child, depth + 1)]
    if isinstance(node, (list, tuple)):
        return [leaf for child in node for leaf in _scalars(child, depth + 1)]
    return [] if node is None or isinstance(node, bool) else [node]


def _guessable(value: object) -> bool:
    """A value that could only have come from a lookup (not a flag, a blank or a small count)."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -1 <= value <= 10
    return len(str(value).strip()) >= 2


def fed_values(gold: GoldTurn) -> list[tuple[object, int]]:
    """The gold's intermediate values: (value, producing step) for each argument of a gold call that
    an earlier step's result supplied (its `sources`; for a gold recorded without any, an argument
    scalar equal to a scalar of an earlier result). A value the user states is not guessed either
    way: `guessed_arguments` grounds values in the user's words too."""
    out: list[tuple[object, int]] = []
    if any(s.sources for s in gold.steps):
        for step in gold.steps:
            for src in step.sources:
                if src.parameter in step.call.arguments and 0 <= src.step < len(gold.steps):
                    out.extend((v, src.step) for v in _scalars(step.call.arguments[src.parameter]) if _guessable(v))
        return out
    for i, later in enumerate(gold.steps):
        for a in [v for v in _scalars(later.call.arguments) if _guessable(v)]:
            producer = next((j for j in range(i) if gold.steps[j].observation.ok
                             and any(same_state(a, p) for p in _scalars(gold.steps[j].observation.result))), None)
            if producer is not None:
                out.append((a, producer))
    return out


def intermediate_steps(gold: GoldTurn) -> set[int]:
    """Indices of gold steps that fed a later call of the turn (see the module docstring)."""
    return {j for _, j in fed_values(gold)} | {src.step for s in gold.steps for src in s.sources}


def guessed_arguments(gold: GoldTurn, steps: Sequence[Step], earlier: Sequence[Step] = (),
                      user_texts: Sequence[str] = (), batches: Sequence[int] | None = None,
                      ) -> list[tuple[str, object, int]]:
    """Candidate calls that used one of the gold's intermediate values before any result the
    candidate obtained (or the user) gave it: (tool, value, gold producer step). With `batches`
    (calls per assistant message), results count only from earlier messages."""
    fed = fed_values(gold)
    guessed: list[tuple[str, object, int]] = []
    results = [s.observation.result for s in earlier if s.observation.ok]
    ends = _batch_ends(len(steps), batches)
    pending: list[object] = []
    for i, step in enumerate(steps):
        for value in _scalars(step.call.arguments):
            producer = next((j for v, j in fed if same_state(v, value)), None)
            if producer is not None and not value_in_results(value, results, user_texts):
                guessed.append((step.call.name, value, producer))
        if step.observation.ok:
            pending.append(step.observation.result)
        if i in ends:
            results.extend(pending)
            pending = []
    return guessed


def _batch_ends(n: int, batches: Sequence[int] | None) -> set[int]:
    """Indices of the last call of each message (every call its own message without `batches`)."""
    if not batches or sum(batches) != n:
        return set(range(n))
    ends, at = set(), -1
    for size in batches:
        at += size
        ends.add(at)
    return ends


def repeated_calls(steps: Sequence[Step], hashes: Sequence[str]) -> list[Step]:
    """Successful calls identical (tool and arguments) to an earlier successful call of the same
    steps with the state unchanged in between (`hashes[i]`: the state hash after step i)."""
    repeated = []
    for i, step in enumerate(steps):
        if not step.observation.ok:
            continue
        for j in range(i - 1, -1, -1):
            if hashes[j] != hashes[i - 1]:
                break  # the state changed since: a repeat may see something new
            earlier = steps[j]
            if earlier.observation.ok and earlier.call.name == step.call.name \
                    and same_state(earlier.call.arguments, step.call.arguments):
                repeated.append(step)
                break
    return repeated


def _family_reasons(gold: GoldTurn, candidate: CandidateTurn, steps: Sequence[Step], start_hash: str,
                    actual: str) -> tuple[list[str], FailureKind | None]:
    """Why a clarify or decline turn failed (see the module docstring), and its failure kind."""
    reasons: list[str] = []
    answer = (candidate.answer or "").strip()
    if gold.behaviour == "decline":
        called = [s.call.name for s in steps] + [r.call.name for r in candidate.rejected if r.call is not None]
        if called:
            reasons.append("called " + ", ".join(dict.fromkeys(called)) + " although no offered tool serves the "
                           "request (the answer is to say so)")
        if not answer:
            reasons.append("gave no answer: the user should hear that this cannot be done with these tools")
        return reasons, "unneeded_call" if called else ("answer_missing" if reasons else None)
    needing = [s.call.name for s in steps if s.call.name in gold.needs_value]
    if needing:
        reasons.append(f"called {', '.join(dict.fromkeys(needing))} before the user gave the "
                       f"{', '.join(gold.asks_for)} it needs (a guess)")
    guessed = [v for v in gold.withheld_values
               if any(same_state(v, a) for s in steps for a in _scalars(s.call.arguments))
               or value_in_text(v, answer)]
    if guessed:
        reasons.append("used a value the user has not given yet: " + ", ".join(str(v) for v in guessed))
    if actual != start_hash:
        reasons.append("changed the state before the user gave what was missing")
    if "?" not in answer:
        reasons.append(f"did not ask the user for the {', '.join(gold.asks_for)}")
    return reasons, "not_asked" if reasons else None


def checked_observations(gold: GoldTurn, session: Session | None = None) -> list[int]:
    """The required observations a candidate must reproduce (see the module docstring)."""
    fed = intermediate_steps(gold)
    checked = []
    for j in gold.required_observations:
        if j in fed or not 0 <= j < len(gold.steps):
            continue
        name = gold.steps[j].call.name
        writes = session is not None and session.has_tool(name) and session.tool(name).mutates
        if writes or not gold.answer_values:
            checked.append(j)
    return checked


def _obtained(want: Step, steps: Sequence[Step], writes: bool) -> bool:
    return any(s.observation.ok and (s.call.name == want.call.name or not writes)
               and same_state(s.observation.result, want.observation.result) for s in steps)


def rewritten_writes(gold: GoldTurn, steps: Sequence[Step], session: Session) -> list[str]:
    """Gold writes the candidate made only with another outcome, then put right (a note created with
    another body and updated to the asked one): the final state hides it, the conversation does
    not. Judged by results, so another way to the same write (`cd documents` for the gold's
    `cd /home/documents`) is no rewrite."""
    def writes(name: str) -> bool:
        return session.has_tool(name) and session.tool(name).mutates

    made = [s for s in steps if s.observation.ok and writes(s.call.name)]
    out = []
    for want in gold.steps:
        if not want.observation.ok or not writes(want.call.name):
            continue
        same_tool = [c for c in made if c.call.name == want.call.name]
        if same_tool and not any(same_state(c.observation.result, want.observation.result) for c in same_tool):
            out.append(want.call.name)
    return out


def _describe_rejected(rejected: Sequence[RejectedCall]) -> str | None:
    """The reason a turn with calls that never ran fails, or None."""
    if not rejected:
        return None
    parts = []
    unoffered = [r.call.name for r in rejected if r.kind == "unoffered" and r.call is not None]
    if unoffered:
        parts.append("called tools that were not offered: " + ", ".join(dict.fromkeys(unoffered)))
    malformed = sum(1 for r in rejected if r.kind == "malformed")
    if malformed:
        parts.append(f"wrote {malformed} tool call(s) that could not be read")
    skipped = sum(1 for r in rejected if r.kind == "skipped")
    if skipped:
        parts.append(f"made {skipped} call(s) that never ran (the episode stopped first)")
    return "the agent " + "; ".join(parts) + " (never replayed)"


def verify_turn(
    session: Session,
    turn_index: int,
    gold: GoldTurn,
    candidate: CandidateTurn,
    *,
    earlier: Sequence[Step] = (),
    user_texts: Sequence[str] | None = None,
) -> tuple[TurnVerdict, list[Step]]:
    """Execute one candidate turn on `session` (mutating it) and judge it against the gold turn.

    `earlier` are the candidate's executed steps of the conversation's earlier turns (their results
    count as obtained); `user_texts` what the user wrote so far (default: this turn's query)."""
    start_hash = session.state_hash() if gold.behaviour != "solve" or gold.parallel else ""
    steps: list[Step] = []
    hashes: list[str] = []
    for c in candidate.calls:
        steps.append(Step(call=c, observation=session.call(c.name, c.arguments), turn=turn_index))
        if gold.parallel:
            hashes.append(session.state_hash())
    actual = session.state_hash()
    if gold.behaviour != "solve":
        family_reasons, kind = _family_reasons(gold, candidate, steps, start_hash, actual)
        rejected_text = _describe_rejected(candidate.rejected) if gold.behaviour == "clarify" else None
        if rejected_text:
            family_reasons.append(rejected_text)
            kind = kind or "malformed_call"
        return TurnVerdict(turn=turn_index, passed=not family_reasons, expected_state_hash=gold.final_state_hash,
                           actual_state_hash=actual, failure=kind,
                           failed_tools=sorted({s.call.name for s in steps}) if family_reasons else [],
                           reasons=family_reasons), steps
    texts = [gold.query] if user_texts is None else list(user_texts)
    reasons: list[str] = []
    state_differs = gold.final_state_hash is not None and actual != gold.final_state_hash
    if state_differs:
        reasons.append("final state differs from the gold state (a write is missing, wrong or extra)")
    missing_obs = []
    for j in checked_observations(gold, session):
        want = gold.steps[j]
        writes = session.has_tool(want.call.name) and session.tool(want.call.name).mutates
        if not _obtained(want, steps, writes):
            missing_obs.append(j)
    if missing_obs:
        names = ", ".join(sorted({gold.steps[j].call.name for j in missing_obs}))
        reasons.append(f"needed results were not obtained from: {names}")
    rewritten = [] if state_differs else rewritten_writes(gold, steps, session)
    if rewritten:
        reasons.append("made a write with other values than asked, then put it right: " + ", ".join(rewritten))
    rejected = _describe_rejected(candidate.rejected)
    if rejected:
        reasons.append(rejected)
    missing_vals = missing_answer_values(gold.answer_values, candidate.answer)
    if missing_vals:
        reasons.append(f"the final answer lacks {len(missing_vals)} requested value(s)")
    # Message boundaries are judged in parallel turns only: elsewhere calls count one by one, as before.
    guessed_args = guessed_arguments(gold, steps, earlier, texts, candidate.batches if gold.parallel else None)
    repeats = repeated_calls(steps, hashes) if gold.parallel else []
    if repeats:
        reasons.append("repeated calls it had already made this turn: " + ", ".join(
            f"{s.call.name}({json.dumps(s.call.arguments, ensure_ascii=False, default=str)})" for s in repeats))
    if guessed_args:
        reasons.append("calls used values no earlier result gave (guessed, not looked up): " + ", ".join(
            f"{name}({value})" for name, value, _ in guessed_args))
    results = [s.observation.result for s in (*earlier, *steps) if s.observation.ok]
    stated = [v for v in gold.answer_values if v not in missing_vals]
    guessed = ungrounded_answer_values(stated, results, texts)
    if guessed:
        reasons.append("the answer states values no tool result gave: " + ", ".join(str(v) for v in guessed))
    passed = not reasons
    failure: FailureKind | None = None
    failed_tools: list[str] = []
    if not passed:
        malformed = candidate.malformed_calls > 0 or bool(candidate.rejected) or any(
            s.observation.error is not None and s.observation.error.type in _MALFORMED_ERRORS
            and not any(t.call.name == s.call.name and t.observation.ok for t in steps) for s in steps)
        tried = candidate.malformed_calls + len(candidate.rejected)
        if not steps and tried == 0:
            failure = "gave_up"
        elif repeats and not state_differs:
            failure = "duplicate_call"
        elif state_differs:
            failure = classify_failure(gold.steps, steps, tried) or "state_mismatch"
        elif malformed:
            failure = "malformed_call"
        elif rewritten:
            failure = "wrong_argument"
        elif missing_obs or guessed or guessed_args:
            # The writes are right. A gold call made with other arguments, or a lookup skipped,
            # says what went wrong; else what the user wanted to know was simply not observed.
            kind = classify_failure(gold.steps, steps, candidate.malformed_calls)
            if kind in ("wrong_argument", "missing_prerequisite"):
                failure = kind
            else:
                failure = "missing_prerequisite" if guessed_args else "missing_observation"
        else:
            failure = "answer_missing"
        matched = _matched_tools(gold.steps, steps)
        if rewritten:
            failed_tools = sorted(set(rewritten))
        elif guessed_args and not state_differs:
            failed_tools = sorted({gold.steps[j].call.name for _, _, j in guessed_args})
        elif guessed and not state_differs and not missing_obs:
            # Blame the gold reads that would have given the guessed values.
            givers = [g.call.name for g in gold.steps if g.observation.ok
                      and ungrounded_answer_values(guessed, [g.observation.result]) != guessed]
            failed_tools = sorted(set(givers))
        elif not state_differs and not missing_obs and missing_vals:
            failed_tools = []
        else:
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
        ungrounded_answer_values=[str(v) for v in guessed],
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
    user_texts: Sequence[Sequence[str]] | None = None,
) -> Verdict:
    """Replay a candidate's turns from the initial state and judge every turn (DESIGN.md §4).

    A value counts as obtained when any earlier turn's result gave it, or the user stated it: in
    the gold queries up to the turn, or in `user_texts[i]` (the user's messages of turn i) when given."""
    session = Session.from_specs(environments, timeout=timeout)
    try:
        turns: list[TurnVerdict] = []
        history: list[Step] = []
        said: list[str] = []
        for i, gold_turn in enumerate(gold):
            cand = candidate[i] if i < len(candidate) else CandidateTurn()
            said.append(gold_turn.query)
            if user_texts is not None and i < len(user_texts):
                said.extend(user_texts[i])
            verdict, steps = verify_turn(session, i, gold_turn, cand, earlier=history, user_texts=said)
            history.extend(steps)
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


def faulted_calls(sample: Sample) -> set[str]:
    """Ids of the sample's calls that an injected fault answered (they never reached a tool)."""
    return {f.call_id for turn in sample.gold for f in turn.faults}


def offered_per_turn(sample: Sample) -> list[set[str]]:
    """The tool names offered in each turn: all the sample's tools but those a later turn adds."""
    names = {t.name for t in sample.tools}
    later: set[str] = {n for turn in sample.gold for n in turn.tools_added}
    out = []
    for turn in sample.gold:
        later -= set(turn.tools_added)
        out.append(names - later)
    return out or [names]


def verify_sample(sample: Sample, *, timeout: float | None = DEFAULT_TIMEOUT_S, gold_check: bool = True) -> Verdict:
    """Re-verify a stored sample from scratch: its assistant calls replayed from the initial state
    must pass every gold turn, and (with `gold_check`) the gold itself must still reproduce."""
    candidate = candidate_from_messages(sample.messages, faulted=faulted_calls(sample),
                                        offered_per_turn=offered_per_turn(sample))
    verdict = verify_candidate(sample.environments, sample.gold, candidate, timeout=timeout,
                               user_texts=user_texts_from_messages(sample.messages))
    if gold_check:
        problems = check_gold(sample, timeout=timeout)
        if problems:
            verdict = verdict.model_copy(update={"passed": False, "reasons": [*verdict.reasons, *problems]})
    return verdict
