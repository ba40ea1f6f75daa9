"""`compare_baselines`: HardGen's legality sampling beside plain random-walk and uniform-target
sampling at the same budget, evaluated the same way, so the hardness of HardGen's samples is always
shown next to what the simpler samplers give. The random-walk baseline is *plain*: its traces are
not filtered by length (`synthesis.min_calls = 1`), as random API sampling would give; the
uniform-target baseline keeps every HardGen step but draws targets uniformly instead of from the
failure set.

Each mode gets its own run directory `OUT/<mode>` with the same seed and sample count. Failure
mining runs once (in the first mode's run) and its report is handed to the others, so every mode
sees the same failure set and the same graph construction; only the sampler differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import Field

from hardgen.evaluate._evaluation import evaluate_samples
from hardgen.evaluate._samples import load_samples
from hardgen.llm import Backend
from hardgen.pipeline import (
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


async def compare_baselines(
    config: RunConfig,
    *,
    modes: Sequence[str] = BASELINE_MODES,
    agent: Backend | None = None,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
) -> BaselineComparison:
    """Generate `config.synthesis.samples` samples per sampling mode into `config.out/<mode>`,
    evaluate the target agent (`agent`, default the config's target role) on each, and return the
    table (also written to `config.out/baselines.json`)."""
    unknown = [m for m in modes if m not in BASELINE_MODES]
    if unknown or not modes:
        raise ValueError(f"unknown sampling mode(s) {unknown}; choose from {', '.join(BASELINE_MODES)}")
    progress = progress or SilentProgress()
    say = log or (lambda _m: None)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    backend = agent or build_backend(config.roles.target, seed=config.seed, cache=None)
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
        manifest = await generate(run_config, progress=progress, log=log, failures=failures)
        run = RunDirectory(run_config.out)
        if failures is None and run.failures.exists():
            failures = FailureReport.model_validate_json(run.failures.read_text(encoding="utf-8"))
        samples = load_samples(run.samples) if run.samples.exists() else []
        progress.start(f"eval {mode}", len(samples))
        evaluation = await evaluate_samples(backend, samples, concurrency=max(1, config.concurrency), seed=config.seed,
                                            timeout=config.tool_timeout_s, source=str(run.samples),
                                            progress=progress.advance)
        progress.finish()
        write_json_atomic(run.path / "eval.json", evaluation)
        table.rows.append(BaselineRow(
            mode=mode, label=MODE_LABELS[mode], run_dir=str(run.path), samples=manifest.samples,
            yield_rate=manifest.yield_rate, success_rate=evaluation.accuracy,
            turn_success_rate=evaluation.turn_accuracy, mean_calls=manifest.mean_calls,
            mean_implicit_dependencies=manifest.mean_implicit_dependencies,
            share_implicit_ge_1=manifest.share_implicit_ge_1, mean_agent_calls=evaluation.mean_agent_calls,
            eval_errors=evaluation.errors, seconds=round(sum(manifest.phase_seconds.values()) + evaluation.seconds, 2)))
        write_json_atomic(out / "baselines.json", table)
    return table
