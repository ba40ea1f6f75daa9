"""Phases II and III: advanced tools, hard queries, verified reasoning with a critic, samples."""

from hardgen.synth._advanced_tool import (
    AdvancedExecutionError,
    AdvancedTool,
    ArgBinding,
    ElementSelector,
    StepTemplate,
    execute_advanced,
)
from hardgen.synth._critic import Critic, CriticHint, ModelFreeCritic, gold_values, leaks, sanitize_hint
from hardgen.synth._families import (
    FamilyOutcome,
    FamilyQuota,
    family_quota,
    family_summary,
    family_targets,
    mixed_families,
)
from hardgen.synth._llm_roles import LLMCritic, LLMQueryWriter, LLMReasoner, LLMToolMaker, prompt_version
from hardgen.synth._query_writer import (
    REFERENCE_PHRASE,
    HardQuery,
    ModelFreeQueryWriter,
    QueryWriter,
    answer_fields,
    check_query,
    intermediate_values,
)
from hardgen.synth._reasoner import (
    DependencyIndex,
    ModelFreeReasoner,
    Producer,
    Reasoner,
    ReasonerAttempt,
    ReasonerTask,
)
from hardgen.synth._slots import refers_back
from hardgen.synth._synthesizer import (
    DEFAULT_SYSTEM_PROMPT,
    Rejection,
    SynthesisConfig,
    SynthesisUnit,
    Synthesizer,
    is_empty_result,
    pick_family,
)
from hardgen.synth._tool_maker import ModelFreeToolMaker, ToolMaker, build_advanced_tool, focus_trace

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "REFERENCE_PHRASE",
    "AdvancedExecutionError",
    "AdvancedTool",
    "ArgBinding",
    "Critic",
    "CriticHint",
    "DependencyIndex",
    "ElementSelector",
    "FamilyOutcome",
    "FamilyQuota",
    "HardQuery",
    "LLMCritic",
    "LLMQueryWriter",
    "LLMReasoner",
    "LLMToolMaker",
    "ModelFreeCritic",
    "ModelFreeQueryWriter",
    "ModelFreeReasoner",
    "ModelFreeToolMaker",
    "Producer",
    "QueryWriter",
    "Reasoner",
    "ReasonerAttempt",
    "ReasonerTask",
    "Rejection",
    "StepTemplate",
    "SynthesisConfig",
    "SynthesisUnit",
    "Synthesizer",
    "ToolMaker",
    "answer_fields",
    "build_advanced_tool",
    "check_query",
    "execute_advanced",
    "family_quota",
    "family_summary",
    "family_targets",
    "focus_trace",
    "gold_values",
    "intermediate_values",
    "is_empty_result",
    "leaks",
    "mixed_families",
    "pick_family",
    "prompt_version",
    "refers_back",
    "sanitize_hint",
]
