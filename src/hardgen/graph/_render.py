"""Drawing the API graph (matplotlib, imported lazily): failure tools highlighted, edges by kind.

Big graphs are unreadable whole; past `max_nodes` the drawing shows the failure tools (or, with
no failure data, the best-connected tools) and their live neighbourhood.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from hardgen.errors import require
from hardgen.graph._records import GraphError

if TYPE_CHECKING:
    from hardgen.graph._graph import ApiGraph

EDGE_COLOURS = {"data_flow": "#1f77b4", "state_prerequisite": "#d62728"}


def _focus(graph: ApiGraph, max_nodes: int) -> list[str]:
    g = graph.graph
    if len(g) <= max_nodes:
        return list(g.nodes)
    seeds = graph.failure_tools()
    if not seeds:
        seeds = [n for n, _ in sorted(g.degree, key=lambda x: (-x[1], x[0]))]
    chosen: dict[str, None] = {}
    for tool in seeds:
        if len(chosen) >= max_nodes:
            break
        chosen[tool] = None
        for u in [*graph.live_predecessors(tool), *graph.live_successors(tool)]:
            if len(chosen) >= max_nodes:
                break
            chosen[u] = None
    return list(chosen)


def render_graph(graph: ApiGraph, path: str | Path, *, max_nodes: int = 150, seed: int = 0) -> Path:
    """Write a drawing of `graph` to `path` (.png or .svg). Pruned edges are left out."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise GraphError(f"cannot render to {path.name!r}: use a .png, .svg or .pdf file name")
    require("matplotlib", "plot", "rendering the API graph")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    nodes = _focus(graph, max_nodes)
    sub = nx.MultiDiGraph()
    sub.add_nodes_from(nodes)
    keep = set(nodes)
    for u, v, d in graph.graph.edges(data=True):
        if u in keep and v in keep and d["status"] != "pruned":
            sub.add_edge(u, v, kind=d["kind"], status=d["status"])
    failing = {t: graph.target_weight(t) for t in nodes if graph.failure_stats(t).failures > 0}
    # The largest connected part gets the spring layout; small islands and isolated tools go on a
    # ring around it instead of flinging the layout apart.
    undirected = nx.Graph(sub)
    parts = sorted(nx.connected_components(undirected), key=len, reverse=True)
    connected = undirected.subgraph(parts[0]) if parts and len(parts[0]) > 1 else nx.Graph()
    pos = nx.spring_layout(connected, seed=seed, k=2.5 / max(len(connected), 1) ** 0.5, iterations=100) \
        if len(connected) else {}
    loners = [n for n in sub if n not in pos]
    for i, n in enumerate(loners):
        angle = 2 * math.pi * i / max(len(loners), 1)
        pos[n] = (1.25 * math.cos(angle), 1.25 * math.sin(angle))
    size = 6 + min(len(sub), 300) ** 0.5
    fig = Figure(figsize=(size, size))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    ax.set_axis_off()
    for kind, colour in EDGE_COLOURS.items():
        for status, style in (("confirmed", "solid"), ("candidate", "dotted")):
            edges = [(u, v) for u, v, d in sub.edges(data=True) if d["kind"] == kind and d["status"] == status]
            if edges:
                nx.draw_networkx_edges(sub, pos, edgelist=edges, ax=ax, edge_color=colour, style=style,
                                       arrows=True, arrowsize=8, width=1.2 if status == "confirmed" else 0.6,
                                       alpha=0.8, node_size=120)
    normal = [n for n in sub if n not in failing]
    nx.draw_networkx_nodes(sub, pos, nodelist=normal, ax=ax, node_size=120, node_color="#bbbbbb")
    if failing:
        nx.draw_networkx_nodes(sub, pos, nodelist=list(failing), ax=ax, node_color="#ff7f0e",
                               node_size=[90 + 220 * failing[n] for n in failing], edgecolors="#b30000")
    if len(sub) <= 80:
        nx.draw_networkx_labels(sub, pos, ax=ax, font_size=7)
    elif failing:
        # Too many nodes to name them all: name the most failed tools, which the picture is about.
        top = sorted(failing, key=lambda n: (-failing[n], n))[:40]
        nx.draw_networkx_labels(sub, pos, labels={n: n for n in top}, ax=ax, font_size=6)
    handles: list[Any] = [
        Line2D([0], [0], color=EDGE_COLOURS["data_flow"], label="data flow"),
        Line2D([0], [0], color=EDGE_COLOURS["state_prerequisite"], label="state prerequisite"),
        Line2D([0], [0], color="#555555", linestyle="dotted", label="candidate (dotted)"),
        Line2D([0], [0], marker="o", color="w", markerfacecolor="#ff7f0e", markersize=9, label="failure tool"),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    shown = f"{len(sub)} of {len(graph)} tools" if len(sub) < len(graph) else f"{len(sub)} tools"
    ax.set_title(f"API graph: {shown}, {sub.number_of_edges()} live edges")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path
