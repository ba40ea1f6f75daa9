"""The graph drawing: one panel per domain (not one hairball), every tool named, edges between
domains counted in the title instead of drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardgen.graph import ApiGraph, GraphError
from hardgen.schema import ToolSpec

pytest.importorskip("matplotlib")


def _spec(name: str, domain: str, params: list[str], returns: list[str]) -> ToolSpec:
    return ToolSpec(name=name, description=f"{name} tool", environment=domain,
                    parameters={"type": "object", "properties": {p: {"type": "string"} for p in params},
                                "required": params},
                    returns={"type": "object", "properties": {r: {"type": "string"} for r in returns}})


def _graph() -> ApiGraph:
    graph = ApiGraph.build([
        _spec("find_orders", "shop", ["customer_id"], ["order_id"]),
        _spec("cancel_order", "shop", ["order_id"], ["status"]),
        _spec("get_customer", "shop", [], ["customer_id"]),
        _spec("refund_payment", "bank", ["order_id"], ["refund_id"]),
        _spec("get_balance", "bank", [], ["balance"]),
        _spec("get_forecast", "weather", ["city"], ["forecast"]),
    ])
    graph.update_failures({"cancel_order": {"attempts": 2, "failures": 2}})
    return graph


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


def test_each_domain_gets_a_named_panel(tmp_path: Path, figure: list[Any]) -> None:
    graph = _graph()
    assert graph.render(tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    titles = [ax.get_title() for ax in figure[0].axes if ax.get_title()]
    assert titles[0].startswith("shop: 3 tools, 1 failing")  # the domain with failure tools first
    assert {t.split(":")[0] for t in titles} == {"shop", "bank", "weather"}
    shop = figure[0].axes[0]
    assert {t.get_text() for t in shop.texts} == {"find_orders", "cancel_order", "get_customer"}
    suptitle = figure[0].get_suptitle()
    assert "6 tools in 3 domains" in suptitle and "between domains not drawn" in suptitle


def test_panels_can_be_limited_or_chosen(tmp_path: Path, figure: list[Any]) -> None:
    from hardgen.graph._render import render_graph

    render_graph(_graph(), tmp_path / "g.svg", max_panels=1)
    assert [ax.get_title().split(":")[0] for ax in figure[0].axes if ax.get_title()] == ["shop"]
    assert "1 domains with the most failure tools shown, 2 not shown" in figure[0].get_suptitle()
    render_graph(_graph(), tmp_path / "bank.png", domains=["bank"])
    assert [ax.get_title().split(":")[0] for ax in figure[1].axes if ax.get_title()] == ["bank"]
    with pytest.raises(GraphError, match="no domain 'atlantis'"):
        render_graph(_graph(), tmp_path / "x.png", domains=["atlantis"])
