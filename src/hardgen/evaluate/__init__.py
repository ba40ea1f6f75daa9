"""Evaluation: any agent on samples, scored by re-execution; per-tool failures for the loop."""

from hardgen.evaluate._attempt import (
    AgentAttempt,
    ToolFailureStats,
    attempt,
    attempt_sample,
    system_prompt_of,
    tool_outcomes,
)

__all__ = ["AgentAttempt", "ToolFailureStats", "attempt", "attempt_sample", "system_prompt_of", "tool_outcomes"]
