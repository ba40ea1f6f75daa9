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
    check_file_sources,
    class_environment,
    import_target,
    module_environment,
)
from hardgen.tools._function_docs import load_function_docs, normalize_schema, tool_spec_from_doc
from hardgen.tools._mcp import McpEnvironment, McpSnapshot, mcp_environment
from hardgen.tools._replay import ReplayResult, replay, replay_trace
from hardgen.tools._session import Session
from hardgen.tools._state import canonical_state, same_state, state_digest, state_hash
from hardgen.tools._trust import (
    MAX_DOCS_BYTES,
    TRUST_ENV_VAR,
    Isolation,
    UntrustedSourceError,
    builtin_references,
    check_sources,
    is_strict,
    is_trusted,
    refusal,
    strict_sources,
    trust_root,
    trust_sources,
    trusted_sources,
    untrusted_references,
)
from hardgen.tools._worker import MAX_RESULT_BYTES

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "MAX_DOCS_BYTES",
    "MAX_RESULT_BYTES",
    "TRUST_ENV_VAR",
    "DerivedTool",
    "Environment",
    "Isolation",
    "McpEnvironment",
    "McpSnapshot",
    "PythonEnvironment",
    "ReplayResult",
    "Session",
    "ToolMeta",
    "UntrustedSourceError",
    "annotation_schema",
    "build_environment",
    "builtin_references",
    "canonical_state",
    "check_file_sources",
    "check_sources",
    "class_environment",
    "derive_tool",
    "enabling_steps",
    "guess_mutates",
    "import_target",
    "is_creating",
    "is_destroying",
    "is_enabling_name",
    "is_strict",
    "is_trusted",
    "load_function_docs",
    "mcp_environment",
    "module_environment",
    "name_words",
    "names_new_entity",
    "normalize_schema",
    "refusal",
    "replay",
    "replay_trace",
    "same_state",
    "state_digest",
    "state_hash",
    "strict_sources",
    "tool",
    "tool_meta",
    "tool_spec_from_doc",
    "trust_root",
    "trust_sources",
    "trusted_sources",
    "undoes",
    "untrusted_references",
]
