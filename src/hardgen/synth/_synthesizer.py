"""Phase III for one unit of work: advanced tool + values -> gold turns -> hard queries ->
reasoning verified by re-execution (with critic hints, at most K tries) -> one canonical Sample,
or a Rejection that says at which stage and why. Never an unverified sample."""

from __future__ import annotations

import inspect
import json
import random
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from pydantic import Field

from hardgen._version import __version__
from hardgen.graph import fresh_value, state_strings
from hardgen.llm import is_fatal
from hardgen.schema import (
    FAMILIES,
    EnvironmentSpec,
    GoldTurn,
    Message,
    Provenance,
    Record,
    Sample,
    SampleMetadata,
    Step,
    ToolSpec,
    VerificationRecord,
)
from hardgen.synth._advanced_tool import (
    AdvancedExecutionError,
    AdvancedTool,
    ElementSelector,
    execute_advanced,
    without_steps,
)
from hardgen.synth._answerability import ambiguous_arguments, argument_free_lookups, undetermined_arguments
from hardgen.synth._answerability import normal_value as _normal
from hardgen.synth._critic import Critic, CriticHint
from hardgen.synth._families import (
    FAMILY_PROMPTS,
    FamilyOutcome,
    FamilyQuota,
    derive_error_recovery,
    derive_irrelevance,
    derive_long_context,
    derive_missing_function,
    derive_missing_parameter,
    derive_parallel,
    family_note,
    finish,
    with_first_turn,
    withheld_parameter,
)
from hardgen.synth._privileged import scrub_privileged
from hardgen.synth._query_writer import HardQuery, QueryWriter, check_query
from hardgen.synth._reasoner import ModelFreeReasoner, Reasoner, ReasonerTask
from hardgen.synth._text import is_id_like, value_atoms
from hardgen.tools import (
    DEFAULT_TIMEOUT_S,
    Session,
    enabling_steps,
    is_creating,
    is_destroying,
    is_enabling_name,
    leaked_state,
    name_words,
    names_new_entity,
)
from hardgen.verify import CandidateTurn, batches_of, tools_for_turn, value_in_text, verify_turn

DEFAULT_SYSTEM_PROMPT = resources.files("hardgen.synth").joinpath("prompts/system.txt").read_text("utf-8").strip()

RejectionStage = Literal["bind", "execute", "query", "reason", "error", "family"]


class SynthesisUnit(Record):
    """One unit of work with its own deterministic seed."""

    unit_id: str
    seed: int
    advanced_tool: str
    arguments: dict[str, Any]
    turns: int = 1
    round: int = 0
    """Planning round: 0 for the first traces, n for the n-th top-up when units ran out."""


class Rejection(Record):
    """A candidate that did not become a sample, and why."""

    unit_id: str
    stage: RejectionStage
    reason: str
    advanced_tool: str | None = None
    attempts: int = 0
    hints: list[str] = Field(default_factory=list)
    details: list[str] = Field(default_factory=list)


@dataclass
class SynthesisConfig:
    max_attempts: int = 3
    """K: reasoner tries per turn (the first try plus K-1 after critic hints)."""
    distractors: int = 4
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    failure_tools: frozenset[str] = frozenset()
    provenance: Provenance = field(default_factory=Provenance)
    sampling_mode: str = "legality"
    families: tuple[str, ...] = ()
    """Families the run mixes (`_families.mixed_families`); empty: base samples only, as before."""


def _turn_goals(tool: AdvancedTool, steps: Sequence[Step]) -> list[int]:
    """Indices of the executed steps that are the turn's goals (a nested body: its last step)."""
    return list(tool.goal_steps) if len(tool.goal_steps) and len(steps) == len(tool.steps) else [len(steps) - 1]


def _required_observations(tool: AdvancedTool, steps: Sequence[Step], mutating: set[str],
                           unchanged: Collection[int] = (), enabling: Collection[int] = ()) -> list[int]:
    """Results a candidate must obtain: read goals, and writes that left the state as it was (the
    state hash cannot tell whether they were made, so their result must be seen instead), except
    enabling ones (logging in again as the same user changes nothing and is not needed). The
    gold's intermediate lookups are not required: another way to the same values is as good."""
    goals = set(_turn_goals(tool, steps))
    return [i for i, s in enumerate(steps)
            if (s.call.name not in mutating and i in goals)
            or (s.call.name in mutating and i in unchanged and i not in enabling)]




def _implicit_arguments(steps: Sequence[Step], stated: str) -> int:
    """Gold arguments taken from an earlier result whose value the user did not state anyway."""
    return sum(1 for s in steps for src in s.sources
               if not all(value_in_text(a, stated) for a in value_atoms(s.call.arguments.get(src.parameter)))
               or not value_atoms(s.call.arguments.get(src.parameter)))


def _same_identity(tool: AdvancedTool, logins: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, Any], frozenset[str]]:
    """Lifted values that make the tool's log-in steps use the account the conversation already
    logged in with, and the names of those values (the user said them before)."""
    values: dict[str, Any] = {}
    for template in tool.steps:
        earlier = logins.get(template.tool)
        if earlier is None:
            continue
        for pname, binding in template.arguments.items():
            if binding.kind == "param" and binding.param is not None and pname in earlier:
                values[binding.param] = earlier[pname]
    return values, frozenset(values)


def _renamed_if_taken(tool: AdvancedTool, arguments: Mapping[str, Any], references: Collection[str],
                      present: Collection[str], rng: random.Random) -> dict[str, Any]:
    """The arguments with each new entity's name that is taken in the current state (by an
    earlier turn, or a value another unit's values brought in) replaced by a fresh one."""
    out = dict(arguments)
    for template in tool.steps:
        for pname, binding in template.arguments.items():
            lifted = binding.param
            if binding.kind != "param" or lifted is None or lifted in references or lifted not in out:
                continue
            value = out[lifted]
            if isinstance(value, str) and value.lower() in present and names_new_entity(template.tool, pname):
                fresh = fresh_value(template.tool, pname, rng, present)
                if fresh is not None:
                    out[lifted] = fresh
    return out


def _repeats_creation(steps: Sequence[Step], gold_turns: Sequence[GoldTurn], mutating: set[str]) -> str | None:
    """Why the steps make again what an earlier turn made (the same tweet posted twice, the same
    contact added again), or None: no user asks for a second copy of what they just made."""
    def made_as(step: Step) -> tuple[str, str]:
        # An empty optional (`tags: []`) the one call gave and the other left out makes no
        # other tweet.
        given = {k: v for k, v in step.call.arguments.items() if v not in ([], {}, "", None)}
        return step.call.name, json.dumps(given, sort_keys=True, default=str)

    made = {made_as(s) for turn in gold_turns for s in turn.steps if s.call.name in mutating and is_creating(s.call.name)}
    for step in steps:
        if made_as(step) in made:
            return f"repeat: {step.call.name} makes again what an earlier turn made"
    return None


def _destroys_created(steps: Sequence[Step], created: Collection[str], mutating: set[str]) -> str | None:
    """Why the steps undo what the conversation created (delete the note made a turn ago), or None."""
    for step in steps:
        if step.call.name in mutating and is_destroying(step.call.name) and any(
                _normal(a) in created for a in value_atoms(step.call.arguments)):
            return f"create-then-destroy: {step.call.name} undoes what an earlier turn created"
    return None


_SECRET = re.compile(r"pass|pin|secret|token|username", re.I)


def _find_key(node: Any, key: str, depth: int = 0) -> Any:
    """The first scalar under `key` in a result (depth-first). Lists are crossed only when they
    hold one element: "the same payee as before" cannot mean the first of several listed."""
    if depth > 4:
        return None
    if isinstance(node, dict):
        value = node.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return value
        for child in node.values():
            found = _find_key(child, key, depth + 1)
            if found is not None:
                return found
    elif isinstance(node, list) and len(node) == 1:
        return _find_key(node[0], key, depth + 1)
    return None


_GENERIC_FIELDS = frozenset({"name", "title", "label", "type", "status", "value", "code", "description", "text"})
_TOOL_VERBS = frozenset({"get", "list", "find", "search", "create", "add", "set", "update", "delete", "remove",
                         "show", "check", "my", "new", "to", "from", "of", "and", "by"})


def _subject(tool: str) -> set[str]:
    """What a tool is about: the words of its name that are no verb (`create_watchlist` -> watchlist)."""
    return {w.rstrip("s") for w in name_words(tool)} - _TOOL_VERBS


def _referring_arguments(tool: AdvancedTool, earlier: Sequence[GoldTurn]) -> list[tuple[dict[str, Any], frozenset[str]]]:
    """The tool's values with one of them taken from an earlier turn's result instead (the most
    recent result holding a field of that parameter's name), identifiers first. A generic field
    (a `name`) only refers to a result about the same kind of thing (a watchlist's name is no
    dataset's), and a new entity's name never refers back: that would repeat an existing one."""
    results = [(s.call.name, s.observation.result) for turn in reversed(earlier) for s in reversed(turn.steps)
               if s.observation.ok]
    # (tool, field, lifted parameter): direct arguments, and the fields that select a list
    # element by what the user says ("the Office favourite").
    slots: list[tuple[str, str, str]] = []
    for step in tool.steps:
        for pname, binding in step.arguments.items():
            if binding.kind == "param" and binding.param is not None:
                if not names_new_entity(step.tool, pname):
                    slots.append((step.tool, pname, binding.param))
            elif binding.kind == "ref":
                slots.extend((step.tool, p.field, p.param) for p in binding.path if isinstance(p, ElementSelector))
    candidates = []
    for step_tool, pname, lifted in slots:
        if _SECRET.search(lifted):
            continue
        current = tool.example_arguments.get(lifted)
        if not isinstance(current, str):
            continue
        generic = (name_words(pname) or [""])[-1] in _GENERIC_FIELDS
        for source_tool, result in results:
            if generic and not _subject(source_tool) & _subject(step_tool):
                continue
            value = _find_key(result, pname)
            if isinstance(value, str) and value != current:
                candidates.append((not is_id_like(value), lifted, value))
                break
    candidates.sort(key=lambda c: c[0])
    return [({**tool.example_arguments, lifted: value}, frozenset({lifted})) for _, lifted, value in candidates[:2]]


def is_empty_result(result: Any) -> bool:
    """A result with nothing in it (`{"messages": []}`): another query would get the same."""
    if isinstance(result, dict):
        return all(is_empty_result(v) for v in result.values())
    if isinstance(result, list):
        return not result
    return result is None


def _unchanged_writes(steps: Sequence[Step], start: Any, scratch: Session, mutating: set[str]) -> set[int]:
    """Indices of write steps after which the state hash did not change (replayed on `scratch`)."""
    scratch.restore(start)
    before = scratch.state_hash()
    unchanged = set()
    for i, step in enumerate(steps):
        scratch.call(step.call.name, step.call.arguments)
        after = scratch.state_hash()
        if step.call.name in mutating and after == before:
            unchanged.add(i)
        before = after
    return unchanged


def _renumber(messages: list[Message], gold: list[GoldTurn], unit_seed: int) -> None:
    """Deterministic call ids (`call_<seed>_<n>`), so a re-run with the same seed is byte-identical."""
    mapping: dict[str, str] = {}
    for m in messages:
        for c in m.tool_calls or []:
            mapping[c.id] = f"call_{unit_seed}_{len(mapping)}"
            c.id = mapping[c.id]
        if m.tool_call_id in mapping:
            m.tool_call_id = mapping[m.tool_call_id]
    n = 0
    for turn in gold:
        for s in turn.steps:
            s.call.id = f"gold_{unit_seed}_{n}"
            n += 1


class Synthesizer:
    """Turns units into verified samples. Roles are pluggable (model-free or LLM)."""

    def __init__(
        self,
        environments: Sequence[EnvironmentSpec],
        tools: Mapping[str, ToolSpec],
        library: Mapping[str, AdvancedTool],
        query_writer: QueryWriter,
        reasoner: Reasoner,
        critic: Critic,
        config: SynthesisConfig | None = None,
    ) -> None:
        self.environments = {e.name: e for e in environments}
        self.tools = dict(tools)
        self.library = library
        self.query_writer = query_writer
        self.reasoner = reasoner
        self.critic = critic
        self.config = config or SynthesisConfig()
        self._mutating = {n for n, t in self.tools.items() if t.mutates}
        self._writer_takes_earlier = "earlier" in inspect.signature(query_writer.write).parameters
        self.scrubbed_sentences = 0
        """Reasoning sentences removed because they cited the Reasoner's private hint or feedback."""

    def _turn_plan(self, unit: SynthesisUnit, rng: random.Random, per_turn: int = 3) -> list[list[AdvancedTool]]:
        """The unit's tool for the first turn, then up to `per_turn` candidates for each later turn,
        best first (tried in order until one makes a turn that verifies)."""
        first = self.library[unit.advanced_tool]
        plan = [[first]]
        others = sorted(n for n, t in self.library.items() if n != first.name and set(t.environments) & set(first.environments))
        rng.shuffle(others)
        # Later turns prefer goals the conversation has not had yet, and among those tasks about
        # the same kind of thing (an item of the list just made, the order just found), then
        # chains of three calls or more.
        planned = [first]
        for _ in range(unit.turns - 1):
            seen = {t.target_tool for t in planned}
            kinds = {k for t in planned for name in t.primitive_tools for k in self._identifier_fields(name)}
            candidates = [n for n in others if self.library[n] not in planned]
            if not candidates:
                break
            ranked = sorted(candidates, key=lambda n: (
                self.library[n].target_tool in seen,
                not kinds & {k for name in self.library[n].primitive_tools for k in self._identifier_fields(name, True)},
                len(self.library[n].steps) < 3, candidates.index(n)))
            chosen = [self.library[n] for n in ranked[:per_turn]]
            plan.append(chosen)
            planned.extend(chosen)
        return plan

    def _identifier_fields(self, tool: str, inputs_only: bool = False) -> set[str]:
        """Names of the identifiers a tool takes (and, unless `inputs_only`, returns)."""
        spec = self.tools.get(tool)
        if spec is None:
            return set()
        names = set(spec.parameters.get("properties", {}))
        if not inputs_only and spec.returns:
            stack: list[Any] = [spec.returns]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    props = node.get("properties")
                    if isinstance(props, dict):
                        names.update(props)
                        stack.extend(props.values())
                    if isinstance(node.get("items"), dict):
                        stack.append(node["items"])
        return {n for n in names if n.endswith("_id") or n in ("path", "symbol", "email")}

    def _primitive_tools(self, tool: AdvancedTool) -> list[str]:
        names: list[str] = []
        for step in tool.steps:
            nested = self.library.get(step.tool)
            names.extend(self._primitive_tools(nested) if nested else [step.tool])
        return names

    def _offered(self, plan: Sequence[AdvancedTool], rng: random.Random) -> list[ToolSpec]:
        involved = list(dict.fromkeys(n for t in plan for n in self._primitive_tools(t)))
        envs = {self.tools[n].environment for n in involved if n in self.tools}
        # Distractors come from the sample's own environments, so that any tool offered also
        # executes when the sample is replayed elsewhere.
        near = sorted(n for n, t in self.tools.items() if t.environment in envs and n not in involved)
        distractors = rng.sample(near, min(len(near), self.config.distractors))
        offered = involved + distractors
        rng.shuffle(offered)
        return [self.tools[n] for n in offered if n in self.tools]

    def _answerability(self, steps: Sequence[Step], query: str, messages: Sequence[Message],
                       arguments: Mapping[str, Any], references: Collection[str], start: Any, scratch: Session,
                       offered: Sequence[ToolSpec], known: Sequence[Any]) -> list[str]:
        """Problems that make the gold not the one sensible solution of the query (see
        `hardgen.synth._answerability`): an argument nothing determines, or one the query does
        not single out among what a solver could look up."""
        # What the user said, not what the assistant answered: a value the assistant reported is
        # no choice the user made (the references are passed in as `known`).
        conversation = " ".join([*(m.content or "" for m in messages if m.role == "user"), query])
        problems = [f"undetermined: the query gives no value for {name}"
                    for name in undetermined_arguments(steps, conversation, self.tools, known)]
        if problems:
            return problems
        envs = {self.tools[s.call.name].environment for s in steps if s.call.name in self.tools}
        scratch.restore(start)
        lookups = []
        for name in argument_free_lookups(offered, {e for e in envs if e}):
            observation = scratch.call(name, {})
            if observation.ok:
                lookups.append(observation.result)
        return ambiguous_arguments(steps, conversation, lookups,
                                   known=[a for v in [*arguments.values(), *known] for a in value_atoms(v)],
                                   enabling=enabling_steps(steps, self.tools))

    async def _prepare_turn(
        self, unit: SynthesisUnit, turn: int, tool: AdvancedTool, gold_session: Session, gold_start: Any,
        scratch: Session, offered: Sequence[ToolSpec], messages: Sequence[Message], gold_turns: Sequence[GoldTurn],
        logins: Mapping[str, Mapping[str, Any]], created: Collection[str], rng: random.Random,
    ) -> tuple[AdvancedTool, list[Step], HardQuery, GoldTurn] | Rejection:
        """Execute one turn's gold from `gold_start` and write its query: the tool (as run), its
        steps, the query and the gold turn, or a Rejection saying why this tool makes no turn here."""
        def reject(stage: RejectionStage, reason: str, details: Sequence[str] = ()) -> Rejection:
            return Rejection(unit_id=unit.unit_id, stage=stage, advanced_tool=tool.name, reason=reason,
                             details=list(details))

        turn_start_hash = gold_session.state_hash()
        # A later turn may refer to an earlier result ("the same order as before"); if the tool
        # does not run with it, the turn falls back to its own values. The user is the same person
        # throughout: a log-in already made is not made again, and one that has to be repeated
        # uses the same account.
        options: list[tuple[AdvancedTool, dict[str, Any], frozenset[str]]] = []
        if turn == 0:
            options = [(tool, dict(unit.arguments), frozenset())]
        else:
            repeated = {i for i, t in enumerate(tool.steps) if t.tool in logins}
            reduced = without_steps(tool, repeated) if repeated else None
            for variant in ([reduced] if reduced is not None else []) + [tool]:
                same_user, held = _same_identity(variant, logins)
                for option_arguments, option_references in [*_referring_arguments(variant, gold_turns),
                                                            (dict(variant.example_arguments), frozenset())]:
                    options.append((variant, {**option_arguments, **same_user}, option_references | held))
        steps: list[Step] | None = None
        arguments: dict[str, Any] = {}
        references: frozenset[str] = frozenset()
        error: AdvancedExecutionError | str | None = None
        present = {v.lower() for v in state_strings(gold_session.state())}
        for variant, option_arguments, option_references in options:
            option_arguments = _renamed_if_taken(variant, option_arguments, option_references, present, rng)
            gold_session.restore(gold_start)
            try:
                executed = execute_advanced(variant, option_arguments, gold_session, self.library, turn=turn)
            except AdvancedExecutionError as exc:
                error = exc
                continue
            undone = _destroys_created(executed, created, self._mutating) or \
                _repeats_creation(executed, gold_turns, self._mutating)
            if undone:
                error = undone
                continue
            tool, steps, arguments, references = variant, executed, option_arguments, option_references
            break
        if steps is None:
            return reject("execute", str(error) if turn == 0 else
                          f"does not apply to the state the earlier turns left: {error}")
        # Writers written before references (and earlier turns) existed take five arguments: pass
        # those only when used and accepted.
        extra: dict[str, Any] = {"references": references} if references else {}
        earlier = [m.content for m in messages if m.role == "user" and m.content]
        if earlier and self._writer_takes_earlier:
            extra["earlier"] = earlier
        query = await self.query_writer.write(tool, arguments, steps, self.tools, rng, **extra)
        problems = check_query(query.text, arguments, steps, references)
        if not problems:
            problems = self._answerability(steps, query.text, messages, arguments, references, gold_start,
                                           scratch, offered, known=[arguments[r] for r in references])
        if problems:
            return reject("query", problems[0], problems)
        unchanged = _unchanged_writes(steps, gold_start, scratch, self._mutating)
        enabling = enabling_steps(steps, self.tools)
        idle = [steps[i].call.name for i in sorted(unchanged)
                if i in set(_turn_goals(tool, steps)) - enabling and steps[i].sources]
        if idle:
            # "Update my presence" to the status looked up a step before: it changes nothing, and
            # nothing the user said asks for it. (A change the user states outright, already in
            # place, stays: its result must then be seen.)
            return reject("execute", f"no-op: {idle[0]} changes nothing in this state")
        gold_turn = GoldTurn(
            query=query.text,
            steps=steps,
            required_observations=_required_observations(tool, steps, self._mutating, unchanged, enabling),
            answer_values=query.answer_values,
            final_state_hash=gold_session.state_hash(),
        )
        empty_goal = [steps[i].call.name for i in tool.goal_steps
                      if i < len(steps) and steps[i].call.name not in self._mutating
                      and is_empty_result(steps[i].observation.result)]
        if empty_goal:
            # A search that finds nothing checks nothing: a wrong query would find nothing too.
            return reject("execute", f"uninformative: {empty_goal[0]} returns an empty result")
        if not gold_turn.required_observations and not gold_turn.answer_values and \
                gold_turn.final_state_hash == turn_start_hash:
            # Nothing to check: any answer, even no call at all, would pass this turn.
            return reject("execute", "vacuous: the calls change nothing and return nothing asked for")
        return tool, steps, query, gold_turn

    async def synthesize(self, unit: SynthesisUnit) -> Sample | Rejection:
        try:
            return await self._synthesize(unit)
        except Exception as exc:  # a bug or a role that broke: recorded for this unit, the run goes on
            if is_fatal(exc):
                raise  # an unusable server or a spent budget: the run stops, not only this unit
            return Rejection(unit_id=unit.unit_id, stage="error", advanced_tool=unit.advanced_tool,
                             reason=f"{type(exc).__name__}: {exc}")

    async def synthesize_families(self, unit: SynthesisUnit, wanted: Sequence[str]) -> FamilyOutcome | Rejection:
        """The unit's verified base sample turned into each family of `wanted` it fits (each verified
        again with its family's rules), or the base sample's Rejection. `base` is the sample itself."""
        turns: list[tuple[AdvancedTool, HardQuery, list[Step]]] = []
        try:
            base = await self._synthesize(unit, turns)
        except Exception as exc:
            if is_fatal(exc):
                raise
            return Rejection(unit_id=unit.unit_id, stage="error", advanced_tool=unit.advanced_tool,
                             reason=f"{type(exc).__name__}: {exc}")
        if isinstance(base, Rejection):
            return base
        outcome = FamilyOutcome(unit_id=unit.unit_id)
        for family in wanted:
            rng = random.Random(f"{unit.seed}:{family}")
            try:
                made = await self._derive(family, base, turns, rng)
                if isinstance(made, Sample) and family in FAMILY_PROMPTS:
                    made = await self._reasoned_first_turn(made, family)
            except Exception as exc:  # a derivation that broke: this family only, for this unit
                if is_fatal(exc):
                    raise
                made = f"{type(exc).__name__}: {exc}"
            if isinstance(made, Sample):
                outcome.variants[family] = made
            else:
                outcome.unsupported[family] = made
        return outcome

    async def _derive(self, family: str, base: Sample, turns: Sequence[tuple[AdvancedTool, HardQuery, list[Step]]],
                      rng: random.Random) -> Sample | str:
        timeout = self.config.timeout_s
        if family == "base":
            return base
        if family == "parallel":
            return derive_parallel(base, rng, timeout=timeout)
        if family == "irrelevance":
            return derive_irrelevance(base, self.tools, rng, timeout=timeout)
        if family == "error_recovery":
            return derive_error_recovery(base, rng, timeout=timeout)
        if family == "missing_parameter":
            return await self._missing_parameter(base, turns[0], rng)
        if family == "missing_function":
            return derive_missing_function(base, self.tools, rng, timeout=timeout)
        if family == "long_context":
            return derive_long_context(base, self.tools, list(self.environments.values()), rng, timeout=timeout)
        return f"unknown family {family!r}"

    async def _reasoned_first_turn(self, sample: Sample, family: str) -> Sample | str:
        """`sample` whose first turn (a clarifying question, a decline) the run's Reasoner wrote, when
        the Reasoner is a model: its family's prompt is the private note of the task, and its turn
        must pass the family's rule within K tries. The model-free Reasoner's turn is the model-free
        text already there; a model whose turn never passes leaves it too (counted as a fallback)."""
        if isinstance(self.reasoner, ModelFreeReasoner):
            return sample
        gold = sample.gold[0]
        offered = tools_for_turn(sample.tools, sample.gold, 0)
        first_user = next(i for i, m in enumerate(sample.messages) if m.role == "user")
        history = [*sample.messages[:first_user + 1]]
        note = family_note(family, sample, self.tools)
        task = ReasonerTask(query=gold.query, tools=offered, hint=note, history=history, turn=0)
        live = Session.from_specs(sample.environments, timeout=self.config.timeout_s)
        replay = Session.from_specs(sample.environments, timeout=self.config.timeout_s)
        try:
            live_start, replay_start = live.snapshot(), replay.snapshot()
            for _ in range(self.config.max_attempts):
                live.restore(live_start)
                replay.restore(replay_start)
                attempt = await self.reasoner.solve(task, live, [])
                verdict, _ = verify_turn(replay, 0, gold, CandidateTurn(
                    calls=[s.call for s in attempt.steps], answer=attempt.answer, rejected=attempt.rejected))
                if not verdict.passed:
                    continue
                cleaned, removed, unusable = scrub_privileged(attempt.messages)
                if unusable:
                    continue
                self.scrubbed_sentences += removed
                written = with_first_turn(sample, cleaned)
                return finish(written, written.metadata.family, timeout=self.config.timeout_s)
        finally:
            live.close()
            replay.close()
        fell_back = getattr(self.reasoner, "fell_back", None)
        if callable(fell_back):
            fell_back(f"the {family} turn did not pass its rule")
        return sample

    async def _missing_parameter(self, base: Sample, first: tuple[AdvancedTool, HardQuery, list[Step]],
                                 rng: random.Random) -> Sample | str:
        """`base` whose first request leaves out a value only the user knows (see `_families`): the
        query is written again by the Query Writer without it, and must not state it."""
        tool, query, steps = first
        arguments = dict(query.lifted_values)
        withheld = withheld_parameter(arguments, steps, base.environments, self.tools)
        if withheld is None:
            return "no value only the user knows: every stated value is in the state or a result, or optional"
        lifted, parameter, value, consumers = withheld
        rest = {k: v for k, v in arguments.items() if k != lifted}
        for _ in range(3):
            short = await self.query_writer.write(tool, rest, steps, self.tools, rng)
            if not any(value_in_text(a, short.text) for a in value_atoms(value)) \
                    and not check_query(short.text, rest, steps):
                break
        else:
            return f"the query without the {parameter} still states it or fails its checks"
        return derive_missing_parameter(base, short.text, parameter, value, consumers, self.tools, rng,
                                        timeout=self.config.timeout_s)

    async def _synthesize(self, unit: SynthesisUnit,
                          turns_out: list[tuple[AdvancedTool, HardQuery, list[Step]]] | None = None) -> Sample | Rejection:
        rng = random.Random(unit.seed)
        if unit.advanced_tool not in self.library:
            return Rejection(unit_id=unit.unit_id, stage="bind", reason=f"unknown advanced tool {unit.advanced_tool!r}")
        plan = self._turn_plan(unit, rng)
        env_names = sorted({e for turn in plan for t in turn for e in t.environments})
        missing = [e for e in env_names if e not in self.environments]
        if missing:
            return Rejection(unit_id=unit.unit_id, stage="bind", advanced_tool=unit.advanced_tool,
                             reason=f"environment(s) {missing} are not part of this run")
        specs = [self.environments[e] for e in env_names]
        offered = self._offered([t for turn in plan for t in turn], rng)
        timeout = self.config.timeout_s
        gold_session = Session.from_specs(specs, timeout=timeout)
        live = Session.from_specs(specs, timeout=timeout)
        replay_session = Session.from_specs(specs, timeout=timeout)
        scratch = Session.from_specs(specs, timeout=timeout)
        try:
            messages: list[Message] = [Message.system(self.config.system_prompt)]
            gold_turns: list[GoldTurn] = []
            hints_all: list[str] = []
            reasons_all: list[str] = []
            attempts_max = 1
            logins: dict[str, dict[str, Any]] = {}  # log-in style calls made so far, by tool
            created: set[str] = set()  # identifiers of entities earlier turns created
            turn_goals: list[list[int]] = []
            stated_text: list[str] = []  # the user's turns so far
            short_reason: str | None = None
            replayed_earlier: list[Step] = []  # the passing candidates' replayed steps of earlier turns
            used: list[AdvancedTool] = []  # the tool of each turn written
            for turn, candidates in enumerate(plan):
                gold_start = gold_session.snapshot()
                attempts_left = list(candidates)
                turn_done = False
                failures: list[str] = []
                while attempts_left and not turn_done:
                    tool = attempts_left.pop(0)
                    gold_session.restore(gold_start)
                    prepared = await self._prepare_turn(
                        unit, turn, tool, gold_session, gold_start, scratch, offered, messages, gold_turns,
                        logins, created, rng)
                    if isinstance(prepared, Rejection):
                        if turn == 0:
                            return prepared
                        failures.append(prepared.reason)
                        continue
                    tool, steps, query, gold_turn = prepared
                    live_start, replay_start = live.snapshot(), replay_session.snapshot()
                    history = [*messages, Message.user(query.text)]
                    task = ReasonerTask(query=query.text, tools=offered, hint=tool.description, history=history,
                                        turn=turn)
                    hints: list[CriticHint] = []
                    passed = False
                    attempt_reasons: list[str] = []
                    for attempt_no in range(1, self.config.max_attempts + 1):
                        live.restore(live_start)
                        replay_session.restore(replay_start)
                        attempt = await self.reasoner.solve(task, live, hints)
                        verdict, replayed = verify_turn(
                            replay_session, turn, gold_turn,
                            CandidateTurn(calls=[s.call for s in attempt.steps], answer=attempt.answer,
                                          rejected=attempt.rejected, batches=batches_of(attempt.messages, attempt.steps)),
                            earlier=replayed_earlier, user_texts=[*stated_text, query.text])
                        if verdict.passed:
                            cleaned, removed, unusable = scrub_privileged(attempt.messages)
                            if unusable:
                                verdict = verdict.model_copy(update={"passed": False, "reasons": [unusable]})
                        if verdict.passed:
                            attempt = attempt.model_copy(update={"messages": cleaned})
                            self.scrubbed_sentences += removed
                            passed = True
                            replayed_earlier.extend(replayed)
                            attempts_max = max(attempts_max, attempt_no)
                            messages = [*history, *attempt.messages]
                            break
                        attempt_reasons.extend(f"attempt {attempt_no}: {r}" for r in verdict.reasons)
                        if attempt.error:
                            attempt_reasons.append(f"attempt {attempt_no}: {attempt.error}")
                        if attempt_no < self.config.max_attempts:
                            hint = await self.critic.critique(gold_turn, replayed, verdict, query.answer_fields)
                            hints.append(hint)
                    if not passed:
                        if turn == 0:
                            return Rejection(unit_id=unit.unit_id, stage="reason", advanced_tool=tool.name,
                                             attempts=self.config.max_attempts,
                                             reason=attempt_reasons[-1] if attempt_reasons else "reasoner failed",
                                             hints=[h.text for h in hints], details=attempt_reasons)
                        # A later turn the reasoner could not solve: the conversation tries another.
                        live.restore(live_start)
                        replay_session.restore(replay_start)
                        failures.append("the reasoner did not solve it: " + (
                            attempt_reasons[-1] if attempt_reasons else "no answer"))
                        continue
                    turn_done = True
                    if turns_out is not None:
                        turns_out.append((tool, query, steps))
                    hints_all.extend(h.text for h in hints)
                    reasons_all.extend(attempt_reasons)
                    gold_turns.append(gold_turn)
                    used.append(tool)
                    turn_goals.append(_turn_goals(tool, steps))
                    stated_text.append(query.text)
                    for step in steps:
                        if not step.observation.ok or step.call.name not in self._mutating:
                            continue
                        if is_enabling_name(step.call.name) and step.call.arguments:
                            logins[step.call.name] = dict(step.call.arguments)
                        if is_creating(step.call.name):
                            created.update(_normal(a) for a in value_atoms(step.observation.result) if is_id_like(a))
                if not turn_done:
                    gold_session.restore(gold_start)
                    short_reason = f"turn {turn + 1}: {failures[0] if failures else 'no task left to add'}"
                    break  # keep the turns so far
            # Every replay here ran in this process: a source that keeps state outside its
            # instances (a class-level list) made a gold that a fresh process would not reproduce.
            leaks = sorted({leak for env in gold_session.environments for leak in leaked_state(env)})
            if leaks:
                return Rejection(unit_id=unit.unit_id, stage="execute", advanced_tool=unit.advanced_tool,
                                 reason="a tool source keeps state outside its instances, so the gold would "
                                        f"not replay in a fresh process: {', '.join(leaks[:3])} changed")
        finally:
            for s in (gold_session, live, replay_session, scratch):
                s.close()

        _renumber(messages, gold_turns, unit.seed)
        all_steps = [s for t in gold_turns for s in t.steps]
        tool_names = [s.call.name for s in all_steps]
        domains = sorted({self.tools[n].environment or "" for n in tool_names if n in self.tools} - {""})
        metadata = SampleMetadata(
            target_tools=sorted({t.target_tool for t in used if t.target_tool}),
            failure_tools=sorted(set(tool_names) & self.config.failure_tools),
            advanced_tools=[t.name for t in used],
            domains=domains,
            chain_length=len(all_steps),
            implicit_dependencies=sum(_implicit_arguments(t.steps, " ".join(stated_text[:i + 1]))
                                      for i, t in enumerate(gold_turns)),
            turns=len(gold_turns),
            sampling_mode=self.config.sampling_mode,
            provenance=self.config.provenance.model_copy(update={"seed": unit.seed, "hardgen_version": __version__}),
            extra={"goal_steps": turn_goals, "requested_turns": unit.turns,
                   **({"short_reason": short_reason} if short_reason and len(gold_turns) < unit.turns else {})},
        )
        return Sample(
            id=unit.unit_id,
            tools=offered,
            messages=messages,
            environments=specs,
            gold=gold_turns,
            verification=VerificationRecord(
                verdict="passed",
                attempts=attempts_max,
                hints=hints_all,
                reasons=reasons_all,
                expected_state_hash=gold_turns[-1].final_state_hash,
                actual_state_hash=gold_turns[-1].final_state_hash,
            ),
            metadata=metadata,
        )


def pick_family(quota: FamilyQuota | None, result: Sample | FamilyOutcome | Rejection) -> Sample | Rejection:
    """What a unit writes: in a run mixing families, the sample of the most wanted family it fits
    (counted in `quota`), else a Rejection (stage `family`) saying why it fits none still short;
    in a run of base samples (`quota` None) its sample or rejection as they are."""
    if not isinstance(result, FamilyOutcome):
        return result
    if quota is None:
        raise TypeError(f"unit {result.unit_id} made family samples in a run that mixes no families")
    sample = quota.pick(result)
    fits = sorted(result.variants, key=list(FAMILIES).index)  # type: ignore[arg-type]
    if sample is not None:
        # Which families this unit fitted, so the run's files alone give each family's fit rate.
        extra = {**sample.metadata.extra, "family_fits": fits}
        return sample.model_copy(update={"metadata": sample.metadata.model_copy(update={"extra": extra})})
    return Rejection(unit_id=result.unit_id, stage="family", reason=quota.why_not(result),
                     details=[f"{f}: {why}" for f, why in result.unsupported.items()] + [f"fits: {', '.join(fits)}"])
