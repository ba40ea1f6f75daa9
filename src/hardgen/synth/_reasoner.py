"""Reasoner: solves a hard query against a live environment, writing down why each call is needed.

The model-free Reasoner is a backward-chaining planner. It picks the goal tools the query asks
for, and for each goal: first runs its state prerequisites, then fills every parameter from the
query's values or, when the query does not state it, from the result of a producer tool along the
graph's data-flow edges (which it runs first, recursively). It executes as it goes, so every value
it passes on is real, and it acts on critic hints (call this tool first, take that parameter from
that tool, stop calling that one, report these fields).
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import Field

from hardgen.agents._text import tokens
from hardgen.graph import COMPUTED_RESULT_NAMES, tool_subject
from hardgen.schema import ArgumentSource, Message, Observation, Record, RejectedCall, Step, ToolCall, ToolSpec
from hardgen.synth import _narration as narrate
from hardgen.synth import _voice as voice
from hardgen.synth._answering import fact_sentences, qualified_key, requested_keys, stated_in, summarise
from hardgen.synth._critic import CriticHint
from hardgen.synth._phrasing import tool_phrasing
from hardgen.synth._query_writer import REFERENCE_PHRASE
from hardgen.synth._slots import QueryValue, coerce, extract_values, match_score
from hardgen.synth._text import intent_phrase
from hardgen.tools import is_status_text

MAX_DEPTH = 4
MAX_RETRIES = 2


@dataclass(frozen=True)
class Producer:
    """A tool whose result supplies a parameter: `path` into the result, "*" for any list element."""

    tool: str
    path: tuple[str | int, ...]
    weight: float = 1.0


class DependencyIndex(Protocol):
    """What the planner needs from the API graph."""

    def producers(self, tool: str, parameter: str) -> list[Producer]: ...

    def prerequisites(self, tool: str) -> list[str]: ...


class ReasonerTask(Record):
    query: str
    tools: list[ToolSpec]
    hint: str = ""
    """The advanced tool's description (the paper's hint to the Reasoner)."""
    history: list[Message] = Field(default_factory=list)
    """Earlier turns of a multi-turn sample (system prompt first)."""
    turn: int = 0


class ReasonerAttempt(Record):
    messages: list[Message] = Field(default_factory=list)
    """The new assistant and tool messages of this turn."""
    steps: list[Step] = Field(default_factory=list)
    """Calls to offered tools that ran, with their observations."""
    rejected: list[RejectedCall] = Field(default_factory=list)
    """What the reasoner tried that never ran (malformed output, calls to tools not offered):
    `AgentRun.rejected`; the verifier fails the turn with any of them."""
    answer: str | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Reasoner(Protocol):
    async def solve(self, task: ReasonerTask, environment: Any, hints: Sequence[CriticHint]) -> ReasonerAttempt: ...


def _named_element(elements: list[Any], values: Sequence[QueryValue]) -> Any:
    """The element the request names most specifically: each query value it carries counts the more,
    the fewer elements carry it ("Kofi Petrov" beats the department every employee shares)."""
    wanted = {v.text.strip().lower() for v in values}

    def carried(element: Any) -> set[str]:
        if not isinstance(element, dict):
            return set()
        return {str(x).strip().lower() for x in element.values()
                if isinstance(x, (str, int, float)) and not isinstance(x, bool)} & wanted

    matches = [carried(e) for e in elements]
    counts: dict[str, int] = {}
    for found in matches:
        for value in found:
            counts[value] = counts.get(value, 0) + 1
    best, best_score = None, 0.0
    for element, found in zip(elements, matches, strict=True):
        score = sum(1.0 / counts[v] for v in found)
        if score > best_score:
            best, best_score = element, score
    return best


def _pick(node: Any, path: Sequence[str | int], values: Sequence[QueryValue], strict: bool = False) -> Any:
    """Follow `path` into a result; at "*" choose the list element a query value names, else the
    first one (or, when `strict`, give up if there are several and nothing names one)."""
    for i, item in enumerate(path):
        if item == "*" or (isinstance(item, int) and isinstance(node, list)):
            if not isinstance(node, list) or not node:
                return None
            if isinstance(item, int):  # the only other case than "*" here
                node = node[item] if item < len(node) else None
                continue
            chosen = _named_element(node, values)
            if chosen is None and strict and len(node) > 1:
                return None
            node = chosen if chosen is not None else node[0]
        elif isinstance(node, dict):
            if item not in node:
                # A flat result may carry the field directly (the path was recorded on a list result).
                rest = [p for p in path[i:] if p != "*"]
                return node.get(rest[-1]) if rest else None
            node = node[item]
        else:
            return None
    return node


def locate_field(result: Any, parameter: str) -> tuple[str | int, ...] | None:
    """The path of the result field that best fits `parameter` (exact name, else the same kind of
    value, e.g. `user_id` for `recipient_id`); lists are crossed with "*"."""
    want = parameter.lower().split("_")
    best: tuple[float, tuple[str | int, ...]] | None = None

    def visit(node: Any, path: tuple[str | int, ...], depth: int) -> None:
        nonlocal best
        if depth > 4:
            return
        if isinstance(node, list) and node:
            visit(node[0], (*path, "*"), depth + 1)
        elif isinstance(node, dict):
            for key, value in node.items():
                words = key.lower().split("_")
                shared = (set(words) & set(want)) - {"id"}
                if words == want:
                    score = 3.0
                elif words[-1] == want[-1] and shared:
                    score = 2.0  # `order_id` for `source_order_id`
                elif words == ["id"] and path and str(path[-1]).rstrip("s") in want:
                    score = 1.0  # the `id` of an element of `orders` for `order_id`
                else:
                    score = 0.0
                if score and not isinstance(value, (dict, list)) and (best is None or score > best[0]):
                    best = (score, (*path, key))
                visit(value, (*path, key), depth + 1)

    visit(result, (), 0)
    return best[1] if best else None


@dataclass
class _Plan:
    task: ReasonerTask
    environment: Any
    offered: dict[str, ToolSpec]
    values: list[QueryValue]
    dependencies: DependencyIndex
    forced_producers: dict[tuple[str, str], str] = field(default_factory=dict)
    from_request: set[tuple[str, str]] = field(default_factory=set)
    """(tool, parameter) pairs the critic says come from the request: take the best query value."""
    preferred: list[str] = field(default_factory=list)
    """Tools the hint or the critic says the task needs: tried first as producers."""
    banned: set[str] = field(default_factory=set)
    results: dict[str, Any] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)
    in_progress: set[str] = field(default_factory=set)
    rng: random.Random = field(default_factory=random.Random)
    """Draws the narration's wording (seeded from the query, so a run is deterministic)."""
    opening: str = ""
    """What the user wants, said once before the first call."""

    def act(self, tool: str) -> str:
        return narrate.act(self.offered.get(tool), tool, self.rng)

    def achieve(self, tool: str, depth: int = 0, purpose: tuple[str, str] | None = None) -> Any:
        """Run `tool` (and what it needs first). `purpose` says why, for the narration: ("value",
        parameter) when another call needs a value from its result, ("prerequisite", consumer)."""
        if tool in self.results:
            return self.results[tool]
        if depth > MAX_DEPTH or tool in self.in_progress or tool in self.failed or tool not in self.offered:
            return None
        self.in_progress.add(tool)
        try:
            spec = self.offered[tool]
            for pre in self.dependencies.prerequisites(tool):
                if pre in self.offered and pre not in self.results and pre not in self.banned:
                    self.achieve(pre, depth + 1, ("prerequisite", tool))
            skip: dict[str, set[str]] = {}
            result = None
            for retry in range(MAX_RETRIES + 1):
                arguments, sources, reasons = self.fill(spec, depth, skip)
                this_act = self.act(tool)
                parts: list[str] = []
                if retry and self.steps and self.steps[-1].observation.error is not None:
                    parts.append(narrate.retry(self.steps[-1].observation.error.type, self.rng))
                if purpose and purpose[0] == "prerequisite":
                    parts.append(narrate.prerequisite(this_act, self.act(purpose[1]), self.rng))
                elif purpose and purpose[0] in ("value", "hinted"):
                    consumer, _, parameter = purpose[1].partition(".")
                    if tool in self.dependencies.prerequisites(consumer):
                        parts.append(narrate.prerequisite(this_act, self.act(consumer), self.rng))
                    elif purpose[0] == "hinted":
                        parts.append(narrate.explore(this_act, self.rng))
                    else:
                        parts.append(narrate.lookup(parameter, this_act, self.act(consumer), self.rng))
                    parts.extend(reasons)
                else:
                    parts.extend(reasons)
                    parts.append(narrate.goal(this_act, self.rng, after_lookup=bool(sources)))
                if self.opening:
                    parts.insert(0, self.opening)
                    self.opening = ""
                rationale = " ".join(parts)
                result = self.execute(tool, arguments, sources, rationale)
                if result is not None or not sources or any(p not in arguments for p in spec.required):
                    break
                # A looked-up value was refused: try the next producer for it.
                for src in sources:
                    skip.setdefault(src.parameter, set()).add(self.steps[src.step].call.name)
                self.failed.discard(tool)
            return result
        finally:
            self.in_progress.discard(tool)

    def from_earlier_turns(self, parameter: str) -> Any:
        """The value an earlier turn's result holds for `parameter` (newest first), for a request
        that says "the same one as before"."""
        for message in reversed(self.task.history):
            if message.role != "tool" or not message.content:
                continue
            try:
                result = json.loads(message.content)
            except ValueError:
                continue
            if isinstance(result, dict) and "error" in result and len(result) == 1:
                continue
            path = locate_field(result, parameter)
            if path is not None:
                value = _pick(result, path, ())
                if value is not None and not isinstance(value, (dict, list)):
                    return value
        return None

    def fill(self, spec: ToolSpec, depth: int, skip: dict[str, set[str]] | None = None,
             ) -> tuple[dict[str, Any], list[ArgumentSource], list[str]]:
        skip = skip or {}
        props: dict[str, Any] = spec.parameters.get("properties", {})
        required = set(spec.required)
        arguments: dict[str, Any] = {}
        sources: list[ArgumentSource] = []
        reasons: list[str] = []
        used: set[int] = set()
        given: list[str] = []
        # Query values first, best matches first, each value once per call.
        scored = sorted(
            ((match_score(v, p, props[p], spec.name), i, p) for p in props for i, v in enumerate(self.values)
             if (spec.name, p) not in self.forced_producers),
            reverse=True,
        )
        for score, i, pname in scored:
            threshold = 1.0 if pname in required else 2.5
            if (spec.name, pname) in self.from_request:
                threshold = 0.01
            if score < threshold or pname in arguments or i in used:
                continue
            if self.values[i].text == REFERENCE_PHRASE:
                earlier = self.from_earlier_turns(pname)
                if earlier is None:
                    continue
                arguments[pname] = earlier
                reasons.append(narrate.from_earlier(pname, self.rng))
            else:
                arguments[pname] = coerce(self.values[i].text, props[pname])
                given.append(pname)
            used.add(i)
        if given:
            reasons.insert(0, narrate.from_request(given, self.rng))
        for pname in spec.required:
            if pname in arguments:
                continue
            forced = self.forced_producers.get((spec.name, pname))
            producers = self.dependencies.producers(spec.name, pname)
            graph_producers = {p.tool for p in producers} | ({forced} if forced else set())
            if forced:
                producers = [p for p in producers if p.tool == forced] or [Producer(forced, ())]
            else:
                # Tools the hint or the critic names come first; they may feed a parameter the graph
                # has no edge for yet (the field is then located in their result).
                known = {p.tool for p in producers}
                producers = producers + [Producer(t, ()) for t in self.preferred if t not in known]
                producers = sorted(producers, key=lambda p: (p.tool not in self.preferred, -p.weight))
            # A call already made this turn (the watchlist just created) gives its values first:
            # looking them up again would be a call nobody needs.
            producers = sorted(producers, key=lambda p: p.tool not in self.results)
            # First a producer whose result lets the request single out the element; only then
            # one whose first element has to do.
            for producer, strict in [(p, strict) for strict in (True, False) for p in producers]:
                if pname in arguments:
                    break
                if producer.tool in self.banned or producer.tool == spec.name or producer.tool in skip.get(pname, ()):
                    continue
                if producer.tool not in self.preferred and self.offered.get(producer.tool, spec).mutates and not forced \
                        and producer.tool not in self.results:
                    # Only the hint, the critic or a read may be used to look a value up: a write
                    # called just for its output would change what the user did not ask to change.
                    continue
                graph_edge = producer.tool in graph_producers
                result = self.achieve(producer.tool, depth + 1,
                                      ("value" if graph_edge else "hinted", f"{spec.name}.{pname}"))
                if result is None:
                    continue
                path = producer.path or locate_field(result, pname)
                if path is None:
                    continue
                producer = Producer(producer.tool, path, producer.weight)
                value = _pick(result, path, self.values, strict)
                if value is None or (isinstance(value, (dict, list)) and not isinstance(props[pname].get("type"), str)):
                    continue
                # One looked-up element for a parameter that takes a list of them (destinations).
                arguments[pname] = [value] if props[pname].get("type") == "array" and not isinstance(value, list) \
                    else value
                step = max(i for i, s in enumerate(self.steps) if s.call.name == producer.tool and s.observation.ok)
                sources.append(ArgumentSource(parameter=pname, step=step,
                                              path=[p for p in producer.path if p != "*"]))
                if not isinstance(value, (dict, list)):
                    reasons.append(narrate.from_result(pname, value, self.rng))
        return arguments, sources, reasons

    def execute(self, tool: str, arguments: dict[str, Any], sources: list[ArgumentSource], rationale: str) -> Any:
        call = ToolCall(name=tool, arguments=arguments)
        observation: Observation = self.environment.call(tool, arguments)
        self.steps.append(Step(call=call, observation=observation, turn=self.task.turn, sources=sources))
        self.messages.append(Message.assistant(tool_calls=[call], reasoning=rationale))
        self.messages.append(Message.tool(call, observation.to_text()))
        if observation.ok:
            self.results[tool] = observation.result
            return observation.result
        self.failed.add(tool)
        return None


def _takes_from(plan: _Plan, goal: str, earlier: Sequence[str]) -> bool:
    """Whether the call made for `goal` took an identifier an earlier goal's result gave (the
    retweet of the tweet just posted)."""
    given = {json.dumps(v) for g in earlier for v in _id_values(plan.results.get(g), g)}
    call = next((s.call for s in reversed(plan.steps) if s.call.name == goal and s.observation.ok), None)
    return call is not None and any(json.dumps(v) in given for v in call.arguments.values()
                                    if isinstance(v, (str, int)) and not isinstance(v, bool))


def _id_values(result: Any, tool: str) -> list[Any]:
    """The id of what `tool` made or changed: `id`, or `<its subject>_id` (`post_tweet` -> the
    tweet's `id`; `delete_message`'s `receiver_id` names someone else, not the message)."""
    if not isinstance(result, dict):
        return []
    own = {"id", *(f"{word}_id" for word in tool_subject(tool)[-1:])}
    return [v for k, v in result.items() if k in own and isinstance(v, (str, int)) and not isinstance(v, bool)]


class ModelFreeReasoner:
    """The offline Reasoner (see the module docstring)."""

    name = "model-free"

    def __init__(self, dependencies: DependencyIndex, max_goals: int = 3) -> None:
        self.dependencies = dependencies
        self.max_goals = max_goals

    def goals(self, task: ReasonerTask, offered: dict[str, ToolSpec], banned: set[str]) -> list[str]:
        """Tools the query asks for: those the hint's goal sentence names, else the best lexical
        matches (BM25-style over names and first sentences) minus those that only serve another goal."""
        goal_part = task.hint.split(". Internally")[0]
        named = sorted((goal_part.find(f"({name})"), name) for name in offered
                       if f"({name})" in goal_part and name not in banned)
        if named:
            return [name for _, name in named]
        docs = {name: tokens(name) * 2 + tokens(intent_phrase(spec)) + tokens(" ".join(tool_phrasing(spec).ask))
                for name, spec in offered.items() if name not in banned}
        if not docs:
            return []
        df = Counter(w for words in docs.values() for w in set(words))
        n = len(docs)
        query_words = tokens(task.query) + tokens(task.hint.split(". Internally")[0]) * 2
        avg = sum(len(d) for d in docs.values()) / n
        scores: dict[str, float] = {}
        for name, words in docs.items():
            tf = Counter(words)
            s = 0.0
            for w in set(query_words):
                if w in tf:
                    idf = math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5))
                    s += idf * tf[w] * 2.2 / (tf[w] + 1.2 * (0.25 + 0.75 * len(words) / avg))
            scores[name] = s
        ranked = sorted(scores, key=lambda k: (-scores[k], k))
        top = scores[ranked[0]]
        if top <= 0:
            return []
        chosen = [t for t in ranked[: self.max_goals] if scores[t] >= 0.75 * top]
        serving = {p.tool for g in chosen for param in offered[g].required for p in self.dependencies.producers(g, param)}
        serving |= {pre for g in chosen for pre in self.dependencies.prerequisites(g)}
        return [g for g in chosen if g not in serving] or chosen[:1]

    async def solve(self, task: ReasonerTask, environment: Any, hints: Sequence[CriticHint]) -> ReasonerAttempt:
        offered = {t.name: t for t in task.tools}
        plan = _Plan(task, environment, offered, extract_values(task.query), self.dependencies,
                     rng=narrate.narrator_rng(task.query, task.turn, len(hints)))
        extra_goals: list[str] = []
        report_fields: list[str] = []
        for hint in hints:
            if hint.kind == "extra_change" and hint.tool:
                plan.banned.add(hint.tool)
            elif hint.kind == "missing_step" and hint.tool:
                plan.preferred.append(hint.tool)
                extra_goals.append(hint.tool)
            elif hint.kind == "wrong_argument" and hint.tool and hint.parameter:
                if hint.producer:
                    plan.forced_producers[(hint.tool, hint.parameter)] = hint.producer
                else:
                    plan.from_request.add((hint.tool, hint.parameter))
            elif hint.kind == "wrong_tool" and hint.tool:
                plan.banned.add(hint.tool)
            elif hint.kind == "answer_missing":
                report_fields.extend(hint.fields)
        internal = task.hint.partition(". Internally")[2]
        plan.preferred.extend(sorted((t for t in offered if f"calls {t} " in internal), key=internal.find))
        goals = self.goals(task, offered, plan.banned)
        order = [g for g in extra_goals if g in offered and g not in goals] + goals
        if order:
            plan.opening = narrate.intro([plan.act(g) for g in goals or order], plan.rng)
        for goal in order:
            plan.achieve(goal)
        if not plan.steps:
            answer = "I'm sorry, none of the tools I have can do that."
            plan.messages.append(Message.assistant(content=answer, reasoning="None of the offered tools fits this request."))
            return ReasonerAttempt(messages=plan.messages, steps=[], answer=answer)
        answer, reasoning = self._answer(plan, goals, report_fields)
        plan.messages.append(Message.assistant(content=answer, reasoning=reasoning))
        return ReasonerAttempt(messages=plan.messages, steps=plan.steps, answer=answer)

    @staticmethod
    def _answer(plan: _Plan, goals: list[str], report_fields: list[str]) -> tuple[str, str]:
        """The final answer and the thinking before it: the values the query asks for (by its own
        words, or the critic's fields), a confirmation of each write, else a short summary."""
        rng, query = plan.rng, plan.task.query
        shown = [g for g in goals if g in plan.results] or [s.call.name for s in plan.steps if s.observation.ok][-1:]
        facts: list[tuple[str, Any, Any]] = []
        seen: set[str] = set()
        # "The sum, rounded": of several computed results (`result`) the user wants the last one;
        # the earlier ones were steps on the way to it.
        last_computed = {key: goal for goal in shown if isinstance(plan.results.get(goal), dict)
                         for key in plan.results[goal] if key.lower() in COMPUTED_RESULT_NAMES}
        for goal in shown:
            result = plan.results.get(goal)
            if not isinstance(result, dict):
                continue
            for key in requested_keys(query, result):
                if last_computed.get(key, goal) != goal:
                    continue
                if stated_in(query, result[key]) or is_status_text(result[key]) \
                        or any(k == qualified_key(key, goal) and v == result[key] for k, v, _ in facts):
                    continue
                facts.append((qualified_key(key, goal), result[key], result))
                seen.add(key)
        for field_name in report_fields:
            if field_name in seen:
                continue
            for result in [plan.results[g] for g in shown if g in plan.results] + list(plan.results.values()):
                if isinstance(result, dict) and field_name in result and not isinstance(result[field_name], (dict, list)):
                    facts.append((field_name, result[field_name], result))
                    seen.add(field_name)
                    break
        writes = [g for g in shown if g in plan.offered and plan.offered[g].mutates and g in plan.results]
        done = voice.refer_back_in_turn(
            [voice.done_phrase(rng.choice(tool_phrasing(plan.offered[g]).ask).replace("{", "").replace("}", ""))
             for g in writes], [_takes_from(plan, g, writes[:i]) for i, g in enumerate(writes)])
        lines: list[str] = []
        if done:
            lines.append(rng.choice(("I've {d}.", "Done, I've {d}.", "All set, I've {d}.", "That's done: I've {d}."))
                         .format(d=voice.join_list(done)))
        if facts:
            lines.append(fact_sentences(facts, rng))
        elif done:
            # "Set the budget and get my booking history": the history was asked for too.
            lines.extend(dict.fromkeys(summarise(plan.results[g], rng) for g in shown if g in plan.results
                                       and g in plan.offered and not plan.offered[g].mutates
                                       and isinstance(plan.results[g], (dict, list)) and plan.results[g]))
        elif not done:
            on_the_way = {g for g in shown if isinstance(plan.results.get(g), dict)
                          and any(last_computed.get(k, g) != g for k in plan.results[g])}
            lines.extend(dict.fromkeys(summarise(plan.results.get(g), rng) for g in shown
                                       if g in plan.results and g not in on_the_way))
        failed = [s for s in plan.steps if not s.observation.ok]
        if failed and any(g not in plan.results for g in goals):
            lines = []
        if failed and not lines:
            reasons = voice.join_list([f"trying to {voice.second_person(tool_phrasing(plan.offered[s.call.name]).ask[0])}"
                                       " failed" if s.call.name in plan.offered else f"{s.call.name} failed"
                                       + (f" ({s.observation.error.message})" if s.observation.error else "")
                                       for s in failed[-2:]])
            lines.append(f"I couldn't finish that: {reasons}.")
        reasoning = narrate.final([(k, v) for k, v, _ in facts], [voice.third_person(d) for d in done],
                                  bool(failed) and not lines, rng)
        return "\n".join(lines), reasoning
