"""PNG plots of a run's statistics, for people reading a report or a dataset card.

matplotlib is imported lazily (extra `plot`), and figures are built with `matplotlib.figure.Figure`
directly, so no GUI backend and no global pyplot state are involved.

Readable at a glance: every bar carries its value, names go on a horizontal axis where they fit
(tools and domains are horizontal bars, so long names need no rotation), only the top `_TOP` names
are drawn and the title says how many more were folded (one "other" bar summing a long tail would
dwarf every real bar), and a plot with nothing to show says "no data" instead of an empty axis.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hardgen.errors import require
from hardgen.stats._compute import Distribution, SampleStats

_TOP = 20
"""Tools and domains drawn; the rest are counted in the title."""
_COLOUR = "#4c72b0"


def _no_data(ax: Any, message: str = "no data") -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=13, color="#666666", transform=ax.transAxes)


def _histogram(figure_cls: Any, path: Path, title: str, xlabel: str, dist: Distribution) -> Path:
    """Samples per value of an integer quantity, one bar per value from the least to the most."""
    fig = figure_cls(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.subplots()
    if not dist.histogram:
        _no_data(ax)
        ax.set_title(title)
    else:
        lo, hi = min(dist.histogram), max(dist.histogram)
        xs = list(range(lo, hi + 1))
        values = [dist.histogram.get(v, 0) for v in xs]
        bars = ax.bar(xs, values, color=_COLOUR, width=0.8)
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], fontsize=8, padding=2)
        ax.set_xticks(xs if len(xs) <= 30 else xs[:: max(1, len(xs) // 15)])
        ax.set_title(f"{title}\nmean {dist.mean:.2f}, median {dist.median:g}, p90 {dist.p90:g}, "
                     f"max {dist.max} ({dist.count} samples)")
        ax.set_ylabel("samples")
        ax.yaxis.get_major_locator().set_params(integer=True)  # counts: no fractional ticks
        ax.margins(y=0.12)
    ax.set_xlabel(xlabel)
    fig.savefig(path, dpi=110)
    return path


def _ranking(figure_cls: Any, path: Path, title: str, what: str, unit: str, counts: dict[str, int]) -> Path:
    """Horizontal bars of the `_TOP` largest counts, largest on top; the title says what was folded."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    head, tail = items[:_TOP], items[_TOP:]
    fig = figure_cls(figsize=(8.0, max(3.0, 0.32 * len(head) + 1.6)), layout="constrained")
    ax = fig.subplots()
    if not head:
        _no_data(ax)
        ax.set_title(title)
    else:
        labels = [k for k, _ in head][::-1]
        values = [v for _, v in head][::-1]
        bars = ax.barh(range(len(values)), values, color=_COLOUR)
        ax.bar_label(bars, fontsize=8, padding=2)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.margins(x=0.1)
        if tail:
            title += (f"\ntop {len(head)} of {len(items)} {what}; {len(tail)} more "
                      f"({sum(v for _, v in tail)} {unit}) not shown")
        ax.set_title(title)
        ax.set_ylabel(what)
    ax.set_xlabel(unit)
    fig.savefig(path, dpi=110)
    return path


def write_stats_plots(stats: SampleStats, out_dir: str | Path) -> list[Path]:
    """Write one PNG per distribution (calls, chain length, turns, implicit dependencies) and bar
    charts of domains and most-called tools into `out_dir`; return their paths."""
    require("matplotlib", "plot", "Plotting statistics")
    from matplotlib.figure import Figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [
        _histogram(Figure, out / "calls_per_sample.png", "Tool calls per sample", "tool calls in the conversation",
                   stats.calls_per_sample),
        _histogram(Figure, out / "chain_length.png", "Gold chain length per sample", "gold calls (all turns)",
                   stats.chain_length),
        _histogram(Figure, out / "turns.png", "User turns per sample", "user turns", stats.turns),
        _histogram(Figure, out / "implicit_dependencies.png", "Implicit dependencies per sample",
                   "arguments fed by an earlier result", stats.implicit_dependencies),
        _ranking(Figure, out / "domains.png", "Samples per domain", "domains", "samples", stats.domains),
        _ranking(Figure, out / "tool_calls.png", "Most called tools", "tools", "calls", stats.tool_calls),
    ]
