"""`evaluate_samples`: any agent on a set of samples, scored per turn and per sample by re-execution.

For people comparing agents and for the closed loop: the result holds overall accuracy, accuracy by
domain, by gold chain length and by number of implicit dependencies, and per-tool failure
statistics (attempts, failures, the verifier's failure taxonomy), plus one record per sample.

A sample whose attempt could not be made (the backend raised, timed out, or the environment could
not be rebuilt) is recorded with its `error` and left out of every accuracy and per-tool figure:
it says nothing about the agent. It never stops the evaluation.

The attempts are units of work like probe tasks and synthesis units: they go through the pipeline's
executor (`attempt_all`), the local sliding pool by default or Ray (`hardgen.pipeline.RayExecutor`),
and come back in sample order either way, so an evaluation reads the same on any executor. A worker
elsewhere builds its own agent from an `AgentRecipe` (a backend object does not travel).
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from hardgen.evaluate._attempt import AgentAttempt, ToolFailureStats, attempt
from hardgen.llm import Backend
from hardgen.pipeline import BackendConfig, Executor, Job, LocalExecutor, build_backend
from hardgen.schema import FAMILIES, Record, Sample
from hardgen.tools import DEFAULT_TIMEOUT_S
from hardgen.verify import FailureKind

DEFAULT_FAILING_THRESHOLD = 0.5
"""A tool counts as failing in an evaluation when at least this share of its attempts failed."""


class ToolOutcome(Record):
    """One gold tool of one turn: did the agent get it right?"""

    tool: str
    turn: int = 0
    failed: bool
    kind: FailureKind | None = None


class SampleResult(Record):
    """How the agent did on one sample."""

    sample_id: str
    passed: bool = False
    turns: int = 0
    turns_passed: int = 0
    failure: FailureKind | None = None
    """The first failing turn's failure kind."""
    failed_tools: list[str] = Field(default_factory=list)
    outcomes: list[ToolOutcome] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    chain_length: int = 0
    """Gold calls over all turns."""
    implicit_dependencies: int = 0
    target_tools: list[str] = Field(default_factory=list)
    """The tools the sample was built around (from its metadata)."""
    family: str = "base"
    """The sample's family (from its metadata)."""
    agent_calls: int = 0
    """Tool calls the agent made."""
    reasons: list[str] = Field(default_factory=list)
    error: str | None = None
    """Why no attempt could be scored (backend or environment failure); None when scored."""
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def scored(self) -> bool:
        return self.error is None


class AccuracyBucket(Record):
    """Accuracy of the scored samples (and their turns) in one group."""

    samples: int = 0
    passed: int = 0
    accuracy: float = 0.0
    turns: int = 0
    turns_passed: int = 0
    turn_accuracy: float = 0.0

    def add(self, result: SampleResult) -> None:
        self.samples += 1
        self.passed += result.passed
        self.turns += result.turns
        self.turns_passed += result.turns_passed
        self.accuracy = self.passed / self.samples
        self.turn_accuracy = self.turns_passed / self.turns if self.turns else 0.0


class Evaluation(Record):
    """An agent's results on a set of samples (written as eval.json)."""

    source: str | None = None
    """Where the samples came from."""
    agent: str = ""
    """The backend's name (`model-free`, `openai-compatible`, ...)."""
    model: str | None = None
    seed: int = 0
    max_steps: int = 12
    samples: int = 0
    scored: int = 0
    """Samples with an attempt to score (samples minus errors)."""
    errors: int = 0
    passed: int = 0
    accuracy: float = 0.0
    """Passed / scored."""
    turns: int = 0
    turns_passed: int = 0
    turn_accuracy: float = 0.0
    mean_agent_calls: float = 0.0
    mean_gold_calls: float = 0.0
    mean_implicit_dependencies: float = 0.0
    taxonomy: dict[str, int] = Field(default_factory=dict)
    """Failed samples by the kind of their first failure."""
    by_domain: dict[str, AccuracyBucket] = Field(default_factory=dict)
    """A sample spanning several domains counts in each of them."""
    by_chain_length: dict[str, AccuracyBucket] = Field(default_factory=dict)
    by_implicit_dependencies: dict[str, AccuracyBucket] = Field(default_factory=dict)
    by_family: dict[str, AccuracyBucket] = Field(default_factory=dict)
    """Accuracy per sample family (base, parallel, missing_parameter, ...), in the order of `FAMILIES`."""
    tools: dict[str, ToolFailureStats] = Field(default_factory=dict)
    """Per gold tool (once per turn that needs it): attempts, failures, failure kinds; most failures first."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    results: list[SampleResult] = Field(default_factory=list)

    def failing_tools(self, threshold: float = DEFAULT_FAILING_THRESHOLD) -> list[str]:
        """Tools whose failure rate in this evaluation is at least `threshold`, worst first."""
        found = [(t, s) for t, s in self.tools.items() if s.attempts and s.failures and s.failure_rate >= threshold]
        return [t for t, _ in sorted(found, key=lambda x: (-x[1].failure_rate, -x[1].failures, x[0]))]


def sample_result(sample: Sample, made: AgentAttempt | None, error: str | None = None) -> SampleResult:
    """Score one attempt (or record why there is none) with the sample's metadata alongside."""
    meta = sample.metadata
    result = SampleResult(sample_id=sample.id, turns=len(sample.gold), domains=list(meta.domains),
                          chain_length=meta.chain_length or sum(len(t.steps) for t in sample.gold),
                          implicit_dependencies=meta.implicit_dependencies, target_tools=list(meta.target_tools),
                          family=meta.family)
    if made is None:
        result.error = error or "no attempt was made"
        return result
    result.agent_calls = len(made.steps)
    result.prompt_tokens, result.completion_tokens = made.prompt_tokens, made.completion_tokens
    if "backend_error" in made.stop_reasons:
        # The episode was cut short by the backend, not decided by the agent: not scored.
        result.error = "; ".join(made.errors) or "backend error"
        return result
    verdict = made.verdict
    result.passed = verdict.passed
    result.turns_passed = sum(t.passed for t in verdict.turns)
    result.failure = verdict.failure
    result.failed_tools = verdict.failed_tools
    result.reasons = list(verdict.reasons)
    # One outcome per distinct gold tool of each turn (as `tool_outcomes`), with the turn kept.
    for index, (gold_turn, turn_verdict) in enumerate(zip(sample.gold, verdict.turns, strict=False)):
        failed = set(turn_verdict.failed_tools)
        for tool in dict.fromkeys(s.call.name for s in gold_turn.steps):
            result.outcomes.append(ToolOutcome(tool=tool, turn=index, failed=tool in failed,
                                               kind=turn_verdict.failure if tool in failed else None))
    return result


def _number_key(key: str) -> tuple[int, str]:
    return (int(key), key) if key.lstrip("-").isdigit() else (1 << 30, key)


def aggregate(results: Sequence[SampleResult], **fields: object) -> Evaluation:
    """The evaluation figures of a list of sample results (`fields` fill source, agent, ...)."""
    evaluation = Evaluation.model_validate(fields)
    evaluation.results = list(results)
    evaluation.samples = len(results)
    scored = [r for r in results if r.scored]
    evaluation.scored = len(scored)
    evaluation.errors = len(results) - len(scored)
    by_domain: dict[str, AccuracyBucket] = {}
    by_length: dict[str, AccuracyBucket] = {}
    by_implicit: dict[str, AccuracyBucket] = {}
    by_family: dict[str, AccuracyBucket] = {}
    tools: dict[str, ToolFailureStats] = {}
    taxonomy: Counter[str] = Counter()
    for r in scored:
        for domain in r.domains or ["(none)"]:
            by_domain.setdefault(domain, AccuracyBucket()).add(r)
        by_length.setdefault(str(r.chain_length), AccuracyBucket()).add(r)
        by_implicit.setdefault(str(r.implicit_dependencies), AccuracyBucket()).add(r)
        by_family.setdefault(r.family, AccuracyBucket()).add(r)
        for o in r.outcomes:
            tools.setdefault(o.tool, ToolFailureStats()).add(o.failed, o.kind)
        if not r.passed:
            taxonomy[r.failure or "state_mismatch"] += 1
    n = len(scored)
    evaluation.passed = sum(r.passed for r in scored)
    evaluation.accuracy = evaluation.passed / n if n else 0.0
    evaluation.turns = sum(r.turns for r in scored)
    evaluation.turns_passed = sum(r.turns_passed for r in scored)
    evaluation.turn_accuracy = evaluation.turns_passed / evaluation.turns if evaluation.turns else 0.0
    evaluation.mean_agent_calls = sum(r.agent_calls for r in scored) / n if n else 0.0
    evaluation.mean_gold_calls = sum(r.chain_length for r in scored) / n if n else 0.0
    evaluation.mean_implicit_dependencies = sum(r.implicit_dependencies for r in scored) / n if n else 0.0
    evaluation.taxonomy = dict(taxonomy.most_common())
    evaluation.by_domain = dict(sorted(by_domain.items()))
    evaluation.by_chain_length = dict(sorted(by_length.items(), key=lambda kv: _number_key(kv[0])))
    evaluation.by_implicit_dependencies = dict(sorted(by_implicit.items(), key=lambda kv: _number_key(kv[0])))
    order: dict[str, int] = {f: i for i, f in enumerate(FAMILIES)}
    evaluation.by_family = dict(sorted(by_family.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
    evaluation.tools = dict(sorted(tools.items(), key=lambda kv: (-kv[1].failures, -kv[1].attempts, kv[0])))
    evaluation.prompt_tokens = sum(r.prompt_tokens for r in results)
    evaluation.completion_tokens = sum(r.completion_tokens for r in results)
    return evaluation


async def attempt_safely(backend: Backend, sample: Sample, *, max_steps: int, seed: int | None,
                         timeout: float | None) -> SampleResult:
    """`attempt` + scoring; any exception becomes the sample's recorded error."""
    try:
        made = await attempt(backend, sample, max_steps=max_steps, seed=seed, timeout=timeout)
    except Exception as exc:  # one broken sample or backend hiccup must not end the evaluation
        return sample_result(sample, None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    return sample_result(sample, made)


EvaluationUnit = tuple[Sample, int]
"""A sample and the seed of the agent's requests on it (calibration attempts a sample with several)."""


class EvaluationWorker:
    """Attempts samples with one agent and scores them (`attempt_safely`)."""

    def __init__(self, backend: Backend, *, max_steps: int, timeout: float | None) -> None:
        self.backend, self.max_steps, self.timeout = backend, max_steps, timeout

    async def run(self, unit: EvaluationUnit) -> SampleResult:
        sample, seed = unit
        return await attempt_safely(self.backend, sample, max_steps=self.max_steps, seed=seed, timeout=self.timeout)

    def report(self) -> dict[str, Any]:
        stats = getattr(self.backend, "stats", None)
        return {"backends": {"agent": stats.model_dump(mode="json")}} if stats is not None else {}

    def close(self) -> None:
        """Nothing to release: each attempt opens and closes its own session."""


@dataclass(frozen=True)
class AgentRecipe:
    """An agent as a worker elsewhere builds it for itself: its backend config (a rung of the
    model-free ladder, or a server and model) and its seed, which must be those of the agent
    evaluated here for the results to match."""

    config: BackendConfig
    seed: int = 0

    def build(self) -> Backend:
        return build_backend(self.config, seed=self.seed, cache=None)


@dataclass(frozen=True)
class EvaluationRecipe:
    agent: AgentRecipe
    max_steps: int
    timeout: float | None


def build_evaluation_worker(recipe: EvaluationRecipe) -> EvaluationWorker:
    return EvaluationWorker(recipe.agent.build(), max_steps=recipe.max_steps, timeout=recipe.timeout)


async def attempt_all(
    backend: Backend,
    units: Iterable[EvaluationUnit],
    *,
    concurrency: int,
    max_steps: int,
    timeout: float | None,
    executor: Executor | None = None,
    remote: AgentRecipe | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[SampleResult]:
    """The scored attempts of `backend` at `units`, in their order, `concurrency` in flight through
    `executor` (default: the local pool). An executor that runs them elsewhere builds each worker's
    agent from `remote` (without one, such an executor refuses the job)."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    recipe = EvaluationRecipe(remote, max_steps, timeout) if remote is not None else None
    job: Job[EvaluationUnit, SampleResult] = Job("evaluation", build_evaluation_worker, recipe,
                                                 EvaluationWorker(backend, max_steps=max_steps, timeout=timeout))
    results: list[SampleResult] = []
    async with (executor or LocalExecutor()).start(job, concurrency) as execution, \
            contextlib.aclosing(execution.map(units)) as attempts:
        async for result in attempts:  # in unit order
            results.append(result)
            if progress:
                progress(1)
    return results


async def evaluate_samples(
    backend: Backend,
    samples: Sequence[Sample],
    *,
    concurrency: int = 8,
    max_steps: int = 12,
    seed: int = 0,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    source: str | None = None,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    remote: AgentRecipe | None = None,
) -> Evaluation:
    """Run `backend` on every sample (`concurrency` at a time, through `executor`: `attempt_all`)
    and aggregate the verdicts.

    Results keep the order of `samples` whatever order the attempts finish in, on any executor.
    """
    clock = time.perf_counter()
    results = await attempt_all(backend, [(s, seed) for s in samples], concurrency=concurrency, max_steps=max_steps,
                                timeout=timeout, executor=executor, remote=remote, progress=progress)
    evaluation = aggregate(results, source=source, agent=getattr(backend, "name", type(backend).__name__),
                           model=getattr(backend, "model", None), seed=seed, max_steps=max_steps)
    evaluation.seconds = round(time.perf_counter() - clock, 3)
    return evaluation
