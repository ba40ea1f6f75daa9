"""ApiGraph G = (T, D, P): tools, prerequisite edges, parameter constraints; refined by execution.

Nodes (T) are tools: their ToolSpec, the agent failure statistics other phases feed in with
`update_failures`, and how the tool behaved when executed here. Edges (D) mean "Tj needs Ti first",
of two kinds, in one networkx MultiDiGraph:

- `data_flow`: an output field of Ti (`path`, e.g. ["orders", "*", "order_id"]) feeds `parameter`
  of Tj. One edge per (Ti, Tj, parameter, path).
- `state_prerequisite`: Tj fails unless Ti ran first (login before send, cd before cat).

Each edge has a status (`candidate` from the schemas and names, `confirmed` by execution, `pruned`
when execution contradicts it), a weight in [0, 1], and evidence counts. P is the parameter
constraints: schema types, enums and ranges, value pools seen in states and outputs, observed
numeric ranges, and the data-flow edges seen from their end (`parameter_constraints`).

Legality (used by the sampler): Tj is legal when every state prerequisite has run and, for each
required identifier parameter that has data-flow sources, at least one of those sources has run:
an identifier is looked up, not invented, so its lookup is a prerequisite too. Other required
parameters are gated the same way once execution has confirmed a source for them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import networkx as nx

from hardgen.graph._blame import blamed_parameters
from hardgen.graph._candidates import data_flow_candidates, prerequisite_candidates
from hardgen.graph._fields import InputParameter, OutputField, compatible, input_parameters, output_fields
from hardgen.graph._naming import tool_subject
from hardgen.graph._records import (
    EDGE_KINDS,
    EDGE_STATUSES,
    EdgeKind,
    EdgeStatus,
    ExecutionStats,
    FailureStats,
    GraphError,
    GraphSummary,
    ParameterConstraint,
    ParameterSource,
)
from hardgen.graph._values import ValuePools, iter_leaves, value_type
from hardgen.schema import Observation, ToolSpec, Trace
from hardgen.tools import MUTATES_GUESSED

FORMAT = "hardgen.api_graph/1"
_UNTESTED = 0.8
DataFlowGate = Literal["identifiers", "required", "none"]


@dataclass
class GraphConfig:
    """How candidates are made and how execution evidence changes them."""

    top_k: int = 8
    """Data-flow candidates kept per parameter."""
    min_score: float = 0.5
    """Lowest match score for a data-flow candidate."""
    cross_environment_cap: int = 32
    """A key produced by more tools than this links nothing across environments (too generic)."""
    prune_data_flow_after: int = 3
    """A data-flow edge blamed for this many failing calls (their errors pointed at its parameter,
    or at no argument), and never part of a success, is pruned."""
    prune_prerequisite_after: int = 1
    """A prerequisite whose tool succeeded this many times without it (and more often than it was
    confirmed) is pruned: a success from a fresh state without Ti is a clean counter-example."""
    gate_data_flow: DataFlowGate = "identifiers"
    """Which required parameters' data-flow sources count as prerequisites for legality:
    `identifiers` (all sources of identifier parameters, confirmed sources of the others),
    `required` (all sources of every required parameter) or `none`."""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Requirement(NamedTuple):
    """One condition of a tool's legality: one of `tools` must have run (for a `parameter`, have
    produced a value for it)."""

    parameter: str | None
    tools: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    """A read-only view of one edge."""

    source: str
    target: str
    kind: EdgeKind
    status: EdgeStatus
    weight: float
    score: float
    origin: str
    """`schema`, `hint`, `naming`, `observed` (value matching in a trace) or `discovery`."""
    parameter: str | None = None
    path: tuple[str, ...] = ()
    successes: int = 0
    failures: int = 0
    confirmations: int = 0
    contradictions: int = 0


@dataclass
class _Node:
    spec: ToolSpec
    failures: FailureStats = field(default_factory=FailureStats)
    execution: ExecutionStats = field(default_factory=ExecutionStats)
    ranges: dict[str, list[float]] = field(default_factory=dict)


def _edge_key(kind: str, parameter: str | None = None, path: Sequence[str] = ()) -> str:
    return kind if kind == "state_prerequisite" else f"data_flow:{parameter}:{'.'.join(path)}"


def _path_matches(pattern: Sequence[str], concrete: Sequence[str | int]) -> bool:
    return len(pattern) == len(concrete) and all(p == "*" or p == str(c) for p, c in zip(pattern, concrete, strict=True))


class ApiGraph:
    """The API graph. Build it with `ApiGraph.build(tools)` or `ApiGraph.from_session(session)`."""

    def __init__(self, config: GraphConfig | None = None) -> None:
        self.config = config or GraphConfig()
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        """The underlying networkx graph (node attribute `node`, edge attributes as in `Edge`)."""
        self.pools = ValuePools()
        self.version = 0
        """Bumped whenever the set of live (not pruned) edges changes; caches key on it."""
        self.failure_version = 0
        """Bumped by `update_failures`; target samplers key on it."""
        self._fields: dict[str, list[OutputField]] = {}
        self._params: dict[str, list[InputParameter]] = {}
        self._gates: dict[str, tuple[int, list[Requirement]]] = {}
        self._by_environment: dict[str, list[str]] = {}
        self._learned_states: set[tuple[str, str]] = set()

    # -- building ---------------------------------------------------------------------------------
    @classmethod
    def build(cls, tools: Iterable[ToolSpec], *, config: GraphConfig | None = None) -> ApiGraph:
        """A graph over `tools` with candidate edges from their schemas, hints and names."""
        graph = cls(config)
        graph.add_tools(tools)
        return graph

    @classmethod
    def from_session(cls, session: Any, *, config: GraphConfig | None = None) -> ApiGraph:
        """A graph over a live session's tools, with value pools seeded from its current state."""
        graph = cls.build(session.tools(), config=config)
        graph.learn_session_state(session)
        return graph

    def add_tools(self, tools: Iterable[ToolSpec]) -> None:
        """Add tools and the candidate edges they make with each other and with the tools already here."""
        new = list(tools)
        for spec in new:
            if spec.name in self.graph:
                raise GraphError(f"tool {spec.name!r} is already in the graph")
            self.graph.add_node(spec.name, node=_Node(spec))
            self._index_tool(spec)
        specs = self.specs()
        cfg = self.config
        for c in data_flow_candidates(specs, self._fields, self._params, top_k=cfg.top_k, min_score=cfg.min_score,
                                      cross_environment_cap=cfg.cross_environment_cap):
            self.add_data_flow(c.source, c.target, c.parameter, c.path, score=c.score, origin="schema")
        for p in prerequisite_candidates(specs):
            self.add_prerequisite(p.source, p.target, origin=p.origin, score=0.8 if p.origin == "hint" else 0.5)

    def _index_tool(self, spec: ToolSpec) -> None:
        self._fields[spec.name] = output_fields(spec)
        self._params[spec.name] = input_parameters(spec)
        self._by_environment.setdefault(spec.environment or "", []).append(spec.name)

    def environment_tools(self, environment: str | None) -> list[str]:
        """Tools of one environment, in insertion order."""
        return list(self._by_environment.get(environment or "", ()))

    def mutates_guessed(self, tool: str) -> bool:
        """Whether nothing declared `tool` a read or a write (its kind is a guess from its name)."""
        return bool(self.spec(tool).hints.get(MUTATES_GUESSED))

    def settle_mutates(self, *, min_unchanged: int = 2) -> dict[str, bool]:
        """Decide guessed read/write kinds from execution. A tool a successful call of which changed
        the state hash is a write. A guessed write is a read only when its whole environment is
        stateless as far as execution and declarations show (no call changed its state, no tool of
        it is a declared write) and it ran `min_unchanged` times or more: a write that changed
        nothing (a login when already logged in) proves nothing in a stateful environment, where
        the name stays the guess. Declared kinds are never changed. Returns what changed (tool ->
        mutates now)."""
        stateful: set[str] = set()
        for _, d in self.graph.nodes(data=True):
            node: _Node = d["node"]
            if node.execution.state_changes or (node.spec.mutates and not node.spec.hints.get(MUTATES_GUESSED)):
                stateful.add(node.spec.environment or "")
        changed: dict[str, bool] = {}
        for name, d in self.graph.nodes(data=True):
            node = d["node"]
            if not node.spec.hints.get(MUTATES_GUESSED):
                continue
            ex = node.execution
            if ex.state_changes:
                mutates = True
            elif ex.state_unchanged >= min_unchanged and (node.spec.environment or "") not in stateful:
                mutates = False
            else:
                continue
            if mutates != node.spec.mutates:
                node.spec = node.spec.model_copy(update={"mutates": mutates})
                changed[name] = mutates
        if changed:
            self.version += 1
        return changed

    def learn_session_state(self, session: Any) -> None:
        """Seed value pools and records from a session's (or one environment's) initial and current state."""
        envs = getattr(session, "environments", None) or [session]
        for env in envs:
            seen = (env.name, env.state_hash())
            if seen in self._learned_states:  # the same state twice would duplicate records
                continue
            self._learned_states.add(seen)
            # The loaded state as the spec gives it (private parts included: a password table),
            # then the live public state (what loading derived from it).
            for spec in env.specs():
                self.pools.learn_state(env.name, spec.initial_state)
            self.pools.learn_state(env.name, env.state())

    def add_data_flow(
        self, source: str, target: str, parameter: str, path: Sequence[str], *, score: float = 0.5,
        origin: str = "schema", status: EdgeStatus = "candidate",
    ) -> dict[str, Any]:
        """Add (or return the existing) data-flow edge `source.path -> target(parameter)`."""
        self._require(source)
        self._require(target)
        key = _edge_key("data_flow", parameter, path)
        existing = self.graph.get_edge_data(source, target, key)
        if existing is not None:
            return existing
        data = {"kind": "data_flow", "status": status, "weight": round(_UNTESTED * score, 4), "score": score, "origin": origin,
                "parameter": parameter, "path": list(path), "successes": 0, "failures": 0,
                "confirmations": 0, "contradictions": 0}
        self.graph.add_edge(source, target, key=key, **data)
        if status != "pruned":
            self.version += 1
        return self.graph.edges[source, target, key]

    def add_prerequisite(
        self, source: str, target: str, *, score: float = 0.5, origin: str = "naming",
        status: EdgeStatus = "candidate",
    ) -> dict[str, Any]:
        """Add (or return the existing) state-prerequisite edge `source -> target`."""
        self._require(source)
        self._require(target)
        if source == target:
            raise GraphError(f"a tool cannot be its own prerequisite ({source!r})")
        existing = self.graph.get_edge_data(source, target, "state_prerequisite")
        if existing is not None:
            return existing
        data: dict[str, Any] = {"kind": "state_prerequisite", "status": status, "weight": round(_UNTESTED * score, 4), "score": score, "origin": origin,
                "parameter": None, "path": [], "successes": 0, "failures": 0, "confirmations": 0,
                "contradictions": 0}
        self.graph.add_edge(source, target, key="state_prerequisite", **data)
        if status != "pruned":
            self.version += 1
        return self.graph.edges[source, target, "state_prerequisite"]

    # -- nodes ------------------------------------------------------------------------------------
    def _require(self, tool: str) -> _Node:
        try:
            return self.graph.nodes[tool]["node"]
        except KeyError:
            raise GraphError(f"unknown tool {tool!r}: not in the API graph") from None

    def __contains__(self, tool: object) -> bool:
        return tool in self.graph

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def tools(self) -> list[str]:
        return list(self.graph.nodes)

    def spec(self, tool: str) -> ToolSpec:
        return self._require(tool).spec

    def specs(self) -> dict[str, ToolSpec]:
        return {n: d["node"].spec for n, d in self.graph.nodes(data=True)}

    def parameters(self, tool: str) -> list[InputParameter]:
        self._require(tool)
        return self._params[tool]

    def output_fields(self, tool: str) -> list[OutputField]:
        self._require(tool)
        return self._fields[tool]

    def failure_stats(self, tool: str) -> FailureStats:
        return self._require(tool).failures

    def execution_stats(self, tool: str) -> ExecutionStats:
        return self._require(tool).execution

    def update_failures(
        self, stats: Mapping[str, FailureStats | Mapping[str, Any]], *, replace: bool = True, strict: bool = True
    ) -> list[str]:
        """Record agent failure statistics per tool (from failure mining or evaluation).

        `replace=False` adds to what is there. Unknown tools raise GraphError when `strict`, else
        they are skipped and returned.
        """
        unknown = sorted(t for t in stats if t not in self.graph)
        if unknown and strict:
            raise GraphError(f"update_failures: tools not in the graph: {unknown[:10]}{'...' if len(unknown) > 10 else ''}")
        for tool, raw in stats.items():
            if tool not in self.graph:
                continue
            new = raw if isinstance(raw, FailureStats) else FailureStats.model_validate(raw)
            if new.failures < 0 or new.attempts < 0:
                raise GraphError(f"update_failures: negative counts for {tool!r}")
            node = self._require(tool)
            if replace:
                node.failures = new.model_copy(deep=True)
            else:
                taxonomy = dict(node.failures.taxonomy)
                for k, v in new.taxonomy.items():
                    taxonomy[k] = taxonomy.get(k, 0) + v
                node.failures = FailureStats(attempts=node.failures.attempts + new.attempts,
                                             failures=node.failures.failures + new.failures, taxonomy=taxonomy)
        self.failure_version += 1
        return unknown

    def failure_tools(self) -> list[str]:
        """Tools with at least one recorded agent failure, highest failure rate first."""
        found = [(n, d["node"].failures) for n, d in self.graph.nodes(data=True) if d["node"].failures.failures > 0]
        return [n for n, _ in sorted(found, key=lambda x: (-x[1].failure_rate, x[0]))]

    def target_weight(self, tool: str) -> float:
        """Weight of a tool as a sampling target: its failure rate (0 outside the failure set)."""
        return self._require(tool).failures.failure_rate

    # -- edges ------------------------------------------------------------------------------------
    def edges(self, kind: EdgeKind | None = None, status: EdgeStatus | None = None) -> list[Edge]:
        """Edges, optionally of one kind and status."""
        return [
            _view(u, v, d) for u, v, d in self.graph.edges(data=True)
            if (kind is None or d["kind"] == kind) and (status is None or d["status"] == status)
        ]

    def edge(self, source: str, target: str, kind: EdgeKind = "state_prerequisite", parameter: str | None = None) -> Edge | None:
        """The edge of `kind` (for data flow: into `parameter`, best weight first), or None."""
        for _, _, d in self._edges_between(source, target):
            if d["kind"] == kind and (parameter is None or d["parameter"] == parameter):
                return _view(source, target, d)
        return None

    def _edges_between(self, source: str, target: str) -> list[tuple[str, str, dict[str, Any]]]:
        data = self.graph.get_edge_data(source, target) or {}
        return sorted(((k, source, d) for k, d in data.items()), key=lambda x: -x[2]["weight"])

    def prerequisites(self, tool: str) -> list[str]:
        """Tools that must run before `tool` (live state-prerequisite edges)."""
        self._require(tool)
        return [u for u, keyed in self.graph.pred[tool].items()
                if (d := keyed.get("state_prerequisite")) is not None and d["status"] != "pruned"]

    def data_sources(self, tool: str, parameter: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Live data-flow edges into `tool` (into `parameter` only, if given), best weight first."""
        self._require(tool)
        out = [(u, d) for u, keyed in self.graph.pred[tool].items() for d in keyed.values()
               if d["kind"] == "data_flow" and d["status"] != "pruned" and (parameter is None or d["parameter"] == parameter)]
        out.sort(key=lambda x: -x[1]["weight"])
        return out

    def live_predecessors(self, tool: str) -> list[str]:
        """Tools with a live edge of any kind into `tool` (its prerequisites and data sources)."""
        return [u for u, keyed in self.graph.pred[tool].items() if any(d["status"] != "pruned" for d in keyed.values())]

    def live_successors(self, tool: str) -> list[str]:
        """Tools with a live edge of any kind from `tool` (those it enables or feeds)."""
        return [v for v, keyed in self.graph.succ[tool].items() if any(d["status"] != "pruned" for d in keyed.values())]

    def requirement_groups(self, tool: str) -> list[Requirement]:
        """Legality of `tool` as groups, each met when one of its tools has run.

        A state prerequisite is a group of one (`parameter` None); a gated parameter is a group
        of its sources. Cached per graph version, so checking legality costs O(in-degree).
        """
        cached = self._gates.get(tool)
        if cached is not None and cached[0] == self.version:
            return cached[1]
        groups = [Requirement(None, (u,)) for u in self.prerequisites(tool)]
        gate = self.config.gate_data_flow
        if gate != "none":
            for p in self._params[tool]:
                if not p.required:
                    continue
                edges = self.data_sources(tool, p.name)
                if gate == "identifiers" and not p.identifier:
                    # A value execution has shown to flow in is a dependency too.
                    edges = [(u, d) for u, d in edges if d["status"] == "confirmed"]
                sources = tuple(dict.fromkeys(u for u, _ in edges))
                if sources:
                    groups.append(Requirement(p.name, sources))
        self._gates[tool] = (self.version, groups)
        return groups

    def is_legal(self, tool: str, ran: Collection[str], produced: Collection[tuple[str, str, str]] | None = None) -> bool:
        """Whether `tool` may run once the tools in `ran` have run (see the module docstring).

        With `produced` ((source, target, parameter) triples whose source actually returned a
        value for that edge), a parameter's group is met only by a source that produced one: a
        search that found nothing has not looked the identifier up.
        """
        return all(self.requirement_met(tool, r, ran, produced) for r in self.requirement_groups(tool))

    @staticmethod
    def requirement_met(tool: str, requirement: Requirement, ran: Collection[str],
                        produced: Collection[tuple[str, str, str]] | None = None) -> bool:
        if requirement.parameter is None or produced is None:
            return any(u in ran for u in requirement.tools)
        return any((u, tool, requirement.parameter) in produced for u in requirement.tools)

    # -- execution feedback -----------------------------------------------------------------------
    def _set_status(self, data: dict[str, Any], status: EdgeStatus) -> None:
        if data["status"] != status:
            # Legality depends on which edges are live and which are confirmed: caches key on this.
            self.version += 1
            data["status"] = status

    def confirm_prerequisite(self, source: str, target: str, *, source_arguments: Mapping[str, Any] | None = None,
                             target_arguments: Mapping[str, Any] | None = None) -> Edge:
        """Record a failure-then-success experiment: `target` failed from a fresh state with some
        arguments and succeeded with the same arguments once `source` had run.

        `source_arguments` and `target_arguments` are the calls of the experiment that succeeded:
        they are kept on the edge (`enabling_arguments`) and their values enter the pools, for an
        enabler often works only with one value (a brake pressed fully: 1.0, where a fill from
        the state's values gives 0.6)."""
        d = self.add_prerequisite(source, target, score=0.8, origin="discovery", status="confirmed")
        d["confirmations"] += 1
        for tool, arguments in ((source, source_arguments), (target, target_arguments)):
            if arguments:
                self._learn_arguments(tool, self._require(tool), arguments)
        if source_arguments is not None or target_arguments is not None:
            d["enabled_with"] = {"source": dict(source_arguments or {}), "target": dict(target_arguments or {})}
        if d["confirmations"] >= d["contradictions"]:
            self._set_status(d, "confirmed")
        self._reweigh(d)
        return _view(source, target, d)

    def _reweigh(self, d: dict[str, Any]) -> None:
        good = d["successes"] + 2 * d["confirmations"]
        bad = d["failures"] + 2 * d["contradictions"]
        # An untested match counts for 80% of its score; each piece of evidence then pulls the
        # weight toward 1 (success, confirmation) or 0 (failure, contradiction).
        d["weight"] = round((_UNTESTED * d["score"] + good) / (1 + good + bad), 4)

    def _match_field(self, source: str, concrete: Sequence[str | int]) -> tuple[str, ...]:
        for f in self._fields.get(source, ()):
            if _path_matches(f.path, concrete):
                return f.path
        return tuple("*" if isinstance(c, int) else str(c) for c in concrete)

    def observe_call(
        self,
        tool: str,
        arguments: Mapping[str, Any],
        observation: Observation,
        *,
        sources: Sequence[tuple[str, str, Sequence[str | int]]] = (),
        ran_before: Iterable[str] = (),
        changed_state: bool | None = None,
        unlearned: Collection[str] = (),
    ) -> None:
        """Learn from one executed call.

        `sources` are (parameter, source tool, concrete path in its result) for arguments taken
        from earlier outputs; `ran_before` are the tools that succeeded earlier in the same
        episode, from a fresh initial state. A success confirms the data-flow edges used (adding
        them when missing), counts for the prerequisites that ran and against those that did not,
        and grows the value pools; a failure counts against the data-flow edges into the arguments its
        error points at (`hardgen.graph._blame`), all of them when it points at none.
        `changed_state` (when measured) is evidence for the tool's read/write kind
        (`settle_mutates`); `unlearned` names arguments whose values are not to enter the pools
        (an experiment's boundary values).
        """
        if tool not in self.graph:
            return
        node = self._require(tool)
        ran = set(ran_before)
        node.execution.calls += 1
        if observation.ok and changed_state is not None:
            if changed_state:
                node.execution.state_changes += 1
            else:
                node.execution.state_unchanged += 1
        if not observation.ok:
            node.execution.errors += 1
            etype = observation.error.type if observation.error else "Error"
            node.execution.error_types[etype] = node.execution.error_types.get(etype, 0) + 1
        cfg = self.config
        if observation.ok:
            for u, keyed in self.graph.pred[tool].items():
                d = keyed.get("state_prerequisite")
                if d is None:
                    continue
                if u in ran:
                    d["successes"] += 1
                else:
                    d["contradictions"] += 1
                    if d["contradictions"] >= cfg.prune_prerequisite_after and d["contradictions"] > d["confirmations"]:
                        self._set_status(d, "pruned")
                self._reweigh(d)
        # A failure counts against the edges into the arguments its error points at (a quoted
        # value, a named parameter), or against all of them when it points at none: `Invalid
        # card_id` is no evidence against the access token that flowed in beside it.
        blamed = None
        if not observation.ok and sources and observation.error is not None:
            blamed = blamed_parameters(tool, [p.name for p in self._params[tool]], arguments,
                                       observation.error.message)
        for parameter, source, path in sources:
            if source not in self.graph or source == tool:
                continue
            if blamed is not None and parameter not in blamed:
                continue
            generic = self._match_field(source, path)
            d = self.graph.get_edge_data(source, tool, _edge_key("data_flow", parameter, generic))
            if d is None:
                if not observation.ok:
                    continue
                d = self.add_data_flow(source, tool, parameter, generic, score=0.6, origin="observed", status="confirmed")
            if observation.ok:
                d["successes"] += 1
                self._set_status(d, "confirmed")
            else:
                d["failures"] += 1
                if d["successes"] == 0 and d["failures"] >= cfg.prune_data_flow_after:
                    self._set_status(d, "pruned")
            self._reweigh(d)
        if observation.ok:
            kept = {k: v for k, v in arguments.items() if k not in unlearned} if unlearned else arguments
            self._learn_values(tool, node, kept, observation.result)

    def enabling_arguments(self, source: str, target: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The arguments of `source` and of `target` in the experiment that confirmed `source` as
        a prerequisite of `target` (None when no experiment recorded them): an enabler to call
        with those values when the sampler plans `target` next."""
        d = self.graph.get_edge_data(source, target, "state_prerequisite")
        witness = d.get("enabled_with") if d is not None else None
        if not witness:
            return None
        return dict(witness["source"]), dict(witness["target"])

    def _learn_values(self, tool: str, node: _Node, arguments: Mapping[str, Any], result: Any) -> None:
        self._learn_arguments(tool, node, arguments)
        self.pools.learn(node.spec.environment or "", result, tool_subject(tool), max_leaves=256)

    def _learn_arguments(self, tool: str, node: _Node, arguments: Mapping[str, Any]) -> None:
        env = node.spec.environment or ""
        params = {p.name: p for p in self._params[tool]}
        for name, value in arguments.items():
            p = params.get(name)
            if p is None:
                continue
            values = value if isinstance(value, list) and p.wrap_list else [value]
            for v in values:
                if value_type(v) is None:
                    continue
                for key, score in p.keys:
                    if score >= 1.0:
                        self.pools.add(env, key, v)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    r = node.ranges.get(name)
                    node.ranges[name] = [min(r[0], v), max(r[1], v)] if r else [v, v]

    def value_sources(self, tool: str, arguments: Mapping[str, Any], history: Sequence[tuple[str, Any]],
                      given: Collection[str] = ()) -> list[tuple[str, str, tuple[str | int, ...]]]:
        """Arguments of a call (but those in `given`) whose distinctive value an earlier call of the
        same environment returned, as (parameter, source tool, concrete path): the evidence that
        names never give (`ls` lists `current_directory_content`, `cat` takes a `file_name`).
        `history` is (tool, result) of the episode's earlier successes, oldest first. Values
        another environment returned are coincidences (a tweet's author and a ticket login)."""
        env = self.spec(tool).environment
        seen: dict[tuple[str, Any], tuple[str, tuple[str | int, ...]]] = {}
        for source, result in history:
            if source == tool or source not in self.graph or self.spec(source).environment != env:
                continue
            for path, _generic, value in iter_leaves(result, max_leaves=512):
                if is_distinctive(value):
                    seen[(type(value).__name__, value)] = (source, path)
        out = []
        for pname, value in arguments.items():
            hit = seen.get((type(value).__name__, value)) if pname not in given and is_distinctive(value) else None
            if hit is not None:
                out.append((pname, hit[0], hit[1]))
        return out

    def observe_trace(self, trace: Trace) -> int:
        """Learn from an executed trace made elsewhere (an agent's, a reasoner's), from its initial state.

        Arguments without recorded `sources` are matched by value against earlier results: a
        distinctive value (a string of 4+ characters or an integer of 1000+) that an earlier call
        returned counts as flowing from it. Returns how many data-flow uses were observed.
        """
        ran: list[str] = []
        seen: dict[tuple[str, Any], tuple[int, tuple[str | int, ...]]] = {}
        uses = 0
        for i, step in enumerate(trace.steps):
            name = step.call.name
            if step.sources:
                sources = [(s.parameter, trace.steps[s.step].call.name, tuple(s.path)) for s in step.sources
                           if 0 <= s.step < i]
            else:
                sources = []
                for pname, value in step.call.arguments.items():
                    hit = seen.get((type(value).__name__, value)) if is_distinctive(value) else None
                    if hit is not None:
                        sources.append((pname, trace.steps[hit[0]].call.name, hit[1]))
            uses += len(sources)
            self.observe_call(name, step.call.arguments, step.observation, sources=sources, ran_before=ran)
            if step.observation.ok:
                ran.append(name)
                for path, _generic, value in iter_leaves(step.observation.result, max_leaves=512):
                    if is_distinctive(value):
                        seen[(type(value).__name__, value)] = (i, path)
        return uses

    # -- constraints P ----------------------------------------------------------------------------
    def parameter_constraints(self, tool: str) -> dict[str, ParameterConstraint]:
        """P for one tool: per parameter, its type, enum, range, pool size and upstream sources."""
        node = self._require(tool)
        props = node.spec.parameters.get("properties", {})
        out: dict[str, ParameterConstraint] = {}
        for p in self._params[tool]:
            schema = props.get(p.name, {}) if isinstance(props.get(p.name), dict) else {}
            sources = [ParameterSource(tool=u, path=list(d["path"]), status=d["status"], weight=d["weight"])
                       for u, d in self.data_sources(tool, p.name)]
            out[p.name] = ParameterConstraint(
                name=p.name, type=p.type, required=p.required, identifier=p.identifier,
                enum=schema.get("enum"), minimum=schema.get("minimum"), maximum=schema.get("maximum"),
                observed_range=node.ranges.get(p.name),
                pool_size=len(self.pool_values(tool, p)),
                sources=sources,
            )
        return out

    def pool_values(self, tool: str, parameter: InputParameter) -> list[Any]:
        """Known values that fit `parameter` of `tool`: best key first, type-compatible only."""
        env = self._require(tool).spec.environment or ""
        for key, _score in sorted(parameter.keys, key=lambda k: -k[1]):
            values = [v for v in self.pools.values(env, key) if compatible(parameter.type, value_type(v))]
            if values:
                return values
        # A qualified name in the state (`staff_pin`) still fits the plain parameter (`pin`).
        for key, _score in sorted(parameter.keys, key=lambda k: -k[1]):
            for pool_key in self.pools.keys_ending_with(env, key):
                values = [v for v in self.pools.values(env, pool_key) if compatible(parameter.type, value_type(v))]
                if values:
                    return values
        return []

    # -- reporting --------------------------------------------------------------------------------
    def summary(self) -> GraphSummary:
        """Counts: nodes, edges by kind and status, components over live edges, failure tools."""
        by_kind: dict[str, dict[str, int]] = {k: dict.fromkeys(EDGE_STATUSES, 0) for k in EDGE_KINDS}
        for _, _, d in self.graph.edges(data=True):
            by_kind[d["kind"]][d["status"]] += 1
        live = nx.DiGraph()
        live.add_nodes_from(self.graph.nodes)
        live.add_edges_from((u, v) for u, v, d in self.graph.edges(data=True) if d["status"] != "pruned")
        components = [len(c) for c in nx.weakly_connected_components(live)] if len(live) else []
        failures = self.failure_tools()
        return GraphSummary(
            nodes=self.graph.number_of_nodes(),
            edges=self.graph.number_of_edges(),
            edges_by_kind=by_kind,
            weakly_connected_components=len(components),
            largest_component=max(components, default=0),
            isolated_tools=sum(1 for n in live if live.degree(n) == 0),
            parameters=sum(len(p) for p in self._params.values()),
            value_pool_keys=self.pools.keys(),
            failure_tools=len(failures),
            top_failure_tools=[(t, round(self.target_weight(t), 4)) for t in failures[:20]],
        )

    def render(self, path: str | Path, *, max_nodes: int = 150, seed: int = 0) -> Path:
        """Draw the graph to PNG or SVG (by suffix); needs matplotlib. See `hardgen.graph.render_graph`."""
        from hardgen.graph._render import render_graph

        return render_graph(self, path, max_nodes=max_nodes, seed=seed)

    # -- persistence ------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Node-link JSON: nodes with spec and statistics, edges with status and evidence, pools."""
        nodes = []
        for name, d in self.graph.nodes(data=True):
            node: _Node = d["node"]
            nodes.append({"id": name, "spec": node.spec.model_dump(mode="json"),
                          "failures": node.failures.model_dump(mode="json"),
                          "execution": node.execution.model_dump(mode="json"), "ranges": node.ranges})
        edges = [{"source": u, "target": v, "key": k, **d} for u, v, k, d in self.graph.edges(keys=True, data=True)]
        return {"format": FORMAT, "directed": True, "multigraph": True,
                "graph": {"config": self.config.to_json(), "pools": self.pools.to_json()},
                "nodes": nodes, "edges": edges}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApiGraph:
        if data.get("format") != FORMAT:
            raise GraphError(f"not an API graph file (format {data.get('format')!r}, expected {FORMAT!r})")
        meta = data.get("graph", {})
        graph = cls(GraphConfig(**meta.get("config", {})))
        for n in data["nodes"]:
            spec = ToolSpec.model_validate(n["spec"])
            graph.graph.add_node(n["id"], node=_Node(spec, FailureStats.model_validate(n.get("failures", {})),
                                                   ExecutionStats.model_validate(n.get("execution", {})),
                                                   {k: list(v) for k, v in n.get("ranges", {}).items()}))
            graph._index_tool(spec)
        for e in data["edges"]:
            attrs = {k: v for k, v in e.items() if k not in ("source", "target", "key")}
            if e["source"] not in graph.graph or e["target"] not in graph.graph:
                raise GraphError(f"edge {e['source']!r} -> {e['target']!r} names a tool that is not a node")
            graph.graph.add_edge(e["source"], e["target"], key=e["key"], **attrs)
        graph.pools = ValuePools.from_json(meta.get("pools", {}))
        return graph

    def save(self, path: str | Path) -> Path:
        """Write the graph as node-link JSON (atomically: a temporary file, then a rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> ApiGraph:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise GraphError(f"cannot read API graph {path}: {exc}") from exc
        return cls.from_json(data)


def is_distinctive(value: Any) -> bool:
    """Whether a value is unlikely to recur by chance (a string of 4+ characters, an integer of
    1000+, a float with a fraction of 10+): when two calls share it, one gave it to the other."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) >= 1000
    if isinstance(value, float):
        return not math.isclose(value, round(value)) and abs(value) >= 10
    return isinstance(value, str) and len(value) >= 4


def _view(u: str, v: str, d: Mapping[str, Any]) -> Edge:
    return Edge(source=u, target=v, kind=d["kind"], status=d["status"], weight=d["weight"], score=d["score"],
                origin=d["origin"], parameter=d["parameter"], path=tuple(d["path"]), successes=d["successes"],
                failures=d["failures"], confirmations=d["confirmations"], contradictions=d["contradictions"])
