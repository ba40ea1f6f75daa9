"""`compare_baselines`: HardGen's legality sampling beside plain random-walk and uniform-target
sampling at the same budget, evaluated the same way, so the hardness of HardGen's samples is always
shown next to what the simpler samplers give. The random-walk baseline is *plain*: its traces are
not filtered by length (`synthesis.min_calls = 1`), as random API sampling would give; the
uniform-target baseline keeps every HardGen step but draws targets uniformly instead of from the
failure set.

Each mode gets its own run directory `OUT/<mode>` with the same seed and sample count, made by the
pipeline's stages (`generate`) and scored by the evaluation stage (`eval.json` beside the samples),
units of both through one executor. Failure mining runs once (in the first mode's run) and its
report is handed to the others, so every mode sees the same failure set and the same graph
construction; only the sampler differs.

`compare_ladder` does this for every rung of the model-free agent ladder (`hardgen.agents.LADDER`).
HardGen's samples depend on the target (they are built around its failures), so each rung gets its
own legality run `OUT/legality-<rung>`, mined with that rung as the target (the reference agent as
configured). Uniform-target and random-walk samples do not depend on the target (neither draws
targets from the failure set), so they are generated once, with the config's roles, and every rung
is evaluated on the very same ones. Success rates carry 95% Wilson intervals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import Field

from hardgen.evaluate._evaluation import AgentRecipe, Evaluation
from hardgen.evaluate._stage import evaluate_run
from hardgen.llm import Backend
from hardgen.pipeline import (
    BackendConfig,
    Executor,
    FailureReport,
    Progress,
    RunConfig,
    RunDirectory,
    SilentProgress,
    build_backend,
    generate,
    write_json_atomic,
)
from hardgen.schema import Record

BASELINE_MODES: tuple[str, ...] = ("legality", "random_walk", "uniform")
MODE_LABELS = {"legality": "HardGen (legality, failure targets)", "random_walk": "random walk",
               "uniform": "uniform target"}


class BaselineRow(Record):
    """One sampling mode's samples and how the target agent did on them."""

    mode: str
    label: str
    run_dir: str
    samples: int = 0
    yield_rate: float = 0.0
    success_rate: float = 0.0
    """Target-agent pass rate (lower: harder samples)."""
    success_low: float = 0.0
    success_high: float = 0.0
    """95% Wilson interval of `success_rate`."""
    turn_success_rate: float = 0.0
    mean_calls: float = 0.0
    """Gold calls per sample."""
    mean_implicit_dependencies: float = 0.0
    share_implicit_ge_1: float = 0.0
    mean_agent_calls: float = 0.0
    eval_errors: int = 0
    seconds: float = 0.0


class BaselineComparison(Record):
    """The comparison table (baselines.json)."""

    out: str
    seed: int
    samples_asked: int
    agent: str | None = None
    rows: list[BaselineRow] = Field(default_factory=list)



def _check_modes(modes: Sequence[str]) -> None:
    unknown = [m for m in modes if m not in BASELINE_MODES]
    if unknown or not modes:
        raise ValueError(f"unknown sampling mode(s) {unknown}; choose from {', '.join(BASELINE_MODES)}")

def wilson_interval(passed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a pass rate `passed / n` (95% for the default z); (0, 1) for n = 0."""
    if n <= 0:
        return 0.0, 1.0
    p = passed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


async def compare_baselines(
    config: RunConfig,
    *,
    modes: Sequence[str] = BASELINE_MODES,
    agent: Backend | None = None,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
    executor: Executor | None = None,
) -> BaselineComparison:
    """Generate `config.synthesis.samples` samples per sampling mode into `config.out/<mode>`,
    evaluate the target agent (`agent`, default the config's target role) on each, and return the
    table (also written to `config.out/baselines.json`). `executor` runs the units of both (default:
    the local pool; an agent given as an object cannot be evaluated elsewhere)."""
    _check_modes(modes)
    progress = progress or SilentProgress()
    say = log or (lambda _m: None)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    backend = agent or build_backend(config.roles.target, seed=config.seed, cache=None)
    remote = None if agent is not None else AgentRecipe(config.roles.target, config.seed)
    table = BaselineComparison(out=str(out), seed=config.seed, samples_asked=config.synthesis.samples,
                               agent=getattr(backend, "model", None) or getattr(backend, "name", None))
    failures: FailureReport | None = None
    for mode in dict.fromkeys(modes):
        run_config = config.model_copy(update={"out": str(out / mode)}, deep=True)
        run_config.sampling.mode = mode  # type: ignore[assignment]
        if mode == "random_walk":
            # "Plain" random-walk data: none of HardGen's filters either, so single calls stay in.
            run_config.synthesis.min_calls = 1
        say(f"{mode}: generating into {run_config.out}")
        manifest = await generate(run_config, progress=progress, log=log, failures=failures, executor=executor)
        run = RunDirectory(run_config.out)
        if failures is None and run.failures.exists():
            failures = FailureReport.model_validate_json(run.failures.read_text(encoding="utf-8"))
        evaluation = await evaluate_run(run, backend, config, seed=config.seed, remote=remote, executor=executor,
                                        progress=progress, label=f"eval {mode}")
        table.rows.append(BaselineRow(
            mode=mode, label=MODE_LABELS[mode], run_dir=str(run.path), samples=manifest.samples,
            yield_rate=manifest.yield_rate, success_rate=evaluation.accuracy,
            success_low=wilson_interval(evaluation.passed, evaluation.scored)[0],
            success_high=wilson_interval(evaluation.passed, evaluation.scored)[1],
            turn_success_rate=evaluation.turn_accuracy, mean_calls=manifest.mean_calls,
            mean_implicit_dependencies=manifest.mean_implicit_dependencies,
            share_implicit_ge_1=manifest.share_implicit_ge_1, mean_agent_calls=evaluation.mean_agent_calls,
            eval_errors=evaluation.errors, seconds=round(sum(manifest.phase_seconds.values()) + evaluation.seconds, 2)))
        write_json_atomic(out / "baselines.json", table)
    return table


class SuccessCell(Record):
    """One agent on one set of samples: pass rate with its 95% Wilson interval."""

    samples: int = 0
    """Scored samples."""
    passed: int = 0
    success_rate: float = 0.0
    low: float = 0.0
    high: float = 1.0
    failures: dict[str, int] = Field(default_factory=dict)
    """Failed samples by the verifier's failure kind."""

    @classmethod
    def of(cls, evaluation: Evaluation) -> SuccessCell:
        low, high = wilson_interval(evaluation.passed, evaluation.scored)
        return cls(samples=evaluation.scored, passed=evaluation.passed, success_rate=round(evaluation.accuracy, 4),
                   low=low, high=high, failures=dict(evaluation.taxonomy))


class LadderRow(Record):
    """One rung: its success on its own HardGen samples and on the shared baseline samples."""

    agent: str
    level: int
    stochastic: bool = False
    cells: dict[str, SuccessCell] = Field(default_factory=dict)
    """By sampling mode."""
    failure_set: int | None = None
    """Size of the failure set the rung's HardGen samples were drawn from."""
    legality_run: str | None = None


class LadderComparison(Record):
    """Every rung on HardGen, uniform-target and random-walk samples (ladder.json)."""

    out: str
    seed: int
    samples_asked: int
    modes: list[str] = Field(default_factory=list)
    sets: dict[str, str] = Field(default_factory=dict)
    """Run directory of each shared baseline set, by mode."""
    rows: list[LadderRow] = Field(default_factory=list)


async def compare_ladder(
    config: RunConfig,
    agents: Sequence[str] | None = None,
    *,
    modes: Sequence[str] = BASELINE_MODES,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
    executor: Executor | None = None,
) -> LadderComparison:
    """Each rung of `agents` (default: the whole ladder) on its own HardGen samples and on shared
    uniform-target and random-walk samples, `config.synthesis.samples` each (module docstring); the
    table is also written to `config.out/ladder.json` after every rung. `executor` runs the units
    of every run and evaluation (default: the local pool)."""
    from hardgen.agents import AGENT_NAMES, build_agent, rung

    names = list(dict.fromkeys(agents or AGENT_NAMES))
    for name in names:
        rung(name)  # unknown names fail before anything runs
    _check_modes(modes)
    progress = progress or SilentProgress()
    say = log or (lambda _m: None)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    table = LadderComparison(out=str(out), seed=config.seed, samples_asked=config.synthesis.samples,
                             modes=list(dict.fromkeys(modes)))
    shared: dict[str, RunDirectory] = {}
    for mode in table.modes:
        if mode == "legality":
            continue
        run_config = config.model_copy(update={"out": str(out / mode)}, deep=True)
        run_config.sampling.mode = mode  # type: ignore[assignment]
        if mode == "random_walk":
            run_config.synthesis.min_calls = 1  # plain random-walk data, as in compare_baselines
        say(f"{mode}: generating the shared baseline set into {run_config.out}")
        await generate(run_config, progress=progress, log=log, executor=executor)
        shared[mode] = RunDirectory(run_config.out)
        table.sets[mode] = str(shared[mode].path)
    for name in names:
        level = rung(name)
        row = LadderRow(agent=name, level=level.level, stochastic=level.stochastic)
        backend = build_agent(name, config.seed)
        remote = AgentRecipe(BackendConfig(kind="model-free", agent=name), config.seed)
        for mode in table.modes:
            if mode == "legality":
                run_config = config.model_copy(update={"out": str(out / f"legality-{name}")}, deep=True)
                run_config.sampling.mode = "legality"
                run_config.roles.target.kind = "model-free"
                run_config.roles.target.agent = name
                say(f"{name}: generating HardGen samples mined against it into {run_config.out}")
                await generate(run_config, progress=progress, log=log, executor=executor)
                run = RunDirectory(run_config.out)
                row.legality_run = str(run.path)
                if run.failures.exists():
                    row.failure_set = len(FailureReport.model_validate_json(
                        run.failures.read_text(encoding="utf-8")).failure_set)
            else:
                run = shared[mode]
            evaluation = await evaluate_run(run, backend, config, seed=config.seed, remote=remote, executor=executor,
                                            progress=progress, file=f"eval-{name}.json", label=f"eval {name} on {mode}")
            row.cells[mode] = SuccessCell.of(evaluation)
        table.rows.append(row)
        write_json_atomic(out / "ladder.json", table)
        say(f"{name}: " + ", ".join(f"{m} {c.success_rate:.0%}" for m, c in row.cells.items()))
    return table
