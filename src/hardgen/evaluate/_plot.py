"""One PNG summarising an evaluation: accuracy by domain, chain length and implicit dependencies,
and the tools the agent fails most. matplotlib is imported lazily (extra `plot`); figures are built
with `matplotlib.figure.Figure`, so no GUI backend or global pyplot state is involved.

An agent that scores 0% must not look like an empty chart: each bucket is drawn as a pale bar of
all its samples with the passed share over it and labelled "passed/samples", so a bucket at 0%
still shows, and a panel with no buckets at all says "no data".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hardgen.errors import require
from hardgen.evaluate._evaluation import AccuracyBucket, Evaluation

_TOP_TOOLS = 15
_TOP_BUCKETS = 15
"""Domains shown (chain lengths and dependency counts are few); the title says how many were left out."""
_PASS = "#4c72b0"
_ALL = "#dde3ec"
_FAIL = "#c44e52"


def _no_data(ax: Any, title: str, message: str = "no data") -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#666666", transform=ax.transAxes)
    ax.set_title(title)


def _ordered(buckets: dict[str, AccuracyBucket]) -> list[tuple[str, AccuracyBucket]]:
    """Numeric buckets (chain lengths) in numeric order, named ones (domains) largest first."""
    items = list(buckets.items())
    if all(k.isdigit() for k, _ in items):
        return sorted(items, key=lambda kv: int(kv[0]))
    return sorted(items, key=lambda kv: (-kv[1].samples, kv[0]))


def _accuracy_bars(ax: Any, title: str, xlabel: str, buckets: dict[str, AccuracyBucket]) -> None:
    items = _ordered(buckets)
    if not items:
        _no_data(ax, title)
        return
    shown = items[:_TOP_BUCKETS]
    if len(items) > len(shown):
        title += f" (top {len(shown)} of {len(items)} by samples)"
    xs = range(len(shown))
    ax.bar(xs, [100.0] * len(shown), color=_ALL, width=0.75, label="all samples")
    ax.bar(xs, [100 * b.accuracy for _, b in shown], color=_PASS, width=0.75, label="passed")
    for i, (_, b) in enumerate(shown):
        ax.text(i, 101, f"{b.passed}/{b.samples}", ha="center", va="bottom", fontsize=8)
    labels = [k for k, _ in shown]
    crowded = len(labels) > 6
    ax.set_xticks(list(xs), labels, rotation=40 if crowded else 0, ha="right" if crowded else "center", fontsize=8)
    ax.set_ylim(0, 112)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("samples passed (%)")


def _tool_bars(ax: Any, evaluation: Evaluation) -> None:
    title = "tools failed most"
    failed = [(t, s) for t, s in evaluation.tools.items() if s.attempts]
    failed.sort(key=lambda kv: (-kv[1].failures, -kv[1].attempts, kv[0]))
    shown = failed[:_TOP_TOOLS]
    if not shown:
        _no_data(ax, title, "no data: no turn needed a tool")
        return
    names = [t for t, _ in shown][::-1]
    stats = [s for _, s in shown][::-1]
    ys = range(len(names))
    ax.barh(ys, [s.attempts for s in stats], color=_ALL, label="turns needing the tool")
    ax.barh(ys, [s.failures for s in stats], color=_FAIL, label="of those, failed")
    for y, s in zip(ys, stats, strict=True):
        ax.text(s.attempts, y, f" {s.failures}/{s.attempts}", va="center", fontsize=7)
    ax.set_yticks(list(ys), names, fontsize=7)
    ax.set_title(f"{title} (top {len(shown)} of {len(failed)} tools)")
    ax.set_xlabel("turns")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.margins(x=0.15)
    ax.legend(loc="lower right", fontsize=7)


def write_evaluation_plot(evaluation: Evaluation, path: str | Path) -> Path:
    """Write the evaluation's summary figure to `path` (PNG) and return it."""
    require("matplotlib", "plot", "Plotting an evaluation")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 8.5), layout="constrained")
    axes = fig.subplots(2, 2)
    name = evaluation.model or evaluation.agent
    errors = f", {evaluation.errors} not scored (errors)" if evaluation.errors else ""
    fig.suptitle(f"{name}: {evaluation.passed}/{evaluation.scored} samples passed "
                 f"({100 * evaluation.accuracy:.1f}%), turns {evaluation.turns_passed}/{evaluation.turns} "
                 f"({100 * evaluation.turn_accuracy:.1f}%){errors}")
    _accuracy_bars(axes[0][0], "by domain", "domain", evaluation.by_domain)
    _accuracy_bars(axes[0][1], "by gold chain length", "gold calls", evaluation.by_chain_length)
    _accuracy_bars(axes[1][0], "by implicit dependencies", "arguments fed by an earlier result",
                   evaluation.by_implicit_dependencies)
    _tool_bars(axes[1][1], evaluation)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="upper right", fontsize=8)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    return out
