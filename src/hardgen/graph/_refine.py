"""Build-and-refine in one call: candidate edges, discovery by execution, sampled traces fed back.

What `hardgen graph` runs, and what a pipeline phase can call to get a graph ready for sampling.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from hardgen.graph._discovery import DiscoveryReport, discover_prerequisites
from hardgen.graph._graph import ApiGraph, GraphConfig
from hardgen.graph._sampler import SamplerConfig, SamplingMode, TraceSampler
from hardgen.schema import Record, Trace


class TraceShare(Record):
    """How hard a batch of traces is: the shares the paper reports."""

    traces: int = 0
    mean_length: float = 0.0
    at_least_3_calls: float = 0.0
    """Share of traces with 3 or more calls."""
    with_dependency: float = 0.0
    """Share of traces with at least one implicit dependency (an argument fed by an earlier output)."""
    by_length: dict[int, int] = Field(default_factory=dict)


def trace_share(traces: Sequence[Trace]) -> TraceShare:
    """Length and dependency shares of `traces`."""
    n = len(traces)
    if not n:
        return TraceShare()
    by_length: dict[int, int] = {}
    for t in traces:
        by_length[len(t.steps)] = by_length.get(len(t.steps), 0) + 1
    return TraceShare(
        traces=n,
        mean_length=round(sum(len(t.steps) for t in traces) / n, 3),
        at_least_3_calls=round(sum(len(t.steps) >= 3 for t in traces) / n, 4),
        with_dependency=round(sum(t.implicit_dependencies >= 1 for t in traces) / n, 4),
        by_length=dict(sorted(by_length.items())),
    )


class GraphRefinement(Record):
    """What `refine_graph` did."""

    discovery: DiscoveryReport | None = None
    traces: TraceShare = Field(default_factory=TraceShare)
    calls: int = 0
    failed_calls: int = 0


def refine_graph(
    graph: ApiGraph,
    session: Any,
    *,
    seed: int = 0,
    discover: bool = True,
    traces: int = 200,
    mode: SamplingMode = "legality",
    sampler_config: SamplerConfig | None = None,
) -> tuple[GraphRefinement, list[Trace]]:
    """Run discovery, then sample `traces` traces that feed the graph; return the report and traces."""
    report = GraphRefinement()
    if discover:
        report.discovery = discover_prerequisites(graph, session, seed=seed)
    sampled: list[Trace] = []
    if traces > 0:
        sampler = TraceSampler(graph, session, seed=seed, mode=mode, config=sampler_config)
        sampled = sampler.sample_many(traces)
        report.calls, report.failed_calls = sampler.stats.calls, sampler.stats.failed_calls
    report.traces = trace_share(sampled)
    return report, sampled


def build_graph(session: Any, *, config: GraphConfig | None = None, seed: int = 0, discover: bool = True,
                traces: int = 200) -> tuple[ApiGraph, GraphRefinement]:
    """A graph over a live session, refined by discovery and `traces` sampled traces."""
    graph = ApiGraph.from_session(session, config=config)
    report, _ = refine_graph(graph, session, seed=seed, discover=discover, traces=traces)
    return graph, report
