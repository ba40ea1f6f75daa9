"""Declaring tools and running them in stateful, deterministic environments."""

from hardgen.tools._actions import (
    enabling_steps,
    is_creating,
    is_destroying,
    is_enabling_name,
    name_words,
    names_new_entity,
    undoes,
)
from hardgen.tools._decorator import ToolMeta, tool, tool_meta
from hardgen.tools._derive import DerivedTool, annotation_schema, derive_tool, guess_mutates
from hardgen.tools._environment import (
    DEFAULT_TIMEOUT_S,
    Environment,
    PythonEnvironment,
    build_environment,
    class_environment,
    import_target,
    module_environment,
)
from hardgen.tools._function_docs import load_function_docs, normalize_schema, tool_spec_from_doc
from hardgen.tools._replay import ReplayResult, replay, replay_trace
from hardgen.tools._session import Session
from hardgen.tools._state import canonical_state, same_state, state_digest, state_hash

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "DerivedTool",
    "Environment",
    "PythonEnvironment",
    "ReplayResult",
    "Session",
    "ToolMeta",
    "annotation_schema",
    "build_environment",
    "canonical_state",
    "class_environment",
    "derive_tool",
    "enabling_steps",
    "guess_mutates",
    "import_target",
    "is_creating",
    "is_destroying",
    "is_enabling_name",
    "load_function_docs",
    "module_environment",
    "name_words",
    "names_new_entity",
    "normalize_schema",
    "replay",
    "replay_trace",
    "same_state",
    "state_digest",
    "state_hash",
    "tool",
    "tool_meta",
    "tool_spec_from_doc",
    "undoes",
]
