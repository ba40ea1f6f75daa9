"""The closed loop's update: an evaluation's per-tool failures flow back into the failure set and the
graph's node weights (our reading of the paper's "closed-loop evaluation feedback", PAPER.md).

Two things change, for two readers:

- **The failure report** (failures.json) stays the record of evidence, in true counts. Each tool's
  outcomes in an evaluation of the target agent are added to its `target` counts (the agent's own
  record) and its `joint` counts, which decide membership (`joint` failure rate at or above the
  threshold). On the hard samples the failures of the agent under study alone are evidence; the
  reference agent only served to filter noise out of the cheap probe tasks. Counts accumulate over
  rounds: a tool that fails inside chains joins the set (a lookup that passes alone but is skipped
  inside a chain), and a tool the agent now gets right sinks below the threshold and leaves.
- **The target weights** the legality sampler draws from are steered by recency: a tool the latest
  evaluation found failing weighs its failure rate there; every other member of the failure set
  keeps `explore` times its (cumulative) failure rate, so the loop concentrates on what the agent
  fails *now* and still explores the rest. Rates alone cannot do this: after probing, most members
  sit at rate 1.0, and evaluation evidence would leave them all equal. The graph holds the weights
  as failures per `WEIGHT_SCALE` attempts (`ApiGraph.target_weight` is a failure rate).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import Field

from hardgen.evaluate._attempt import ToolFailureStats
from hardgen.evaluate._evaluation import Evaluation
from hardgen.schema import Record

if TYPE_CHECKING:  # hardgen.pipeline imports hardgen.evaluate; import it lazily at run time
    from hardgen.graph import ApiGraph
    from hardgen.pipeline import FailureReport

DEFAULT_EXPLORE = 0.25
"""Share of its weight a failure-set tool keeps when the latest evaluation did not find it failing."""
WEIGHT_SCALE = 1000
"""Steered weights are recorded on the graph as failures per this many attempts."""


class FailureUpdate(Record):
    """What one evaluation changed in the failure set and the sampling weights."""

    evaluated_tools: int = 0
    failing_tools: list[str] = Field(default_factory=list)
    """Tools the evaluation found failing (failure rate at or above the threshold), worst first."""
    added: list[str] = Field(default_factory=list)
    """Tools that joined the failure set."""
    removed: list[str] = Field(default_factory=list)
    """Tools that left it (the agent now gets them right often enough)."""
    failure_set_before: int = 0
    failure_set_after: int = 0
    weight_share_before: float = 0.0
    """Share of the total target weight on `failing_tools` before the update."""
    weight_share_after: float = 0.0
    weights: dict[str, float] = Field(default_factory=dict)
    """Target weight of each failure-set tool after the update, highest first."""


def _add(into: ToolFailureStats, new: ToolFailureStats) -> None:
    into.attempts += new.attempts
    into.failures += new.failures
    for kind, n in new.taxonomy.items():
        into.taxonomy[kind] = into.taxonomy.get(kind, 0) + n


def target_weights(stats: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Target weight per tool from graph statistics (`FailureReport.graph_stats()` shape): what
    `ApiGraph.target_weight` gives for them."""
    out = {}
    for tool, s in stats.items():
        failures, attempts = s.get("failures", 0), s.get("attempts", 0)
        out[tool] = failures / attempts if attempts else (1.0 if failures else 0.0)
    return out


def weight_share(weights: Mapping[str, float], tools: Iterable[str]) -> float:
    """Share of the total weight on `tools` (0 when there is no weight at all)."""
    total = sum(weights.values())
    chosen = set(tools)
    return sum(w for t, w in weights.items() if t in chosen) / total if total else 0.0


def steering_weights(report: FailureReport, evaluation: Evaluation, *, explore: float = DEFAULT_EXPLORE,
                     threshold: float | None = None) -> dict[str, float]:
    """Target weight per tool of `report`'s failure set, steered by `evaluation` (module docstring)."""
    if not 0.0 <= explore <= 1.0:
        raise ValueError(f"explore must be in [0, 1], got {explore}")
    failing = set(evaluation.failing_tools(report.threshold if threshold is None else threshold))
    weights = {}
    for tool in report.failure_set:
        if tool in failing:
            weights[tool] = evaluation.tools[tool].failure_rate
        else:
            joint = report.tools[tool].joint if tool in report.tools else None
            weights[tool] = explore * (joint.failure_rate if joint is not None and joint.attempts else 1.0)
    return weights


def steering_stats(report: FailureReport, weights: Mapping[str, float]) -> dict[str, dict[str, Any]]:
    """Graph statistics (for `ApiGraph.update_failures`) whose failure rates are `weights`: every tool
    of the report gets an entry, tools without weight none (they are not drawn as targets)."""
    stats: dict[str, dict[str, Any]] = {}
    for tool in set(report.tools) | set(weights):
        weight = weights.get(tool, 0.0)
        taxonomy = report.tools[tool].target.taxonomy if tool in report.tools and weight > 0 else {}
        stats[tool] = {"attempts": WEIGHT_SCALE, "failures": round(WEIGHT_SCALE * weight), "taxonomy": dict(taxonomy)}
    return stats


def merge_evaluation(
    report: FailureReport | None,
    evaluation: Evaluation,
    *,
    graph: ApiGraph | None = None,
    threshold: float | None = None,
    explore: float = DEFAULT_EXPLORE,
) -> tuple[FailureReport, FailureUpdate]:
    """Fold `evaluation`'s per-tool outcomes into a copy of `report`, recompute the failure set and
    steer the target weights (module docstring); `report` itself is not changed.

    `threshold` defaults to the report's own. When `graph` is given, the steered weights are recorded
    on its nodes (`ApiGraph.update_failures`; tools outside the graph are skipped), which moves what
    the legality sampler draws. The weights are in the returned update (`weights`).
    """
    from hardgen.pipeline import FailureReport, ToolProbeResult

    merged = report.model_copy(deep=True) if report is not None else FailureReport()
    if threshold is not None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        merged.threshold = threshold
    before = list(merged.failure_set)
    if graph is not None:
        weights_before = {t: graph.target_weight(t) for t in graph.failure_tools()}
    else:
        weights_before = target_weights(merged.graph_stats())
    for tool, stats in evaluation.tools.items():
        entry = merged.tools.setdefault(tool, ToolProbeResult())
        _add(entry.target, stats)
        _add(entry.joint, stats)
        for kind, n in stats.taxonomy.items():
            merged.target_taxonomy[kind] = merged.target_taxonomy.get(kind, 0) + n
    merged.failure_set = sorted(t for t, r in merged.tools.items()
                                if r.joint.attempts and r.joint.failures and r.joint.failure_rate >= merged.threshold)
    weights = steering_weights(merged, evaluation, explore=explore)
    if graph is not None:
        graph.update_failures(steering_stats(merged, weights), strict=False)
    failing = evaluation.failing_tools(merged.threshold)
    members = set(merged.failure_set)
    update = FailureUpdate(
        evaluated_tools=len(evaluation.tools),
        failing_tools=failing,
        added=sorted(members - set(before)),
        removed=sorted(set(before) - members),
        failure_set_before=len(before),
        failure_set_after=len(members),
        weight_share_before=round(weight_share(weights_before, failing), 4),
        weight_share_after=round(weight_share(weights, failing), 4),
        weights={t: round(w, 4) for t, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))},
    )
    return merged, update
