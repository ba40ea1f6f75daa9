"""Sample families (DESIGN.md §4): the behaviours BFCL measures besides solving a task.

Every family sample is derived from a base sample that already passed verification, and is then
verified again, from scratch, with the family's own rules (`hardgen.verify`); a derivation that
does not fit the sample (no independent calls, no value only the user knows, no near-miss tool) says
why and makes no sample. The derivations are real algorithms over the gold and the tools:

- **parallel**: consecutive successful calls of a turn that do not feed each other and give the
  same results and the same state in either order (checked by executing them reversed) are issued
  in one assistant message; the turn is marked `parallel`, so repeating a call fails it.
- **missing_parameter**: a value the user stated that no tool can supply (it is in no initial state
  and no result) and that a call needs is left out of the first request; the gold asks for exactly
  it, the user gives it in the next turn, and the task then completes. The query is written again
  by the run's Query Writer without that value (`Synthesizer`), so it reads as a whole request.
- **irrelevance**: the first request is offered only near misses: tools of the same domain that are
  about other things (no tool of the gold, none sharing what a gold tool is about, no generic tool,
  none returning a field the user asked for or whose description deals with what a goal is about);
  the gold makes no call and says plainly what it cannot do and what it can.
- **error_recovery**: one successful gold call is first answered by an injected failure, flagged in
  `GoldTurn.faults`: a transient one (timeout, rate limit, server error), after which the gold
  retries the same call, or a validation error for a value it sent in the wrong format (a date
  written day first, a number as text), after which it sends the value as the tool wants it. The
  conversation then goes on exactly as before, so the final state is the one without the fault.
- **missing_function**: the tool the first request needs most is withheld from that turn; the gold
  says it cannot do that part and makes no call (no substitute); the next turn offers the tool
  (`GoldTurn.tools_added`, BFCL's missed function) and the task completes.
- **long_context**: every tool of the sample's environments is offered (the whole domain), plus
  those of a neighbouring environment of the run; the calls stay the ones the query determines.

`FamilyQuota` mixes them by the ratios of `synthesis.families`: a unit's base sample becomes the
family that is furthest from its share among those it fits, in unit order (so a resumed run writes
what an uninterrupted one would). A family the tools cannot support is left short and reported,
never padded with others.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import Field

from hardgen.agents._text import tokens
from hardgen.graph import state_strings
from hardgen.schema import (
    FAMILIES,
    FAMILY_SCHEMA_VERSION,
    EnvironmentSpec,
    Family,
    GoldTurn,
    InjectedFault,
    Message,
    Record,
    Sample,
    Step,
    ToolCall,
    ToolSpec,
)
from hardgen.synth import _voice as voice
from hardgen.synth._answering import field_noun
from hardgen.synth._llm_roles import _template, prompt_version
from hardgen.synth._phrasing import tool_phrasing
from hardgen.synth._query_writer import plain_values
from hardgen.synth._text import value_atoms
from hardgen.tools import DEFAULT_TIMEOUT_S, Session, name_words, same_state
from hardgen.verify import faulted_calls, misformatted_value, value_in_text, verify_sample

MAX_PARALLEL = 3
"""At most this many calls in one parallel message (the reversed order is the one checked)."""


# -- mixing by ratio --------------------------------------------------------------------------------


def family_targets(ratios: Mapping[Family, float], samples: int) -> dict[str, int]:
    """How many samples of each family `samples` asks for at these ratios (largest remainder, ties
    in the order of `FAMILIES`); families with ratio 0 are left out."""
    wanted = {f: float(r) for f, r in ratios.items() if r > 0}
    total = sum(wanted.values())
    if not wanted or total <= 0:
        raise ValueError("synthesis.families needs at least one family with a ratio above 0")
    exact = {f: samples * r / total for f, r in wanted.items()}
    counts = {f: int(v) for f, v in exact.items()}
    order = sorted(wanted, key=lambda f: (-(exact[f] - counts[f]), FAMILIES.index(f)))  # type: ignore[arg-type]
    for f in order[: samples - sum(counts.values())]:
        counts[f] += 1
    return {f: counts[f] for f in FAMILIES if f in counts}


class FamilyOutcome(Record):
    """What one unit gave: the family samples it fits (each verified), why it fits no other, or the
    rejection of its base sample."""

    unit_id: str
    variants: dict[str, Sample] = Field(default_factory=dict)
    unsupported: dict[str, str] = Field(default_factory=dict)
    """Family -> why this unit's sample cannot be one."""
    base_rejection: Any = None
    """The base sample's `Rejection` when there is no base sample (then no family either)."""


class FamilyQuota:
    """How many samples of each family are still wanted, and which family a unit's sample becomes."""

    def __init__(self, targets: Mapping[str, int], written: Mapping[str, int] | None = None) -> None:
        self.targets = dict(targets)
        self.written: Counter[str] = Counter({f: n for f, n in (written or {}).items() if f in self.targets})
        self.unsupported: Counter[str] = Counter()
        """Units whose base sample a family could not use, by family."""
        self.reasons: dict[str, Counter[str]] = {f: Counter() for f in self.targets}

    @classmethod
    def resumed(cls, targets: Mapping[str, int], records: Iterable[Mapping[str, Any]]) -> FamilyQuota:
        """A quota continuing from samples already written (their `metadata.family`)."""
        written = Counter(str(r.get("metadata", {}).get("family", "base")) for r in records)
        return cls(targets, written)

    def open(self) -> list[str]:
        """Families still short, furthest from their target first; on a tie base comes last (every
        unit fits base, so a unit that fits another family serves that one)."""
        short = [f for f in self.targets if self.written[f] < self.targets[f]]
        return sorted(short, key=lambda f: (self.written[f] / self.targets[f], f == "base",
                                            FAMILIES.index(f)))  # type: ignore[arg-type]

    @property
    def full(self) -> bool:
        return not self.open()

    def pick(self, outcome: FamilyOutcome) -> Sample | None:
        """The sample this unit contributes (the most wanted family it fits), counted; None when it
        fits no family still open (the reasons are kept for the summary)."""
        for family in self.open():
            sample = outcome.variants.get(family)
            if sample is not None:
                self.written[family] += 1
                return sample
        if outcome.base_rejection is None:
            for family in self.open():
                self.unsupported[family] += 1
                self.reasons[family][_reason_key(outcome.unsupported.get(family, "not tried"))] += 1
        return None

    def why_not(self, outcome: FamilyOutcome) -> str:
        """Why `pick` found no family for this unit."""
        parts = [f"{f}: {outcome.unsupported.get(f, 'not tried')}" for f in self.open()]
        return "fits no family still short of its share (" + "; ".join(parts) + ")"

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per family: target, written, short by, and (when short) why units did not fit it."""
        out: dict[str, dict[str, Any]] = {}
        for family, target in self.targets.items():
            entry: dict[str, Any] = {"target": target, "written": self.written[family],
                                     "short": max(0, target - self.written[family])}
            if self.unsupported[family]:
                entry["units_unfit"] = self.unsupported[family]
                entry["why_unfit"] = dict(self.reasons[family].most_common(5))
            out[family] = entry
        return out


def _reason_key(reason: str) -> str:
    return re.sub(r"'[^']*'|\b\d+\b", "…", reason)[:120]


# -- shared helpers ---------------------------------------------------------------------------------


def finish(sample: Sample, family: Family, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> Sample | str:
    """`sample` named as `family` (schema version 2), or why it fails verification from scratch."""
    sample = sample.model_copy(update={
        "schema_version": FAMILY_SCHEMA_VERSION,
        "metadata": sample.metadata.model_copy(update={"family": family}),
    })
    verdict = verify_sample(sample, timeout=timeout)
    if not verdict.passed:
        return f"the {family} sample does not verify: " + "; ".join(verdict.reasons[:3])
    return sample


def _turn_bounds(messages: Sequence[Message]) -> list[tuple[int, int]]:
    """(first, end) message indices of each user turn: its user message up to the next one."""
    starts = [i for i, m in enumerate(messages) if m.role == "user"]
    return [(s, starts[k + 1] if k + 1 < len(starts) else len(messages)) for k, s in enumerate(starts)]


def _replayed(sample: Sample, timeout: float | None) -> dict[str, Step]:
    """The sample's assistant calls replayed in order from its initial state, by call id."""
    faulted = faulted_calls(sample)
    session = Session.from_specs(sample.environments, timeout=timeout)
    try:
        out = {}
        for m in sample.messages:
            for c in m.tool_calls or []:
                if c.id not in faulted:
                    out[c.id] = Step(call=c, observation=session.call(c.name, c.arguments))
        return out
    finally:
        session.close()


def _scalars(node: Any) -> list[Any]:
    return [a for a in value_atoms(node) if a is not None and not isinstance(a, bool)]


def _feeds(result: Any, arguments: Mapping[str, Any]) -> bool:
    """Whether a value of `arguments` that could only come from a lookup appears in `result`."""
    produced = {str(a).lower() for a in _scalars(result) if len(str(a)) >= 2}
    return any(str(a).lower() in produced for a in _scalars(dict(arguments))
               if not (isinstance(a, int) and -1 <= a <= 10) and len(str(a)) >= 2)


def _subject(tool: str) -> set[str]:
    """What a tool is about: the words of its name that are no verb (`cancel_order` -> order)."""
    return {w.rstrip("s") for w in name_words(tool)} - _VERBS


_VERBS = frozenset({"get", "list", "find", "search", "create", "add", "set", "update", "delete", "remove", "show",
                    "check", "my", "new", "to", "from", "of", "and", "by", "all", "for", "view", "read", "fetch",
                    "lookup", "look", "up", "query", "make", "edit", "change", "cancel", "send", "open", "close",
                    "start", "stop", "info", "detail", "details", "current"})


def _ask(spec: ToolSpec | None, name: str, rng: random.Random) -> str:
    """What a tool does, as the assistant says it to the user ("cancel your order")."""
    if spec is None:
        return name.replace("_", " ")
    return voice.second_person(rng.choice(tool_phrasing(spec).ask).replace("{", "").replace("}", ""))


def _user_ask(spec: ToolSpec | None, name: str, rng: random.Random) -> str:
    """What a tool does, as the user asks for it ("cancel my order")."""
    if spec is None:
        return name.replace("_", " ")
    return rng.choice(tool_phrasing(spec).ask).replace("{", "").replace("}", "")


def _act(spec: ToolSpec | None, name: str, rng: random.Random) -> str:
    """What a tool does, as the assistant says it to itself ("cancel their order")."""
    if spec is None:
        return name.replace("_", " ")
    return voice.third_person(rng.choice(tool_phrasing(spec).ask).replace("{", "").replace("}", ""))


def _goal_tools(sample: Sample, turn: int = 0) -> list[str]:
    goals = sample.metadata.extra.get("goal_steps")
    steps = sample.gold[turn].steps
    indices = goals[turn] if isinstance(goals, list) and turn < len(goals) and goals[turn] else [len(steps) - 1]
    return list(dict.fromkeys(steps[i].call.name for i in indices if 0 <= i < len(steps)))


def _initial_hash(environments: Sequence[EnvironmentSpec], timeout: float | None) -> str:
    session = Session.from_specs(environments, timeout=timeout)
    try:
        return session.state_hash()
    finally:
        session.close()


def _shifted(turns: Sequence[GoldTurn], by: int) -> list[GoldTurn]:
    """Gold turns with their steps' turn numbers moved on by `by` (a turn was put before them)."""
    return [t.model_copy(update={"steps": [s.model_copy(update={"turn": s.turn + by}) for s in t.steps]})
            for t in turns]


def _extra_with_new_first_turn(sample: Sample) -> dict[str, Any]:
    extra = dict(sample.metadata.extra)
    if isinstance(extra.get("goal_steps"), list):
        extra["goal_steps"] = [[], *extra["goal_steps"]]
    return extra


# -- parallel ---------------------------------------------------------------------------------------

_TOGETHER = ("Neither of these needs the other's result, so I'll make both calls at once.",
             "These don't depend on each other, so I'll send them together.",
             "None of these waits on another, so I can run them in parallel.",
             "They're independent, so there's no reason to do them one at a time.")


def _single_call(messages: Sequence[Message], i: int, end: int) -> bool:
    """Whether messages[i] is an assistant message with one call and no text, answered right after."""
    m = messages[i]
    return (m.role == "assistant" and bool(m.tool_calls) and len(m.tool_calls or []) == 1 and not m.content
            and i + 1 < end and messages[i + 1].role == "tool"
            and messages[i + 1].tool_call_id == (m.tool_calls or [])[0].id)


def _groups(messages: Sequence[Message], start: int, end: int, steps: Mapping[str, Step], mutating: set[str],
            session: Session) -> list[list[int]]:
    """Indices of the single-call assistant messages of messages[start:end] grouped into parallel
    messages (groups of one stay as they are). `session` follows the calls in order."""
    groups: list[list[int]] = []
    group_start: Any = None
    for i in range(start, end):
        m = messages[i]
        if m.role != "assistant" or not m.tool_calls:
            continue
        if not _single_call(messages, i, end):
            for c in m.tool_calls:
                session.call(c.name, c.arguments)
            groups.append([])  # breaks the run: what follows starts a new group
            continue
        call = m.tool_calls[0]
        step = steps.get(call.id)
        group = groups[-1] if groups else []
        before = session.snapshot()
        joined = False
        if group and step is not None and step.observation.ok and len(group) < MAX_PARALLEL \
                and group[-1] + 2 == i:
            earlier = [(messages[a].tool_calls or [])[0] for a in group]
            joined = _independent(earlier, call, steps, mutating, session, group_start)
        if joined:
            group.append(i)  # `_independent` left the session after the group in order
        else:
            session.restore(before)
            group_start = before
            groups.append([i])
            session.call(call.name, call.arguments)
    return [g for g in groups if g]


def derive_parallel(base: Sample, rng: random.Random, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> Sample | str:
    """The sample with independent consecutive calls of each turn issued together (see the module
    docstring), or why it has none."""
    steps = _replayed(base, timeout)
    mutating = {t.name for t in base.tools if t.mutates}
    bounds = _turn_bounds(base.messages)
    if not bounds:
        return "no user turn"
    messages: list[Message] = list(base.messages[: bounds[0][0]])
    parallel_turns: set[int] = set()
    sizes: list[int] = []
    session = Session.from_specs(base.environments, timeout=timeout)
    try:
        for turn, (start, end) in enumerate(bounds):
            grouped = {g[0]: g for g in _groups(base.messages, start, end, steps, mutating, session)}
            i = start
            while i < end:
                group = grouped.get(i)
                if group is None or len(group) == 1:
                    messages.append(base.messages[i])
                    i += 1
                    continue
                calls = [(base.messages[a].tool_calls or [])[0] for a in group]
                thoughts = [r for a in group if (r := base.messages[a].reasoning)]
                messages.append(Message.assistant(tool_calls=calls, reasoning=" ".join([*thoughts, rng.choice(_TOGETHER)])))
                messages.extend(base.messages[a + 1] for a in group)
                parallel_turns.add(turn)
                sizes.append(len(group))
                i = group[-1] + 2
    finally:
        session.close()
    if not parallel_turns:
        return "no independent calls: each call needs an earlier one or changes what it sees"
    gold = [t.model_copy(update={"parallel": i in parallel_turns}) for i, t in enumerate(base.gold)]
    extra = {**base.metadata.extra, "parallel_groups": sizes}
    derived = base.model_copy(update={"messages": messages, "gold": gold,
                                      "metadata": base.metadata.model_copy(update={"extra": extra})})
    return finish(derived, "parallel", timeout=timeout)


def _independent(earlier: Sequence[ToolCall], new: ToolCall, steps: Mapping[str, Step], mutating: set[str],
                 session: Session, group_start: Any) -> bool:
    """Whether `new` can join the calls `earlier` (run from `group_start`, `session` now after them):
    it takes no value from their results, is no copy of one, at most one of them writes, and the
    calls run in reverse order give each the same result and end in the same state. On True the
    session is left after all of them in order."""
    for c in earlier:
        s = steps.get(c.id)
        if s is None or not s.observation.ok or _feeds(s.observation.result, new.arguments):
            return False
        if c.name == new.name and same_state(c.arguments, new.arguments):
            return False
    if new.name in mutating and any(c.name in mutating for c in earlier):
        return False  # two writes in one message: kept apart, as most tool APIs expect
    ordered = [*earlier, new]
    expected = {c.id: steps[c.id].observation for c in ordered if c.id in steps}
    if len(expected) != len(ordered):
        return False
    session.restore(group_start)
    for c in reversed(ordered):
        obs = session.call(c.name, c.arguments)
        if obs.ok != expected[c.id].ok or not same_state(obs.result, expected[c.id].result):
            return False
    reversed_hash = session.state_hash()
    session.restore(group_start)
    for c in ordered:
        session.call(c.name, c.arguments)
    return session.state_hash() == reversed_hash


# -- irrelevance ------------------------------------------------------------------------------------

_DECLINE = ("I'm sorry, I can't {goal} with the tools I have here.",
            "Unfortunately I can't {goal}: none of the tools I have does that.",
            "I'm not able to {goal} with what I have access to.",
            "That's not something I can do here: I have no way to {goal}.")
_OFFER = (" I can {others}, if any of that helps.", " What I can do is {others}.",
          " The tools I have only let me {others}.", " I could {others} instead, if that's useful.")


def _fields(schema: Any) -> set[str]:
    """Every property name in a JSON Schema (a tool's `returns`), however deep."""
    if isinstance(schema, dict):
        own = set(schema["properties"]) if isinstance(schema.get("properties"), dict) else set()
        return own | {f for v in schema.values() for f in _fields(v)}
    if isinstance(schema, list):
        return {f for v in schema for f in _fields(v)}
    return set()


def _asked_fields(turn: GoldTurn) -> set[str]:
    """The result fields that hold a value the user asked for in `turn` (its answer values)."""
    wanted = {str(v).strip().lower() for v in turn.answer_values}
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(value, (dict, list)) and str(value).strip().lower() in wanted:
                    found.add(str(key))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for step in turn.steps:
        if step.observation.ok:
            walk(step.observation.result)
    return found


def near_misses(sample: Sample, tools: Mapping[str, ToolSpec], turn: int = 0, limit: int = 5) -> list[ToolSpec]:
    """Tools of the environments of the turn's goals that cannot serve it, ranked by how many words they
    share with the request (near misses first). None is a tool of the gold, shares what a gold
    tool is about (its name's nouns), is generic (its name says only a verb), returns a field that
    holds a value the user asked for (it could answer part of the request), or says in its
    description that it deals with what a goal of the turn is about (`get_employee`, "direct
    manager id", serves "who does she report to" call by call)."""
    gold = {s.call.name for t in sample.gold for s in t.steps}
    about = {w for name in gold for w in _subject(name)}
    goal_about = set(tokens(" ".join(w for name in _goal_tools(sample, turn) for w in _subject(name))))
    asked = _asked_fields(sample.gold[turn])
    # The domain of what the user asks for, not every environment the sample carries.
    envs = {tools[g].environment for g in _goal_tools(sample, turn) if g in tools} & {e.name for e in sample.environments}
    query_words = set(tokens(sample.gold[turn].query))
    found = []
    for name, spec in tools.items():
        subject = _subject(name)
        if spec.environment not in envs or name in gold or not subject or subject & about:
            continue
        if _fields(spec.returns) & asked or goal_about & set(tokens(spec.description)):
            continue
        words = set(tokens(name) + tokens(spec.description))
        found.append((-len(words & query_words), name, spec))
    found.sort(key=lambda x: (x[0], x[1]))
    return [spec for _, _, spec in found[:limit]]


def derive_irrelevance(base: Sample, tools: Mapping[str, ToolSpec], rng: random.Random, *,
                       timeout: float | None = DEFAULT_TIMEOUT_S) -> Sample | str:
    """The first request of `base`, offered only near misses; the gold declines (module docstring)."""
    offered = near_misses(base, tools)
    if len(offered) < 2:
        domains = sorted({tools[g].environment or "" for g in _goal_tools(base) if g in tools})
        return f"fewer than 2 near-miss tools in {', '.join(domains) or 'the goals domain'}"
    goals = _goal_tools(base)
    if not goals:
        return "the first turn has no goal call"
    wanted = voice.join_list([_ask(tools.get(g), g, rng) for g in goals])
    others = voice.join_list([_ask(t, t.name, rng) for t in offered[:3]])
    answer = rng.choice(_DECLINE).format(goal=wanted) + rng.choice(_OFFER).format(others=others)
    reasoning = (f"They want me to {voice.join_list([_act(tools.get(g), g, rng) for g in goals])}. "
                 f"None of my tools does that: they only {voice.join_list([_act(t, t.name, rng) for t in offered[:3]])}. "
                 "Calling one of them would do something else, so I'll say plainly that I can't.")
    rng.shuffle(offered)
    first = base.gold[0]
    gold = GoldTurn(query=first.query, behaviour="decline",
                    final_state_hash=_initial_hash(base.environments, timeout))
    bounds = _turn_bounds(base.messages)
    messages = [*base.messages[: bounds[0][0] + 1], Message.assistant(content=answer, reasoning=reasoning)]
    extra = {k: v for k, v in base.metadata.extra.items() if k not in ("goal_steps", "requested_turns", "short_reason")}
    extra.update({"goal_steps": [[]], "declined_tools": goals})
    metadata = base.metadata.model_copy(update={
        "chain_length": 0, "implicit_dependencies": 0, "turns": 1, "advanced_tools": base.metadata.advanced_tools[:1],
        "failure_tools": [], "extra": extra})
    derived = base.model_copy(update={"tools": offered, "messages": messages, "gold": [gold], "metadata": metadata})
    return finish(derived, "irrelevance", timeout=timeout)


# -- error recovery ---------------------------------------------------------------------------------

FaultKind = Literal["timeout", "rate_limit", "server_error", "validation"]

_FAULT_KINDS: tuple[FaultKind, ...] = ("timeout", "rate_limit", "server_error")


def _misformatted(message: Message, tools: Mapping[str, ToolSpec]) -> tuple[dict[str, Any], str, str] | None:
    """The call of `message` with one value in a format a tool would refuse (an ISO date written
    day first, a number sent as text: `misformatted_value`), the validation error that says so, and
    the thought that fixes it; None when no argument has such a value. In evaluation the error's
    rule answers any call with that argument in a wrong format (`hardgen.verify.FaultInjector`)."""
    call = (message.tool_calls or [])[0]
    properties = tools[call.name].parameters.get("properties", {}) if call.name in tools else {}
    for name, value in call.arguments.items():
        found = misformatted_value(name, value, properties.get(name, {}))
        if found is None:
            continue
        wrong, rule = found
        if rule.expects == "date":
            fix = f"The tool wants the {field_noun(name)} as {rule.shape}, not {wrong}. I'll send it again in that format."
        else:
            fix = f"I sent the {field_noun(name)} as text; it has to be a plain number. Fixing that and retrying."
        return {**call.arguments, name: wrong}, rule.message(wrong), fix
    return None


_FAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "timeout": ("TimeoutError", ("The request timed out after 30 seconds. No changes were made.",
                                 "Upstream timeout: no response within 20 s.")),
    "rate_limit": ("RateLimitError", ("Too many requests: rate limit exceeded. Retry after 1 second.",
                                      "429 Too Many Requests. Please slow down and try again.")),
    "server_error": ("ServiceUnavailableError", ("503 Service Unavailable: the server is temporarily overloaded.",
                                                 "Internal server error (500). Please try again.")),
}
_RETRY = {
    "timeout": ("The call timed out without an answer; that's transient, so I'll make the same call again.",
                "No answer in time. I'll retry the same call."),
    "rate_limit": ("I hit a rate limit. Nothing went through, so I'll wait a moment and send the same call again.",
                   "Too many requests at once; the call didn't run. Retrying it as it was."),
    "server_error": ("The server had a temporary failure, not a problem with my request, so I'll try the same call again.",
                     "That was a server-side error. The arguments were fine; I'll retry."),
}


def derive_error_recovery(base: Sample, rng: random.Random, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> Sample | str:
    """`base` with one successful call first answered by an injected transient fault, then retried
    (module docstring)."""
    steps = _replayed(base, timeout)
    bounds = _turn_bounds(base.messages)
    choices = [(turn, i) for turn, (start, end) in enumerate(bounds) for i in range(start, end)
               if _single_call(base.messages, i, end) and (c := steps.get((base.messages[i].tool_calls or [])[0].id))
               and c.observation.ok]
    if not choices:
        return "no successful single call to fail"
    # A value in the wrong format (a date written the other way, a number sent as text) when a call
    # has one and the draw says so; else a transient failure of the very same call.
    misformatted = [(turn, i, wrong) for turn, i in choices
                    if (wrong := _misformatted(base.messages[i], {t.name: t for t in base.tools})) is not None]
    kind: FaultKind = rng.choice(_FAULT_KINDS + (("validation",) if misformatted else ()))
    if kind == "validation":
        turn, at, (arguments, message, fix) = rng.choice(misformatted)
        error_type, retry_reasoning = "ValidationError", fix
    else:
        turn, at = rng.choice(choices)
        arguments = dict((base.messages[at].tool_calls or [])[0].arguments)
        error_type, texts = _FAULTS[kind]
        writes = any(t.name == (base.messages[at].tool_calls or [])[0].name and t.mutates for t in base.tools)
        # A write is retried only after a failure that says it was not made (the first wording).
        message, retry_reasoning = rng.choice(texts[:1] if writes else texts), rng.choice(_RETRY[kind])
    original = base.messages[at]
    call = (original.tool_calls or [])[0]
    faulted = ToolCall(id=f"{call.id}_fault", name=call.name, arguments=arguments)
    fault_answer = Message(role="tool", tool_call_id=faulted.id, name=call.name,
                           content=json.dumps({"error": {"type": error_type, "message": message}}))
    retry = original.model_copy(update={"reasoning": retry_reasoning})
    messages = [*base.messages[:at], Message.assistant(tool_calls=[faulted], reasoning=original.reasoning),
                fault_answer, retry, *base.messages[at + 1:]]
    fault = InjectedFault(call_id=faulted.id, tool=call.name, arguments=arguments, kind=kind,
                          error_type=error_type, message=message)
    gold = [t.model_copy(update={"faults": [*t.faults, fault]}) if i == turn else t for i, t in enumerate(base.gold)]
    extra = {**base.metadata.extra, "error_tool_response": [messages.index(fault_answer)]}
    derived = base.model_copy(update={"messages": messages, "gold": gold,
                                      "metadata": base.metadata.model_copy(update={"extra": extra})})
    return finish(derived, "error_recovery", timeout=timeout)


# -- missing parameter ------------------------------------------------------------------------------

_SECRET = re.compile(r"pass|pin|secret|token|code", re.I)
_LEADS = ("Sure, I can {act}.", "Happy to {act}.", "I can {act} for you.", "Of course, I'll {act}.")
_QUESTIONS: dict[str, tuple[str, ...]] = {
    "text": ("What should the {n} say?", "What would you like the {n} to say?"),
    "name": ("What should the {n} be?", "What {n} would you like?"),
    "amount": ("How much should it be?", "What amount should I use?"),
    "date": ("Which {n} should I use?", "What {n} did you have in mind?"),
    "other": ("What {n} should I use?", "Which {n} do you want?", "Could you tell me the {n}?"),
}
_REPLY_LEADS = ("", "Oh, right. ", "Sorry! ", "Good point. ", "Ah, yes. ")


def _question_kind(parameter: str) -> str:
    if re.search(r"(^|_)(text|body|content|message|memo|note|comment|description|reason)$", parameter):
        return "text"
    if re.search(r"(^|_)(name|title|label|subject|nickname)$", parameter):
        return "name"
    if re.search(r"(^|_)(amount|price|total)$", parameter):
        return "amount"
    if re.search(r"(^|_)(date|day|time|start|end|month)$", parameter):
        return "date"
    return "other"


def _guessable(value: Any) -> bool:
    """A value that could not turn up in a call by chance (not a flag, a blank or a small count)."""
    if isinstance(value, int) and not isinstance(value, float):
        return not -1 <= value <= 10
    return len(str(value).strip()) >= 2


def withheld_parameter(arguments: Mapping[str, Any], steps: Sequence[Step], environments: Sequence[EnvironmentSpec],
                       tools: Mapping[str, ToolSpec]) -> tuple[str, str, Any, list[str]] | None:
    """A stated value only the user can know, and what needs it: (lifted parameter, the required
    call parameter it fills, value, tools that take it), or None. Only the user knows a value that
    is in no initial state and in no result of a call made before the first call taking it (a
    write's echo of it after the fact does not count); secrets are never withheld."""
    known = {s.lower() for e in environments for s in state_strings(e.initial_state)}
    for lifted, value in arguments.items():
        atoms = _scalars(value)
        if not atoms or _SECRET.search(lifted) or not all(_guessable(a) for a in atoms):
            continue
        if any(str(a).lower() in known for a in atoms):
            continue
        consumers: list[str] = []
        parameter: str | None = None
        first: int | None = None
        for i, step in enumerate(steps):
            spec = tools.get(step.call.name)
            for pname, arg in step.call.arguments.items():
                if any(same_state(a, b) for a in atoms for b in _scalars(arg)):
                    consumers.append(step.call.name)
                    first = i if first is None else first
                    if parameter is None and spec is not None and pname in spec.required:
                        parameter = pname
        if parameter is None or first is None:
            continue
        earlier = {str(a).lower() for s in steps[:first] if s.observation.ok for a in _scalars(s.observation.result)}
        if any(str(a).lower() in earlier for a in atoms):
            continue
        return lifted, parameter, value, list(dict.fromkeys(consumers))
    return None


def derive_missing_parameter(base: Sample, short_query: str, parameter: str, value: Any, consumers: Sequence[str],
                             tools: Mapping[str, ToolSpec], rng: random.Random, *,
                             timeout: float | None = DEFAULT_TIMEOUT_S) -> Sample | str:
    """`base` with a first turn whose request (`short_query`) leaves out `parameter`: the gold asks
    for it, the user gives it, and the base conversation follows (module docstring)."""
    # The lead says what the user asked for that needs the value (the first goal at or after the
    # call taking it), the question what it needs.
    steps = base.gold[0].steps
    taking = next((i for i, st in enumerate(steps) if st.call.name == consumers[0]), 0)
    goals = base.metadata.extra.get("goal_steps")
    goal_steps = goals[0] if isinstance(goals, list) and goals and goals[0] else [len(steps) - 1]
    goal = steps[min((i for i in goal_steps if i >= taking), default=taking)].call.name
    noun = field_noun(parameter)
    question = rng.choice(_LEADS).format(act=_ask(tools.get(goal), goal, rng)) + " " + \
        rng.choice(_QUESTIONS[_question_kind(parameter)]).format(n=noun)
    reasoning = (f"They want me to {_act(tools.get(goal), goal, rng)}, but they haven't said what {noun} to use, "
                 "and it isn't something I could look up. I'll ask rather than guess.")
    rendered = voice.render(value, parameter in plain_values({parameter: value}, {}))
    statement = voice.mention(parameter, rendered, rng, value)[1].replace(voice.noun(parameter), noun, 1)
    reply = rng.choice(_REPLY_LEADS) + voice.capitalise(statement) + "."
    atoms = _scalars(value)
    if any(value_in_text(a, short_query) for a in atoms) or not all(value_in_text(a, reply) for a in atoms):
        return f"the {parameter} could not be left out of the request and given in the reply"
    bounds = _turn_bounds(base.messages)
    first_user = bounds[0][0]
    asking = GoldTurn(query=short_query, behaviour="clarify", asks_for=[parameter], withheld_values=atoms,
                      needs_value=list(consumers), final_state_hash=_initial_hash(base.environments, timeout))
    answered = base.gold[0].model_copy(update={"query": reply})
    gold = [asking, *_shifted([answered, *base.gold[1:]], 1)]
    messages = [*base.messages[:first_user], Message.user(short_query),
                Message.assistant(content=question, reasoning=reasoning), Message.user(reply),
                *base.messages[first_user + 1:]]
    extra = {**_extra_with_new_first_turn(base), "withheld_parameter": parameter}
    metadata = base.metadata.model_copy(update={"turns": len(gold), "extra": extra})
    derived = base.model_copy(update={"messages": messages, "gold": gold, "metadata": metadata})
    return finish(derived, "missing_parameter", timeout=timeout)


# -- missing function -------------------------------------------------------------------------------

_NOT_YET = ("I'm sorry, I can't {goal} right now: none of the tools I have does that.",
            "I don't have a way to {goal} at the moment, so I can't do this yet.",
            "Unfortunately I can't {goal} with the tools available to me right now.")
_ADDED = ("You should have a way to {goal} now. Can you go ahead?",
          "I've given you access to a tool that can {goal}. Please carry on with what I asked.",
          "Okay, that should be possible now. Please go ahead.")


def derive_missing_function(base: Sample, tools: Mapping[str, ToolSpec], rng: random.Random, *,
                            timeout: float | None = DEFAULT_TIMEOUT_S) -> Sample | str:
    """`base` whose first request is made while the goal tool it needs is not offered: the gold says
    it cannot do that yet and calls nothing; the next turn offers the tool (module docstring)."""
    goals = _goal_tools(base)
    if not goals:
        return "the first turn has no goal call"
    missing = goals[0]
    about = _subject(missing)
    gold_tools = {s.call.name for t in base.gold for s in t.steps}
    # A tool about the same thing that the gold does not use could stand in: it is not offered.
    offered = [t for t in base.tools if t.name == missing or t.name in gold_tools or not (_subject(t.name) & about)]
    goal_words = _ask(tools.get(missing), missing, rng)
    answer = rng.choice(_NOT_YET).format(goal=goal_words)
    reasoning = (f"They want me to {_act(tools.get(missing), missing, rng)}, and none of the tools I have does that. "
                 "Doing the other parts on their own, or using a tool that does something else, would not be what "
                 "they asked, so I'll tell them.")
    follow_up = rng.choice(_ADDED).format(goal=_user_ask(tools.get(missing), missing, rng))
    bounds = _turn_bounds(base.messages)
    first_user = bounds[0][0]
    declining = GoldTurn(query=base.gold[0].query, behaviour="decline",
                         final_state_hash=_initial_hash(base.environments, timeout))
    resumed = base.gold[0].model_copy(update={"query": follow_up, "tools_added": [missing]})
    gold = [declining, *_shifted([resumed, *base.gold[1:]], 1)]
    messages = [*base.messages[:first_user + 1], Message.assistant(content=answer, reasoning=reasoning),
                Message.user(follow_up), *base.messages[first_user + 1:]]
    extra = {**_extra_with_new_first_turn(base), "missed_function": {"1": [missing]}}
    metadata = base.metadata.model_copy(update={"turns": len(gold), "extra": extra})
    derived = base.model_copy(update={"tools": offered, "messages": messages, "gold": gold, "metadata": metadata})
    return finish(derived, "missing_function", timeout=timeout)


# -- long context -----------------------------------------------------------------------------------

LONG_CONTEXT_MIN_TOOLS = 20
"""A long-context sample offers at least this many tools."""

LONG_CONTEXT_MIN_CHARS = 4000
"""A long-context sample's tool messages hold at least this many characters of tool output."""


def _grown(old: Any, new: Any, path: str = "") -> tuple[list[tuple[str, list[Any], list[Any]]], str | None]:
    """How `new` (a result on the crowded world) extends `old` (the same call's result before):
    the lists that gained records, as (path, old records, added records), or why it is not an
    extension (a value changed, a field appeared, a one-record list gained others: what was the
    only match may no longer be)."""
    if isinstance(old, dict) and isinstance(new, dict):
        if set(old) != set(new):
            return [], f"{path or 'the result'} has other fields"
        grown: list[tuple[str, list[Any], list[Any]]] = []
        for key in old:
            more, why = _grown(old[key], new[key], f"{path}.{key}" if path else str(key))
            if why:
                return [], why
            grown += more
        return grown, None
    if isinstance(old, list) and isinstance(new, list):
        added: list[Any] = []
        i = 0
        for item in new:  # the old records, in their order, among the new ones
            if i < len(old) and same_state(old[i], item):
                i += 1
            else:
                added.append(item)
        if i < len(old):
            return [], f"{path or 'the result'} lost or changed records"
        if not added:
            return [], None
        if len(old) <= 1:
            return [], f"{path or 'the result'} held {len(old)} record(s) and would hold {len(new)}"
        return [(path, list(old), added)], None
    return ([], None) if same_state(old, new) else ([], f"{path or 'the result'} changed")


def _stated_in(record: Any, text: str) -> list[str]:
    """Values of `record` the user's `text` states (strings of 3+ characters, numbers past 100)."""
    return [str(a) for a in _scalars(record)
            if ((isinstance(a, str) and len(a.strip()) >= 3) or (isinstance(a, (int, float)) and abs(a) >= 100))
            and value_in_text(a, text)]


def _crowding_problem(turn: GoldTurn, j: int, old: Step, new: Step, text: str) -> str | None:
    """Why the crowded result of gold step `j` of `turn` would change what the task means: the
    call fails or answers differently, an added record carries a value the user stated that at most
    one old record carried (the query may mean the new one), the turn's answer reads two records of a grown listing (it would have to read
    all), or the listing itself is what the user asked to see. None when it only lists more."""
    if old.observation.ok != new.observation.ok or not old.observation.ok:
        return None if same_state(old.observation.to_text(), new.observation.to_text()) else \
            f"{old.call.name} answers otherwise"
    grown, why = _grown(old.observation.result, new.observation.result)
    if why:
        return f"{old.call.name}: {why}"
    for path, records, added in grown:
        # A stated value two old records already share (a status, a side) singled none of them out.
        shared = {v for v, n in Counter(v for r in records for v in set(_stated_in(r, text))).items() if n >= 2}
        stated = sorted({v for r in added for v in _stated_in(r, text)} - shared)
        if stated:
            return f"{old.call.name}: an added record of {path} has {stated[0]!r}, which the user said"
        reporting = [r for r in records if any(same_state(a, v) or str(v).lower() == str(a).lower()
                                               for v in turn.answer_values for a in _scalars(r))]
        if len(reporting) >= 2:
            return f"{old.call.name}: the answer reads {len(reporting)} records of {path}, so it would read them all"
        if not turn.answer_values and j in turn.required_observations:
            return f"{old.call.name}: the listing is what the user asked to see"
    return None


def _turn_ambiguity(sample: Sample, session: Session, tools: Mapping[str, ToolSpec]) -> list[str]:
    """The gold arguments of each turn the query does not single out on `session`'s world (the
    synthesizer's own check, `hardgen.synth._answerability`), with the sample's offered tools as
    the lookups a solver could make; `session` is left after the gold."""
    from hardgen.synth._answerability import ambiguous_arguments, argument_free_lookups
    from hardgen.tools import enabling_steps

    users = [m.content or "" for m in sample.messages if m.role == "user"]
    offered = list(sample.tools)
    known: set[str] = set()
    problems: list[str] = []
    for t, turn in enumerate(sample.gold):
        start = session.snapshot()
        envs = {tools[s.call.name].environment for s in turn.steps if s.call.name in tools}
        lookups = [o.result for name in argument_free_lookups(offered, {e for e in envs if e})
                   if (o := session.call(name, {})).ok]
        session.restore(start)
        carried = [a for s in turn.steps for p, v in s.call.arguments.items()
                   if p not in {src.parameter for src in s.sources} for a in value_atoms(v) if str(a).lower() in known]
        problems += [f"turn {t + 1}: {p}" for p in ambiguous_arguments(
            turn.steps, " ".join(users[:t + 1]), lookups, known=carried, enabling=enabling_steps(turn.steps, tools))]
        for step in turn.steps:
            session.call(step.call.name, step.call.arguments)
            known |= {str(a).lower() for a in value_atoms(step.observation.result)}
    return problems


def derive_long_context(base: Sample, tools: Mapping[str, ToolSpec], environments: Sequence[EnvironmentSpec],
                        rng: random.Random, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> Sample | str:
    """`base` offered every tool of its environments plus those of a neighbouring environment of
    the run (whose spec joins the sample's, so each offered tool runs on replay), in a world with a
    long history (`hardgen.world.crowded_spec`: older orders, more payees, favourites...), so its
    listings are long. Every call is executed again there and its result replaces the old one in
    the conversation; the sample fits only when each result is the old one or lists more records
    that change nothing the task means (`_crowding_problem`), the query still singles out every
    argument taken from a result, and the tool output comes to `LONG_CONTEXT_MIN_CHARS`."""
    from hardgen.world import crowded_spec

    own = {e.name for e in base.environments}
    others = sorted(e.name for e in environments if e.name not in own)
    neighbour = rng.choice(others) if others else None
    neighbours = [e for e in environments if e.name == neighbour]
    envs = own | {e.name for e in neighbours}
    offered_names = {t.name for t in base.tools} | {n for n, t in tools.items() if t.environment in envs}
    if len(offered_names) < LONG_CONTEXT_MIN_TOOLS:
        return f"only {len(offered_names)} tools to offer (a long-context sample offers {LONG_CONTEXT_MIN_TOOLS})"
    crowded = [crowded_spec(e) for e in base.environments]
    if not any(crowded):
        return f"no long history to list in {', '.join(sorted(own))}"
    offered = [tools[n] if n in tools else next(t for t in base.tools if t.name == n) for n in sorted(offered_names)]
    rng.shuffle(offered)
    environments = [c or e for c, e in zip(crowded, base.environments, strict=True)] + neighbours
    users = [m.content or "" for m in base.messages if m.role == "user"]
    # The gold on the crowded world (the state spans the neighbour too, so every hash is taken again).
    session = Session.from_specs(environments, timeout=timeout)
    try:
        gold = []
        observations: dict[str, Any] = {}
        for t, turn in enumerate(base.gold):
            steps = []
            for j, step in enumerate(turn.steps):
                again = step.model_copy(update={"observation": session.call(step.call.name, step.call.arguments)})
                problem = _crowding_problem(turn, j, step, again, " ".join(users[:t + 1]))
                if problem:
                    return f"a long history would change the task: {problem}"
                steps.append(again)
                observations[step.call.id] = again.observation
            gold.append(turn.model_copy(update={"steps": steps, "final_state_hash": session.state_hash()}))
    finally:
        session.close()
    # The conversation's own calls (the gold's, and any that failed on the way) on the crowded world.
    faulted = faulted_calls(base)
    replay = Session.from_specs(environments, timeout=timeout)
    try:
        results = {c.id: replay.call(c.name, c.arguments) for m in base.messages for c in m.tool_calls or []
                   if c.id not in faulted}
    finally:
        replay.close()
    messages = []
    for m in base.messages:
        if m.role == "tool" and m.tool_call_id in results:
            text = results[m.tool_call_id].to_text()
            if m.tool_call_id in observations or text != m.content:
                m = m.model_copy(update={"content": text})
        messages.append(m)
    chars = sum(len(m.content or "") for m in messages if m.role == "tool")
    if chars < LONG_CONTEXT_MIN_CHARS:
        return f"the listings stay short ({chars} characters of tool output; a long-context sample has " \
               f"{LONG_CONTEXT_MIN_CHARS})"
    extra = {**base.metadata.extra, "offered_tools": len(offered), "tool_output_chars": chars,
             "crowded_environments": sorted(e.name for e in base.environments if crowded_spec(e) is not None)}
    verification = base.verification.model_copy(update={"expected_state_hash": gold[-1].final_state_hash,
                                                        "actual_state_hash": gold[-1].final_state_hash})
    derived = base.model_copy(update={"tools": offered, "environments": environments, "gold": gold,
                                      "messages": messages, "verification": verification,
                                      "metadata": base.metadata.model_copy(update={"extra": extra})})
    check = Session.from_specs(environments, timeout=timeout)
    try:
        ambiguous = _turn_ambiguity(derived, check, tools)
    finally:
        check.close()
    if ambiguous:
        return "the query no longer singles out what the gold takes in a long history: " + ambiguous[0]
    return finish(derived, "long_context", timeout=timeout)


# -- what a run mixes -------------------------------------------------------------------------------


def mixed_families(ratios: Mapping[Family, float]) -> tuple[str, ...]:
    """The families a run derives (ratio above 0, in `FAMILIES` order); empty when it asks for base
    samples only, which then take the plain path and are written exactly as before families."""
    families = tuple(f for f in FAMILIES if ratios.get(f, 0) > 0)
    return () if families == ("base",) else families


def family_quota(ratios: Mapping[Family, float], samples: int,
                 written: Iterable[Mapping[str, Any]]) -> FamilyQuota | None:
    """The quota of a run mixing families, counting the samples already `written` (a resume); None
    for a run of base samples only."""
    if not mixed_families(ratios):
        return None
    return FamilyQuota.resumed(family_targets(ratios, samples), written)


def family_summary(ratios: Mapping[Family, float], samples: int, written: Iterable[Mapping[str, Any]],
                   rejected: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per family of a run mixing families: target, written, short by, and the commonest reasons
    why units did not fit it (from the `family` rejections), read from the run's files alone."""
    records = list(written)
    quota = family_quota(ratios, samples, records)
    if quota is None:
        return {}
    # Units whose verified base sample was offered to every family, and the families it fitted.
    units = 0
    fitted: Counter[str] = Counter()
    for record in records:
        fits = record.get("metadata", {}).get("extra", {}).get("family_fits")
        if isinstance(fits, list):
            units += 1
            fitted.update(fits)
    for record in rejected:
        if record.get("stage") != "family":
            continue
        for detail in record.get("details", []):
            family, _, why = str(detail).partition(": ")
            if family == "fits":
                units += 1
                fitted.update(f for f in why.split(", ") if f)
            elif family in quota.targets and quota.written[family] < quota.targets[family]:
                quota.unsupported[family] += 1
                quota.reasons[family][_reason_key(why)] += 1
    summary = quota.summary()
    if units:
        for family, entry in summary.items():
            entry["fit_rate"] = round(fitted[family] / units, 4)

    return summary



# -- the first turn written by a model Reasoner -----------------------------------------------------

FAMILY_PROMPTS: dict[str, str] = {
    "missing_parameter": "family_missing_parameter.j2",
    "irrelevance": "family_irrelevance.j2",
    "missing_function": "family_missing_function.j2",
}
"""The prompt file (in `hardgen/synth/prompts`) whose text is a model Reasoner's private note for
the first turn of each family that has one; its version goes into the sample's provenance."""


def family_note(family: str, sample: Sample, tools: Mapping[str, ToolSpec]) -> str:
    """The rendered note of `family` for `sample`'s first turn (see `FAMILY_PROMPTS`)."""
    rng = random.Random(sample.id)
    gold = sample.gold[0]
    if family == "missing_parameter":
        values = {"noun": voice.join_list([field_noun(p) for p in gold.asks_for]), "tools": list(gold.needs_value)}
    elif family == "irrelevance":
        values = {"tools": [_ask(t, t.name, rng) for t in sample.tools]}
    else:
        missing = sample.gold[1].tools_added[0] if len(sample.gold) > 1 and sample.gold[1].tools_added else ""
        values = {"goal": _act(tools.get(missing), missing, rng)}
    return str(_template(FAMILY_PROMPTS[family]).render(**values)).strip()


def with_first_turn(sample: Sample, turn: Sequence[Message]) -> Sample:
    """`sample` with the assistant and tool messages of its first user turn replaced by `turn`."""
    users = [i for i, m in enumerate(sample.messages) if m.role == "user"]
    end = users[1] if len(users) > 1 else len(sample.messages)
    messages = [*sample.messages[:users[0] + 1], *turn, *sample.messages[end:]]
    family = sample.metadata.family
    provenance = sample.metadata.provenance
    if family in FAMILY_PROMPTS:  # the note the Reasoner wrote this turn with
        versions = {**provenance.prompt_versions, family: prompt_version(FAMILY_PROMPTS[family])}
        provenance = provenance.model_copy(update={"prompt_versions": versions})
    return sample.model_copy(update={"messages": messages, "metadata": sample.metadata.model_copy(
        update={"provenance": provenance})})
