"""Legality-constrained trace sampling (PAPER.md, Phase I, item 3), executed as it goes.

Rule, for a target tool Ta: a tool is legal when all its prerequisites have run (see
`ApiGraph.requirement_groups`). Repeatedly: if Ta has run, take a random legal tool (one that
consumes what the trace produced, when there is one) or stop; else if Ta is legal, call Ta; else
call the legal tool nearest to Ta, nearest along reversed edges, i.e. among Ta's prerequisites and
data sources and theirs. Every call runs in a live session; the graph learns from each call. A
failed call is dropped (rolled back) unless `keep_failed_calls`, and another legal tool is tried.
A read whose required text parameter no known value fits is tried with an identifier its own
environment returned earlier in the trace (`_returned_identifiers`); a write never is.

Modes (recorded as `Trace.mode`): `legality` draws Ta from the failure set weighted by failure
rate (every tool equally when no failures are known); `uniform` draws Ta uniformly; `random_walk`
is the plain baseline: start anywhere, follow a random live edge forward, no legality, no target.

"Nearest" is measured along Ta's unmet requirements: a reverse BFS from Ta through the requirement
groups not yet satisfied (missing prerequisites, possible sources of missing identifiers, theirs).

Cost per trace is proportional to its length times the local degree: target draws are O(log n),
the reverse BFS is bounded (`neighbourhood_depth`, `neighbourhood_size`), requirement groups are
cached per graph version, legality is checked only for candidates and cached within the trace
(once legal, a tool stays legal), and resetting the session restores only the environments the
last trace touched.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hardgen.graph._arguments import ArgumentFiller, FilledSource, HistoryEntry, has_value
from hardgen.graph._fresh import state_strings
from hardgen.graph._graph import ApiGraph
from hardgen.graph._records import GraphError
from hardgen.graph._resettable import ResettableSession
from hardgen.graph._values import returned_identifiers
from hardgen.schema import ArgumentSource, EnvironmentSpec, Step, ToolCall, Trace

SamplingMode = Literal["legality", "uniform", "random_walk"]
MODES: tuple[SamplingMode, ...] = ("legality", "uniform", "random_walk")


class SamplingError(GraphError):
    """No trace within the bounds could be sampled in the allowed attempts."""


@dataclass
class SamplerConfig:
    """Bounds and knobs of the sampler."""

    min_length: int = 2
    max_length: int = 8
    continue_after_target: float = 0.6
    stay_in_environment: float = 0.7
    """Chance that a call made for no reason of the trace's (nothing it feeds or enables) comes
    from an environment the trace already uses."""
    feed_target: float = 0.5
    """Chance that a target which could run at once first gets a call of its own environment whose
    output feeds it (a listing before the file is read): a task of one call asks nothing hard."""
    """Chance of one more call after the target ran, once `min_length` is reached."""
    keep_failed_calls: bool = False
    """Keep failed calls in the trace (for error-recovery data) instead of dropping them."""
    max_failed_calls: int = 6
    """Failed calls allowed per attempt before it is abandoned."""
    max_attempts: int = 12
    """Attempts (each with a fresh target) per returned trace."""
    neighbourhood_depth: int = 4
    neighbourhood_size: int = 256
    optional_fill: float = 0.2
    """Chance of filling an optional parameter that no earlier output can feed."""
    learn: bool = True
    """Feed every call back into the graph."""
    record_state_hashes: bool = True
    record_environments: Literal["used", "all"] = "used"
    """Record only the environments the trace needs (their initial state in full), or all."""

    def __post_init__(self) -> None:
        if not 1 <= self.min_length <= self.max_length:
            raise GraphError(f"sampler length bounds must satisfy 1 <= min_length <= max_length, "
                             f"got {self.min_length}..{self.max_length}")


@dataclass
class SamplerStats:
    """What sampling cost and how it went."""

    traces: int = 0
    attempts: int = 0
    calls: int = 0
    failed_calls: int = 0
    dead_ends: int = 0
    """Attempts that ran out of legal tools before reaching the target."""
    no_fitting_value: int = 0
    """Calls not made because a parameter had no value of its meaning (only a placeholder)."""
    by_length: dict[int, int] = field(default_factory=dict)


class TraceSampler:
    """Samples executed traces over an API graph.

    Give it a live `session` (a `hardgen.tools.Session` or one environment) or `specs` to build one.
    The session is used episodically and reset between traces; traces record the initial
    `EnvironmentSpec`s of the environments they need, so `replay_trace` reproduces them exactly.
    """

    def __init__(
        self,
        graph: ApiGraph,
        session: Any = None,
        *,
        specs: Sequence[EnvironmentSpec] | None = None,
        seed: int = 0,
        mode: SamplingMode = "legality",
        config: SamplerConfig | None = None,
    ) -> None:
        if mode not in MODES:
            raise GraphError(f"unknown sampling mode {mode!r}; choose one of {', '.join(MODES)}")
        if session is None:
            if specs is None:
                raise GraphError("TraceSampler needs a session or environment specs")
            from hardgen.tools import Session

            session = Session.from_specs(specs)
            self._owned = True
        else:
            self._owned = False
        self.graph = graph
        self.mode: SamplingMode = mode
        self.config = config or SamplerConfig()
        self.seed = seed
        self.rng = random.Random(seed)
        self.live = ResettableSession(session, track_hashes=self.config.record_state_hashes)
        missing = [t for t in graph.tools if t not in self.live.route]
        if missing:
            raise GraphError(f"graph tools not offered by the session: {missing[:10]}")
        self.filler = ArgumentFiller(graph, self.rng, optional_fill=self.config.optional_fill)
        self.stats = SamplerStats()
        self._tools: list[str] = graph.tools
        self._targets: tuple[int, list[str], list[float]] | None = None
        self._counter = itertools.count()

    # -- public ------------------------------------------------------------------------------------
    def sample(self, mode: SamplingMode | None = None, target: str | None = None) -> Trace:
        """One trace within the length bounds (raises SamplingError after `max_attempts`)."""
        mode = mode or self.mode
        if target is not None and target not in self.graph:
            raise GraphError(f"unknown target tool {target!r}")
        for _ in range(self.config.max_attempts):
            self.stats.attempts += 1
            trace = self._attempt(mode, target)
            if trace is not None:
                self.stats.traces += 1
                n = len(trace.steps)
                self.stats.by_length[n] = self.stats.by_length.get(n, 0) + 1
                return trace
        raise SamplingError(f"no {mode} trace of {self.config.min_length}..{self.config.max_length} calls"
                            f"{f' reaching {target!r}' if target else ''} after {self.config.max_attempts} attempts")

    def samples(self, n: int, mode: SamplingMode | None = None) -> Iterator[Trace]:
        """Up to `n` traces; targets that cannot be reached are skipped, not raised."""
        for _ in range(n):
            try:
                yield self.sample(mode)
            except SamplingError:
                continue

    def sample_many(self, n: int, mode: SamplingMode | None = None) -> list[Trace]:
        return list(self.samples(n, mode))

    def close(self) -> None:
        if self._owned:
            self.live.session.close()

    # -- targets and neighbourhoods ----------------------------------------------------------------
    def choose_target(self, mode: SamplingMode) -> str:
        if mode == "legality":
            if self._targets is None or self._targets[0] != self.graph.failure_version:
                names = self.graph.failure_tools()
                cum = list(itertools.accumulate(self.graph.target_weight(t) for t in names))
                self._targets = (self.graph.failure_version, names, cum)
            _, names, cum = self._targets
            if names and cum[-1] > 0:
                return names[min(bisect.bisect_right(cum, self.rng.random() * cum[-1]), len(names) - 1)]
        return self.rng.choice(self._tools)

    # -- one attempt ---------------------------------------------------------------------------------
    def _attempt(self, mode: SamplingMode, fixed_target: str | None) -> Trace | None:
        cfg = self.config
        rng = self.rng
        self.live.reset()
        target = None if mode == "random_walk" else (fixed_target or self.choose_target(mode))
        steps: list[Step] = []
        history: list[HistoryEntry] = []
        ran: list[str] = []
        ran_set: set[str] = set()
        produced: set[tuple[str, str, str]] = set()
        excluded: set[str] = set()
        legal_cache: dict[str, tuple[int, bool]] = {}
        step_envs: list[str] = []
        env_hashes: list[dict[str, str]] = []
        failures = 0
        target_done = False
        subgoal: str | None = None
        at = rng.choice(self._tools) if mode == "random_walk" else None
        trace_no = next(self._counter)

        def legal(tool: str) -> bool:
            hit = legal_cache.get(tool)
            if hit is not None and (hit[1] or hit[0] == len(ran)):
                return hit[1]
            ok = self.graph.is_legal(tool, ran_set, produced)
            legal_cache[tool] = (len(ran), ok)
            return ok

        def free(tool: str) -> bool:
            return tool not in ran_set and tool not in excluded

        while len(steps) < cfg.max_length and failures < cfg.max_failed_calls:
            if mode == "random_walk":
                if steps and len(steps) >= cfg.min_length and rng.random() >= cfg.continue_after_target:
                    break
                if steps or failures:
                    options = [v for v in self.graph.live_successors(at) if free(v)] if at else []
                    if not options:
                        break
                    at = rng.choice(options)
                choice = at
            elif target_done:
                if subgoal is None or not free(subgoal):
                    if len(steps) >= cfg.min_length and rng.random() >= cfg.continue_after_target:
                        break
                    choice, subgoal = self._random_legal(ran, ran_set, produced, legal, free)
                else:  # on the way to a consumer of the trace's outputs
                    choice = subgoal if legal(subgoal) else self._nearest_legal(subgoal, ran_set, produced, legal, free)
                    if choice is None:
                        excluded.add(subgoal)
                        subgoal = None
                        continue
            else:
                assert target is not None  # only a random walk has no target
                if legal(target) and free(target):
                    feeder = None if steps or failures else self._feeder(target, legal, free)
                    choice = feeder or target
                else:
                    choice = self._nearest_legal(target, ran_set, produced, legal, free)
            if choice is None:
                if not target_done and mode != "random_walk":
                    self.stats.dead_ends += 1
                break
            args, filled = self.filler.fill(choice, history, existing=functools.partial(self._state_strings, choice))
            tried = self._returned_identifiers(choice, args, history) if self.filler.last_placeholders else None
            if tried is not None:
                filled = [*filled, *tried]
            elif self.filler.last_placeholders:
                # "sample grant type" is no value a person would give: leave the tool out.
                self.stats.no_fitting_value += 1
                failures += 1
                excluded.add(choice)
                continue
            obs = self.live.call(choice, args, rollback_on_failure=not cfg.keep_failed_calls)
            self.stats.calls += 1
            if cfg.learn:
                sources = [(s.parameter, s.tool, s.path) for s in filled]
                if obs.ok:
                    sources += self.graph.value_sources(choice, args, [(h.tool, h.result) for h in history],
                                                        given={s.parameter for s in filled})
                self.graph.observe_call(choice, args, obs, sources=sources, ran_before=ran)
            if not obs.ok:
                self.stats.failed_calls += 1
                failures += 1
                excluded.add(choice)
                if not cfg.keep_failed_calls:
                    continue
            index = len(steps)
            step = Step(
                call=ToolCall(id=f"call_{self.seed}_{trace_no}_{index}", name=choice, arguments=args),
                observation=obs,
                sources=[ArgumentSource(parameter=s.parameter, step=s.step, path=list(s.path)) for s in filled],
            )
            steps.append(step)
            step_envs.append(self.live.environment_of(choice))
            if cfg.record_state_hashes:
                env_hashes.append({step_envs[-1]: self.live.hashes[step_envs[-1]]})
            if obs.ok:
                history.append(HistoryEntry(index, choice, obs.result))
                ran.append(choice)
                ran_set.add(choice)
                self._record_produced(choice, obs.result, produced)
                if choice == target:
                    target_done = True
        if mode != "random_walk" and not target_done:
            return None
        if not cfg.min_length <= len(steps) <= cfg.max_length:
            return None
        return self._finish(steps, step_envs, env_hashes, target, mode)

    def _returned_identifiers(self, tool: str, args: dict[str, Any], history: Sequence[HistoryEntry]
                              ) -> list[FilledSource] | None:
        """For a read whose required text parameters no known value fits (only a placeholder):
        identifiers its own environment returned earlier in the trace, one per parameter
        (`git_show(revision)` after `git log` printed shas), written into `args`; None when a
        parameter gets none. A success is then observed data flow like any other."""
        spec = self.graph.spec(tool)
        props = spec.parameters.get("properties", {}) or {}
        if spec.mutates or not set(self.filler.last_placeholders) <= set(spec.required):
            return None  # a write is never made with a guess, nor is an optional parameter filled with one
        env = spec.environment
        own = [h for h in history if self.graph.spec(h.tool).environment == env]
        options = returned_identifiers([(h.step, h.result) for h in own])
        tools = {h.step: h.tool for h in own}
        tried: list[FilledSource] = []
        for name in self.filler.last_placeholders:
            free = [o for o in options if o[2] not in args.values()]
            if not free or (props.get(name) or {}).get("type") != "string":
                return None
            step, path, value = self.rng.choice(free[:8])
            args[name] = value
            tried.append(FilledSource(name, step, tools[step], path))
        return tried

    def _state_strings(self, tool: str) -> set[str]:
        return state_strings(self.live.state_of(tool))

    def _record_produced(self, tool: str, result: Any, produced: set[tuple[str, str, str]]) -> None:
        # Which consumers this call's result can feed (O(out-degree)): legality of a gated
        # parameter needs a source that actually returned a value for it.
        for v, keyed in self.graph.graph.succ[tool].items():
            for d in keyed.values():
                if d["kind"] == "data_flow" and d["status"] != "pruned" and has_value(result, d["path"]):
                    produced.add((tool, v, d["parameter"]))

    def _feeder(self, target: str, legal: Any, free: Any) -> str | None:
        """A legal tool of the target's own environment whose output feeds one of its parameters,
        drawn with chance `feed_target`; None otherwise."""
        if self.rng.random() >= self.config.feed_target:
            return None
        env = self.graph.spec(target).environment
        options = sorted({u for u, _ in self.graph.data_sources(target) if u != target
                          and self.graph.spec(u).environment == env and free(u) and legal(u)})
        if not options and self.graph.spec(target).parameters.get("properties"):
            # No known source: a look around first (`ls` before `cat`, a listing before a
            # lookup). When its output holds the value the target takes, the call's value
            # evidence links the two, which names alone (`current_directory_content` and
            # `file_name`) never would; when not, the focus drops it from the task.
            options = sorted(u for u in self._argument_free_reads(env) if u != target and free(u) and legal(u))
        return self.rng.choice(options) if options else None

    @functools.cache  # noqa: B019 (one sampler, a fixed catalogue: the cache lives as long as it)
    def _argument_free_reads(self, environment: str | None) -> tuple[str, ...]:
        out = []
        for tool in self._tools:
            spec = self.graph.spec(tool)
            if spec.environment == environment and not spec.mutates and not spec.required:
                out.append(tool)
        return tuple(out)

    def _nearest_legal(self, target: str, ran: set[str], produced: set[tuple[str, str, str]],
                       legal: Any, free: Any) -> str | None:
        """The legal tool nearest to `target` along its unmet requirements.

        Reverse BFS from the target through requirement groups not yet satisfied (its missing
        prerequisites, the possible sources of its missing identifiers, then theirs): the first
        level with a legal tool wins, ties broken at random. Bounded by `neighbourhood_depth` and
        `neighbourhood_size`, so the cost does not grow with the catalogue.
        """
        cfg = self.config
        seen = {target}
        frontier = [target]
        for _depth in range(cfg.neighbourhood_depth):
            level: list[str] = []
            for tool in frontier:
                for req in self.graph.requirement_groups(tool):
                    if self.graph.requirement_met(tool, req, ran, produced):
                        continue
                    for u in req.tools:
                        if u not in seen:
                            seen.add(u)
                            level.append(u)
            ready = [u for u in level if free(u) and legal(u)]
            if ready:
                return self.rng.choice(ready)
            frontier = [u for u in level if free(u)]
            if not frontier or len(seen) >= cfg.neighbourhood_size:
                break
        return None

    def _random_legal(self, ran: list[str], ran_set: set[str], produced: set[tuple[str, str, str]], legal: Any,
                      free: Any) -> tuple[str | None, str | None]:
        """The next call once the target ran, and a subgoal when that call only prepares one.

        Prefers tools that consume what the trace produced (they add implicit dependencies): a
        legal one is called; else one that is not legal yet becomes the subgoal and the legal
        tool nearest to it is called. Then tools the trace enabled, then any legal tool.
        """
        fed: dict[str, None] = {}
        enabled: dict[str, None] = {}
        for t in reversed(ran):
            for v, keyed in self.graph.graph.succ[t].items():
                if not free(v):
                    continue
                kinds = {d["kind"] for d in keyed.values() if d["status"] != "pruned"}
                if "data_flow" in kinds:
                    fed[v] = None
                elif kinds:
                    enabled[v] = None
        legal_fed = [v for v in fed if legal(v)]
        # A consumer in an environment the trace already uses first: a number from a file listing
        # fed into a calculator, or a tweet's author into a ticket login, is a coincidence of values.
        used = {self.graph.spec(t).environment for t in ran}
        legal_fed = [v for v in legal_fed if self.graph.spec(v).environment in used] or legal_fed
        if legal_fed:
            return self.rng.choice(legal_fed), None
        pending = list(fed)
        self.rng.shuffle(pending)
        for subgoal in pending[:4]:
            step = self._nearest_legal(subgoal, ran_set, produced, legal, free)
            if step is not None:
                return step, subgoal
        legal_enabled = [v for v in enabled if legal(v)]
        if legal_enabled:
            return self.rng.choice(legal_enabled), None
        # Nothing the trace feeds or enables: another call of the same app, more often than not
        # (a listing after a copy; its values are then evidence of data flow the names hide).
        near = [t for t in self._tools if self.graph.spec(t).environment in used]
        for pool in ((near, self._tools) if near and self.rng.random() < self.config.stay_in_environment
                     else (self._tools,)):
            for _ in range(32):
                tool = self.rng.choice(pool)
                if free(tool) and legal(tool):
                    return tool, None
        return None, None

    def _finish(self, steps: list[Step], step_envs: list[str], env_hashes: list[dict[str, str]],
                target: str | None, mode: SamplingMode) -> Trace:
        live = self.live
        if self.config.record_environments == "all":
            names = [env.name for env in live.environments]
        else:
            names = live.environments_for(s.call.name for s in steps)
        if self.config.record_state_hashes:
            current = live.initial_hashes(names)
            for step, change in zip(steps, env_hashes, strict=True):
                current.update(change)
                step.state_hash = _digest(current)
            final = live.state_hash(names)
        else:
            final = None
        return Trace(environments=live.specs_for(names), steps=steps, final_state_hash=final,
                     target_tool=target, mode=mode)


def _digest(hashes: dict[str, str]) -> str:
    from hardgen.tools import state_digest

    return state_digest(hashes)
