"""Evaluation: any agent on samples, scored by re-execution; per-tool failures for the loop.

`evaluate_samples(backend, samples)` scores an agent per turn and per sample (accuracy overall, by
domain, chain length and implicit dependencies, and per tool); `merge_evaluation` folds its per-tool
failures back into the failure report and the graph's target weights; `run_loop` alternates generate
-> train hook -> evaluate -> update; `calibrate` keeps samples whose pass rate lies in a band;
`compare_baselines` sets HardGen's sampling beside random-walk and uniform-target sampling.
"""

from typing import TYPE_CHECKING, Any

from hardgen.evaluate._attempt import (
    AgentAttempt,
    ToolFailureStats,
    attempt,
    attempt_sample,
    system_prompt_of,
    tool_outcomes,
)
from hardgen.evaluate._calibrate import CalibratedSample, Calibration, CalibrationBand, calibrate
from hardgen.evaluate._evaluation import (
    DEFAULT_FAILING_THRESHOLD,
    AccuracyBucket,
    AgentRecipe,
    Evaluation,
    SampleResult,
    ToolOutcome,
    aggregate,
    attempt_all,
    evaluate_samples,
)
from hardgen.evaluate._feedback import (
    DEFAULT_EXPLORE,
    WEIGHT_SCALE,
    FailureUpdate,
    merge_evaluation,
    steering_stats,
    steering_weights,
    target_weights,
    weight_share,
)
from hardgen.evaluate._plot import write_evaluation_plot
from hardgen.evaluate._samples import load_samples, write_samples

if TYPE_CHECKING:
    from hardgen.evaluate._baselines import (
        BaselineComparison,
        BaselineRow,
        LadderComparison,
        LadderRow,
        SuccessCell,
        compare_baselines,
        compare_ladder,
        wilson_interval,
    )
    from hardgen.evaluate._loop import (
        LADDER_MIN_GAIN,
        LadderCandidate,
        LadderTraining,
        LoopReport,
        LoopRound,
        SteeredFailureReport,
        TrainHookResult,
        run_loop,
        run_train_hook,
        train_on_ladder,
    )

# These build on hardgen.pipeline, which imports this package: they load on first use.
_LAZY = {
    "BaselineComparison": "_baselines",
    "BaselineRow": "_baselines",
    "compare_baselines": "_baselines",
    "compare_ladder": "_baselines",
    "LadderComparison": "_baselines",
    "LadderRow": "_baselines",
    "SuccessCell": "_baselines",
    "wilson_interval": "_baselines",
    "LoopReport": "_loop",
    "LoopRound": "_loop",
    "SteeredFailureReport": "_loop",
    "TrainHookResult": "_loop",
    "run_loop": "_loop",
    "run_train_hook": "_loop",
    "train_on_ladder": "_loop",
    "LADDER_MIN_GAIN": "_loop",
    "LadderCandidate": "_loop",
    "LadderTraining": "_loop",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hardgen.evaluate' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"hardgen.evaluate.{module}"), name)


__all__ = [
    "DEFAULT_EXPLORE",
    "DEFAULT_FAILING_THRESHOLD",
    "LADDER_MIN_GAIN",
    "WEIGHT_SCALE",
    "AccuracyBucket",
    "AgentAttempt",
    "AgentRecipe",
    "BaselineComparison",
    "BaselineRow",
    "CalibratedSample",
    "Calibration",
    "CalibrationBand",
    "Evaluation",
    "FailureUpdate",
    "LadderCandidate",
    "LadderComparison",
    "LadderRow",
    "LadderTraining",
    "LoopReport",
    "LoopRound",
    "SampleResult",
    "SteeredFailureReport",
    "SuccessCell",
    "ToolFailureStats",
    "ToolOutcome",
    "TrainHookResult",
    "aggregate",
    "attempt",
    "attempt_all",
    "attempt_sample",
    "calibrate",
    "compare_baselines",
    "compare_ladder",
    "evaluate_samples",
    "load_samples",
    "merge_evaluation",
    "run_loop",
    "run_train_hook",
    "steering_stats",
    "steering_weights",
    "system_prompt_of",
    "target_weights",
    "tool_outcomes",
    "train_on_ladder",
    "weight_share",
    "wilson_interval",
    "write_evaluation_plot",
    "write_samples",
]
