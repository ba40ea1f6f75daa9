"""Validity report: is each gold the sensible solution of what its query asks? (issue 11)

Counted from the samples themselves, re-executing their gold where a check needs state, so the
report also audits files written by other tools or older versions:

- implicit writes: a state change in the gold that is neither a goal nor an enabling step
  (log in, cd) - the user never asked for it;
- create-then-destroy: a gold that deletes, cancels or archives what it created itself;
- duplicate new entities: a creating call whose new name is already taken in the initial state;
- repeated creations: a creating call made again with the same arguments (the same tweet
  posted twice, the same contact added in two turns);
- unused calls: a lookup that is no goal and whose result feeds no later call;
- undetermined arguments: a gold argument neither stated by the user nor taken from a result
  nor the documented default;
- ambiguous queries: a looked-up argument the query does not single out among what the
  argument-free lookups and the gold's own results hold (`hardgen.synth._answerability`);
- conversations with more than one identity: log-ins with different accounts in one sample;
- disconnected turns: a later turn none of whose arguments an earlier turn stated, made or found.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from hardgen.graph._fresh import state_strings
from hardgen.schema import Sample, Step, ToolSpec
from hardgen.synth._answerability import ambiguous_arguments, argument_free_lookups, undetermined_arguments
from hardgen.synth._answerability import normal_value as _normal
from hardgen.synth._text import is_id_like, value_atoms
from hardgen.tools import (
    Session,
    enabling_steps,
    is_creating,
    is_destroying,
    is_enabling_name,
    names_new_entity,
    undoes,
)


class ValidityReport(BaseModel):
    """Counts of gold defects over a set of samples; every count should be zero."""

    samples: int = 0
    turns: int = 0
    implicit_writes: int = 0
    create_then_destroy: int = 0
    duplicate_new_entities: int = 0
    repeated_creations: int = 0
    unused_calls: int = 0
    undetermined_arguments: int = 0
    ambiguous_queries: int = 0
    multiple_identities: int = 0
    disconnected_turns: int = 0
    """Later turns that use nothing an earlier turn said, made or found (not a defect of the
    gold, but a conversation that is only two tasks glued together)."""
    mean_calls_per_turn: float = 0.0
    share_turns_ge_3_calls: float = 0.0
    short_conversations: int = 0
    """Samples with fewer turns than requested (`--turns N`)."""
    short_reasons: dict[str, int] = Field(default_factory=dict)
    examples: dict[str, list[str]] = Field(default_factory=dict)
    """Up to three sample ids per defect, to look at."""

    @property
    def defects(self) -> int:
        return (self.implicit_writes + self.create_then_destroy + self.duplicate_new_entities
                + self.repeated_creations + self.unused_calls
                + self.undetermined_arguments + self.ambiguous_queries + self.multiple_identities)


def _goals(sample: Sample, turn: int, steps: Sequence[Step]) -> set[int]:
    recorded = sample.metadata.extra.get("goal_steps")
    if isinstance(recorded, list) and turn < len(recorded) and isinstance(recorded[turn], list):
        return {int(i) for i in recorded[turn]}
    fed = {src.step for s in steps for src in s.sources}
    return {i for i in range(len(steps)) if i not in fed}




def _distinctive(value: Any) -> bool:
    """A value that names something (not a flag, a count or a two-letter code)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return abs(value) >= 100
    return isinstance(value, str) and len(value.strip()) >= 3


class ValidityCounter:
    """Accumulates the report one sample at a time (constant memory), re-executing golds when
    `execute` is set (needed for duplicate names and ambiguity)."""

    def __init__(self, execute: bool = True) -> None:
        self.execute = execute
        self.report = ValidityReport()
        self._calls = 0
        self._ge3 = 0
        self._short: Counter[str] = Counter()

    def _flag(self, defect: str, sample: Sample, count: int = 1) -> None:
        if count <= 0:
            return
        setattr(self.report, defect, getattr(self.report, defect) + count)
        ids = self.report.examples.setdefault(defect, [])
        if len(ids) < 3 and sample.id not in ids:
            ids.append(sample.id)

    def add(self, sample: Sample) -> None:
        report = self.report
        report.samples += 1
        specs: dict[str, ToolSpec] = {t.name: t for t in sample.tools}
        requested = sample.metadata.extra.get("requested_turns")
        if isinstance(requested, int) and requested > len(sample.gold):
            report.short_conversations += 1
            reason = re.sub(r"^turn \d+:?\s*", "", str(sample.metadata.extra.get("short_reason", "unknown")))
            reason = reason.split(":")[0] or "unknown"
            self._short[reason] += 1
        created: set[str] = set()
        made: set[tuple[str, str]] = set()  # creating calls so far, with their arguments
        identities: dict[str, set[str]] = {}
        user_text: list[str] = []
        users = [m.content or "" for m in sample.messages if m.role == "user"]
        session = Session.from_specs(sample.environments) if self.execute else None
        try:
            initial = state_strings(session.state()) if session is not None else set()
            initial_lower = {s.lower() for s in initial}
            for t, turn in enumerate(sample.gold):
                steps = turn.steps
                report.turns += 1
                self._calls += len(steps)
                self._ge3 += len(steps) >= 3
                user_text.append(users[t] if t < len(users) else turn.query)
                goals = _goals(sample, t, steps)
                enabling = enabling_steps(steps, specs)
                fed = {src.step for s in steps for src in s.sources}
                for i, step in enumerate(steps):
                    name = step.call.name
                    writes = specs[name].mutates if name in specs else True
                    if writes and i not in goals and i not in enabling:
                        self._flag("implicit_writes", sample)
                    if not writes and i not in goals and i not in fed:
                        self._flag("unused_calls", sample)
                    if writes and is_destroying(name) and any(_normal(a) in created
                                                              for a in value_atoms(step.call.arguments)):
                        self._flag("create_then_destroy", sample)
                    elif writes and any(undoes(e.call.name, name) and set(map(str, e.call.arguments.values()))
                                        & set(map(str, step.call.arguments.values())) for e in steps[:i]):
                        self._flag("create_then_destroy", sample)  # freeze a card, then unfreeze it
                    if writes and is_creating(name):
                        call = (name, json.dumps(step.call.arguments, sort_keys=True, default=str))
                        if call in made:
                            self._flag("repeated_creations", sample)
                        made.add(call)
                    if writes and is_creating(name) and session is not None and t == 0:
                        for parameter, value in step.call.arguments.items():
                            if (names_new_entity(name, parameter) and isinstance(value, str)
                                    and value.strip().lower() in initial_lower):
                                self._flag("duplicate_new_entities", sample)
                    if writes and is_enabling_name(name) and step.call.arguments:
                        identities.setdefault(name, set()).add(repr(sorted(step.call.arguments.items())))
                known = [a for earlier in sample.gold[:t] for s in earlier.steps if s.observation.ok
                         for a in value_atoms(s.observation.result)]
                if t > 0:
                    before = {_normal(a) for a in known if _distinctive(a)}
                    before |= {_normal(a) for earlier in sample.gold[:t] for s in earlier.steps
                               for a in value_atoms(s.call.arguments) if _distinctive(a)}
                    used = {_normal(a) for i, s in enumerate(steps) if i not in enabling
                            for a in value_atoms(s.call.arguments) if _distinctive(a)}
                    if not used & before:
                        self._flag("disconnected_turns", sample)
                self._flag("undetermined_arguments", sample,
                           len(undetermined_arguments(steps, " ".join(user_text), specs, known)))
                if session is not None:
                    start = session.snapshot()
                    if t > 0:
                        present = {x.lower() for x in state_strings(session.state())}
                        for step in steps:
                            if specs.get(step.call.name) is not None and specs[step.call.name].mutates \
                                    and is_creating(step.call.name):
                                for parameter, value in step.call.arguments.items():
                                    if names_new_entity(step.call.name, parameter) and isinstance(value, str) \
                                            and value.strip().lower() in present:
                                        self._flag("duplicate_new_entities", sample)
                    envs = {specs[s.call.name].environment for s in steps if s.call.name in specs}
                    lookups = []
                    for lookup in argument_free_lookups(sample.tools, {e for e in envs if e}):
                        observation = session.call(lookup, {})
                        if observation.ok:
                            lookups.append(observation.result)
                    session.restore(start)
                    # A value of this turn the user did not say but an earlier turn produced is a
                    # reference back ("the same one as before"): the conversation holds it.
                    earlier = {_normal(a) for a in known}
                    said = " ".join(user_text)
                    carried = [a for s in steps for p, v in s.call.arguments.items()
                               if p not in {src.parameter for src in s.sources}
                               for a in value_atoms(v) if _normal(a) in earlier]
                    if ambiguous_arguments(steps, said, lookups, known=carried, enabling=enabling):
                        self._flag("ambiguous_queries", sample)
                    for step in steps:
                        session.call(step.call.name, step.call.arguments)
                for step in steps:
                    if step.observation.ok and step.call.name in specs and specs[step.call.name].mutates \
                            and is_creating(step.call.name):
                        created.update(_normal(a) for a in value_atoms(step.observation.result) if is_id_like(a))
        finally:
            if session is not None:
                session.close()
        if any(len(v) > 1 for v in identities.values()):
            self._flag("multiple_identities", sample)

    def finish(self) -> ValidityReport:
        report = self.report
        report.mean_calls_per_turn = round(self._calls / report.turns, 4) if report.turns else 0.0
        report.share_turns_ge_3_calls = round(self._ge3 / report.turns, 4) if report.turns else 0.0
        report.short_reasons = dict(self._short.most_common())
        return report


def validity_report(samples: Iterable[Sample], *, execute: bool = True) -> ValidityReport:
    """The validity report of `samples` (see the module docstring)."""
    counter = ValidityCounter(execute=execute)
    for sample in samples:
        counter.add(sample)
    return counter.finish()
