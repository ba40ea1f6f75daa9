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

Tools that still fail get a wider search apart from those rounds (its own random stream, its calls
not fed to the graph), which only adds the prerequisites it confirms: enablers the error message
names, other argument fills, boundary values for enablers, and pairs of enablers needed at once.
Calls of tools whose read/write kind is only a guess from the name measure whether the state hash
changes; `ApiGraph.settle_mutates` decides the kind from that.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterable, Sequence
from typing import Any

from hardgen.graph._arguments import ArgumentFiller, FilledSource, HistoryEntry
from hardgen.graph._graph import ApiGraph
from hardgen.graph._naming import name_tokens, text_tokens, tool_subject
from hardgen.graph._records import GraphError
from hardgen.graph._resettable import ResettableSession
from hardgen.graph._values import iter_leaves
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
    multi_enabler: list[tuple[str, list[str]]] = []
    """(tool, enablers) where the tool needed several enablers at once, all confirmed."""
    kinds_settled: dict[str, bool] = {}
    """Tools whose guessed read/write kind execution changed (tool -> is a write now)."""


class _Lab:
    """Runs episodes on a resettable session and feeds every call to the graph."""

    def __init__(self, graph: ApiGraph, live: ResettableSession, filler: ArgumentFiller, report: DiscoveryReport,
                 *, observe: bool = True):
        self.graph, self.live, self.filler, self.report = graph, live, filler, report
        self.observe = observe
        """Whether calls feed the graph (edge evidence, pools); a lab that does not only reports."""
        self.boundary_rate = filler.boundary_rate
        self.history: list[HistoryEntry] = []
        self.ran: list[str] = []

    def fresh(self) -> None:
        self.live.reset()
        self.history, self.ran = [], []

    def call(self, tool: str, args: dict[str, Any] | None = None, *, enabler: bool = False,
             ) -> tuple[Observation, dict[str, Any], list[FilledSource]]:
        """Call `tool` with `args`, or with arguments filled from the episode's history and pools
        (boundary values only for an enabler: a brake pressed fully, never the tool under test)."""
        filled: list[FilledSource] = []
        unlearned: list[str] = []
        if args is None:
            self.filler.boundary_rate = self.boundary_rate if enabler else 0.0
            args, filled = self.filler.fill(tool, self.history)
            # Boundary values and placeholders ("sample pattern") are no values to reuse.
            unlearned = [*self.filler.last_boundary, *self.filler.last_placeholders]
        # A tool whose read/write kind is only guessed from its name: whether the call changes the
        # state hash is the evidence that settles it.
        measured = self.observe and self.graph.mutates_guessed(tool)
        before = self.live.environment_hash(tool) if measured else None
        obs = self.live.call(tool, args)
        changed = None
        if measured and obs.ok:
            changed = self.live.environment_hash(tool) != before
        self.report.calls += 1
        if self.observe:
            sources = [(s.parameter, s.tool, s.path) for s in filled]
            if obs.ok:
                sources += self.graph.value_sources(tool, args, [(h.tool, h.result) for h in self.history],
                                                    given={s.parameter for s in filled})
            self.graph.observe_call(tool, args, obs, sources=sources,
                                    ran_before=self.ran, changed_state=changed, unlearned=unlearned)
        if obs.ok:
            self.history.append(HistoryEntry(len(self.history), tool, obs.result))
            self.ran.append(tool)
        return obs, args, filled

    def run_chain_recorded(self, tools: Sequence[str]) -> list[tuple[str, dict[str, Any]]] | None:
        """Run `tools` in order (as `run_chain`), returning the calls made, or None if one failed."""
        made: list[tuple[str, dict[str, Any]]] = []
        for tool in tools:
            if tool in self.ran:
                continue
            obs, args, _ = self.call(tool, enabler=True)
            if not obs.ok:
                return None
            made.append((tool, dict(args)))
        return made

    def run_chain(self, tools: Sequence[str]) -> bool:
        return self.run_chain_recorded(tools) is not None


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


def _stems(words: Iterable[str]) -> set[str]:
    return {w[:5] for w in words if len(w) > 2}  # `locked`/`lock`, `pressed`/`press`


def _mentioned(graph: ApiGraph, candidates: Sequence[str], message: str | None) -> list[str]:
    """`candidates` the error message names (`Brake pedal needs to be pressed` -> pressBrakePedal),
    most words shared first; error messages often say what has to happen first."""
    if not message:
        return []
    said = _stems(text_tokens(message, limit=48))
    scored = []
    for i, u in enumerate(candidates):
        shared = len(said & _stems(name_tokens(u)))
        if shared:
            scored.append((-shared, i, u))
    return [u for _, _, u in sorted(scored)]


def _enablers(graph: ApiGraph, tool: str, limit: int, message: str | None = None) -> list[str]:
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
    named = _mentioned(graph, writers, message)
    ordered = list(dict.fromkeys([*named, *hinted, *same_env, *sources, *neighbours, *writers]))
    return [u for u in ordered if u != tool][:limit]


def _echoes_results(arguments: dict[str, Any], history: Sequence[HistoryEntry]) -> bool:
    """Whether an argument value is one an earlier call of the episode returned."""
    returned = {json.dumps(v, sort_keys=True, default=str) for h in history for _p, _g, v in iter_leaves(h.result)}
    return any(json.dumps(v, sort_keys=True, default=str) in returned for _p, _g, v in iter_leaves(arguments))


def _same_complaint(a: str, b: str | None) -> bool:
    """Whether two error messages say the same thing, details aside (`unlocked doors: driver,
    passenger` and `unlocked doors: passenger`): most of their words shared."""
    if b is None:
        return False
    x, y = _stems(text_tokens(a, limit=48)), _stems(text_tokens(b, limit=48))
    return len(x & y) >= 0.6 * max(len(x | y), 1)


def _chain_without(graph: ApiGraph, enabler: str, tool: str) -> list[str]:
    """`enabler`'s prerequisite chain without `tool` (a guessed edge back to it would run the
    failing tool first and fail the whole chain)."""
    return [t for t in prerequisite_chain(graph, enabler) if t != tool]


def _one_enabler(lab: _Lab, graph: ApiGraph, tool: str, args: dict[str, Any], message: str | None,
                 limit: int, refills: int) -> tuple[str] | None:
    """An enabler after which `tool` succeeds, searched wider than the first rounds: enablers the
    error names first, the enabler's own chain without `tool`, and after each, the failing
    arguments and then `refills` other fills (boundary values for the enablers); a success with
    other arguments counts only if those arguments fail without the enabler and are no value the
    enabler returned (that is data flow, not state)."""
    for enabler in _enablers(graph, tool, limit, message):
        chain = _chain_without(graph, enabler, tool)
        for attempt in range(max(refills, 1)):
            lab.fresh()
            if not lab.run_chain(chain):
                continue
            obs, used, _ = lab.call(tool, dict(args) if attempt == 0 else None)
            if obs.ok and (attempt == 0 or not _echoes_results(used, lab.history)):
                lab.fresh()
                if not lab.call(tool, dict(used))[0].ok:
                    return (chain[-1],)
    return None


def _two_enablers(lab: _Lab, graph: ApiGraph, tool: str, args: dict[str, Any], message: str | None,
                  limit: int, refills: int) -> tuple[str, ...]:
    """Enablers that `tool` needs together: a pair after which it succeeds (with its failing
    arguments, or others), each of them needed (dropping either one's call makes it fail again).

    Tried in the order the errors point to: a first enabler that changes the tool's error, then
    the enablers the new error names (`doors must be locked`, then `brake pedal must be pressed`);
    then the likeliest pairs in both orders."""
    firsts = _enablers(graph, tool, limit, message)
    # (first, second, the first's calls that moved the error on, or None to fill them afresh)
    pairs: list[tuple[str, str, list[tuple[str, dict[str, Any]]] | None]] = []
    named = set(_mentioned(graph, firsts, message))
    for first in firsts:
        for _try in range(refills * 4 if first in named else refills):  # what the error names, harder
            lab.fresh()
            progress = lab.run_chain_recorded(_chain_without(graph, first, tool))
            if progress is None:
                continue
            obs, _, _ = lab.call(tool, dict(args))
            if obs.ok or obs.error is None or _same_complaint(obs.error.message, message):
                continue
            pairs += [(first, second, progress) for second in _enablers(graph, tool, limit, obs.error.message)
                      if second != first]
            break
    pairs += [(x, y, None) for a, b in itertools.combinations(firsts, 2) for x, y in ((a, b), (b, a))]
    tried: set[tuple[str, str, bool]] = set()
    budget = 16 * refills  # episodes per tool: pairs grow with the square of the candidates
    for first, second, progress in pairs:
        if (first, second, progress is None) in tried:
            continue
        tried.add((first, second, progress is None))
        # A pair the errors pointed to gets more tries than a blind one.
        for attempt in range(refills * 8 if progress is not None else 1):
            if budget <= 0:
                return ()
            budget -= 1
            lab.fresh()
            if progress is not None:
                if not all(lab.call(t, dict(a_))[0].ok for t, a_ in progress):
                    break
                rest = lab.run_chain_recorded(_chain_without(graph, second, tool))
                ran = None if rest is None else [*progress, *rest]
            else:
                ran = lab.run_chain_recorded(
                    list(dict.fromkeys([*_chain_without(graph, first, tool), *_chain_without(graph, second, tool)])))
            if ran is None:
                continue
            obs, used, _ = lab.call(tool, dict(args) if attempt == 0 else None)
            if not obs.ok:
                continue
            needed = []
            for enabler in (first, second):
                lab.fresh()
                kept = [(t, a_) for t, a_ in ran if t != enabler]
                if all(lab.call(t, dict(a_))[0].ok for t, a_ in kept) and lab.call(tool, dict(used))[0].ok:
                    break  # works without this one: not a pair
                needed.append(enabler)
            if len(needed) == 2:
                return tuple(needed)
    return ()


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
    refills: int = 3,
    max_pair_enablers: int = 4,
    boundary_rate: float = 0.25,
) -> DiscoveryReport:
    """Find state prerequisites (and confirm data-flow edges) by executing experiments.

    Give a live `session` or `specs` to build one. `tools` limits the experiments to some tools
    (default: all). Every call of the rounds above is fed back into the graph; the report lists
    what was found.

    Then a wider search for the tools still failing, which changes the graph only by the
    prerequisites it confirms: enablers the error message names first (`Brake pedal needs to be
    pressed` -> pressBrakePedal), `refills` other argument fills after each, with a share
    `boundary_rate` of the enablers' values at their schema's boundary (a brake pressed fully,
    every door); then pairs of the `max_pair_enablers` likeliest enablers, in both orders (a car
    that starts only with the doors locked *and* the brake pressed), those the errors point to
    first (an enabler that changes the error, then what the new error names).
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
        messages: dict[str, str | None] = {}
        for tool in names:
            lab.fresh()
            obs, args, _ = lab.call(tool)
            report.tested += 1
            if obs.ok:
                report.succeeded_fresh += 1
                if graph.mutates_guessed(tool):  # a second call: one unchanged state proves little
                    lab.call(tool)
            else:
                report.failed_fresh.append(tool)
                if obs.error is None or obs.error.type not in ARGUMENT_ERRORS:
                    failing[tool] = args
                    messages[tool] = obs.error.message if obs.error else None
        # Enablers are chosen among writes: settle the guessed kinds before the experiments.
        report.kinds_settled.update(graph.settle_mutates())

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
        # Last, and apart: a wider search for the tools still failing, whose only effect on the
        # graph is the prerequisites it confirms (so the phases above run as they always did).
        if refills > 0 or max_pair_enablers > 1:
            wide = _Lab(graph, live, ArgumentFiller(graph, random.Random(seed + 7919), optional_fill=0.0,
                                                    optional_from_history=0.0, boundary_rate=boundary_rate),
                        report, observe=False)
            for tool in list(report.still_failing):
                if tool not in failing:
                    continue
                found: tuple[str, ...] | None = _one_enabler(wide, graph, tool, failing[tool], messages.get(tool),
                                                             max_enablers, refills)
                if found is None and max_pair_enablers > 1:
                    wide.boundary_rate = max(boundary_rate, 0.5)  # the brake pressed fully
                    pair = _two_enablers(wide, graph, tool, failing[tool], messages.get(tool), max_pair_enablers,
                                         refills)
                    wide.boundary_rate = boundary_rate
                    if pair:
                        report.multi_enabler.append((tool, list(pair)))
                        found = pair
                for enabler in found or ():
                    graph.confirm_prerequisite(enabler, tool)
                    report.prerequisites_found.append((enabler, tool))
                if found:
                    report.still_failing.remove(tool)
            wide.fresh()
        for tool, mutates in graph.settle_mutates().items():
            report.kinds_settled[tool] = mutates
        report.data_flow_confirmed = list(dict.fromkeys(report.data_flow_confirmed))
        report.pruned_prerequisites = len(graph.edges("state_prerequisite", "pruned")) - pruned_before
        lab.fresh()
        return report
    finally:
        if owned:
            session.close()
