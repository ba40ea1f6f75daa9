"""The records the API graph exchanges with other phases: failure statistics, parameter
constraints, and the summary it reports."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from hardgen.errors import HardGenError
from hardgen.schema import Record

EdgeKind = Literal["data_flow", "state_prerequisite"]
EdgeStatus = Literal["candidate", "confirmed", "pruned"]
EDGE_KINDS: tuple[EdgeKind, ...] = ("data_flow", "state_prerequisite")
EDGE_STATUSES: tuple[EdgeStatus, ...] = ("candidate", "confirmed", "pruned")


class GraphError(HardGenError):
    """The API graph was asked for something it cannot do (unknown tool, unreadable file)."""


class FailureStats(Record):
    """How often agents failed on one tool: what failure mining and evaluation feed into the graph."""

    attempts: int = 0
    """Probe tasks (or evaluated calls) that needed the tool."""
    failures: int = 0
    """Of those, how many the agent(s) got wrong."""
    taxonomy: dict[str, int] = Field(default_factory=dict)
    """Failure counts by kind, e.g. {"missing_dependency": 3, "wrong_argument": 1}."""

    @property
    def failure_rate(self) -> float:
        return self.failures / self.attempts if self.attempts else (1.0 if self.failures else 0.0)


class ExecutionStats(Record):
    """How the tool behaved when the graph's own sampler and discovery executed it."""

    calls: int = 0
    errors: int = 0
    error_types: dict[str, int] = Field(default_factory=dict)
    state_changes: int = 0
    """Successful calls that changed the state hash (measured only for tools whose read/write
    kind was guessed from the name)."""
    state_unchanged: int = 0
    """Successful calls, so measured, that left the state hash as it was."""


class ParameterSource(Record):
    """An output field of another tool that can feed a parameter (a data-flow edge, seen from its end)."""

    tool: str
    path: list[str]
    status: EdgeStatus
    weight: float


class ParameterConstraint(Record):
    """P of G=(T,D,P) for one parameter: what values are legal and where they come from."""

    name: str
    type: str | None = None
    required: bool = False
    identifier: bool = False
    """An identifier is looked up, never invented; its data-flow sources gate the tool's legality."""
    enum: list[Any] | None = None
    minimum: float | None = None
    maximum: float | None = None
    observed_range: list[float] | None = None
    """[min, max] of numeric values the tool accepted."""
    pool_size: int = 0
    """Known values (from environment state and outputs) available for this parameter."""
    sources: list[ParameterSource] = Field(default_factory=list)
    """Output -> input mappings: tools whose output can feed this parameter."""


class GraphSummary(Record):
    """What `ApiGraph.summary()` reports (and `hardgen graph` prints)."""

    nodes: int
    edges: int
    """Edges of every kind and status, pruned ones included."""
    edges_by_kind: dict[str, dict[str, int]]
    """kind -> status -> count."""
    weakly_connected_components: int
    """Over the edges that are not pruned."""
    largest_component: int
    isolated_tools: int
    parameters: int
    value_pool_keys: int
    failure_tools: int
    """Tools with at least one recorded agent failure."""
    top_failure_tools: list[tuple[str, float]] = Field(default_factory=list)
    """Up to 20 (tool, failure rate), highest first."""
