"""The evaluation figure shows an agent that scored 0% (no empty panels), and says "no data"
where an evaluation has nothing to show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardgen.evaluate import AccuracyBucket, Evaluation, ToolFailureStats, write_evaluation_plot

pytest.importorskip("matplotlib")


@pytest.fixture
def figure(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    from matplotlib.figure import Figure

    saved: list[Any] = []
    original = Figure.savefig

    def savefig(self: Any, *args: Any, **kwargs: Any) -> None:
        saved.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return saved


def _texts(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_a_zero_score_still_shows_every_bucket(tmp_path: Path, figure: list[Any]) -> None:
    zero = {"1": AccuracyBucket(samples=4), "3": AccuracyBucket(samples=2), "2": AccuracyBucket(samples=1)}
    evaluation = Evaluation(agent="model-free", samples=7, scored=7, turns=7, by_domain={"shop": AccuracyBucket(samples=7)},
                            by_chain_length=zero, by_implicit_dependencies=zero,
                            tools={"cancel_order": ToolFailureStats(attempts=5, failures=5),
                                   "find_orders": ToolFailureStats(attempts=3, failures=0)})
    path = write_evaluation_plot(evaluation, tmp_path / "eval.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    domain, chain, implicit, tools = figure[0].axes
    # A pale bar of all samples behind each bucket, and its passed/samples written on it.
    assert [p.get_height() for p in chain.patches[:3]] == [100.0] * 3
    assert _texts(chain) == ["0/4", "0/1", "0/2"]  # chain lengths in numeric order
    assert [t.get_text() for t in chain.get_xticklabels()] == ["1", "2", "3"]
    assert _texts(domain) == ["0/7"] and "no data" not in _texts(implicit)
    assert [t.get_text() for t in tools.get_yticklabels()] == ["find_orders", "cancel_order"]
    assert " 5/5" in _texts(tools) and tools.get_xlabel() == "turns"
    assert "0/7 samples passed" in figure[0].get_suptitle()


def test_an_empty_evaluation_says_no_data_in_every_panel(tmp_path: Path, figure: list[Any]) -> None:
    write_evaluation_plot(Evaluation(agent="model-free"), tmp_path / "eval.png")
    for ax in figure[0].axes:
        assert any(t.startswith("no data") for t in _texts(ax)) and not ax.patches
        assert ax.get_title()
