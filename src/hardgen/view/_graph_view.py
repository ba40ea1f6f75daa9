"""The API graph as the viewer draws it: live edges only, a position per tool, laid out per domain.

One spring layout of every tool is a hairball; tools of a domain are laid out together (a small
spring layout each) and the domains are placed on a grid, so a domain is a cluster the page can
zoom to and cross-domain edges stay visible between clusters.
"""

from __future__ import annotations

import math
import random
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


def _spring(nodes: list[int], edges: list[tuple[int, int]], seed: int, k: float,
            iterations: int = 100) -> dict[int, tuple[float, float]]:
    """A Fruchterman-Reingold layout in plain Python (networkx's needs numpy, which the core does
    not install): repulsion k²/d between all pairs, attraction d²/k along edges, cooling steps."""
    rng = random.Random(seed)
    pos = {n: [rng.uniform(-1, 1), rng.uniform(-1, 1)] for n in nodes}
    steps = iterations if len(nodes) <= 150 else max(20, iterations * 150 // len(nodes))
    temperature = 0.1
    for _ in range(steps):
        moves = {n: [0.0, 0.0] for n in nodes}
        for a_index, a in enumerate(nodes):
            ax, ay = pos[a]
            for b in nodes[a_index + 1:]:
                dx, dy = ax - pos[b][0], ay - pos[b][1]
                d2 = max(dx * dx + dy * dy, 1e-6)
                force = k * k / d2
                moves[a][0] += dx * force
                moves[a][1] += dy * force
                moves[b][0] -= dx * force
                moves[b][1] -= dy * force
        for a, b in edges:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            d = max(math.hypot(dx, dy), 1e-3)
            force = d / k
            moves[a][0] -= dx * force
            moves[a][1] -= dy * force
            moves[b][0] += dx * force
            moves[b][1] += dy * force
        for n in nodes:
            mx, my = moves[n]
            length = max(math.hypot(mx, my), 1e-9)
            step = min(length, temperature)
            pos[n][0] += mx / length * step
            pos[n][1] += my / length * step
        temperature *= 0.97
    return {n: (x, y) for n, (x, y) in pos.items()}


def _layout(members: list[int], edges: list[dict[str, Any]], seed: int) -> dict[int, tuple[float, float]]:
    """Positions in the unit disc for one domain's tools: the largest connected part by a spring
    layout in the middle, the other parts and isolated tools on a ring around it (left in the
    spring layout they fly to the edge and squash the rest into a clump)."""
    member_set = set(members)
    sub = nx.Graph()
    sub.add_nodes_from(members)
    sub.add_edges_from((e["s"], e["t"]) for e in edges if e["s"] in member_set and e["t"] in member_set)
    parts = sorted(nx.connected_components(sub), key=lambda c: (-len(c), min(c)))
    core = parts[0] if parts and len(parts[0]) > 2 else set()
    pos: dict[int, tuple[float, float]] = {}
    if core:
        core_edges = [(u, v) for u, v in sub.subgraph(core).edges()]
        raw = _spring(sorted(core), core_edges, seed, k=2.0 / len(core) ** 0.5)
        xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / 2
        ring = 0.72 if len(core) < len(members) else 0.95
        pos = {i: (ring * (p[0] - cx) / span, ring * (p[1] - cy) / span) for i, p in raw.items()}
    rest = [i for part in parts for i in sorted(part) if i not in core]
    for k, i in enumerate(rest):
        angle = 2 * math.pi * k / max(len(rest), 1) + 0.3
        radius = 0.95 if core else 0.8
        pos[i] = (radius * math.cos(angle), radius * math.sin(angle)) if len(rest) > 1 or core else (0.0, 0.0)
    return pos


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
        for i, (x, y) in _layout(members, edges, seed).items():
            nodes[i]["x"] = round(ox + CLUSTER / 2 + 42 * x, 2)
            nodes[i]["y"] = round(oy + CLUSTER / 2 + 2 + 42 * y, 2)
        domains.append({
            "name": name,
            "tools": len(members),
            "failure_tools": sum(1 for i in members if nodes[i]["failures"] > 0),
            "box": [ox, oy, CLUSTER, CLUSTER],
        })
    return {"nodes": nodes, "edges": edges, "domains": domains}
