"""Evaluation: any agent on samples, scored by re-execution; per-tool failures for the loop.

`evaluate_samples(backend, samples)` scores an agent per turn and per sample (accuracy overall, by
domain, chain length and implicit dependencies, and per tool); `merge_evaluation` folds its per-tool
failures back into the failure report and the graph's target weights; `run_loop` alternates generate
-> train hook -> evaluate -> update; `calibrate` keeps samples whose pass rate lies in a band;
`compare_baselines` sets HardGen's sampling beside random-walk and uniform-target sampling.
"""

from hardgen.evaluate._attempt import (
    AgentAttempt,
    ToolFailureStats,
    attempt,
    attempt_sample,
    system_prompt_of,
    tool_outcomes,
)
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
from hardgen.evaluate._plot import write_evaluation_plot
from hardgen.evaluate._samples import load_samples, write_samples

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
