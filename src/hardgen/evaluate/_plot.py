"""One PNG summarising an evaluation: accuracy by domain, chain length and implicit dependencies,
and the tools the agent fails most. matplotlib is imported lazily (extra `plot`); figures are built
with `matplotlib.figure.Figure`, so no GUI backend or global pyplot state is involved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hardgen.errors import require
from hardgen.evaluate._evaluation import AccuracyBucket, Evaluation

_TOP_TOOLS = 15


def _accuracy_bars(ax: Any, title: str, xlabel: str, buckets: dict[str, AccuracyBucket]) -> None:
    labels = list(buckets)
    ax.bar(range(len(labels)), [100 * b.accuracy for b in buckets.values()], color="#4c72b0")
    crowded = len(labels) > 6
    ax.set_xticks(range(len(labels)), labels, rotation=45 if crowded else 0, ha="right" if crowded else "center")
    for i, b in enumerate(buckets.values()):
        ax.annotate(f"n={b.samples}", (i, 100 * b.accuracy), ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, 105)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("samples passed (%)")


def write_evaluation_plot(evaluation: Evaluation, path: str | Path) -> Path:
    """Write the evaluation's summary figure to `path` (PNG) and return it."""
    require("matplotlib", "plot", "Plotting an evaluation")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 8), layout="constrained")
    axes = fig.subplots(2, 2)
    name = evaluation.model or evaluation.agent
    fig.suptitle(f"{name}: {evaluation.passed}/{evaluation.scored} samples passed "
                 f"({100 * evaluation.accuracy:.1f}%), turns {100 * evaluation.turn_accuracy:.1f}%")
    _accuracy_bars(axes[0][0], "by domain", "domain", evaluation.by_domain)
    _accuracy_bars(axes[0][1], "by gold chain length", "calls", evaluation.by_chain_length)
    _accuracy_bars(axes[1][0], "by implicit dependencies", "implicit dependencies",
                   evaluation.by_implicit_dependencies)
    ax = axes[1][1]
    tools = list(evaluation.tools.items())[:_TOP_TOOLS]
    names = [t for t, _ in tools][::-1]
    stats = [s for _, s in tools][::-1]
    ax.barh(range(len(names)), [s.attempts for s in stats], color="#c7d4e8", label="attempts")
    ax.barh(range(len(names)), [s.failures for s in stats], color="#c44e52", label="failures")
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_title(f"most failed tools (top {len(names)} of {len(evaluation.tools)})")
    ax.set_xlabel("turns needing the tool")
    ax.xaxis.get_major_locator().set_params(integer=True)
    if names:
        ax.legend(loc="lower right", fontsize=7)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    return out
