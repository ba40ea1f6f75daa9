"""Agents: the loop that lets a backend act in an environment, and the model-free agent.

`run_agent` drives any `Backend` (an LLM behind the OpenAI-compatible backend, or `ModelFreeAgent`)
through ask -> execute tool calls -> observe -> repeat, and returns an `AgentRun`. `ModelFreeAgent`
is the offline default for the target and reference roles: retrieval + slot filling, no chaining.
The ladder (`LADDER`, `build_agent`) adds model-free agents of graded skill above it, up to a
schema-only backward-chaining planner (`PlannerAgent`), selectable by name (`--agent chain`).
"""

from hardgen.agents._ladder import (
    AGENT_NAMES,
    DEFAULT_AGENT,
    LADDER,
    NOISY_ERROR_RATE,
    RUNGS,
    Rung,
    build_agent,
    next_rung,
    rung,
)
from hardgen.agents._literals import LiteralKind, QueryLiteral, extract_literals, find_enum_mentions, match_enum
from hardgen.agents._loop import (
    DEFAULT_MAX_REPEATED_FAILURES,
    DEFAULT_MAX_STEPS,
    AgentRun,
    CallableEnvironment,
    StopReason,
    run_agent,
)
from hardgen.agents._model_free import ModelFreeAgent, Plan, PlannedCall, describe_result, split_requests
from hardgen.agents._planner import PlannerAgent
from hardgen.agents._retrieval import ToolIndex, ToolMatch, request_terms
from hardgen.agents._slots import ArgumentChoice, SlotFill, fill_arguments

__all__ = [
    "AGENT_NAMES",
    "DEFAULT_AGENT",
    "DEFAULT_MAX_REPEATED_FAILURES",
    "DEFAULT_MAX_STEPS",
    "LADDER",
    "NOISY_ERROR_RATE",
    "RUNGS",
    "AgentRun",
    "ArgumentChoice",
    "CallableEnvironment",
    "LiteralKind",
    "ModelFreeAgent",
    "Plan",
    "PlannedCall",
    "PlannerAgent",
    "QueryLiteral",
    "Rung",
    "SlotFill",
    "StopReason",
    "ToolIndex",
    "ToolMatch",
    "build_agent",
    "describe_result",
    "extract_literals",
    "fill_arguments",
    "find_enum_mentions",
    "match_enum",
    "next_rung",
    "request_terms",
    "run_agent",
    "rung",
    "split_requests",
]
