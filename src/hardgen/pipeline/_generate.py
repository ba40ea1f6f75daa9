"""`hardgen generate`: probe -> graph -> sample -> synthesise -> reason and verify -> write.

The run is a sequence of typed stages (`GENERATE_STAGES`, then `SUMMARY_STAGE`; see `_stages`),
each writing its artifact in the run directory; a resumed run skips the stages whose artifact is
complete (graph and failure report, library, units) and continues synthesis with the units not yet
written. Probe tasks and synthesis units go through an executor (`_executor`, `_ray`) and results
are written in unit order, so an interrupted-then-resumed run, or a run on another executor, writes
exactly what an uninterrupted local run writes. Callers with other inputs (the closed loop: a graph
and a failure report of its own) reuse the stages through `generate(graph=..., failures=...)` or
`run_stages` over a `GenerateState`.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import Field

from hardgen._version import __version__
from hardgen.errors import ConfigError, MissingDependencyError, RunStoppedError
from hardgen.graph import ApiGraph, SamplerConfig, TraceSampler, build_graph
from hardgen.llm import BackendError, ServerUnusableError, is_fatal
from hardgen.pipeline._config import BudgetConfig, RunConfig, dump_config, load_config
from hardgen.pipeline._executor import Executor, LocalExecutor
from hardgen.pipeline._probe import FailureReport, ProbeRecipe, mine_failures
from hardgen.pipeline._roles import Roles, build_roles, role_fallbacks, role_warnings
from hardgen.pipeline._rundir import (
    JsonlAppender,
    RunDirectory,
    RunDirectoryError,
    count_lines,
    iter_jsonl,
    json_bytes,
    jsonl_bytes,
    replace_atomic,
    write_json_atomic,
    write_jsonl_atomic,
    write_text_atomic,
)
from hardgen.pipeline._sources import resolve_sources
from hardgen.pipeline._stages import Stage, run_stages
from hardgen.pipeline._synthesis import (
    SynthesisRecipe,
    SynthesisWorker,
    make_synthesizer,
    merge_reports,
    synthesis_job,
)
from hardgen.pipeline._units import plan_units
from hardgen.schema import EnvironmentSpec, Record, Sample, Trace
from hardgen.stats import ValidityCounter
from hardgen.synth import (
    AdvancedTool,
    Rejection,
    SynthesisUnit,
    Synthesizer,
    family_quota,
    family_summary,
    is_empty_result,
    pick_family,
)
from hardgen.tools import Session


class Progress(Protocol):
    """How a phase reports progress (the CLI draws rich bars; the library default is silent)."""

    def start(self, phase: str, total: int | None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


class SilentProgress:
    def start(self, phase: str, total: int | None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


class Manifest(Record):
    """Statistics of a run (manifest.json)."""

    hardgen_version: str = __version__
    seed: int = 0
    samples: int = 0
    rejected: int = 0
    units_planned: int = 0
    yield_rate: float = 0.0
    """Verified samples / candidates tried."""
    rejections_by_stage: dict[str, int] = Field(default_factory=dict)
    rejections_by_reason: dict[str, int] = Field(default_factory=dict)
    mean_calls: float = 0.0
    mean_implicit_dependencies: float = 0.0
    share_calls_ge_3: float = 0.0
    share_implicit_ge_1: float = 0.0
    turns: dict[str, int] = Field(default_factory=dict)
    attempts: dict[str, int] = Field(default_factory=dict)
    """How many samples passed on the first, second, ... reasoner attempt."""
    domains: dict[str, int] = Field(default_factory=dict)
    traces: int = 0
    advanced_tools: int = 0
    validity: dict[str, Any] = Field(default_factory=dict)
    """The validity report of the samples (`hardgen.stats.ValidityReport`): every defect count is 0."""
    library_dropped: dict[str, int] = Field(default_factory=dict)
    """Traces no advanced tool was made of, by reason (create-then-destroy, ambiguous, ...), and
    the calls the sampler did not make because no value of its meaning fits a parameter."""
    failure_set: int = 0
    probe: dict[str, Any] = Field(default_factory=dict)
    graph: dict[str, Any] = Field(default_factory=dict)
    backends: dict[str, Any] = Field(default_factory=dict)
    phase_seconds: dict[str, float] = Field(default_factory=dict)
    role_fallbacks: dict[str, dict[str, int]] = Field(default_factory=dict)
    """Per LLM role, the units it fell back to its model-free result for, by reason (a server error,
    an answer that was not JSON of the asked shape, a draft that never passed the checks)."""
    reasoning_sentences_scrubbed: int = 0
    """Reasoning sentences removed from samples because they cited the reasoner's private hint."""
    per_sample: dict[str, float] = Field(default_factory=dict)
    """Requests sent (cache hits not counted), tokens and reasoner attempts per verified sample."""
    budget: dict[str, Any] = Field(default_factory=dict)
    stopped: str | None = None
    """Why the run stopped before its end (an unusable server, a spent budget); None when it ran through."""
    warnings: list[str] = Field(default_factory=list)
    families: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Per sample family of a run mixing them: target, written, short by (and why units did not fit)."""


def _reason_key(reason: str) -> str:
    """Group rejection reasons: drop quoted values and numbers so alike reasons count together."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", reason)
    text = re.sub(r"\b\d+\b", "N", text)
    return text[:120]


def summarize(run: RunDirectory, manifest: Manifest) -> Manifest:
    """Fill the sample and rejection statistics by streaming the run's files (constant memory)."""
    n = calls = implicit = ge3 = imp1 = 0
    turns: Counter[str] = Counter()
    attempts: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    validity = ValidityCounter()
    for record in iter_jsonl(run.samples):
        meta = record.get("metadata", {})
        validity.add(Sample.model_validate(record))
        n += 1
        calls += meta.get("chain_length", 0)
        implicit += meta.get("implicit_dependencies", 0)
        ge3 += meta.get("chain_length", 0) >= 3
        imp1 += meta.get("implicit_dependencies", 0) >= 1
        turns[str(meta.get("turns", 1))] += 1
        attempts[str(record.get("verification", {}).get("attempts", 1))] += 1
        domains.update(meta.get("domains", []))
    stages: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    rejected = 0
    for record in iter_jsonl(run.rejected):
        rejected += 1
        stages[record.get("stage", "?")] += 1
        reasons[_reason_key(record.get("reason", ""))] += 1
    manifest.samples, manifest.rejected = n, rejected
    manifest.validity = validity.finish().model_dump(mode="json")
    manifest.yield_rate = n / (n + rejected) if n + rejected else 0.0
    manifest.rejections_by_stage = dict(stages.most_common())
    manifest.rejections_by_reason = dict(reasons.most_common(15))
    manifest.mean_calls = calls / n if n else 0.0
    manifest.mean_implicit_dependencies = implicit / n if n else 0.0
    manifest.share_calls_ge_3 = ge3 / n if n else 0.0
    manifest.share_implicit_ge_1 = imp1 / n if n else 0.0
    manifest.turns, manifest.attempts, manifest.domains = dict(turns), dict(attempts), dict(domains.most_common())
    return manifest


def _uninformative(tool: AdvancedTool, trace: Trace, specs: dict[str, Any]) -> bool:
    """Whether a goal read of the source trace found nothing (`{"messages": []}`): such a task
    checks nothing, and the synthesizer would reject it anyway."""
    results = {s.call.name: s.observation.result for s in trace.steps if s.observation.ok}
    for index in tool.goal_steps:
        name = tool.steps[index].tool
        spec = specs.get(name)
        if spec is not None and not spec.mutates and name in results and is_empty_result(results[name]):
            return True
    return False


def _library_signature(tool: AdvancedTool) -> str:
    body = [(s.tool, sorted((k, b.kind, b.step, json.dumps(b.path, default=str)) for k, b in s.arguments.items()))
            for s in tool.steps]
    return json.dumps([body, sorted(tool.example_arguments.items(), key=lambda kv: kv[0])], default=str)


async def _make_library(roles: Roles, traces: list[Trace], graph: ApiGraph, progress: Progress,
                        min_calls: int, existing: Sequence[AdvancedTool] = (),
                        first_trace: int = 0, dropped: dict[str, int] | None = None) -> list[AdvancedTool]:
    """Advanced tools from the traces; ambiguous ones, too-short ones, ones no sensible task can be
    made of (counted by reason in `dropped`) and duplicates (also of the `existing` library) are
    left out."""
    specs = graph.specs()
    library: list[AdvancedTool] = []
    taken: set[str] = set(specs) | {t.name for t in existing}
    seen: set[str] = {_library_signature(t) for t in existing}
    progress.start("advanced tools", len(traces))
    for index, trace in enumerate(traces, start=first_trace):
        progress.advance()
        tool = await roles.tool_maker.make(trace, specs, taken)
        tool = tool.model_copy(update={"source_trace_id": f"trace-{index}"})
        reason = tool.problem or ("ambiguous" if tool.ambiguous else None) or (
            "too short" if len(tool.steps) < min_calls else None) or (
            "uninformative: a goal lookup finds nothing" if _uninformative(tool, trace, specs) else None)
        if reason is not None:
            if dropped is not None:
                key = reason.split(":")[0]
                dropped[key] = dropped.get(key, 0) + 1
            continue
        signature = _library_signature(tool)
        if signature in seen:
            continue
        seen.add(signature)
        taken.add(tool.name)
        library.append(tool)
    progress.finish()
    return library


async def _top_up(config: RunConfig, run: RunDirectory, graph: ApiGraph, session: Session, roles: Roles,
                  library: list[AdvancedTool], units: list[SynthesisUnit], round_no: int, progress: Progress,
                  dropped: dict[str, int]) -> int:
    """Sample more traces (seeded by the round), extend the library and the units; returns the
    number of new units. The new traces, library, units and drop counts are one commit: a kill
    leaves the round either wholly on disk or not at all, so a resume redoes it exactly."""
    sampler = TraceSampler(graph, session, seed=config.seed * 1_000 + round_no, mode=config.sampling.mode,
                           config=SamplerConfig(min_length=config.sampling.min_length,
                                                max_length=config.sampling.max_length, learn=False))
    n_traces = config.sampling.trace_budget(config.synthesis.samples)
    traces = list(sampler.samples(n_traces))
    made = await _make_library(roles, traces, graph, progress, config.synthesis.min_calls,
                               existing=library, first_trace=count_lines(run.traces), dropped=dropped)
    if not made:
        return 0
    remaining = max(config.synthesis.samples * 3, config.synthesis.samples + 16)
    new_units = plan_units(made, graph, seed=config.seed, variants=config.synthesis.variants_per_tool,
                           turns=config.synthesis.turns, limit=remaining, start=len(units), round_no=round_no)
    if not new_units:
        # Nothing to synthesise: the round is not committed (the library keeps only tools that
        # have units), and a resume comes to the same end.
        return 0
    old_traces = run.traces.read_bytes() if run.traces.exists() else b""
    run.commit({run.traces: old_traces + jsonl_bytes(traces), run.library: jsonl_bytes([*library, *made]),
                run.units: jsonl_bytes([*units, *new_units]), run.library_dropped: json_bytes(dropped)})
    library.extend(made)
    units.extend(new_units)
    return len(new_units)


def _saved_config(run: RunDirectory) -> RunConfig:
    """The config a run was started with. An empty or unreadable one is an error: resuming with
    the defaults instead would silently make a different run."""
    try:
        text = run.config.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RunDirectoryError(f"the saved config {run.config} is not UTF-8 text; "
                                "start the run again with --overwrite") from None
    if not text.strip():
        raise RunDirectoryError(f"the saved config {run.config} is empty, so the run cannot be resumed as "
                                "it was started; start it again with --overwrite")
    return load_config(run.config)


def _open_run(run: RunDirectory, config: RunConfig, *, resume: bool, overwrite: bool,
              say: Callable[[str], None]) -> tuple[RunConfig, bool]:
    """Check the run directory against what was asked and return the config the run goes on with
    (the saved one on resume) and whether it is a new run. A directory holding another run is never
    mixed into: it is resumed, replaced (`overwrite`) or refused. Nothing is written yet (but a
    resumed run's interrupted commit is finished), so a config found bad afterwards leaves no trace."""
    if resume and overwrite:
        raise RunDirectoryError("resume and overwrite exclude each other: resume continues the run, "
                                "overwrite replaces it")
    if run.path.exists() and not run.path.is_dir():
        raise RunDirectoryError(f"{run.path} is a file, not a run directory")
    if resume and run.config.exists():
        config = _saved_config(run)
        run.recover()
        say(f"resuming the run in {run.path} with its saved config")
        return config, False
    if resume and run.has_content():
        raise RunDirectoryError(f"{run.path} has no config.yaml, so it is not a run that can be resumed")
    if not resume and run.has_content() and not overwrite:
        raise RunDirectoryError(f"{run.path} already holds a run: resume it (--resume) or replace it (--overwrite)")
    return config, True


def _start_run(run: RunDirectory, config: RunConfig, say: Callable[[str], None]) -> None:
    """Replace what the directory holds (only an overwrite gets here with something in it) by a new
    run's config."""
    if run.has_content():
        run.remove()
        say(f"replaced the run in {run.path}")
    run.create()
    write_text_atomic(run.config, dump_config(config))


@dataclass
class GenerateState:
    """What the stages of `generate` share: the run and its inputs, and what each stage loaded
    from its artifact."""

    config: RunConfig
    run: RunDirectory
    specs: list[EnvironmentSpec]
    session: Session
    executor: Executor
    progress: Progress
    say: Callable[[str], None]
    manifest: Manifest
    given_graph: ApiGraph | None = None
    """A graph the caller already has (the closed loop): no graph is built."""
    given_failures: FailureReport | None = None
    """A failure report the caller already has: no probe is run."""
    graph: ApiGraph | None = None
    report: FailureReport | None = None
    roles: Roles | None = None
    library: list[AdvancedTool] = field(default_factory=list)
    units: list[SynthesisUnit] = field(default_factory=list)
    synthesizer: Synthesizer | None = None
    reports: list[dict[str, Any]] = field(default_factory=list)
    """What workers the executor built elsewhere spent (their backends are not the run's own)."""


async def _probe_stage(state: GenerateState) -> None:
    """Graph and failure mining, committed together as the probed graph and the failure report;
    a run resumed after that commit starts from the very same graph."""
    config, run, manifest, progress = state.config, state.run, state.manifest, state.progress
    clock = time.perf_counter()
    graph = state.given_graph
    if graph is None:
        progress.start("graph", None)
        graph, _ = build_graph(state.session, seed=config.seed, discover=config.sampling.discovery, traces=0)
        progress.finish()
    state.graph = graph
    manifest.phase_seconds["graph"] = round(time.perf_counter() - clock, 3)
    state.roles = build_roles(config, graph, run.cache)
    report = state.given_failures
    if report is not None:
        graph.update_failures(report.graph_stats(), strict=False)
    elif config.probe.enabled:
        clock = time.perf_counter()
        tools_to_probe = min(len(graph.tools), config.probe.max_tools or len(graph.tools))
        progress.start("probe", tools_to_probe * config.probe.tasks_per_tool)
        remote = (ProbeRecipe(config, _graph_bytes(graph).decode("utf-8"), str(run.cache), config.probe.max_steps,
                              config.seed, config.tool_timeout_s) if state.executor.remote else None)
        report = await mine_failures(
            graph, state.specs, state.roles.target, state.roles.reference, tasks_per_tool=config.probe.tasks_per_tool,
            threshold=config.probe.failure_threshold, max_tools=config.probe.max_tools,
            max_steps=config.probe.max_steps, seed=config.seed, concurrency=config.concurrency,
            timeout=config.tool_timeout_s, progress=progress.advance, executor=state.executor, remote=remote,
            reports=state.reports)
        progress.finish()
        manifest.phase_seconds["probe"] = round(time.perf_counter() - clock, 3)
    probed: dict[Path, bytes] = {run.probed_graph: _graph_bytes(graph)}
    if report is not None:
        probed[run.failures] = json_bytes(report)
    run.commit(probed)


def _load_probe(state: GenerateState) -> None:
    run = state.run
    state.graph = ApiGraph.load(run.probed_graph)
    state.report = (FailureReport.model_validate_json(run.failures.read_text(encoding="utf-8"))
                    if run.failures.exists() else None)
    state.roles = build_roles(state.config, state.graph, run.cache, previous=state.roles)


async def _library_stage(state: GenerateState) -> None:
    """Traces and the advanced tool library (with the graph as sampling left it), one commit."""
    config, run, progress, graph, roles = state.config, state.run, state.progress, state.graph, state.roles
    assert graph is not None and roles is not None
    clock = time.perf_counter()
    sampler = TraceSampler(graph, state.session, seed=config.seed, mode=config.sampling.mode,
                           config=SamplerConfig(min_length=config.sampling.min_length,
                                                max_length=config.sampling.max_length))
    n_traces = config.sampling.trace_budget(config.synthesis.samples)
    progress.start("traces", n_traces)
    traces: list[Trace] = []
    for trace in sampler.samples(n_traces):
        traces.append(trace)
        progress.advance()
    progress.finish()
    dropped: dict[str, int] = {}
    if sampler.stats.no_fitting_value:
        # Tools left out of traces because a parameter had no value of its meaning.
        dropped["no value fits a parameter"] = sampler.stats.no_fitting_value
    sampled_graph = _graph_bytes(graph)
    library = await _make_library(roles, traces, graph, progress, config.synthesis.min_calls, dropped=dropped)
    run.commit({run.traces: jsonl_bytes(traces), run.graph: sampled_graph, run.library: jsonl_bytes(library),
                run.library_dropped: json_bytes(dropped)})
    state.manifest.phase_seconds["traces"] = round(time.perf_counter() - clock, 3)


def _load_library(state: GenerateState) -> None:
    run = state.run
    state.graph = ApiGraph.load(run.graph)
    state.roles = build_roles(state.config, state.graph, run.cache, previous=state.roles)
    state.library = [AdvancedTool.model_validate(r) for r in iter_jsonl(run.library)]
    if run.library_dropped.exists():
        state.manifest.library_dropped = json.loads(run.library_dropped.read_text(encoding="utf-8"))


async def _units_stage(state: GenerateState) -> None:
    """The units follow from the library alone: a run killed before they are written plans them again."""
    config = state.config
    limit = max(config.synthesis.samples * 3, config.synthesis.samples + 16)
    units = plan_units(state.library, state.graph, seed=config.seed, variants=config.synthesis.variants_per_tool,
                       turns=config.synthesis.turns, limit=limit)
    write_jsonl_atomic(state.run.units, units)


def _load_units(state: GenerateState) -> None:
    state.units = [SynthesisUnit.model_validate(r) for r in iter_jsonl(state.run.units)]
    state.manifest.units_planned = len(state.units)


def write_result(result: Sample | Rejection, samples_out: JsonlAppender, rejected_out: JsonlAppender) -> int:
    """The one place a unit's result is written: a sample to samples.jsonl, a rejection to
    rejected.jsonl (each one whole line, in unit order). Returns the samples written (0 or 1)."""
    if isinstance(result, Rejection):
        rejected_out.append(result)
        return 0
    samples_out.append(result)
    return 1


async def _synthesis_stage(state: GenerateState) -> None:
    """Phase II/III: synthesise, reason, verify, write; top up from new traces when the units run out.

    The units go through the executor; their results come back in unit order, so a run writes the
    same samples whatever its executor, and a resumed run goes on with the units not yet written."""
    config, run, progress, manifest, roles = state.config, state.run, state.progress, state.manifest, state.roles
    assert state.graph is not None and roles is not None
    clock = time.perf_counter()
    state.synthesizer = make_synthesizer(config, state.specs, state.graph, state.library, roles,
                                         state.report.failure_set if state.report else (), run.path.name)
    worker = SynthesisWorker(state.synthesizer, roles)
    target = config.synthesis.samples
    done = run.done_units()
    written = count_lines(run.samples)
    quota = family_quota(config.synthesis.families, target, iter_jsonl(run.samples))  # None: base only
    progress.start("samples", target)
    progress.advance(written)
    round_no = max((u.round for u in state.units), default=0)
    with JsonlAppender(run.samples) as samples_out, JsonlAppender(run.rejected) as rejected_out:
        while True:
            pending = [u for u in state.units if u.unit_id not in done]
            if pending and written < target:
                job = synthesis_job(_synthesis_recipe(state) if state.executor.remote else None, worker)
                async with state.executor.start(job, config.concurrency) as execution:
                    try:
                        # Units past the last one written are cancelled: a resume redoes them (from the cache).
                        async with contextlib.aclosing(execution.map(pending)) as results:
                            index = 0
                            async for result in results:  # in unit order
                                done.add(pending[index].unit_id)
                                index += 1
                                result = pick_family(quota, result)  # as it is, unless families are mixed
                                wrote = write_result(result, samples_out, rejected_out)
                                written += wrote
                                progress.advance(wrote)
                                if written >= target:
                                    break
                    finally:
                        state.reports.extend(await execution.reports())
            if written >= target or round_no >= config.synthesis.max_rounds:
                break
            # Units ran out first: top up from new traces. The graph is not changed by this
            # sampling, so a resumed run tops up exactly as an uninterrupted one.
            round_no += 1
            added = await _top_up(config, run, state.graph, state.session, roles, state.library, state.units,
                                  round_no, progress, dropped=manifest.library_dropped)
            if not added:
                break
            state.synthesizer.library = {t.name: t for t in state.library}
            manifest.units_planned = len(state.units)
    progress.finish()
    manifest.phase_seconds["synthesis"] = round(time.perf_counter() - clock, 3)


def _synthesis_recipe(state: GenerateState) -> SynthesisRecipe:
    return SynthesisRecipe(config=state.config, specs=list(state.specs), graph_json=state.run.graph.read_text("utf-8"),
                           library=list(state.library),
                           failure_tools=list(state.report.failure_set if state.report else ()),
                           run_id=state.run.path.name, cache=str(state.run.cache))


def _load_synthesis(state: GenerateState) -> None:
    state.manifest.advanced_tools = len(state.library)
    state.manifest.traces = count_lines(state.run.traces)


def _synthesis_complete(state: GenerateState) -> bool:
    return count_lines(state.run.samples) >= state.config.synthesis.samples


async def _summary_stage(state: GenerateState) -> None:
    """The manifest (statistics streamed from the samples and rejections, what the backends cost)
    and the graph's picture: derived from every other artifact, so always written again."""
    manifest, report, graph = state.manifest, state.report, state.graph
    summarize(state.run, manifest)
    manifest.families = family_summary(state.config.synthesis.families, state.config.synthesis.samples,
                                       iter_jsonl(state.run.samples), iter_jsonl(state.run.rejected))
    if state.roles is not None:
        _account(manifest, state.roles, state.synthesizer, state.reports)
    manifest.failure_set = len(report.failure_set) if report else 0
    if report:
        manifest.probe = {"tasks": report.tasks, "failure_set": report.failure_set,
                          "target_success_rate": report.target_success_rate,
                          "reference_success_rate": report.reference_success_rate,
                          "target_taxonomy": report.target_taxonomy}
    if graph is not None:
        manifest.graph = graph.summary().model_dump(mode="json")
        _render_picture(graph, state.run, state.say)
    write_json_atomic(state.run.manifest, manifest)


def _paths(*names: str) -> Callable[[RunDirectory], list[Path]]:
    return lambda run: [getattr(run, name) for name in names]


GENERATE_STAGES: tuple[Stage[GenerateState], ...] = (
    Stage("probe", writes=_paths("probed_graph", "failures"), reads=_paths("config"), run=_probe_stage,
          load=_load_probe, complete=lambda s: s.run.probed_graph.exists()),
    Stage("library", writes=_paths("traces", "graph", "library", "library_dropped"), reads=_paths("probed_graph"),
          run=_library_stage, load=_load_library, complete=lambda s: s.run.library.exists()),
    Stage("units", writes=_paths("units"), reads=_paths("graph", "library"), run=_units_stage, load=_load_units,
          complete=lambda s: s.run.units.exists()),
    Stage("synthesis", writes=_paths("samples", "rejected"), reads=_paths("graph", "library", "units", "failures"),
          run=_synthesis_stage, load=_load_synthesis, complete=_synthesis_complete),
)
"""The stages of `generate`, in order. The graph and the probe are one commit (and so one stage),
and so are the traces and the library: a run resumed after either starts from the very graph the
uninterrupted run had. Synthesis also extends traces, library and units when it tops up (one
commit per round)."""

SUMMARY_STAGE: Stage[GenerateState] = Stage(
    "summary", writes=_paths("manifest", "graph_picture"),
    reads=_paths("samples", "rejected", "failures", "graph"), run=_summary_stage)
"""Runs after the others, also when they stopped early (a spent budget, an unusable server)."""


async def generate(
    config: RunConfig,
    *,
    resume: bool = False,
    overwrite: bool = False,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
    graph: ApiGraph | None = None,
    failures: FailureReport | None = None,
    budget: BudgetConfig | None = None,
    executor: Executor | None = None,
) -> Manifest:
    """Run the whole pipeline into `config.out`; returns the manifest (also written to disk).

    A directory already holding a run is continued with `resume` (with its saved config; a run
    killed at any moment resumes to what the uninterrupted run writes) or replaced with
    `overwrite`; otherwise RunDirectoryError. `graph` and `failures` let a caller (the closed
    loop) start from a graph and a failure report it already has, e.g. updated by an evaluation:
    then no graph is built and no probe is run. `budget` replaces the config's request and token
    budget for this invocation (also on resume, where the saved config is used otherwise).
    `executor` runs the probe tasks and synthesis units (default: the local sliding pool; a
    `RayExecutor` runs them on a Ray cluster): the run writes the same files with either.
    """
    progress = progress or SilentProgress()
    say = log or (lambda _m: None)
    executor = executor or LocalExecutor()
    run = RunDirectory(config.out)
    config, new_run = _open_run(run, config, resume=resume, overwrite=overwrite, say=say)
    specs = resolve_sources(config)  # a bad source fails here, before a new run writes anything
    spend = budget or config.budget
    if executor.remote and (spend.max_requests is not None or spend.max_tokens is not None):
        raise ConfigError(f"a request or token budget is not supported with the {executor.name} executor (each "
                          "worker would count its own); run it with the local executor")
    if new_run:
        _start_run(run, config, say)
    if budget is not None:
        # What an invocation may spend is not part of what the run makes: a resume may raise it.
        config = config.model_copy(update={"budget": budget})
    manifest = Manifest(seed=config.seed)
    session = Session.from_specs(specs, timeout=config.tool_timeout_s)
    for warning in role_warnings(config):
        manifest.warnings.append(warning)
        say(f"warning: {warning}")
    state = GenerateState(config=config, run=run, specs=list(specs), session=session, executor=executor,
                          progress=progress, say=say, manifest=manifest, given_graph=graph, given_failures=failures)
    stopped: BackendError | None = None
    try:
        await run_stages(GENERATE_STAGES, state)
    except BackendError as exc:
        if not is_fatal(exc):
            raise
        # An unusable server or a spent budget: what is on disk stays (a resume goes on from it),
        # and the manifest says why the run stopped.
        stopped = exc
        manifest.stopped = str(exc)
        say(f"stopped: {exc}")
    finally:
        session.close()
    await run_stages([SUMMARY_STAGE], state)
    if isinstance(stopped, ServerUnusableError):
        raise RunStoppedError(f"the run stopped: {stopped}") from stopped
    return manifest


def _account(manifest: Manifest, roles: Roles, synthesizer: Synthesizer | None,
             reports: Sequence[dict[str, Any]] = ()) -> None:
    """What the model servers cost, overall and per verified sample, and how often a role fell
    back to its model-free result: the run's own backends, plus what workers elsewhere `reports`."""
    manifest.backends = {role: b.stats.model_dump(mode="json") for role, b in roles.backends.items()
                         if hasattr(b, "stats")}
    manifest.role_fallbacks = role_fallbacks(roles)
    scrubbed = merge_reports(manifest.backends, manifest.role_fallbacks, reports)
    if reports:
        manifest.role_fallbacks = {role: dict(sorted(c.items())) for role, c in sorted(manifest.role_fallbacks.items())}
    if synthesizer is not None:
        manifest.reasoning_sentences_scrubbed = synthesizer.scrubbed_sentences + scrubbed
    sent = sum(b.get("requests", 0) - b.get("cache_hits", 0) - b.get("refused", 0) for b in manifest.backends.values())
    tokens = sum(b.get("prompt_tokens", 0) + b.get("completion_tokens", 0) for b in manifest.backends.values())
    if roles.budget is not None:
        manifest.budget = {"max_requests": roles.budget.max_requests, "max_tokens": roles.budget.max_tokens,
                           "requests": roles.budget.requests, "tokens": roles.budget.total_tokens,
                           "refused": roles.budget.refused}
    if manifest.samples and manifest.backends:
        attempts = sum(int(k) * v for k, v in manifest.attempts.items())
        manifest.per_sample = {"requests": round(sent / manifest.samples, 2),
                               "tokens": round(tokens / manifest.samples, 1),
                               "reasoner_attempts": round(attempts / manifest.samples, 3)}


def _graph_bytes(graph: ApiGraph) -> bytes:
    """The graph file's bytes, as `ApiGraph.save` writes them (here, to go into a commit)."""
    return json.dumps(graph.to_json(), ensure_ascii=False).encode("utf-8")


def _render_picture(graph: ApiGraph, run: RunDirectory, say: Callable[[str], None]) -> None:
    """Draw graph.png aside and rename it in (matplotlib writes the file in place)."""
    tmp = run.path / "graph.tmp.png"
    try:
        graph.render(tmp)
    except MissingDependencyError as exc:  # matplotlib is optional: the run is complete without the picture
        say(f"graph picture skipped: {exc}")
        return
    replace_atomic(tmp, run.graph_picture)
