"""The API graph as the viewer draws it: live edges only, a position per tool, laid out per domain.

One spring layout of every tool is a hairball; tools of a domain are laid out together (a small
spring layout each) and the domains are placed on a grid, so a domain is a cluster the page can
zoom to and cross-domain edges stay visible between clusters.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import networkx as nx

from hardgen.view._errors import ViewError

CLUSTER = 100.0
"""Side of one domain's square in layout units (the SVG's user space)."""
GAP = 30.0
"""Space between domain squares."""


def _domain(node: dict[str, Any]) -> str:
    spec = node.get("spec") or {}
    return str(spec.get("environment") or "(no domain)")


def graph_view(data: dict[str, Any], failures: dict[str, Any] | None = None, *, seed: int = 0) -> dict[str, Any]:
    """The viewer's graph from a graph.json document (`ApiGraph.to_json`): nodes with domain,
    failure counts, degree and position; live (not pruned) edges as node indices; domains with
    their boxes. `failures` (failures.json) adds nothing the nodes lack today, but a run whose
    graph.json predates failure mining still shows its failure tools from it."""
    try:
        raw_nodes = list(data["nodes"])
        raw_edges = list(data["edges"])
    except (KeyError, TypeError) as exc:
        raise ViewError(f"graph.json is not an API graph (no {exc} list)") from None
    mined = (failures or {}).get("tools", {}) if isinstance(failures, dict) else {}
    index: dict[str, int] = {}
    nodes: list[dict[str, Any]] = []
    for raw in raw_nodes:
        name = str(raw["id"])
        f = raw.get("failures") or {}
        attempts, failed = int(f.get("attempts", 0)), int(f.get("failures", 0))
        if not failed and name in mined:
            joint = mined[name].get("joint") or mined[name].get("target") or {}
            attempts, failed = int(joint.get("attempts", 0)), int(joint.get("failures", 0))
        spec = raw.get("spec") or {}
        index[name] = len(nodes)
        nodes.append({
            "id": name,
            "domain": _domain(raw),
            "description": str(spec.get("description") or "")[:300],
            "mutates": bool(spec.get("mutates")),
            "attempts": attempts,
            "failures": failed,
            "taxonomy": f.get("taxonomy") or {},
        })
    edges: list[dict[str, Any]] = []
    seen: set[tuple[int, int, str]] = set()
    for e in raw_edges:
        if e.get("status") == "pruned" or e.get("source") not in index or e.get("target") not in index:
            continue
        key = (index[e["source"]], index[e["target"]], str(e.get("kind", "")))
        if key in seen:  # several parameters fed along one pair: one line is enough to draw
            continue
        seen.add(key)
        edges.append({"s": key[0], "t": key[1], "kind": key[2], "status": str(e.get("status", ""))})
    degree = [0] * len(nodes)
    for e in edges:
        degree[e["s"]] += 1
        degree[e["t"]] += 1
    for n, d in zip(nodes, degree, strict=True):
        n["degree"] = d

    by_domain: dict[str, list[int]] = defaultdict(list)
    for i, n in enumerate(nodes):
        by_domain[n["domain"]].append(i)
    order = sorted(by_domain, key=lambda d: (-len(by_domain[d]), d))
    columns = max(1, math.ceil(math.sqrt(len(order))))
    domains = []
    for k, name in enumerate(order):
        members = by_domain[name]
        ox, oy = (k % columns) * (CLUSTER + GAP), (k // columns) * (CLUSTER + GAP)
        sub = nx.Graph()
        sub.add_nodes_from(members)
        member_set = set(members)
        sub.add_edges_from((e["s"], e["t"]) for e in edges if e["s"] in member_set and e["t"] in member_set)
        pos = nx.spring_layout(sub, seed=seed, k=1.6 / max(len(members), 1) ** 0.5, iterations=80) \
            if len(members) > 1 else {members[0]: (0.0, 0.0)}
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        for i, (x, y) in pos.items():
            # Into the domain's square with a margin for labels; a single tool sits in the middle.
            nodes[i]["x"] = round(ox + 10 + 80 * ((x - min(xs)) / span if len(members) > 1 else 0.5), 2)
            nodes[i]["y"] = round(oy + 10 + 80 * ((y - min(ys)) / span if len(members) > 1 else 0.5), 2)
        domains.append({
            "name": name,
            "tools": len(members),
            "failure_tools": sum(1 for i in members if nodes[i]["failures"] > 0),
            "box": [ox, oy, CLUSTER, CLUSTER],
        })
    return {"nodes": nodes, "edges": edges, "domains": domains}
