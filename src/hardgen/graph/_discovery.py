"""Discovering prerequisites by execution: failure from a fresh state, then success after another tool.

For each tool: call it from the fresh initial state with valid-looking arguments (values from the
state's pools, enums, typed generation). A success contradicts its candidate prerequisites (they
get pruned). A failure that is not an argument error makes an experiment: for each candidate
enabler E (hinted and name-guessed prerequisites first, then the tool's data sources), reset,
run E (after E's own known prerequisites), then call the tool again with the *same* arguments. A
success proves a state prerequisite E -> T (confirmed edge). If the same arguments still fail,
the tool is called once more with arguments fed from E's outputs; a success there confirms the
data-flow edge instead. Finally, tools with identifier parameters get one experiment per upstream
source (source, then the tool, fed from the source's output) to confirm data-flow edges.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

from hardgen.graph._arguments import ArgumentFiller, FilledSource, HistoryEntry
from hardgen.graph._graph import ApiGraph
from hardgen.graph._naming import tool_subject
from hardgen.graph._records import GraphError
from hardgen.graph._resettable import ResettableSession
from hardgen.schema import EnvironmentSpec, Observation, Record

# Errors no state change can fix: the arguments themselves are wrong.
ARGUMENT_ERRORS = frozenset({"ArgumentError", "UnknownToolError", "ValidationError", "TypeError"})


class DiscoveryReport(Record):
    """What `discover_prerequisites` tried and found."""

    tested: int = 0
    succeeded_fresh: int = 0
    """Tools that succeeded from the fresh state (so they have no hard state prerequisite)."""
    failed_fresh: list[str] = []
    prerequisites_found: list[tuple[str, str]] = []
    """(enabler, tool) pairs: failure-then-success observed with the same arguments."""
    data_flow_confirmed: list[tuple[str, str, str]] = []
    """(source tool, tool, parameter) confirmed by a successful call fed from the source."""
    pruned_prerequisites: int = 0
    still_failing: list[str] = []
    calls: int = 0


class _Lab:
    """Runs episodes on a resettable session and feeds every call to the graph."""

    def __init__(self, graph: ApiGraph, live: ResettableSession, filler: ArgumentFiller, report: DiscoveryReport):
        self.graph, self.live, self.filler, self.report = graph, live, filler, report
        self.history: list[HistoryEntry] = []
        self.ran: list[str] = []

    def fresh(self) -> None:
        self.live.reset()
        self.history, self.ran = [], []

    def call(self, tool: str, args: dict[str, Any] | None = None) -> tuple[Observation, dict[str, Any], list[FilledSource]]:
        filled: list[FilledSource] = []
        if args is None:
            args, filled = self.filler.fill(tool, self.history)
        obs = self.live.call(tool, args)
        self.report.calls += 1
        self.graph.observe_call(tool, args, obs, sources=[(s.parameter, s.tool, s.path) for s in filled],
                                ran_before=self.ran)
        if obs.ok:
            self.history.append(HistoryEntry(len(self.history), tool, obs.result))
            self.ran.append(tool)
        return obs, args, filled

    def run_chain(self, tools: Sequence[str]) -> bool:
        for tool in tools:
            if tool in self.ran:
                continue
            obs, _, _ = self.call(tool)
            if not obs.ok:
                return False
        return True


def prerequisite_chain(graph: ApiGraph, tool: str, depth: int = 3, *, confirmed_only: bool = False) -> list[str]:
    """`tool`'s live state prerequisites (recursively, up to `depth`), in an order they can run, then
    `tool`. With `confirmed_only`, the tool's own unconfirmed (guessed) prerequisites are left out."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(t: str, d: int) -> None:
        if t in order or t in visiting:
            return
        visiting.add(t)
        if d > 0:
            for u in graph.prerequisites(t):
                if confirmed_only and t == tool:
                    edge = graph.edge(u, t)
                    if edge is not None and edge.status != "confirmed":
                        continue
                visit(u, d - 1)
        visiting.discard(t)
        order.append(t)

    visit(tool, depth)
    return order


def _enablers(graph: ApiGraph, tool: str, limit: int) -> list[str]:
    spec = graph.spec(tool)
    hinted = sorted(graph.prerequisites(tool),
                    key=lambda u: (graph.graph.edges[u, tool, "state_prerequisite"]["origin"] != "hint", u))
    sources = [u for u, _ in graph.data_sources(tool)]
    neighbours = [u for u in graph.live_predecessors(tool) if graph.spec(u).mutates]
    same_env = [u for u in hinted + sources + neighbours if graph.spec(u).environment == spec.environment]
    # Then the other write tools of its environment, those about the same thing first.
    subject = set(tool_subject(tool))
    writers = sorted((u for u in graph.environment_tools(spec.environment) if graph.spec(u).mutates),
                     key=lambda u: (-len(subject & set(tool_subject(u))), u))
    ordered = list(dict.fromkeys([*hinted, *same_env, *sources, *neighbours, *writers]))
    return [u for u in ordered if u != tool][:limit]


def discover_prerequisites(
    graph: ApiGraph,
    session: Any = None,
    *,
    specs: Sequence[EnvironmentSpec] | None = None,
    tools: Iterable[str] | None = None,
    seed: int = 0,
    max_enablers: int = 6,
    rounds: int = 2,
    confirm_data_flow: bool = True,
    max_sources: int = 2,
) -> DiscoveryReport:
    """Find state prerequisites (and confirm data-flow edges) by executing experiments.

    Give a live `session` or `specs` to build one. `tools` limits the experiments to some tools
    (default: all). Every call is fed back into the graph; the report lists what was found.
    """
    owned = session is None
    if session is None:
        if specs is None:
            raise GraphError("discover_prerequisites needs a session or environment specs")
        from hardgen.tools import Session

        session = Session.from_specs(specs)
    try:
        live = ResettableSession(session, track_hashes=False)
        graph.learn_session_state(session)
        names = list(tools) if tools is not None else graph.tools
        unknown = [t for t in names if t not in graph or t not in live.route]
        if unknown:
            raise GraphError(f"discover_prerequisites: unknown tools {unknown[:10]}")
        rng = random.Random(seed)
        report = DiscoveryReport()
        lab = _Lab(graph, live, ArgumentFiller(graph, rng, optional_fill=0.0, optional_from_history=0.0), report)
        pruned_before = len(graph.edges("state_prerequisite", "pruned"))

        failing: dict[str, dict[str, Any]] = {}
        for tool in names:
            lab.fresh()
            obs, args, _ = lab.call(tool)
            report.tested += 1
            if obs.ok:
                report.succeeded_fresh += 1
            else:
                report.failed_fresh.append(tool)
                if obs.error is None or obs.error.type not in ARGUMENT_ERRORS:
                    failing[tool] = args

        for _ in range(rounds):
            for tool, args in list(failing.items()):
                for enabler in _enablers(graph, tool, max_enablers):
                    chain = prerequisite_chain(graph, enabler)
                    lab.fresh()
                    if not lab.run_chain(chain):
                        continue
                    obs, _, _ = lab.call(tool, dict(args))
                    if obs.ok:
                        # The enabler's own prerequisites ran too: credit the shortest prefix of
                        # the chain after which the tool succeeds (login, not what needed login).
                        while len(chain) > 1:
                            lab.fresh()
                            if not lab.run_chain(chain[:-1]) or not lab.call(tool, dict(args))[0].ok:
                                break
                            chain = chain[:-1]
                        graph.confirm_prerequisite(chain[-1], tool)
                        report.prerequisites_found.append((chain[-1], tool))
                        del failing[tool]
                        break
                    obs, _, filled = lab.call(tool)
                    if obs.ok and filled:
                        report.data_flow_confirmed.extend((s.tool, tool, s.parameter) for s in filled)
                        del failing[tool]
                        break
            if not failing:
                break
        report.still_failing = sorted(failing)

        if confirm_data_flow:
            for tool in names:
                for p in graph.parameters(tool):
                    if not p.identifier:
                        continue
                    for source, d in graph.data_sources(tool, p.name)[:max_sources]:
                        if d["status"] == "confirmed":
                            continue
                        # First with only the tool's confirmed prerequisites: a success then also
                        # prunes the guessed ones it did not need. Then with all of them.
                        chain = [t for t in prerequisite_chain(graph, source) if t != tool]
                        for only_confirmed in (True, False):
                            lab.fresh()
                            before = [t for t in prerequisite_chain(graph, tool, confirmed_only=only_confirmed)
                                      if t not in (tool, source)]
                            if not lab.run_chain([*chain, *before]):
                                continue
                            obs, _, filled = lab.call(tool)
                            if obs.ok:
                                report.data_flow_confirmed.extend((s.tool, tool, s.parameter) for s in filled)
                                break
        report.data_flow_confirmed = list(dict.fromkeys(report.data_flow_confirmed))
        report.pruned_prerequisites = len(graph.edges("state_prerequisite", "pruned")) - pruned_before
        lab.fresh()
        return report
    finally:
        if owned:
            session.close()
