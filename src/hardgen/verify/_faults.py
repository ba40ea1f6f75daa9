"""What an agent under evaluation meets in a family sample's turn: injected faults, the tools offered
so far, and which of its calls were issued together.

An error-recovery sample's gold met an injected failure (`GoldTurn.faults`). An agent evaluated on
it meets the same failure, by the fault's own condition:

- a **transient** fault (timeout, rate limit, server error) answers the first call with the fault's
  tool and arguments, once: the same call made again gets through, as after a real hiccup;
- a **validation** fault (a value in the wrong format, `FormatRule`) answers every call of its tool
  whose argument is not in the format the error asks for, whatever the call's other arguments and
  whatever wrong value it holds (a date written day first or any other way, a number sent as text),
  with the error naming the agent's own value. A call in the right format runs; an agent that keeps
  the wrong format never gets past it.

`without_faults` leaves the calls a fault answered out of what is replayed (they never reached a
tool). The call that gets through is the one that counts.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hardgen.schema import GoldTurn, InjectedFault, Message, Observation, Step, ToolSpec
from hardgen.tools import same_state

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}))?$")
"""A date (and time) the way the tools take it: YYYY-MM-DD, optionally THH:MM."""

_DATE_ERROR = re.compile(r"^Invalid value for '(?P<parameter>[^']+)': expected (?P<shape>YYYY-MM-DD(?:THH:MM)?), got ")
_NUMBER_ERROR = re.compile(r"^Invalid type for '(?P<parameter>[^']+)': expected a number, got the string ")


@dataclass(frozen=True)
class FormatRule:
    """What a validation fault demands of one argument of its tool."""

    parameter: str
    expects: Literal["date", "number"]
    shape: str = ""
    """For a date: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (what the error says it expected)."""

    def refuses(self, arguments: dict[str, Any]) -> bool:
        """Whether a call with `arguments` has this argument in a wrong format (an absent one is
        left to the tool)."""
        if self.parameter not in arguments or arguments[self.parameter] is None:
            return False
        value = arguments[self.parameter]
        if self.expects == "number":
            return isinstance(value, str)
        return not (isinstance(value, str) and ISO_DATE.match(value))

    def message(self, value: Any) -> str:
        """The validation error for `value`."""
        if self.expects == "number":
            return f"Invalid type for '{self.parameter}': expected a number, got the string '{value}'."
        return f"Invalid value for '{self.parameter}': expected {self.shape}, got '{value}'."


def format_rule(fault: InjectedFault) -> FormatRule | None:
    """The rule of a validation fault (read from its error, which names the argument and the
    format), or None for a transient fault or one whose error names no argument of its call."""
    if fault.kind != "validation":
        return None
    if (m := _DATE_ERROR.match(fault.message)) is not None:
        rule = FormatRule(m["parameter"], "date", m["shape"])
    elif (m := _NUMBER_ERROR.match(fault.message)) is not None:
        rule = FormatRule(m["parameter"], "number")
    else:
        return None
    return rule if rule.refuses(fault.arguments) else None


def misformatted_value(parameter: str, value: Any, schema: dict[str, Any]) -> tuple[Any, FormatRule] | None:
    """`value` (of `parameter`, with JSON Schema `schema`) in a format a tool would refuse, and the
    rule it breaks: an ISO date written day first (21/03/2025), a number sent as text; None when
    the value has neither shape."""
    if isinstance(value, str) and (m := ISO_DATE.match(value)):
        wrong = f"{m.group(3)}/{m.group(2)}/{m.group(1)}" + (f" {m.group(4)}" if m.group(4) else "")
        return wrong, FormatRule(parameter, "date", "YYYY-MM-DD" + ("THH:MM" if m.group(4) else ""))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and schema.get("type") in ("number", "integer"):
        return str(value), FormatRule(parameter, "number")
    return None


class FaultInjector:
    """An environment that answers calls by the faults they meet (never running them) and passes
    every other call to `environment` (see the module docstring)."""

    def __init__(self, environment: Any, faults: Sequence[InjectedFault]) -> None:
        self.environment = environment
        self.rules = [(f, rule) for f in faults if (rule := format_rule(f)) is not None]
        self.pending = [f for f in faults if all(f is not g for g, _ in self.rules)]
        self.injected: list[InjectedFault] = []
        """The faults met, in order, each with the arguments and the error of the call it answered."""

    def call(self, name: str, arguments: dict[str, Any]) -> Observation:
        for fault, rule in self.rules:
            if fault.tool == name and rule.refuses(arguments):
                met = fault.model_copy(update={"arguments": dict(arguments),
                                                "message": rule.message(arguments[rule.parameter])})
                self.injected.append(met)
                return Observation.failure(met.error_type, met.message)
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
