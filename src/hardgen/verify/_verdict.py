"""Verdicts and the failure taxonomy shared by generation (reasoner) and evaluation (any agent)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hardgen.schema import Record

FailureKind = Literal[
    "wrong_tool",
    "missing_prerequisite",
    "wrong_argument",
    "malformed_call",
    "gave_up",
    "state_mismatch",
    "missing_observation",
    "answer_missing",
    "not_asked",
    "unneeded_call",
    "duplicate_call",
]
"""Why an attempt failed. The first five are the probe taxonomy of failure mining: a wrong tool was
chosen, a prerequisite step (lookup or state-setting call) was skipped, an argument was wrong or
invented, a call was malformed (unknown tool, bad JSON, wrong types), or the agent gave up (no
calls). The next three are what the replay check saw when none of those explains it. The last
three belong to the families: a turn that should have asked the user for a value acted without it
(`not_asked`), a turn no offered tool serves got a call anyway (`unneeded_call`), and a parallel
turn repeated a call it had already made (`duplicate_call`)."""

FAILURE_KINDS: tuple[FailureKind, ...] = (
    "wrong_tool",
    "missing_prerequisite",
    "wrong_argument",
    "malformed_call",
    "gave_up",
    "state_mismatch",
    "missing_observation",
    "answer_missing",
    "not_asked",
    "unneeded_call",
    "duplicate_call",
)


class TurnVerdict(Record):
    turn: int
    passed: bool
    expected_state_hash: str | None = None
    actual_state_hash: str | None = None
    missing_observations: list[int] = Field(default_factory=list)
    """Gold step indices of checked observations (no-op writes, read goals with no answer values)
    whose result the candidate did not obtain."""
    missing_answer_values: list[str] = Field(default_factory=list)
    ungrounded_answer_values: list[str] = Field(default_factory=list)
    """Requested values the answer states although no result the candidate obtained gave them
    (nor did the user): guessed."""
    failure: FailureKind | None = None
    failed_tools: list[str] = Field(default_factory=list)
    """Gold tools of this turn the candidate did not get right (for per-tool failure statistics)."""
    reasons: list[str] = Field(default_factory=list)


class Verdict(Record):
    """The result of verifying one candidate against a sample's gold turns."""

    passed: bool
    turns: list[TurnVerdict]
    reasons: list[str] = Field(default_factory=list)

    @property
    def failure(self) -> FailureKind | None:
        for t in self.turns:
            if t.failure:
                return t.failure
        return None

    @property
    def failed_tools(self) -> list[str]:
        return sorted({tool for t in self.turns for tool in t.failed_tools})
