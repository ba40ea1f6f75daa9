"""Run any agent on a sample's turns and score it with the verifier: defined in
`hardgen.pipeline._attempt` (failure mining uses it, and `pipeline` does not import `evaluate`),
re-exported here under its old name."""

from hardgen.pipeline._attempt import (
    AgentAttempt,
    ToolFailureStats,
    attempt,
    attempt_sample,
    system_prompt_of,
    tool_outcomes,
)

__all__ = ["AgentAttempt", "ToolFailureStats", "attempt", "attempt_sample", "system_prompt_of", "tool_outcomes"]
