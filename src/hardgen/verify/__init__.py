"""Verification by re-execution: the same check scores the reasoner and any evaluated agent."""

from hardgen.verify._answer import missing_answer_values, ungrounded_answer_values, value_in_results, value_in_text
from hardgen.verify._faults import (
    FaultInjector,
    FormatRule,
    batches_of,
    format_rule,
    misformatted_value,
    tools_for_turn,
    without_faults,
)
from hardgen.verify._verdict import FAILURE_KINDS, FailureKind, TurnVerdict, Verdict
from hardgen.verify._verifier import (
    CandidateTurn,
    candidate_from_messages,
    check_gold,
    checked_observations,
    classify_failure,
    faulted_calls,
    intermediate_steps,
    offered_per_turn,
    repeated_calls,
    user_texts_from_messages,
    verify_candidate,
    verify_sample,
    verify_turn,
)

__all__ = [
    "FAILURE_KINDS",
    "CandidateTurn",
    "FailureKind",
    "FaultInjector",
    "FormatRule",
    "TurnVerdict",
    "Verdict",
    "batches_of",
    "candidate_from_messages",
    "check_gold",
    "checked_observations",
    "classify_failure",
    "faulted_calls",
    "format_rule",
    "intermediate_steps",
    "misformatted_value",
    "missing_answer_values",
    "offered_per_turn",
    "repeated_calls",
    "tools_for_turn",
    "ungrounded_answer_values",
    "user_texts_from_messages",
    "value_in_results",
    "value_in_text",
    "verify_candidate",
    "verify_sample",
    "verify_turn",
    "without_faults",
]
