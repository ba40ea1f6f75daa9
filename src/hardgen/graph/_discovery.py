"""Discovering prerequisites by execution: failure from a fresh state, then success after another tool.

For each tool: call it from the fresh initial state with valid-looking arguments (values from the
state's pools, enums, typed generation). A success contradicts its candidate prerequisites (they
get pruned); a tool that succeeded is called once more from a fresh state with other arguments,
for a need can depend on them. A failure that is not an argument error makes an experiment: for
each candidate enabler E (hinted and name-guessed prerequisites first, then the tool's data sources), reset,
run E (after E's own known prerequisites), then call the tool again with the *same* arguments. A
success proves a state prerequisite E -> T (confirmed edge). If the same arguments still fail,
the tool is called once more with arguments fed from E's outputs; a success there confirms the
data-flow edge instead. Finally, tools with identifier parameters get one experiment per upstream
source (source, then the tool, fed from the source's output) to confirm data-flow edges.

A success after an enabler whose chain *created* a value the tool was called with (an order placed,
then cancelled) is data flow, not a state prerequisite, and confirms none.

Tools that still fail get a wider search apart from those rounds (its own random stream, its calls
not fed to the graph), which changes the graph only by what it confirms: enablers the error
message names, each with its arguments varied as a tester would (every schema boundary, known values: a
brake pressed fully), other argument fills, and pairs of enablers needed at once; the arguments
that enabled are replayed when a later chain needs the same tool, and kept on the edge. Last, for
tools no enabler helps, the argument their error blames is taken from the options the error
lists and from the results of the read tools the error's words point to (`Invalid departure
airport code` -> `list_all_airports`): a success confirms that data flow.

Calls of tools whose read/write kind is only a guess from the name measure whether the state hash
changes; `ApiGraph.settle_mutates` decides the kind from that.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Iterable, Sequence
from typing import Any

from hardgen.graph._arguments import ArgumentFiller, FilledSource, HistoryEntry
from hardgen.graph._blame import blamed_parameters
from hardgen.graph._fields import InputParameter, compatible
from hardgen.graph._graph import ApiGraph, is_distinctive
from hardgen.graph._naming import name_tokens, text_tokens, tool_subject
from hardgen.graph._records import GraphError
from hardgen.graph._resettable import ResettableSession
from hardgen.graph._values import iter_leaves, value_type
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
        self.initial: dict[str, set[str]] = {}
        """Per environment, the values of its initial state (`_state_values`), taken at a reset."""
        self.worked: dict[str, dict[str, Any]] = {}
        """Arguments with which a tool enabled another, or succeeded once enabled: a chain that
        needs it again (the engine started, for the cruise control) starts with those."""

    def fresh(self) -> None:
        self.live.reset()
        self.history, self.ran = [], []

    def initial_values(self, tool: str) -> set[str]:
        """The values of `tool`'s environment's initial state (resetting the episode if they are
        not known yet)."""
        env = self.live.environment_of(tool)
        if env not in self.initial:
            self.fresh()
            self.initial[env] = _state_values(self.live.state_of(tool))
        return self.initial[env]

    def created(self, tool: str, arguments: dict[str, Any]) -> bool:
        """`_created_the_value` for the call of `tool` just made (the last entry of the history)."""
        initial = self.initial.get(self.live.environment_of(tool))
        assert initial is not None, "initial_values(tool) is taken before an experiment"
        return _created_the_value(self.graph, tool, arguments, self.history[:-1], initial)

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
            known = self.worked.get(tool)
            obs, args, _ = self.call(tool, dict(known)) if known is not None else self.call(tool, enabler=True)
            if not obs.ok and known is not None:
                # A failed call is rolled back: another fill runs on the very same state.
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


def _state_values(state: Any, limit: int = 100_000) -> set[str]:
    """Every scalar of a state and every key of its mappings (a file system keys files by name, a
    book its orders by id), as canonical JSON; a digit key counts as its number too."""
    out: set[str] = set()
    stack = [state]
    while stack and len(out) < limit:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                out.add(json.dumps(str(key)))
                if isinstance(key, str) and key.isdigit():
                    out.add(json.dumps(int(key)))
                stack.append(value)
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        else:
            out.add(json.dumps(node, sort_keys=True, default=str))
    return out


def _created_the_value(graph: ApiGraph, tool: str, arguments: dict[str, Any], history: Sequence[HistoryEntry],
                       initial: set[str]) -> bool:
    """Whether `tool` is called with a value that names a thing (an identifier's value, a name:
    not a mode from the schema's list) which an earlier call of the episode returned and the
    initial state (`initial`, as `_state_values`) does not hold: `place_stock_order` made the
    order that `cancel_stock_order` cancels. The tool then needed that call's output, which is
    data flow, not a state it needs whatever its arguments. (A login that lists what already
    exists is still a prerequisite.)"""
    identifiers = {p.name for p in graph.parameters(tool) if p.identifier}
    props = graph.spec(tool).parameters.get("properties", {}) or {}

    def names_a_thing(name: str, value: Any) -> bool:
        if name in identifiers or is_distinctive(value):
            return True
        found = props.get(name)
        schema: dict[str, Any] = found if isinstance(found, dict) else {}
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        listed = [*(schema.get("enum") or []), *(items.get("enum") or [])]
        return isinstance(value, str) and len(value) >= 3 and value not in listed

    wanted = {json.dumps(v, sort_keys=True, default=str)
              for name, value in arguments.items() for _p, _g, v in iter_leaves(value) if names_a_thing(name, v)}
    wanted -= initial
    if not wanted:
        return False
    returned = {json.dumps(v, sort_keys=True, default=str) for h in history for _p, _g, v in iter_leaves(h.result)}
    return bool(wanted & returned)


def _variants(graph: ApiGraph, tool: str, base: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Other arguments for an enabler, as a tester varies them: one parameter at a time to each
    of its schema's boundaries (a brake pressed fully: the maximum; every door), its enum
    values and the known values that fit it (the folder to change into), then every parameter
    at its upper boundary at once. A random fill rarely hits the one value that enables."""
    props = graph.spec(tool).parameters.get("properties", {}) or {}
    params = {p.name: p for p in graph.parameters(tool)}
    out: list[dict[str, Any]] = []
    seen = {json.dumps(base, sort_keys=True, default=str)}

    def add(args: dict[str, Any]) -> None:
        key = json.dumps(args, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(args)

    upper: dict[str, Any] = {}
    alternatives: list[tuple[str, list[Any]]] = []
    for name, schema in props.items():
        if name not in base or not isinstance(schema, dict):
            continue
        values: list[Any] = []
        kind = schema.get("type")
        items = schema.get("items")
        if kind in ("integer", "number") and "maximum" in schema:
            upper[name] = schema["maximum"]
            values += [schema["maximum"], schema.get("minimum")]
        if kind == "array" and isinstance(items, dict) and items.get("enum"):
            upper[name] = list(items["enum"])
            values.append(list(items["enum"]))
        values += list(schema.get("enum") or [])
        if kind == "boolean":
            values += [True, False]
        p = params.get(name)
        if p is not None and not schema.get("enum"):
            values += [[v] if p.wrap_list else v for v in graph.pool_values(tool, p)[:limit]]
        alternatives.append((name, [v for v in values if v is not None]))
    # Round-robin over the parameters, so that one long pool does not use up the budget.
    for depth in range(max((len(v) for _, v in alternatives), default=0)):
        for name, values in alternatives:
            if depth < len(values):
                add({**base, name: values[depth]})
    if len(upper) > 1:
        add({**base, **upper})
    return out[:limit]


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
    error names first, each after its own chain without `tool`, with a fill of its arguments and
    then up to `4 * refills` variants of them (`_variants`: a brake pressed fully, the right
    folder). After each, the failing arguments and, on the same state (a failed call is rolled
    back), for the first `refills` fills, other arguments of the tool; a success with other
    arguments counts only if those arguments fail without the enabler. No chain that created a
    value the tool is called with counts (`_created_the_value`: that is data flow)."""
    for enabler in _enablers(graph, tool, limit, message):
        chain = _chain_without(graph, enabler, tool)
        prefix, last = chain[:-1], chain[-1]
        variants: list[dict[str, Any]] | None = None
        attempt = 0
        while variants is None or attempt <= len(variants):
            lab.fresh()
            made = lab.run_chain_recorded(prefix)
            if made is None:
                break  # the enabler's own chain does not run: no fill of the enabler helps
            if variants is None:
                obs, enabler_args, _ = lab.call(last, dict(lab.worked[last]) if last in lab.worked else None,
                                                enabler=True)
                variants = _variants(graph, last, enabler_args, 4 * max(refills, 1))
            else:
                enabler_args = variants[attempt - 1]
                obs, _, _ = lab.call(last, dict(enabler_args))
            attempt += 1
            if not obs.ok:
                continue
            tries: list[dict[str, Any] | None] = [dict(args)] + [None] * (max(refills, 1) - 1 if attempt <= refills else 0)
            for tried in tries:
                result, used, _ = lab.call(tool, tried)
                if not result.ok:
                    continue
                if lab.created(tool, used):
                    break  # this call made the tool's data, not its precondition
                lab.fresh()
                if not lab.call(tool, dict(used))[0].ok:
                    lab.worked[last], lab.worked[tool] = dict(enabler_args), dict(used)
                    return (last,)
                break
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
            if not obs.ok or lab.created(tool, used):
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


def _readers(graph: ApiGraph, tool: str, parameter: InputParameter, wanted: set[str], limit: int) -> list[str]:
    """Read tools of `tool`'s environment likeliest to return values for `parameter`: those whose
    name and output fields share most of the `wanted` words (`_wanted_words`: `airport` ->
    `list_all_airports`), then the others."""
    # The sources the names already gave come last: what this looks for is what names miss.
    named = {u for u, _ in graph.data_sources(tool, parameter.name)}
    scored = []
    for u in graph.environment_tools(graph.spec(tool).environment):
        if u == tool or graph.spec(u).mutates:
            continue
        said = set(name_tokens(u)) | {t for f in graph.output_fields(u) for part in f.path if part != "*"
                                      for t in name_tokens(part)}
        # Reads that share no word come last: a watchlist holds symbols without saying so.
        shared = len(wanted & _stems(said))
        scored.append((u in named or not shared, -shared, u))
    return [u for _, _, u in sorted(scored)[:limit]]


def _wanted_words(parameter: InputParameter, message: str | None) -> set[str]:
    """What the parameter holds beyond its name, as its description and the error that blamed it
    say (`Invalid departure airport code: New York` for `travel_from`: `airport`, `code`): the
    name's words have made candidates already, and half the environment shares them (`travel`).
    The name's words when nothing else is said."""
    named = _stems(name_tokens(parameter.name))
    said = _stems(text_tokens(f"{parameter.description} {message or ''}", limit=64)) - named
    return said or named


_Fed = list[tuple[str, str | None, tuple[str | int, ...]]]
_QUOTED = re.compile(r"'([^'\n]{1,40})'|\"([^\"\n]{1,40})\"")


def _fed_by_lookup(lab: _Lab, graph: ApiGraph, tool: str, args: dict[str, Any], message: str | None, *,
                   readers: int = 6, values: int = 3, depth: int = 3,
                   ) -> tuple[dict[str, Any], Observation, _Fed] | None:
    """Data flow that names do not show, found where the error points: when a failing call's
    error blames one argument (`Invalid departure airport code: New York`; a call of one
    argument needs no blame), that argument is taken in turn from the options the error quotes
    (`Must be one of {'economy', 'first', 'business'}`) and from the results of the read tools
    likeliest to hold it (`_readers`), a few values each; a new error that blames another
    argument moves on to that one (`Invalid destination airport code: Rome`), up to `depth`.
    Returns the call that then succeeded (its arguments and observation) and, per argument
    replaced, (parameter, reader, path in the reader's result), the reader None for an option
    the error gave; None if no call succeeded."""
    params = {p.name: p for p in graph.parameters(tool)}
    current, said = dict(args), message
    fed: _Fed = []
    for _ in range(depth):
        blamed = blamed_parameters(tool, list(params), current, said) if said else None
        suspects = [n for n in (blamed or ()) if n in current and n in params and not any(n == f[0] for f in fed)]
        if blamed is None and len(current) == 1:
            suspects = [n for n in current if n in params]
        if len(suspects) != 1:
            return None
        p = params[suspects[0]]
        taken = {json.dumps(v, sort_keys=True, default=str) for v in current.values()}
        wanted = _wanted_words(p, said)
        options: list[tuple[tuple[str | int, ...], Any]] = [
            (("options",), o) for m in _QUOTED.finditer(said or "") for o in m.groups() if o]
        moved = None
        for reader in [None, *_readers(graph, tool, p, wanted, readers)]:
            lab.fresh()
            if reader is not None:
                chain = [t for t in prerequisite_chain(graph, reader, confirmed_only=True) if t != tool]
                if lab.run_chain_recorded(chain) is None:
                    continue
                # The reader's chain must leave the complaint as it was (a new login voids a token).
                before = lab.call(tool, dict(current))[0]
                if before.ok or before.error is None or not _same_complaint(before.error.message, said):
                    continue
                leaves = [(path, leaf) for path, _g, leaf in iter_leaves(lab.history[-1].result, max_leaves=256)]
                # The leaves whose field is about what the parameter wants first (`nearest_airport`).
                leaves.sort(key=lambda x: -len(wanted & _stems(t for part in x[0] if isinstance(part, str)
                                                               for t in name_tokens(part))))
            else:
                leaves = options  # what the error says the value must be
            tried = 0
            for path, leaf in leaves:
                value = [leaf] if p.wrap_list else leaf
                if tried >= values or not compatible(p.type, value_type(leaf)) or not _usable(leaf) \
                        or json.dumps(value, sort_keys=True, default=str) in taken:
                    continue
                tried += 1
                attempt = {**current, p.name: value}
                obs, _, _ = lab.call(tool, attempt)
                if obs.ok:
                    return attempt, obs, [*fed, (p.name, reader, path)]
                again = obs.error.message if obs.error else None
                if again and not _same_complaint(again, said) and p.name not in (
                        blamed_parameters(tool, list(params), attempt, again) or ()):
                    moved = (attempt, again, (p.name, reader, path))
                    break
            if moved:
                break
        if moved is None:
            return None
        current, said = moved[0], moved[1]
        fed.append(moved[2])
    return None


def _usable(value: Any) -> bool:
    """Whether a value a lookup returned could be an argument: no flag, no empty text."""
    return not isinstance(value, bool) and value is not None and (not isinstance(value, str) or bool(value.strip()))


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
    first (an enabler that changes the error, then what the new error names). Last, for the
    tools no enabler helps, the arguments their errors blame are looked up (`_fed_by_lookup`).
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
            lab.initial_values(tool)
            obs, args, _ = lab.call(tool)
            report.tested += 1
            if obs.ok:
                report.succeeded_fresh += 1
                if graph.mutates_guessed(tool):  # a second call: one unchanged state proves little
                    lab.call(tool)
                if graph.parameters(tool):
                    # A need can depend on the arguments (`cat` of a file in a sub-folder needs
                    # `cd`): other arguments from a fresh state, and their failure is an experiment.
                    lab.fresh()
                    again, other, _ = lab.call(tool)
                    if not again.ok and again.error is not None and again.error.type not in ARGUMENT_ERRORS \
                            and other != args:
                        failing[tool] = other
                        messages[tool] = again.error.message
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
                    made = lab.run_chain_recorded(chain)
                    if made is None:
                        continue
                    obs, _, _ = lab.call(tool, dict(args))
                    if obs.ok and not lab.created(tool, args):
                        # The enabler's own prerequisites ran too: credit the shortest prefix of
                        # the chain after which the tool succeeds (login, not what needed login).
                        while len(chain) > 1:
                            lab.fresh()
                            if not lab.run_chain(chain[:-1]) or not lab.call(tool, dict(args))[0].ok:
                                break
                            chain = chain[:-1]
                        graph.confirm_prerequisite(chain[-1], tool, source_arguments=dict(made).get(chain[-1]),
                                                   target_arguments=args)
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
            wide.initial = lab.initial
            # A tool found enabled can be what another needs (the engine started, for the cruise
            # control): one more pass over those left while a pass finds something.
            paired: set[str] = set()
            for _pass in range(3):
                progressed = False
                for tool in list(report.still_failing):
                    if tool not in failing:
                        continue
                    found: tuple[str, ...] | None = _one_enabler(wide, graph, tool, failing[tool],
                                                                 messages.get(tool), max_enablers, refills)
                    if found is None and max_pair_enablers > 1 and tool not in paired:
                        paired.add(tool)  # pairs cost the most episodes: one search per tool
                        wide.boundary_rate = max(boundary_rate, 0.5)  # the brake pressed fully
                        pair = _two_enablers(wide, graph, tool, failing[tool], messages.get(tool),
                                             max_pair_enablers, refills)
                        wide.boundary_rate = boundary_rate
                        if pair:
                            report.multi_enabler.append((tool, list(pair)))
                            found = pair
                    for enabler in found or ():
                        graph.confirm_prerequisite(enabler, tool, source_arguments=wide.worked.get(enabler),
                                                   target_arguments=wide.worked.get(tool))
                        report.prerequisites_found.append((enabler, tool))
                    if found:
                        report.still_failing.remove(tool)
                        progressed = True
                if not progressed:
                    break
            # Tools that no enabler helps may want a value only a lookup has (an airport code
            # where the state holds city names): where the error points, lookups' results.
            for tool in list(report.still_failing):
                if tool not in failing:
                    continue
                hit = _fed_by_lookup(wide, graph, tool, failing[tool], messages.get(tool))
                if hit is None:
                    continue
                used, obs, fed = hit
                looked_up = [(parameter, reader, path) for parameter, reader, path in fed if reader is not None]
                graph.observe_call(tool, used, obs, sources=looked_up, ran_before=wide.ran[:-1])
                report.data_flow_confirmed.extend((reader, tool, parameter) for parameter, reader, _ in looked_up)
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
