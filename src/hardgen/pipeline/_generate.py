"""`hardgen generate`: probe -> graph -> sample -> synthesise -> reason and verify -> write.

Every phase's output lands in the run directory; a resumed run reuses what is there (graph,
failure report, library, units) and continues with the units not yet written. Results are written
in unit order, so an interrupted-then-resumed run writes exactly what an uninterrupted run writes.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pydantic import Field

from hardgen._version import __version__
from hardgen.errors import MissingDependencyError
from hardgen.graph import ApiGraph, SamplerConfig, TraceSampler, build_graph
from hardgen.pipeline._config import RunConfig, dump_config, load_config
from hardgen.pipeline._probe import FailureReport, mine_failures
from hardgen.pipeline._roles import Roles, build_roles
from hardgen.pipeline._rundir import JsonlAppender, RunDirectory, iter_jsonl, write_json_atomic, write_jsonl_atomic
from hardgen.pipeline._sources import resolve_sources
from hardgen.pipeline._units import plan_units
from hardgen.schema import Record, Sample, Trace
from hardgen.stats import ValidityCounter
from hardgen.synth import AdvancedTool, Rejection, SynthesisConfig, SynthesisUnit, Synthesizer, is_empty_result
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
                  dropped: dict[str, int] | None = None) -> int:
    """Sample more traces (seeded by the round), extend the library and the units; returns the
    number of new units. Files are rewritten whole, traces then library then units, so a kill at
    any point leaves units that only name tools the library has."""
    sampler = TraceSampler(graph, session, seed=config.seed * 1_000 + round_no, mode=config.sampling.mode,
                           config=SamplerConfig(min_length=config.sampling.min_length,
                                                max_length=config.sampling.max_length, learn=False))
    n_traces = config.sampling.trace_budget(config.synthesis.samples)
    traces = list(sampler.samples(n_traces))
    old_traces = [Trace.model_validate(r) for r in iter_jsonl(run.traces)]
    made = await _make_library(roles, traces, graph, progress, config.synthesis.min_calls,
                               existing=library, first_trace=len(old_traces), dropped=dropped)
    if not made:
        return 0
    remaining = max(config.synthesis.samples * 3, config.synthesis.samples + 16)
    new_units = plan_units(made, graph, seed=config.seed, variants=config.synthesis.variants_per_tool,
                           turns=config.synthesis.turns, limit=remaining, start=len(units), round_no=round_no)
    library.extend(made)
    units.extend(new_units)
    write_jsonl_atomic(run.traces, [*old_traces, *traces])
    write_jsonl_atomic(run.library, library)
    write_jsonl_atomic(run.units, units)
    return len(new_units)


async def generate(
    config: RunConfig,
    *,
    resume: bool = False,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
    graph: ApiGraph | None = None,
    failures: FailureReport | None = None,
) -> Manifest:
    """Run the whole pipeline into `config.out`; returns the manifest (also written to disk).

    `graph` and `failures` let a caller (the closed loop) start from a graph and a failure report
    it already has, e.g. updated by an evaluation: then no graph is built and no probe is run.
    """
    progress = progress or SilentProgress()
    say = log or (lambda _m: None)
    run = RunDirectory(config.out)
    if resume and run.config.exists():
        config = load_config(run.config)
        say(f"resuming the run in {run.path} with its saved config")
    run.create()
    if not (resume and run.config.exists()):
        run.config.write_text(dump_config(config), encoding="utf-8")
    manifest = Manifest(seed=config.seed)
    clock = time.perf_counter()

    specs = resolve_sources(config)
    session = Session.from_specs(specs, timeout=config.tool_timeout_s)
    try:
        # Phase I: graph, failure mining, traces.
        resumed_probe = False
        if graph is not None:
            pass
        elif resume and run.graph.exists() and run.library.exists():
            graph = ApiGraph.load(run.graph)
        elif resume and run.probed_graph.exists() and run.failures.exists():
            graph = ApiGraph.load(run.probed_graph)
            resumed_probe = True
        else:
            progress.start("graph", None)
            graph, _ = build_graph(session, seed=config.seed, discover=config.sampling.discovery, traces=0)
            progress.finish()
        manifest.phase_seconds["graph"] = round(time.perf_counter() - clock, 3)
        roles = build_roles(config, graph, run.cache)

        report: FailureReport | None = failures
        if report is not None:
            graph.update_failures(report.graph_stats(), strict=False)
            write_json_atomic(run.failures, report)
        elif resume and run.failures.exists() and (resumed_probe or run.library.exists()):
            report = FailureReport.model_validate_json(run.failures.read_text(encoding="utf-8"))
        elif config.probe.enabled:
            clock = time.perf_counter()
            tools_to_probe = min(len(graph.tools), config.probe.max_tools or len(graph.tools))
            progress.start("probe", tools_to_probe * config.probe.tasks_per_tool)
            report = await mine_failures(
                graph, specs, roles.target, roles.reference, tasks_per_tool=config.probe.tasks_per_tool,
                threshold=config.probe.failure_threshold, max_tools=config.probe.max_tools,
                max_steps=config.probe.max_steps, seed=config.seed, concurrency=config.concurrency,
                timeout=config.tool_timeout_s, progress=progress.advance)
            progress.finish()
            write_json_atomic(run.failures, report)
            manifest.phase_seconds["probe"] = round(time.perf_counter() - clock, 3)

        if not (resume and run.library.exists()):
            clock = time.perf_counter()
            if not resumed_probe:
                # Sample from the graph as saved, so a run resumed here starts from the very same graph.
                graph.save(run.probed_graph)
                graph = ApiGraph.load(run.probed_graph)
                roles = build_roles(config, graph, run.cache, roles.backends)
            sampler = TraceSampler(graph, session, seed=config.seed, mode=config.sampling.mode,
                                   config=SamplerConfig(min_length=config.sampling.min_length,
                                                        max_length=config.sampling.max_length))
            n_traces = config.sampling.trace_budget(config.synthesis.samples)
            progress.start("traces", n_traces)
            traces: list[Trace] = []
            for trace in sampler.samples(n_traces):
                traces.append(trace)
                progress.advance()
            progress.finish()
            if sampler.stats.no_fitting_value:
                # Tools left out of traces because a parameter had no value of its meaning.
                manifest.library_dropped["no value fits a parameter"] = sampler.stats.no_fitting_value
            write_jsonl_atomic(run.traces, traces)
            graph.save(run.graph)
            library = await _make_library(roles, traces, graph, progress, config.synthesis.min_calls,
                                          dropped=manifest.library_dropped)
            write_jsonl_atomic(run.library, library)
            manifest.phase_seconds["traces"] = round(time.perf_counter() - clock, 3)
        # Always continue from what is on disk, so a resumed run sees exactly what a fresh one saw.
        graph = ApiGraph.load(run.graph)
        roles = build_roles(config, graph, run.cache, roles.backends)
        library = [AdvancedTool.model_validate(r) for r in iter_jsonl(run.library)]

        if resume and run.units.exists():
            units = [SynthesisUnit.model_validate(r) for r in iter_jsonl(run.units)]
        else:
            limit = max(config.synthesis.samples * 3, config.synthesis.samples + 16)
            units = plan_units(library, graph, seed=config.seed, variants=config.synthesis.variants_per_tool,
                               turns=config.synthesis.turns, limit=limit)
            write_jsonl_atomic(run.units, units)
        manifest.units_planned = len(units)

        # Phase II/III: synthesise, reason, verify, write.
        clock = time.perf_counter()
        synthesizer = Synthesizer(
            specs, graph.specs(), {t.name: t for t in library}, roles.query_writer, roles.reasoner, roles.critic,
            SynthesisConfig(
                max_attempts=config.synthesis.max_attempts, distractors=config.synthesis.distractors,
                timeout_s=config.tool_timeout_s, failure_tools=frozenset(report.failure_set if report else ()),
                provenance=roles.provenance(config.seed).model_copy(update={"run_id": run.path.name}),
                sampling_mode=config.sampling.mode),
        )
        done = run.done_units()
        written = sum(1 for _ in iter_jsonl(run.samples))
        progress.start("samples", config.synthesis.samples)
        progress.advance(written)
        window = max(1, config.concurrency)
        round_no = max((u.round for u in units), default=0)
        with JsonlAppender(run.samples) as samples_out, JsonlAppender(run.rejected) as rejected_out:
            while True:
                pending = [u for u in units if u.unit_id not in done]
                for start in range(0, len(pending), window):
                    if written >= config.synthesis.samples:
                        break
                    batch = pending[start:start + window]
                    results = await asyncio.gather(*(synthesizer.synthesize(u) for u in batch))
                    for unit, result in zip(batch, results, strict=True):  # in unit order
                        if written >= config.synthesis.samples:
                            break
                        done.add(unit.unit_id)
                        if isinstance(result, Rejection):
                            rejected_out.append(result)
                        else:
                            samples_out.append(result)
                            written += 1
                            progress.advance()
                if written >= config.synthesis.samples or round_no >= config.synthesis.max_rounds:
                    break
                # Units ran out first: top up from new traces. The graph is not changed by this
                # sampling, so a resumed run tops up exactly as an uninterrupted one.
                round_no += 1
                added = await _top_up(config, run, graph, session, roles, library, units, round_no, progress,
                                      dropped=manifest.library_dropped)
                if not added:
                    break
                synthesizer.library = {t.name: t for t in library}
                manifest.units_planned = len(units)
        progress.finish()
        manifest.advanced_tools = len(library)
        manifest.traces = sum(1 for _ in iter_jsonl(run.traces))
        manifest.phase_seconds["synthesis"] = round(time.perf_counter() - clock, 3)
    finally:
        session.close()

    summarize(run, manifest)
    manifest.failure_set = len(report.failure_set) if report else 0
    if report:
        manifest.probe = {"tasks": report.tasks, "failure_set": report.failure_set,
                          "target_success_rate": report.target_success_rate,
                          "reference_success_rate": report.reference_success_rate,
                          "target_taxonomy": report.target_taxonomy}
    manifest.graph = graph.summary().model_dump(mode="json")
    try:
        graph.render(run.graph_picture)
    except MissingDependencyError as exc:  # matplotlib is optional: the run is complete without the picture
        say(f"graph picture skipped: {exc}")
    manifest.backends = {role: b.stats.model_dump(mode="json") for role, b in roles.backends.items()
                         if hasattr(b, "stats")}
    write_json_atomic(run.manifest, manifest)
    return manifest
