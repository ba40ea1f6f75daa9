"""The planning agents of the ladder: backward chaining over what the offered tools' schemas imply.

`PlannerAgent` is a `Backend` (so `run_agent` drives it like any model) built on the model-free
Reasoner's backward-chaining planner (`hardgen.synth.ModelFreeReasoner`), with none of the
Reasoner's privileges: no hint naming the goal tools, no critic, and no execution-refined graph.
Its dependency knowledge is what a reader of the offered tools can infer: an `ApiGraph` built from
their schemas, hints and names alone (`ApiGraph.build`: candidate data-flow and state-prerequisite
edges, none confirmed by execution).

Each request, it replays the planner over the turn so far: every call the planner wants is looked
up in the transcript (the same position's call was made and its observation is there) or, the first
one that is not, is the tool call it answers with. A finished plan gives the final answer. So the
agent acts one call per model turn, every value it passes on comes from a real observation, and its
output is a pure function of the transcript and the seed.

Four knobs make the rungs of the ladder (`hardgen.agents.LADDER`):

- `depth`: how many levels of lookups it chains (1: the goal's parameters may come from one read,
  whose own parameters must be in the request; None: as deep as the planner goes, 4);
- `prerequisites`: whether it runs the state prerequisites the schemas imply (log in, change
  directory) before a tool that needs them;
- `max_calls`: a step budget per turn (None: no budget beyond the agent loop's `max_steps`);
- `error_rate`: the chance that one argument of a call is swapped for another value of the same
  type seen this turn (a request literal, a field of an earlier result); the draw is seeded by the
  request seed, the turn and the call's position, so a seed fixes the behaviour and another seed
  changes it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hardgen.agents._model_free import describe_result
from hardgen.llm import ChatRequest, ChatResponse
from hardgen.schema import Message, Observation, ToolCall, ToolSpec

if TYPE_CHECKING:  # hardgen.synth imports hardgen.agents: load it lazily at run time
    from hardgen.synth import Producer

_GRAPH_CACHE_SIZE = 256


class _NextCall(Exception):
    """The planner wants a call the transcript does not hold yet (control flow, never escapes)."""

    def __init__(self, call: ToolCall) -> None:
        super().__init__(call.name)
        self.call = call


class _BudgetSpent(Exception):
    """The planner wants more calls than the step budget allows."""


def _observation_of(message: Message) -> Observation:
    """The observation a tool message carries (the inverse of `Observation.to_text`)."""
    try:
        data = json.loads(message.content or "null")
    except json.JSONDecodeError:
        return Observation.success(message.content)
    if isinstance(data, dict) and set(data) == {"error"} and isinstance(data["error"], dict):
        error = data["error"]
        return Observation.failure(str(error.get("type", "Error")), str(error.get("message", "")))
    return Observation.success(data)


def _scalars(value: Any, out: list[Any]) -> None:
    if isinstance(value, dict):
        for sub in value.values():
            _scalars(sub, out)
    elif isinstance(value, list):
        for sub in value:
            _scalars(sub, out)
    elif value is not None:
        out.append(value)


def _same_type(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return True
    return type(a) is type(b)


class _TranscriptEnvironment:
    """What the planner executes against: the transcript's observations, in order; the first call
    past them stops the planner with `_NextCall` (or `_BudgetSpent` past the budget)."""

    def __init__(self, recorded: Sequence[tuple[ToolCall, Observation]], *, max_calls: int | None,
                 error_rate: float, rng_key: str, literals: Sequence[Any]) -> None:
        self.recorded = list(recorded)
        self.position = 0
        self.max_calls = max_calls
        self.error_rate = error_rate
        self.rng_key = rng_key
        self.literals = list(literals)

    def call(self, tool: str, arguments: dict[str, Any]) -> Observation:
        if self.position < len(self.recorded):
            _, observation = self.recorded[self.position]
            self.position += 1
            return observation
        if self.max_calls is not None and self.position >= self.max_calls:
            raise _BudgetSpent
        raise _NextCall(ToolCall(name=tool, arguments=self.perturb(dict(arguments))))

    def perturb(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """With probability `error_rate`, one argument takes another value of its type seen this turn."""
        if self.error_rate <= 0 or not arguments:
            return arguments
        rng = random.Random(f"{self.rng_key}:{self.position}")
        if rng.random() >= self.error_rate:
            return arguments
        name = rng.choice(sorted(arguments))
        seen: list[Any] = list(self.literals)
        for _, observation in self.recorded:
            if observation.ok:
                _scalars(observation.result, seen)
        current = arguments[name]
        options = sorted({json.dumps(v, sort_keys=True, default=str) for v in seen
                          if _same_type(v, current) and v != current})
        if options:
            arguments[name] = json.loads(rng.choice(options))
        return arguments


class _SchemaDependencies:
    """The planner's `DependencyIndex` from a schema-only graph, limited by the rung's knobs."""

    def __init__(self, graph: Any, *, goals: set[str], depth: int | None, prerequisites: bool) -> None:
        from hardgen.synth._graph_dependencies import GraphDependencies  # not re-exported by hardgen.synth

        self.inner = GraphDependencies(graph)
        self.graph = graph
        self.goals = goals
        self.depth = depth
        self.with_prerequisites = prerequisites

    def producers(self, tool: str, parameter: str) -> list[Producer]:
        # Depth 1: only a goal's parameters are looked up; a lookup's own parameters must be stated.
        if self.depth == 1 and tool not in self.goals:
            return []
        return self.inner.producers(tool, parameter) or self.documented_producers(tool, parameter)

    def documented_producers(self, tool: str, parameter: str) -> list[Producer]:
        """Producers the documentation suggests where the schemas give none (a result without a
        declared shape): tools the parameter's description names ("see find_user"), then reads
        whose name carries the parameter's subject (`find_user` for `user_id`); the field is
        located in their result when they have run."""
        from hardgen.agents._text import split_identifier
        from hardgen.synth import Producer

        if tool not in self.graph:
            return []
        spec = self.graph.spec(tool)
        described = str(spec.parameters.get("properties", {}).get(parameter, {}).get("description", ""))
        subject = [w for w in split_identifier(parameter) if w.lower() not in ("id", "ids", "name", "code")]
        named, by_subject = [], []
        for other in self.graph.tools:
            if other == tool:
                continue
            if other in described:
                named.append(other)
            elif subject and not self.graph.spec(other).mutates and \
                    subject[-1].lower() in [w.lower() for w in split_identifier(other)]:
                by_subject.append(other)
        return [Producer(t, (), 0.5) for t in [*named, *sorted(by_subject)]]

    def prerequisites(self, tool: str) -> list[str]:
        if not self.with_prerequisites or tool not in self.graph:
            return []
        # Declared prerequisites and those the schemas and names imply (candidates, not confirmed).
        declared = list(self.graph.spec(tool).hints.get("requires", []))
        return list(dict.fromkeys([*declared, *self.graph.prerequisites(tool)]))


def _request_goals(query: str, tools: Sequence[ToolSpec], dependencies: Any) -> list[str]:
    """The tools the request asks for: the best relevant tool of each part of the request (split
    as the slot-filling agent splits it), minus those that only serve another goal (a lookup or a
    prerequisite of it), in the order asked."""
    from hardgen.agents._literals import extract_literals
    from hardgen.agents._model_free import split_requests
    from hardgen.agents._retrieval import ToolIndex, request_terms
    from hardgen.agents._text import split_identifier

    literals = extract_literals(query, common_words=sorted({w for t in tools for w in split_identifier(t.name)}))
    verbs = [w.lower() for t in tools for w in split_identifier(t.name)[:1]]
    index = ToolIndex(tools)
    chosen: list[str] = []
    for start, end in split_requests(query, literals, verbs):
        part = [lit for lit in literals if start <= lit.start and lit.end <= end]
        ranked = [m for m in index.rank(request_terms(query[start:end], part)) if m.score > 0 and m.relevant]
        if ranked and ranked[0].tool.name not in chosen:
            chosen.append(ranked[0].tool.name)
    offered = {t.name: t for t in tools}
    serving = {p.tool for g in chosen for param in offered[g].required for p in dependencies.producers(g, param)}
    serving |= {pre for g in chosen for pre in dependencies.prerequisites(g)}
    return [g for g in chosen if g not in serving] or chosen[:1]


class PlannerAgent:
    """A model-free agent that chains lookups (and prerequisites) it infers from the tool schemas.

    See the module docstring for the algorithm and the knobs. `name` is the rung's name.
    """

    def __init__(self, seed: int = 0, *, name: str = "planner", depth: int | None = None,
                 prerequisites: bool = True, max_calls: int | None = None, error_rate: float = 0.0) -> None:
        if depth is not None and depth < 1:
            raise ValueError(f"depth must be at least 1 (or None), got {depth}")
        if max_calls is not None and max_calls < 1:
            raise ValueError(f"max_calls must be at least 1 (or None), got {max_calls}")
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError(f"error_rate must be in [0, 1], got {error_rate}")
        self.seed = seed
        self.name = name
        self.model: str | None = name
        """The rung's name (what evaluation reports call the agent)."""
        self.depth = depth
        self.prerequisites = prerequisites
        self.max_calls = max_calls
        self.error_rate = error_rate
        self._graphs: OrderedDict[str, Any] = OrderedDict()

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return self.respond(request)

    def _graph(self, tools: Sequence[ToolSpec]) -> Any:
        from hardgen.graph import ApiGraph

        key = hashlib.sha256(json.dumps([t.model_dump(mode="json") for t in tools], sort_keys=True,
                                        default=str).encode()).hexdigest()
        graph = self._graphs.get(key)
        if graph is None:
            graph = ApiGraph.build(tools)
            self._graphs[key] = graph
            if len(self._graphs) > _GRAPH_CACHE_SIZE:
                self._graphs.popitem(last=False)
        else:
            self._graphs.move_to_end(key)
        return graph

    def respond(self, request: ChatRequest) -> ChatResponse:
        """The next assistant message for `request`: the planner's next call, or its answer."""
        from hardgen.synth import ModelFreeReasoner, ReasonerTask
        from hardgen.synth._slots import extract_values  # the Reasoner's own value extraction

        messages = request.messages
        last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
        if last_user is None:
            return self._reply(Message.assistant("There is no request to act on.", reasoning="No user message."))
        tools = list(request.tools or [])
        if not tools or request.tool_choice == "none":
            why = "no tools are offered" if not tools else "tool use is switched off for this turn"
            return self._reply(
                Message.assistant(f"I cannot act on this request: {why}.", reasoning=f"I would need a tool, but {why}."))
        query = messages[last_user].content or ""
        tail = messages[last_user + 1:]
        calls = {c.id: c for m in tail if m.role == "assistant" for c in (m.tool_calls or [])}
        recorded = [(calls[m.tool_call_id], _observation_of(m)) for m in tail
                    if m.role == "tool" and m.tool_call_id in calls]
        turn = sum(1 for m in messages[:last_user] if m.role == "user")
        task = ReasonerTask(query=query, tools=tools, history=list(messages[:last_user]), turn=turn)
        graph = self._graph(tools)
        offered = {t.name: t for t in tools}
        full = _SchemaDependencies(graph, goals=set(), depth=None, prerequisites=self.prerequisites)
        ordered = _request_goals(query, tools, full) or ModelFreeReasoner(full).goals(task, offered, set())
        goals = set(ordered)
        dependencies = _SchemaDependencies(graph, goals=goals, depth=self.depth, prerequisites=self.prerequisites)
        seed = request.seed if request.seed is not None else self.seed
        literals = [v.text for v in extract_values(query)]
        environment = _TranscriptEnvironment(recorded, max_calls=self.max_calls, error_rate=self.error_rate,
                                             rng_key=f"{seed}:{turn}:{query}", literals=literals)
        reasoner = _goal_planner(dependencies, ordered)
        try:
            attempt = _run_sync(reasoner.solve(task, environment, []))
        except _NextCall as wanted:
            call = wanted.call.model_copy(update={"id": self._call_id(seed, len(messages), wanted.call.name)})
            reasoning = self._narrate(call, goals, len(recorded))
            return self._reply(Message.assistant(None, tool_calls=[call], reasoning=reasoning),
                               finish_reason="tool_calls")
        except _BudgetSpent:
            done = ", ".join(c.name for c, _ in recorded)
            return self._reply(Message.assistant(
                f"I ran out of steps before finishing. So far I called: {done}.",
                reasoning=f"My budget is {self.max_calls} calls per request, and the plan needs more."))
        final = attempt.messages[-1] if attempt.messages else Message.assistant("I cannot help with this request.")
        # Beside the planner's own answer, the key values of every result, as the slot-filling
        # agent reports them: the user asked for some of them in words the planner may not match.
        found = [f"{c.name} returned {describe_result(o.result)}" for c, o in recorded if o.ok]
        content = (final.content or "") + ("\n\nDetails: " + " ".join(f + "." for f in found) if found else "")
        return self._reply(Message.assistant(content.strip(), reasoning=final.reasoning))

    def _narrate(self, call: ToolCall, goals: set[str], done: int) -> str:
        role = "the goal of the request" if call.name in goals else "a step the goal needs first"
        arguments = ", ".join(f"{k}={json.dumps(v, default=str)[:40]}" for k, v in call.arguments.items())
        return (f"Step {done + 1}: I call {call.name}, {role}"
                + (f", with {arguments}." if arguments else ", which takes no arguments."))

    def _reply(self, message: Message, finish_reason: str = "stop") -> ChatResponse:
        return ChatResponse(message=message, finish_reason=finish_reason, model=self.model)

    @staticmethod
    def _call_id(seed: int, position: int, name: str) -> str:
        return "call_" + hashlib.sha256(f"planner:{seed}:{position}:{name}".encode()).hexdigest()[:16]


def _goal_planner(dependencies: Any, goals: Sequence[str]) -> Any:
    from hardgen.synth import ModelFreeReasoner

    class GoalPlanner(ModelFreeReasoner):
        """The Reasoner's planner with the goals the request's parts name (no hint to read them from)."""

        def goals(self, task: Any, offered: dict[str, ToolSpec], banned: set[str]) -> list[str]:
            return [g for g in goals if g in offered and g not in banned]

    return GoalPlanner(dependencies)


def _run_sync(coroutine: Any) -> Any:
    """Drive a coroutine that never awaits anything pending (the Reasoner's `solve` against a
    synchronous environment) to its result without an event loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the planner awaited something: it must run synchronously")
