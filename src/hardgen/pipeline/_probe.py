"""Failure mining (Phase I, step 1): which tools do the target and reference agents fail at?

For each tool, K probe tasks are synthesised: a short executed trace that ends in that tool (the
legality sampler aimed at it), abstracted and phrased by the model-free Tool Maker and Query Writer
(intermediate values stay implicit, as in the hard samples). Both agents attempt every task through
the agent loop, and every attempt is verified by re-execution. A probe task fails *jointly* when
both agents fail it; a tool's joint failure rate decides whether it is in the failure set, and it
is what the graph's nodes carry as their failure statistics (the target's taxonomy of mistakes is
kept alongside).
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from hardgen.graph import ApiGraph, SamplerConfig, SamplingError, TraceSampler
from hardgen.llm import Backend
from hardgen.pipeline._attempt import AgentAttempt, ToolFailureStats, attempt_sample
from hardgen.pipeline._config import RunConfig
from hardgen.pipeline._executor import Executor, Job, LocalExecutor
from hardgen.pipeline._roles import build_roles
from hardgen.schema import EnvironmentSpec, GoldTurn, Record, Trace
from hardgen.synth import DEFAULT_SYSTEM_PROMPT, ModelFreeQueryWriter, build_advanced_tool, check_query
from hardgen.tools import replay

Progress = Callable[[int], None]
ProbeUnit = tuple[int, "ProbeTask"]
"""A probe task and its number (the number seeds both agents' requests)."""


class ToolProbeResult(Record):
    target: ToolFailureStats = Field(default_factory=ToolFailureStats)
    reference: ToolFailureStats = Field(default_factory=ToolFailureStats)
    joint: ToolFailureStats = Field(default_factory=ToolFailureStats)
    """A task counts as a failure here when both agents failed it."""


class FailureReport(Record):
    """What failure mining found (saved as failures.json)."""

    tools: dict[str, ToolProbeResult] = Field(default_factory=dict)
    failure_set: list[str] = Field(default_factory=list)
    threshold: float = 0.5
    tasks: int = 0
    unprobeable: dict[str, str] = Field(default_factory=dict)
    """Tools no probe task could be built for, with the reason."""
    target_taxonomy: dict[str, int] = Field(default_factory=dict)
    reference_taxonomy: dict[str, int] = Field(default_factory=dict)
    target_success_rate: float = 0.0
    reference_success_rate: float = 0.0
    server_errors: int = 0
    """Probe tasks left out because a server failed to answer (a server error says nothing about the
    model, so it never counts as a failure)."""

    def graph_stats(self) -> dict[str, dict[str, Any]]:
        """Per-tool statistics for `ApiGraph.update_failures`: joint failures for the failure set,
        none for the tools outside it (so only failure tools are drawn as sampling targets)."""
        members = set(self.failure_set)
        return {t: {"attempts": r.joint.attempts, "failures": r.joint.failures if t in members else 0,
                    "taxonomy": r.target.taxonomy if t in members else {}}
                for t, r in self.tools.items()}


class ProbeTask(Record):
    tool: str
    environments: list[EnvironmentSpec]
    gold: list[GoldTurn]
    tools: list[Any]


def build_probe_task(trace: Trace, tool: str, graph: ApiGraph, rng: random.Random) -> ProbeTask | str:
    """A single-turn task from a trace aimed at `tool`, or the reason none can be made."""
    end = next((i for i, s in enumerate(trace.steps) if s.call.name == tool and s.observation.ok), None)
    if end is None:
        return "the sampled trace never reached the tool"
    steps = trace.steps[: end + 1]
    cut = trace.model_copy(update={"steps": steps})
    specs = graph.specs()

    def is_prerequisite(a: str, b: str) -> bool:
        return a in graph.prerequisites(b)

    advanced = build_advanced_tool(cut, specs, set(), is_prerequisite)
    query = ModelFreeQueryWriter(noise=False).compose(advanced, advanced.example_arguments, steps, specs, rng)
    problems = check_query(query.text, advanced.example_arguments, steps)
    if problems:
        return problems[0]
    replayed = replay([s.call for s in steps], trace.environments)
    env_names = {e.name for e in trace.environments}
    offered = [spec for spec in specs.values() if spec.environment in env_names]
    mutating = {n for n, s in specs.items() if s.mutates}
    fed = {src.step for s in steps for src in s.sources}
    required = [i for i, s in enumerate(steps) if s.call.name not in mutating and (i in fed or i == len(steps) - 1)]
    if not required and not query.answer_values and replayed.final_state_hash == replayed.initial_state_hash:
        return "the calls change nothing and return nothing asked for: any attempt would pass"
    gold = GoldTurn(query=query.text, steps=list(replayed.steps), required_observations=required,
                    answer_values=query.answer_values, final_state_hash=replayed.final_state_hash)
    return ProbeTask(tool=tool, environments=trace.environments, gold=[gold], tools=offered)


def _add_taxonomy(total: dict[str, int], attempt: AgentAttempt) -> None:
    if not attempt.passed:
        kind = attempt.verdict.failure or "state_mismatch"
        total[kind] = total.get(kind, 0) + 1


_REFERENCE_SEED_OFFSET = 1_000_003


def _server_failed(attempt: AgentAttempt) -> bool:
    return "backend_error" in attempt.stop_reasons


class ProbeWorker:
    """Runs probe tasks: the target, then the reference agent, each verified by re-execution."""

    def __init__(self, target: Backend, reference: Backend, *, max_steps: int, seed: int,
                 timeout: float | None) -> None:
        self.target, self.reference = target, reference
        self.max_steps, self.seed, self.timeout = max_steps, seed, timeout

    async def run(self, unit: ProbeUnit) -> tuple[AgentAttempt, AgentAttempt]:
        index, task = unit
        results = []
        # Distinct request seeds per agent: one model configured as both would otherwise get
        # byte-identical requests, answered alike (and from one cache entry).
        for offset, backend in ((0, self.target), (_REFERENCE_SEED_OFFSET, self.reference)):
            results.append(await attempt_sample(
                backend, f"probe-{index}", task.environments, task.gold, task.tools,
                system_prompt=DEFAULT_SYSTEM_PROMPT, max_steps=self.max_steps, seed=self.seed + offset + index,
                timeout=self.timeout))
        return results[0], results[1]

    def report(self) -> dict[str, Any]:
        return {"backends": {role: b.stats.model_dump(mode="json")
                             for role, b in (("target", self.target), ("reference", self.reference))
                             if hasattr(b, "stats")}}

    def close(self) -> None:
        """Nothing to release: each attempt opens and closes its own session."""


@dataclass
class ProbeRecipe:
    """What a probe worker elsewhere builds its agents from: the run's config (its roles), the
    graph being probed and the response cache."""

    config: RunConfig
    graph_json: str
    cache: str | None
    max_steps: int
    seed: int
    timeout: float | None


def build_probe_worker(recipe: ProbeRecipe) -> ProbeWorker:
    roles = build_roles(recipe.config, ApiGraph.from_json(json.loads(recipe.graph_json)),
                        Path(recipe.cache) if recipe.cache else None)
    return ProbeWorker(roles.target, roles.reference, max_steps=recipe.max_steps, seed=recipe.seed,
                       timeout=recipe.timeout)


async def mine_failures(
    graph: ApiGraph,
    specs: Sequence[EnvironmentSpec],
    target: Backend,
    reference: Backend,
    *,
    tasks_per_tool: int = 2,
    threshold: float = 0.5,
    max_tools: int | None = None,
    max_steps: int = 8,
    seed: int = 0,
    concurrency: int = 8,
    timeout: float | None = 10.0,
    progress: Progress | None = None,
    executor: Executor | None = None,
    remote: ProbeRecipe | None = None,
    reports: list[dict[str, Any]] | None = None,
) -> FailureReport:
    """Probe every tool (or `max_tools` of them) and return the failure report; also records the
    joint failure statistics on the graph's nodes.

    The probe tasks run through `executor` (default: the local pool), `concurrency` at a time, with
    `target` and `reference`; an executor that runs them elsewhere builds its workers' agents from
    `remote`, and what those workers spent is appended to `reports`."""
    rng = random.Random(seed)
    tools = sorted(graph.tools)
    if max_tools is not None and max_tools < len(tools):
        tools = sorted(rng.sample(tools, max_tools))
    sampler = TraceSampler(graph, specs=specs, seed=seed, mode="legality",
                           config=SamplerConfig(min_length=1, max_length=4, continue_after_target=0.0, learn=True))
    report = FailureReport(threshold=threshold)
    tasks: list[ProbeTask] = []
    try:
        for tool in tools:
            made = 0
            for _ in range(tasks_per_tool):
                try:
                    trace = sampler.sample(mode="legality", target=tool)
                except SamplingError as exc:
                    report.unprobeable[tool] = str(exc)
                    break
                task = build_probe_task(trace, tool, graph, rng)
                if isinstance(task, str):
                    report.unprobeable.setdefault(tool, task)
                    continue
                tasks.append(task)
                made += 1
            if made:
                report.unprobeable.pop(tool, None)
    finally:
        sampler.close()

    worker = ProbeWorker(target, reference, max_steps=max_steps, seed=seed, timeout=timeout)
    job: Job[ProbeUnit, tuple[AgentAttempt, AgentAttempt]] = Job("probe", build_probe_worker, remote, worker)
    outcomes: list[tuple[ProbeTask, AgentAttempt, AgentAttempt]] = []
    async with (executor or LocalExecutor()).start(job, concurrency) as execution:
        try:
            async with contextlib.aclosing(execution.map(enumerate(tasks))) as results:
                async for by_target, by_reference in results:  # in task order
                    outcomes.append((tasks[len(outcomes)], by_target, by_reference))
                    if progress:
                        progress(1)
        finally:
            if reports is not None:
                reports.extend(await execution.reports())
    answered = [o for o in outcomes if not (_server_failed(o[1]) or _server_failed(o[2]))]
    report.server_errors = len(outcomes) - len(answered)
    outcomes = answered
    passed = {"target": 0, "reference": 0}
    for task, by_target, by_reference in outcomes:
        result = report.tools.setdefault(task.tool, ToolProbeResult())
        result.target.add(not by_target.passed, by_target.verdict.failure)
        result.reference.add(not by_reference.passed, by_reference.verdict.failure)
        both = not by_target.passed and not by_reference.passed
        result.joint.add(both, by_target.verdict.failure if both else None)
        _add_taxonomy(report.target_taxonomy, by_target)
        _add_taxonomy(report.reference_taxonomy, by_reference)
        passed["target"] += by_target.passed
        passed["reference"] += by_reference.passed
    report.tasks = len(outcomes)
    if outcomes:
        report.target_success_rate = passed["target"] / len(outcomes)
        report.reference_success_rate = passed["reference"] / len(outcomes)
    report.failure_set = sorted(t for t, r in report.tools.items()
                                if r.joint.attempts and r.joint.failure_rate >= threshold)
    graph.update_failures(report.graph_stats(), strict=False)
    return report
