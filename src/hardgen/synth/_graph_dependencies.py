"""The API graph seen by the model-free Reasoner: who produces a parameter, who must run first."""

from __future__ import annotations

from typing import Any

from hardgen.synth._reasoner import Producer


class GraphDependencies:
    """Adapts an `ApiGraph` to the Reasoner's `DependencyIndex`.

    Producers are the live data-flow edges into a parameter, confirmed ones and read tools first
    (a read has no side effect if the guess is wrong). Prerequisites are the confirmed state
    edges plus those a tool declares in its `@tool(requires=[...])` hint; unconfirmed guesses from
    naming are left to the critic loop.
    """

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    def producers(self, tool: str, parameter: str) -> list[Producer]:
        if tool not in self.graph:
            return []
        ranked = []
        for source, data in self.graph.data_sources(tool, parameter):
            mutates = self.graph.spec(source).mutates
            ranked.append((data["status"] != "confirmed", mutates, -data["weight"], source,
                           Producer(source, tuple(data.get("path") or ()), float(data["weight"]))))
        ranked.sort(key=lambda r: r[:4])
        return [r[-1] for r in ranked]

    def prerequisites(self, tool: str) -> list[str]:
        if tool not in self.graph:
            return []
        declared = list(self.graph.spec(tool).hints.get("requires", []))
        confirmed = [u for u in self.graph.prerequisites(tool)
                     if (edge := self.graph.edge(u, tool)) is not None and edge.status == "confirmed"]
        return list(dict.fromkeys([*declared, *confirmed]))
