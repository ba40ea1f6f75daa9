"""Drawing the API graph (matplotlib, imported lazily): one panel per domain, failure tools
highlighted, edges by kind, every tool named.

All tools in one spring layout is an unreadable hairball (283 tools, 2,000 edges in a default
run), so the drawing is small multiples: the domains with the most failure tools get a panel each
(at most `max_panels`), laid out on their own, with edges inside the domain; edges between domains
are counted in the title, not drawn. A domain with more than `max_nodes` tools shows its failure
tools (or, with no failure data, its best-connected tools) and their live neighbourhood.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from hardgen.errors import require
from hardgen.graph._records import GraphError

if TYPE_CHECKING:
    from hardgen.graph._graph import ApiGraph

EDGE_COLOURS = {"data_flow": "#1f77b4", "state_prerequisite": "#d62728"}
FAILURE_COLOUR = "#ff7f0e"
NO_DOMAIN = "(no domain)"


def _domain(graph: ApiGraph, tool: str) -> str:
    return graph.spec(tool).environment or NO_DOMAIN


def _focus(graph: ApiGraph, tools: list[str], max_nodes: int) -> list[str]:
    """At most `max_nodes` of `tools`: the failure tools first, each with its live neighbours."""
    if len(tools) <= max_nodes:
        return tools
    allowed = set(tools)
    g = graph.graph
    seeds = [t for t in graph.failure_tools() if t in allowed]
    if not seeds:
        seeds = [n for n, _ in sorted(g.degree(tools), key=lambda x: (-x[1], x[0]))]
    chosen: dict[str, None] = {}
    for tool in seeds:
        if len(chosen) >= max_nodes:
            break
        chosen[tool] = None
        for u in [*graph.live_predecessors(tool), *graph.live_successors(tool)]:
            if len(chosen) >= max_nodes:
                break
            if u in allowed:
                chosen[u] = None
    return list(chosen)


def _positions(sub: nx.MultiDiGraph, seed: int) -> dict[str, tuple[float, float]]:
    """The largest connected part by a spring layout, other parts and isolated tools on a ring
    around it (in the spring layout they fly to the edge and squash the rest)."""
    undirected = nx.Graph(sub)
    parts = sorted(nx.connected_components(undirected), key=lambda c: (-len(c), min(c)))
    core = parts[0] if parts and len(parts[0]) > 2 else set()
    pos: dict[str, tuple[float, float]] = {}
    if core:
        raw = nx.spring_layout(undirected.subgraph(core), seed=seed, k=2.0 / len(core) ** 0.5, iterations=100)
        xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / 2
        pos = {n: ((p[0] - cx) / span, (p[1] - cy) / span) for n, p in raw.items()}
    rest = [n for part in parts for n in sorted(part) if n not in core]
    for i, n in enumerate(rest):
        angle = 2 * math.pi * i / max(len(rest), 1) + 0.3
        pos[n] = (1.3 * math.cos(angle), 1.3 * math.sin(angle)) if len(rest) > 1 or core else (0.0, 0.0)
    return pos


def _panel(ax: Any, graph: ApiGraph, name: str, tools: list[str], max_nodes: int, seed: int) -> None:
    nodes = _focus(graph, tools, max_nodes)
    keep = set(nodes)
    sub = nx.MultiDiGraph()
    sub.add_nodes_from(nodes)
    for u, v, d in graph.graph.edges(data=True):
        if u in keep and v in keep and d["status"] != "pruned":
            sub.add_edge(u, v, kind=d["kind"], status=d["status"])
    failing = {t: graph.target_weight(t) for t in nodes if graph.failure_stats(t).failures > 0}
    pos = _positions(sub, seed)
    ax.set_axis_off()
    for kind, colour in EDGE_COLOURS.items():
        for status, style in (("confirmed", "solid"), ("candidate", "dotted")):
            edges = [(u, v) for u, v, d in sub.edges(data=True) if d["kind"] == kind and d["status"] == status]
            if edges:
                # Arrow heads only on confirmed edges: one arrow patch per edge is most of the
                # drawing time, and a dotted candidate's direction matters less.
                arrows: dict[str, Any] = {"arrows": True, "arrowsize": 7, "node_size": 100} \
                    if status == "confirmed" else {"arrows": False}
                nx.draw_networkx_edges(sub, pos, edgelist=edges, ax=ax, edge_color=colour, style=style,
                                       width=1.1 if status == "confirmed" else 0.5, alpha=0.7, **arrows)
    normal = [n for n in sub if n not in failing]
    nx.draw_networkx_nodes(sub, pos, nodelist=normal, ax=ax, node_size=90, node_color="#bbbbbb")
    if failing:
        nx.draw_networkx_nodes(sub, pos, nodelist=list(failing), ax=ax, node_color=FAILURE_COLOUR,
                               node_size=[80 + 200 * failing[n] for n in failing], edgecolors="#b30000")
    # Every tool is named (a panel holds one domain, so there is room), the failure tools in bold.
    size = 7 if len(sub) <= 25 else 5.5
    for n, (x, y) in pos.items():
        ax.annotate(n, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=size,
                    fontweight="bold" if n in failing else "normal", color="#222222")
    ax.margins(0.18)
    shown = f"{len(nodes)} of {len(tools)} tools" if len(nodes) < len(tools) else f"{len(tools)} tools"
    ax.set_title(f"{name}: {shown}, {len(failing)} failing, {sub.number_of_edges()} live edges", fontsize=10)


def _no_data(ax: Any, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#666666", transform=ax.transAxes)


def render_graph(
    graph: ApiGraph,
    path: str | Path,
    *,
    max_nodes: int = 150,
    seed: int = 0,
    domains: list[str] | None = None,
    max_panels: int = 9,
) -> Path:
    """Write a drawing of `graph` to `path` (.png, .svg or .pdf): one panel per domain (the
    `domains` given, else the `max_panels` with the most failure tools), at most `max_nodes`
    tools a panel. Pruned edges are left out."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise GraphError(f"cannot render to {path.name!r}: use a .png, .svg or .pdf file name")
    require("matplotlib", "plot", "rendering the API graph")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    by_domain: dict[str, list[str]] = defaultdict(list)
    for tool in graph.graph.nodes:
        by_domain[_domain(graph, tool)].append(tool)
    if domains is not None:
        unknown = sorted(set(domains) - set(by_domain))
        if unknown:
            raise GraphError(f"the graph has no domain {unknown[0]!r} (it has {', '.join(sorted(by_domain))})")
        chosen = list(domains)
    else:
        failing = {d: sum(graph.failure_stats(t).failures > 0 for t in ts) for d, ts in by_domain.items()}
        chosen = sorted(by_domain, key=lambda d: (-failing[d], -len(by_domain[d]), d))[:max_panels]
    left_out = len(by_domain) - len(chosen)
    cross = sum(1 for u, v, d in graph.graph.edges(data=True)
                if d["status"] != "pruned" and _domain(graph, u) != _domain(graph, v))

    columns = max(1, min(3, len(chosen)))
    rows = max(1, math.ceil(len(chosen) / columns))
    fig = Figure(figsize=(6.5 * columns, 5.8 * rows + 0.8))
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, columns, squeeze=False)
    flat = [ax for row in axes for ax in row]
    if not chosen:
        _no_data(flat[0], "no data: the graph has no tools")
    for ax, name in zip(flat, chosen, strict=False):
        _panel(ax, graph, name, sorted(by_domain[name]), max_nodes, seed)
    for ax in flat[len(chosen):]:
        ax.set_axis_off()
    handles: list[Any] = [
        Line2D([0], [0], color=EDGE_COLOURS["data_flow"], label="data flow (output feeds an input)"),
        Line2D([0], [0], color=EDGE_COLOURS["state_prerequisite"], label="state prerequisite (must run first)"),
        Line2D([0], [0], color="#555555", linestyle="dotted", label="candidate, not yet confirmed"),
        Line2D([0], [0], marker="o", color="w", markerfacecolor=FAILURE_COLOUR, markersize=9,
               label="failure tool (size: how often it failed)"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=9, frameon=False)
    title = f"API graph: {len(graph)} tools in {len(by_domain)} domains"
    if left_out:
        title += f"; {len(chosen)} domains with the most failure tools shown, {left_out} not shown"
    if cross:
        title += f"; {cross} live edges between domains not drawn"
    fig.suptitle(title, fontsize=12)
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path
