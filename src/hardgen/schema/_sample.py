"""Sample: one training example with its gold trace, verification record and provenance."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer

from hardgen.schema._base import Record
from hardgen.schema._messages import Message
from hardgen.schema._tool_spec import ToolSpec
from hardgen.schema._trace import EnvironmentSpec, Step

SAMPLE_SCHEMA_VERSION = 2
"""The newest version of the Sample schema this HardGen writes and reads. It goes up when a change
would make an older reader misread a sample; samples written before versions were recorded are
version 1. Version 2 is a sample of a family other than `base` (its gold turns may carry a
behaviour, withheld values, injected faults, tools added later): base samples are still written as
version 1, byte for byte as before, and the fields that version 2 added are left out of them."""

FAMILY_SCHEMA_VERSION = 2
"""The version a sample of any family but `base` is written with."""


def _omit_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """`data` without the fields of `defaults` that hold their default (so version-1 samples keep
    their exact bytes and an older reader still reads them)."""
    for key, value in defaults.items():
        if key in data and data[key] == value:
            del data[key]
    return data


Family = Literal["base", "parallel", "missing_parameter", "irrelevance", "error_recovery", "missing_function",
                 "long_context"]
"""The behaviour a sample teaches (the BFCL multi-turn categories and more): `base` solves the task;
`parallel` issues independent calls in one assistant message; `missing_parameter` asks the user
for a value only they know before acting; `irrelevance` says plainly that no offered tool serves the
request; `error_recovery` recovers from an injected tool failure; `missing_function` says it cannot
do the task until the tool it needs is offered; `long_context` finds its tools among many."""

FAMILIES: tuple[Family, ...] = ("base", "parallel", "missing_parameter", "irrelevance", "error_recovery",
                                "missing_function", "long_context")

Behaviour = Literal["solve", "clarify", "decline"]
"""What a user turn asks of the assistant: `solve` it with calls; `clarify`: ask for the values the
user has not given (`GoldTurn.asks_for`) and make no call that needs them; `decline`: say that no
offered tool can do it, making no call at all."""


class InjectedFault(Record):
    """A tool response of the gold that is an injected failure (the public HardGen data's
    `error_tool_response`): the call it answers never reached the tool, so it is never replayed."""

    call_id: str
    """The id of the assistant call the fault answered."""
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    """The call's arguments. In evaluation a transient fault answers an agent's first identical
    call; a `validation` fault answers every call whose argument breaks the rule read from its
    message (a date or a number in the wrong format), whatever the other arguments."""
    kind: Literal["timeout", "rate_limit", "server_error", "validation"]
    """`validation`: the call had a value in the wrong format (its `arguments`), which the retry
    corrects; the others are transient failures the same call gets past."""
    error_type: str
    """The error type the observation carries (`TimeoutError`, `RateLimitError`, ...)."""
    message: str


class GoldTurn(Record):
    """The gold solution of one user turn."""

    query: str
    """The user's request for this turn."""
    steps: list[Step] = Field(default_factory=list)
    """Gold calls with their observations, executed on the evolving state."""
    required_observations: list[int] = Field(default_factory=list)
    """Indices into `steps` of read results the answer needs; a candidate must obtain the same
    results."""
    answer_values: list[Any] = Field(default_factory=list)
    """Values the final answer must carry (scalars, compared as text)."""
    final_state_hash: str | None = None
    """State hash after this turn's gold calls."""
    behaviour: Behaviour = "solve"
    """What the turn asks of the assistant (see `Behaviour`)."""
    asks_for: list[str] = Field(default_factory=list)
    """`clarify`: the parameters whose values the user has not given yet."""
    withheld_values: list[Any] = Field(default_factory=list)
    """`clarify`: those values (the user gives them next turn); a call carrying one is a guess."""
    needs_value: list[str] = Field(default_factory=list)
    """`clarify`: tools that need a withheld value; calling one before it is given fails."""
    parallel: bool = False
    """The gold issues independent calls of this turn together; a candidate that repeats a call it
    already made this turn (same tool, same arguments, nothing changed in between) fails."""
    faults: list[InjectedFault] = Field(default_factory=list)
    """Injected failures the gold met and recovered from in this turn."""
    tools_added: list[str] = Field(default_factory=list)
    """Tools offered from this turn on only (BFCL's missed functions); earlier turns lack them."""

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _omit_defaults(handler(self), _TURN_FAMILY_DEFAULTS)


_TURN_FAMILY_DEFAULTS: dict[str, Any] = {"behaviour": "solve", "asks_for": [], "withheld_values": [],
                                         "needs_value": [], "parallel": False, "faults": [], "tools_added": []}


class VerificationRecord(Record):
    """How a sample was checked."""

    method: Literal["replay"] = "replay"
    verdict: Literal["passed", "failed"]
    attempts: int = 1
    """Reasoner attempts used (1 = first try)."""
    hints: list[str] = Field(default_factory=list)
    """Critic hints given between attempts."""
    reasons: list[str] = Field(default_factory=list)
    """Why a failed attempt failed (for passed samples, of the earlier attempts)."""
    expected_state_hash: str | None = None
    actual_state_hash: str | None = None


class Provenance(Record):
    backend: str = "model-free"
    model: str | None = None
    seed: int = 0
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    hardgen_version: str = ""
    run_id: str | None = None


class SampleMetadata(Record):
    target_tools: list[str] = Field(default_factory=list)
    """Tools the sample was built around (from the failure set)."""
    failure_tools: list[str] = Field(default_factory=list)
    """Tools of the sample that are in the failure set."""
    advanced_tools: list[str] = Field(default_factory=list)
    """Advanced tools the turns were written from."""
    domains: list[str] = Field(default_factory=list)
    chain_length: int = 0
    """Gold calls over all turns."""
    implicit_dependencies: int = 0
    """Arguments over all turns whose value came from an earlier output, not the query."""
    turns: int = 1
    sampling_mode: str = "legality"
    family: Family = "base"
    """The behaviour the sample teaches (samples from before families are `base`)."""
    provenance: Provenance = Field(default_factory=Provenance)
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _omit_defaults(handler(self), {"family": "base"})


class Sample(Record):
    """One training example in HardGen's canonical schema."""

    schema_version: int = 1
    """The schema version the sample was written with (absent in files from before versions: 1;
    `FAMILY_SCHEMA_VERSION` for a sample of a family other than base)."""
    id: str
    tools: list[ToolSpec]
    """Tools offered to the agent: the involved primitive tools plus distractors."""
    messages: list[Message]
    """System, user turns, assistant turns (reasoning + tool calls), tool observations, answers."""
    environments: list[EnvironmentSpec]
    """How to rebuild the environments, initial state in full."""
    gold: list[GoldTurn]
    """Gold solution per user turn."""
    verification: VerificationRecord
    metadata: SampleMetadata = Field(default_factory=SampleMetadata)

    @field_validator("schema_version")
    @classmethod
    def _readable(cls, version: int) -> int:
        if version > SAMPLE_SCHEMA_VERSION:
            raise ValueError(f"sample schema version {version} is newer than this HardGen reads "
                             f"({SAMPLE_SCHEMA_VERSION}): pip install -U hardgen")
        if version < 1:
            raise ValueError(f"sample schema version {version} does not exist (versions start at 1)")
        return version
