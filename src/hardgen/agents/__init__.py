"""Agents: the loop that lets a backend act in an environment, and the model-free agent.

`run_agent` drives any `Backend` (an LLM behind the OpenAI-compatible backend, or `ModelFreeAgent`)
through ask -> execute tool calls -> observe -> repeat, and returns an `AgentRun`. `ModelFreeAgent`
is the offline default for the target and reference roles: retrieval + slot filling, no chaining.
"""

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
from hardgen.agents._retrieval import ToolIndex, ToolMatch, request_terms
from hardgen.agents._slots import ArgumentChoice, SlotFill, fill_arguments

__all__ = [
    "DEFAULT_MAX_REPEATED_FAILURES",
    "DEFAULT_MAX_STEPS",
    "AgentRun",
    "ArgumentChoice",
    "CallableEnvironment",
    "LiteralKind",
    "ModelFreeAgent",
    "Plan",
    "PlannedCall",
    "QueryLiteral",
    "SlotFill",
    "StopReason",
    "ToolIndex",
    "ToolMatch",
    "describe_result",
    "extract_literals",
    "fill_arguments",
    "find_enum_mentions",
    "match_enum",
    "request_terms",
    "run_agent",
    "split_requests",
]
