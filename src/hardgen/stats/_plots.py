"""PNG plots of a run's statistics, for people reading a report or a dataset card.

matplotlib is imported lazily (extra `plot`), and figures are built with `matplotlib.figure.Figure`
directly, so no GUI backend and no global pyplot state are involved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hardgen.errors import require
from hardgen.stats._compute import Distribution, SampleStats

_TOP = 20  # bars shown for tools and domains; the rest are summed into "other"


def _bar(
    figure_cls: Any, path: Path, title: str, xlabel: str, ylabel: str, labels: list[str], values: list[int]
) -> Path:
    fig = figure_cls(figsize=(max(6.0, 0.35 * len(labels) + 2), 4.0), layout="constrained")
    ax = fig.subplots()
    ax.bar(range(len(values)), values, color="#4c72b0")
    crowded = len(labels) > 8
    ax.set_xticks(range(len(labels)), labels, rotation=60 if crowded else 0, ha="right" if crowded else "center")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.get_major_locator().set_params(integer=True)  # counts: no fractional ticks
    fig.savefig(path, dpi=100)
    return path


def _histogram(figure_cls: Any, path: Path, title: str, xlabel: str, dist: Distribution) -> Path:
    if dist.histogram:
        lo, hi = min(dist.histogram), max(dist.histogram)
        labels = [str(v) for v in range(lo, hi + 1)]
        values = [dist.histogram.get(v, 0) for v in range(lo, hi + 1)]
    else:
        labels, values = [], []
    return _bar(figure_cls, path, f"{title} (mean {dist.mean:.2f})", xlabel, "samples", labels, values)


def _top(counts: dict[str, int]) -> tuple[list[str], list[int]]:
    items = list(counts.items())
    head, tail = items[:_TOP], items[_TOP:]
    labels, values = [k for k, _ in head], [v for _, v in head]
    if tail:
        labels.append(f"other ({len(tail)})")
        values.append(sum(v for _, v in tail))
    return labels, values


def write_stats_plots(stats: SampleStats, out_dir: str | Path) -> list[Path]:
    """Write one PNG per distribution (calls, chain length, turns, implicit dependencies) and bar
    charts of domains and most-called tools into `out_dir`; return their paths."""
    require("matplotlib", "plot", "Plotting statistics")
    from matplotlib.figure import Figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [
        _histogram(Figure, out / "calls_per_sample.png", "Tool calls per sample", "calls", stats.calls_per_sample),
        _histogram(Figure, out / "chain_length.png", "Gold chain length per sample", "gold calls", stats.chain_length),
        _histogram(Figure, out / "turns.png", "User turns per sample", "turns", stats.turns),
        _histogram(
            Figure,
            out / "implicit_dependencies.png",
            "Implicit dependencies per sample",
            "arguments fed by earlier outputs",
            stats.implicit_dependencies,
        ),
    ]
    labels, values = _top(stats.domains)
    paths.append(_bar(Figure, out / "domains.png", "Samples per domain", "domain", "samples", labels, values))
    labels, values = _top(stats.tool_calls)
    paths.append(_bar(Figure, out / "tool_calls.png", "Most called tools", "tool", "calls", labels, values))
    return paths
