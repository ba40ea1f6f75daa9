"""The API graph G = (T, D, P) and legality-constrained trace sampling (Phase I of HardGen).

Build a graph from tool schemas, refine it by execution, and sample executed traces around the
tools agents fail on::

    from hardgen.graph import ApiGraph, TraceSampler, discover_prerequisites
    from hardgen.world import default_world

    session = default_world(seed=0)
    graph = ApiGraph.from_session(session)          # candidate edges from schemas, hints, names
    discover_prerequisites(graph, session)          # confirm / prune by execution
    graph.update_failures({"send_chat_message": {"attempts": 10, "failures": 7}})
    sampler = TraceSampler(graph, session, seed=0)  # mode "legality" (default), "uniform", "random_walk"
    trace = sampler.sample()                        # executed; replay_trace(trace) reproduces it
    graph.save("graph.json")
"""

from hardgen.graph._arguments import ArgumentFiller, FilledSource, HistoryEntry, generate_value
from hardgen.graph._candidates import COMPUTED_RESULT_NAMES
from hardgen.graph._discovery import DiscoveryReport, discover_prerequisites, prerequisite_chain
from hardgen.graph._fields import InputParameter, OutputField, input_parameters, output_fields
from hardgen.graph._fresh import fresh_value, state_strings, wants_fresh_value
from hardgen.graph._graph import ApiGraph, DataFlowGate, Edge, GraphConfig, Requirement
from hardgen.graph._naming import tool_subject
from hardgen.graph._records import (
    EdgeKind,
    EdgeStatus,
    ExecutionStats,
    FailureStats,
    GraphError,
    GraphSummary,
    ParameterConstraint,
    ParameterSource,
)
from hardgen.graph._refine import GraphRefinement, TraceShare, build_graph, refine_graph, trace_share
from hardgen.graph._render import render_graph
from hardgen.graph._resettable import ResettableSession
from hardgen.graph._sampler import MODES, SamplerConfig, SamplerStats, SamplingError, SamplingMode, TraceSampler

__all__ = [
    "COMPUTED_RESULT_NAMES",
    "MODES",
    "ApiGraph",
    "ArgumentFiller",
    "DataFlowGate",
    "DiscoveryReport",
    "Edge",
    "EdgeKind",
    "EdgeStatus",
    "ExecutionStats",
    "FailureStats",
    "FilledSource",
    "GraphConfig",
    "GraphError",
    "GraphRefinement",
    "GraphSummary",
    "HistoryEntry",
    "InputParameter",
    "OutputField",
    "ParameterConstraint",
    "ParameterSource",
    "Requirement",
    "ResettableSession",
    "SamplerConfig",
    "SamplerStats",
    "SamplingError",
    "SamplingMode",
    "TraceSampler",
    "TraceShare",
    "build_graph",
    "discover_prerequisites",
    "fresh_value",
    "generate_value",
    "input_parameters",
    "output_fields",
    "prerequisite_chain",
    "refine_graph",
    "render_graph",
    "state_strings",
    "tool_subject",
    "trace_share",
    "wants_fresh_value",
]
