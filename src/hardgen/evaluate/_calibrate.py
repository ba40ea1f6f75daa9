"""Difficulty calibration: keep only samples whose pass rate for the target agent lies in a band.

Each sample is attempted `attempts` times with different seeds (seed, seed + 1, ...); its pass rate
is passes / scored attempts (attempts cut short by a backend error are not scored). The default
band keeps samples the target fails at least once (pass rate below 1): with the other half of the
usual criterion, "the reasoner passes", already true of every stored sample, since a sample is only
written after the reasoner's calls passed verification. A model-free target is deterministic, so
its pass rates are 0 or 1; a model sampled at a temperature above 0 spreads over the band.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from pydantic import Field, model_validator

from hardgen.evaluate._evaluation import AgentRecipe, attempt_all
from hardgen.llm import Backend
from hardgen.pipeline import Executor
from hardgen.schema import Record, Sample
from hardgen.tools import DEFAULT_TIMEOUT_S


class CalibrationBand(Record):
    """Which pass rates to keep (bounds included). `max_pass_rate=None`: below 1, i.e. the target
    fails at least once."""

    min_pass_rate: float = 0.0
    max_pass_rate: float | None = None

    @model_validator(mode="after")
    def _check(self) -> CalibrationBand:
        high = 1.0 if self.max_pass_rate is None else self.max_pass_rate
        if not 0.0 <= self.min_pass_rate <= high <= 1.0:
            raise ValueError(f"pass-rate band must satisfy 0 <= min <= max <= 1, got "
                             f"[{self.min_pass_rate}, {self.max_pass_rate}]")
        return self

    def keeps(self, pass_rate: float) -> bool:
        if pass_rate < self.min_pass_rate:
            return False
        return pass_rate < 1.0 if self.max_pass_rate is None else pass_rate <= self.max_pass_rate

    def describe(self) -> str:
        high = "< 1 (fails at least once)" if self.max_pass_rate is None else f"<= {self.max_pass_rate:g}"
        return f"pass rate >= {self.min_pass_rate:g} and {high}"


class CalibratedSample(Record):
    sample_id: str
    attempts: int
    """Scored attempts."""
    passes: int
    pass_rate: float | None
    """None when no attempt could be scored."""
    kept: bool
    errors: list[str] = Field(default_factory=list)


class Calibration(Record):
    """The calibration report (calibration.json)."""

    attempts: int
    seed: int
    band: CalibrationBand
    samples: int = 0
    kept: int = 0
    distribution: dict[str, int] = Field(default_factory=dict)
    """Samples by number of passes out of `attempts` ("errors" for samples with no scored attempt)."""
    results: list[CalibratedSample] = Field(default_factory=list)


async def calibrate(
    backend: Backend,
    samples: Sequence[Sample],
    *,
    attempts: int = 4,
    band: CalibrationBand | None = None,
    seed: int = 0,
    concurrency: int = 8,
    max_steps: int = 12,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    remote: AgentRecipe | None = None,
) -> tuple[Calibration, list[Sample]]:
    """Attempt every sample `attempts` times (different seeds) and return the report and the kept
    samples, in their input order. The attempts are units of work through `executor` (default: the
    local pool; `remote`: the agent a worker elsewhere builds, as in `evaluate_samples`)."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    band = band or CalibrationBand()
    made = await attempt_all(backend, [(s, seed + k) for s in samples for k in range(attempts)],
                             concurrency=concurrency, max_steps=max_steps, timeout=timeout, executor=executor,
                             remote=remote, progress=progress)
    outcomes = [(result.passed, result.error) for result in made]
    report = Calibration(attempts=attempts, seed=seed, band=band, samples=len(samples))
    kept: list[Sample] = []
    histogram: Counter[str] = Counter()
    for i, sample in enumerate(samples):
        mine = outcomes[i * attempts:(i + 1) * attempts]
        scored = [passed for passed, error in mine if error is None]
        passes = sum(scored)
        rate = passes / len(scored) if scored else None
        keep = rate is not None and band.keeps(rate)
        histogram["errors" if rate is None else str(passes)] += 1
        report.results.append(CalibratedSample(sample_id=sample.id, attempts=len(scored), passes=passes,
                                               pass_rate=rate, kept=keep,
                                               errors=[e for _, e in mine if e is not None]))
        if keep:
            kept.append(sample)
    report.kept = len(kept)
    numeric = sorted((k for k in histogram if k != "errors"), key=int)
    report.distribution = {k: histogram[k] for k in numeric} | ({"errors": histogram["errors"]}
                                                               if histogram["errors"] else {})
    return report, kept
