"""The statistics plots read at a glance: labelled, the long tail folded into the title instead of
one giant "other" bar, and "no data" where there is nothing to draw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardgen.stats import Distribution, SampleStats, write_stats_plots
from hardgen.stats._compute import NearDuplicateReport

pytest.importorskip("matplotlib")


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Every figure saved, by file name, to look at its axes."""
    from matplotlib.figure import Figure

    saved: dict[str, Any] = {}
    original = Figure.savefig

    def savefig(self: Any, path: Any, *args: Any, **kwargs: Any) -> None:
        saved[Path(path).name] = self
        original(self, path, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return saved


def _stats(**kw: Any) -> SampleStats:
    return SampleStats(samples=kw.pop("samples", 10), near_duplicates=NearDuplicateReport(threshold=0.8, shingle_size=5,
                       method="exact", samples_with_duplicate=0, rate=0.0, groups=0, examples=[]), **kw)


def _texts(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_a_long_tail_of_tools_is_folded_into_the_title(tmp_path: Path, figures: dict[str, Any]) -> None:
    tools = {f"tool_{k:03d}": 200 - k for k in range(137)}
    paths = write_stats_plots(_stats(tool_calls=tools, domains={"shop": 7, "bank": 3}), tmp_path)
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
    ax = figures["tool_calls.png"].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 20 and labels[-1] == "tool_000"  # the most called on top
    assert not any("other" in label for label in labels)
    assert "117 more" in ax.get_title() and "top 20 of 137" in ax.get_title()
    assert ax.get_xlabel() == "calls" and ax.get_ylabel() == "tools"
    assert len(ax.patches) == 20 and max(p.get_width() for p in ax.patches) == 200


def test_histograms_are_labelled_with_their_values(tmp_path: Path, figures: dict[str, Any]) -> None:
    dist = Distribution.of([2, 2, 3, 5])
    write_stats_plots(_stats(chain_length=dist), tmp_path)
    ax = figures["chain_length.png"].axes[0]
    assert [p.get_height() for p in ax.patches] == [2, 1, 0, 1]  # 2, 3, 4, 5: the empty value stays visible
    assert ax.get_xlabel() and ax.get_ylabel() == "samples" and "mean 3.00" in ax.get_title()
    assert {"2", "1"} <= set(_texts(ax))


def test_an_empty_plot_says_no_data(tmp_path: Path, figures: dict[str, Any]) -> None:
    write_stats_plots(_stats(samples=0), tmp_path)
    for name in ("calls_per_sample.png", "turns.png", "domains.png", "tool_calls.png"):
        ax = figures[name].axes[0]
        assert "no data" in _texts(ax) and not ax.patches, name
        assert ax.get_title(), name
