"""Sample: one training example with its gold trace, verification record and provenance."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from hardgen.schema._base import Record
from hardgen.schema._messages import Message
from hardgen.schema._tool_spec import ToolSpec
from hardgen.schema._trace import EnvironmentSpec, Step

SAMPLE_SCHEMA_VERSION = 1
"""The version of the Sample schema this HardGen writes and reads. It goes up when a change would
make an older reader misread a sample; samples written before versions were recorded are version 1."""


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
    provenance: Provenance = Field(default_factory=Provenance)
    extra: dict[str, Any] = Field(default_factory=dict)


class Sample(Record):
    """One training example in HardGen's canonical schema."""

    schema_version: int = SAMPLE_SCHEMA_VERSION
    """The schema version the sample was written with (absent in files from before versions: 1)."""
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
