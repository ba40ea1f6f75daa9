"""Critic: a hint that names the kind of mistake, never the answer.

The model-free critic compares the attempt with the gold steps and names the missing or wrong
step (tool and parameter names, never a gold value). Every hint, whoever wrote it, passes
`sanitize_hint`, which refuses a hint that contains any gold argument or result value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

from hardgen.schema import GoldTurn, Record, Step
from hardgen.synth._text import humanize, value_atoms
from hardgen.tools import same_state
from hardgen.verify import TurnVerdict, value_in_text

HintKind = Literal["missing_step", "wrong_argument", "failed_call", "wrong_tool", "extra_change", "answer_missing",
                   "no_calls"]


class CriticHint(Record):
    kind: HintKind
    text: str
    tool: str | None = None
    """The tool the hint is about (the one to call, or the one called wrongly)."""
    before: str | None = None
    """For a missing step: the call that needs it first."""
    parameter: str | None = None
    producer: str | None = None
    """A tool whose result should supply `parameter`."""
    fields: list[str] = []
    """For a missing answer: the names of the values to report."""


class Critic(Protocol):
    async def critique(self, gold: GoldTurn, attempt: Sequence[Step], verdict: TurnVerdict,
                       answer_fields: Sequence[str]) -> CriticHint: ...


def gold_values(gold: GoldTurn) -> list[Any]:
    """Every value a hint must not reveal: gold arguments and gold results."""
    values: list[Any] = []
    for step in gold.steps:
        values.extend(value_atoms(step.call.arguments))
        values.extend(value_atoms(step.observation.result))
    values.extend(gold.answer_values)
    return [v for v in values if not (isinstance(v, (int, float)) and abs(v) < 10) and not (isinstance(v, str) and len(v) < 3)]


def leaks(text: str, gold: GoldTurn) -> bool:
    return any(value_in_text(v, text) for v in gold_values(gold))


def sanitize_hint(hint: CriticHint, gold: GoldTurn) -> CriticHint:
    """Replace a hint that reveals a gold value (in its text or any of its fields) by a generic one."""
    fields = [hint.tool, hint.before, hint.parameter, hint.producer, *hint.fields]
    if any(f and leaks(f, gold) for f in fields):
        hint = hint.model_copy(update={"tool": None, "before": None, "parameter": None, "producer": None, "fields": []})
    if not leaks(hint.text, gold):
        return hint
    generic = {
        "missing_step": "A step is missing: some argument must come from another tool's result, not from the query.",
        "wrong_argument": "One of your arguments is wrong; check where each value should come from.",
        "failed_call": "One of your calls failed; read its error and fix what it needs first.",
        "wrong_tool": "You used a tool that does not do what the user asked.",
        "extra_change": "You changed something the user did not ask for.",
        "answer_missing": "Your final answer leaves out a value the user asked for.",
        "no_calls": "The request needs tool calls; do not answer from memory.",
    }[hint.kind]
    return hint.model_copy(update={"text": generic})



def model_free_hint(gold: GoldTurn, attempt: Sequence[Step], verdict: TurnVerdict,
                    answer_fields: Sequence[str] = ()) -> CriticHint:
    if not attempt:
        return CriticHint(kind="no_calls", text="You made no tool calls; this request needs the tools.")
    called = {s.call.name for s in attempt}
    for j, want in enumerate(gold.steps):
        tries = [s for s in attempt if s.call.name == want.call.name]
        if any(s.observation.ok and same_state(s.call.arguments, want.call.arguments) for s in tries):
            continue
        # The later call that needs this one: it consumes its output, else the next one made.
        needing = [g.call.name for g in gold.steps[j + 1:] if any(src.step == j for src in g.sources)]
        later = next((n for n in needing if n in called), None) or next(
            (g.call.name for g in gold.steps[j + 1:] if g.call.name in called), None)
        if not tries:
            if later:
                return CriticHint(
                    kind="missing_step", tool=want.call.name, before=later,
                    text=f"Before calling {later}, you need to call {want.call.name}: {later} depends on "
                         f"what {want.call.name} returns or sets up.")
            return CriticHint(kind="missing_step", tool=want.call.name,
                              text=f"The request is not complete: a call to {want.call.name} is missing.")
        failed = [s for s in tries if not s.observation.ok]
        for pname, value in want.call.arguments.items():
            if any(not same_state(s.call.arguments.get(pname), value) for s in tries):
                source = next((src for src in want.sources if src.parameter == pname), None)
                producer = gold.steps[source.step].call.name if source else None
                where = (f"it should come from the result of {producer}" if producer
                         else "it should come from the user's request")
                return CriticHint(kind="wrong_argument", tool=want.call.name, parameter=pname, producer=producer,
                                  text=f"The {humanize(pname)} you passed to {want.call.name} is wrong: {where}.")
        if failed and failed[-1].observation.error:
            error = failed[-1].observation.error.type
            return CriticHint(kind="failed_call", tool=want.call.name,
                              text=f"Your call to {want.call.name} failed with {error}; fix what it needs and retry.")
    gold_names = {g.call.name for g in gold.steps}
    extra = [s.call.name for s in attempt if s.call.name not in gold_names and s.observation.ok]
    if verdict.expected_state_hash and verdict.actual_state_hash != verdict.expected_state_hash and extra:
        return CriticHint(kind="extra_change", tool=extra[0],
                          text=f"The call to {extra[0]} changed something the user did not ask for.")
    if verdict.missing_answer_values:
        names = [humanize(f) for f in answer_fields] or ["requested values"]
        return CriticHint(kind="answer_missing", fields=list(answer_fields),
                          text=f"Your final answer must state the {' and '.join(names)} from the results.")
    return CriticHint(kind="wrong_tool", text="The result does not match the request; re-read what the user asked for.")


class ModelFreeCritic:
    """Compares with the gold trace and names the missing or wrong step."""

    name = "model-free"

    async def critique(self, gold: GoldTurn, attempt: Sequence[Step], verdict: TurnVerdict,
                       answer_fields: Sequence[str] = ()) -> CriticHint:
        return sanitize_hint(model_free_hint(gold, attempt, verdict, answer_fields), gold)
