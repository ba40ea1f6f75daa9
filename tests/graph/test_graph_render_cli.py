"""Drawing the graph and the `hardgen graph` command."""

import json
from pathlib import Path

import pytest
from graph_toy_shop import toy_spec
from typer.testing import CliRunner

from hardgen.cli._app import app
from hardgen.graph import ApiGraph, GraphError
from hardgen.tools import Session


def test_render_writes_png_and_svg(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    graph = ApiGraph.from_session(Session.from_specs([toy_spec()], timeout=None))
    graph.update_failures({"get_order": {"attempts": 2, "failures": 2}})
    png = graph.render(tmp_path / "g.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = graph.render(tmp_path / "g.svg", max_nodes=4)  # big-graph path: failure tool and neighbours
    assert "<svg" in svg.read_text()
    with pytest.raises(GraphError, match="png"):
        graph.render(tmp_path / "g.txt")


def test_graph_command_saves_summarises_and_draws(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["graph", "--domains", "messaging", "--out", str(tmp_path), "--traces", "20",
                                      "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["nodes"] == len(ApiGraph.load(tmp_path / "graph.json"))
    assert report["discovery"]["prerequisites_found"]
    assert report["traces"]["traces"] > 0
    assert Path(report["files"]["graph"]).exists()


def test_graph_command_rejects_unknown_domains(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["graph", "--domains", "atlantis", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "atlantis" in result.output
