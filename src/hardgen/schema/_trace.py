"""Observations, steps and traces: tool calls executed from a recorded initial state."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from hardgen.schema._base import Record
from hardgen.schema._messages import ToolCall


class ToolError(Record):
    """A tool's own failure, reported to the agent as an observation (never a crash)."""

    type: str
    """Error class, e.g. `NotFoundError`, `ValidationError`, `TimeoutError`, `UnknownToolError`."""
    message: str


class Observation(Record):
    """What the environment answered to one call."""

    ok: bool
    result: Any = None
    """The tool's return value, JSON-serialisable, when `ok`."""
    error: ToolError | None = None
    """The error, when not `ok`."""
    text: str | None = None
    """The tool's literal text when `result` is a structured reading of it (an MCP server's
    `Commit: ...` lines read as records): the agent sees this text, as it would from the real
    tool, while the graph, the sampler and the verifier work on `result`. None: the tool
    returned `result` itself."""

    @model_serializer(mode="wrap")
    def _without_absent_text(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Observations of tools that return data keep the exact shape they were always written in.
        data = handler(self)
        if isinstance(data, dict) and data.get("text") is None:
            data.pop("text", None)
        return data

    def to_text(self) -> str:
        """The text an agent sees in the tool message."""
        if self.ok:
            if self.text is not None:
                return self.text
            return json.dumps(self.result, ensure_ascii=False, sort_keys=False, default=str)
        assert self.error is not None
        return json.dumps({"error": {"type": self.error.type, "message": self.error.message}}, ensure_ascii=False)

    @classmethod
    def success(cls, result: Any, text: str | None = None) -> Observation:
        return cls(ok=True, result=result, text=text)

    @classmethod
    def failure(cls, error_type: str, message: str) -> Observation:
        return cls(ok=False, error=ToolError(type=error_type, message=message))


class ArgumentSource(Record):
    """Where an argument's value came from: an earlier step's output (an implicit dependency)."""

    parameter: str
    """Parameter of this step's call."""
    step: int
    """Index of the earlier step whose observation supplied the value."""
    path: list[str | int] = Field(default_factory=list)
    """Path inside that step's result, e.g. ["orders", 0, "order_id"]."""


class Step(Record):
    """One executed call."""

    call: ToolCall
    observation: Observation
    turn: int = 0
    """User turn the call belongs to, for multi-turn samples."""
    sources: list[ArgumentSource] = Field(default_factory=list)
    """Arguments fed by earlier outputs (data-flow dependencies made explicit)."""
    state_hash: str | None = None
    """State hash after the call, when recorded."""


class RejectedCall(Record):
    """A call the model tried that never ran: its output could not be read as a call (`malformed`),
    it named a tool that was not offered (`unoffered`), or the episode stopped before it
    (`skipped`). Never replayed as a real call; a turn with one fails verification."""

    kind: Literal["malformed", "unoffered", "skipped"]
    turn: int = 0
    """User turn it belongs to."""
    call: ToolCall | None = None
    """The call as the model made it (`unoffered`, `skipped`); None for `malformed` output, which
    named no call that could be read."""
    reason: str = ""
    """What the model was told: the parse error, or why the tool could not be called."""


class McpServer(Record):
    """How to reach one MCP server (a `kind: mcp` environment) and what holds its state."""

    command: list[str] | None = None
    """The stdio command, e.g. `["mcp-server-sqlite", "--db-path", "{store}/db.sqlite"]`; `{store}`
    is replaced by the episode's copy of the store."""
    url: str | None = None
    """A streamable HTTP endpoint instead of a command (read-only: HardGen cannot restart it)."""
    env: dict[str, str] = Field(default_factory=dict)
    """Extra environment variables for the server process (`{store}` replaced too)."""
    store: str | None = None
    """Absolute path of the backing store (a folder, a SQLite file, a git repository) that makes the
    server resettable: copied fresh for each episode, hashed as the state. None: read-only tools only."""
    reads: list[str] = Field(default_factory=list)
    """Tools to treat as reads although the server does not annotate them `readOnlyHint`."""
    bind: dict[str, Any] = Field(default_factory=dict)
    """Arguments HardGen passes on every call that takes them, hidden from the agent (e.g.
    `{"repo_path": "{store}"}` for a server that wants its repository named in each call)."""
    start_timeout_s: float = Field(default=30.0, gt=0)
    """How long the server may take to start and answer `initialize` (and list its tools)."""

    def digest(self) -> str:
        """A short hash of what the server runs on (all but the timeout): trusting a source means
        trusting exactly this command and store, so a file cannot swap either under a trusted name."""
        body = self.model_dump(mode="json", exclude={"start_timeout_s"})
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def reference(self, name: str) -> str:
        """The trust reference of this server under environment `name` (`mcp:<name>@<digest>`)."""
        return f"mcp:{name}@{self.digest()}"


class EnvironmentSpec(Record):
    """Everything needed to rebuild one environment anywhere: the tool source by reference and the
    initial state in full."""

    name: str
    """Environment name (tools are namespaced by it only when names clash)."""
    kind: Literal["class", "module", "mcp"] = "class"
    """`class`: a Python class whose public methods are tools; `module`: a module of functions;
    `mcp`: an MCP server (described by `mcp`; `target` is its trust reference)."""
    target: str
    """Import reference, `package.module:ClassName` or `package.module`."""
    initial_state: dict[str, Any] = Field(default_factory=dict)
    """The state the environment is loaded with before the first call."""
    loader: str | None = None
    """How state is loaded: a method name taking the dict (e.g. `_load_scenario`), `kwargs` for
    constructor keyword arguments, or None for the class's declared default."""
    docs: str | None = None
    """Path of a JSON function-docs file giving the tool schemas (BFCL style), if any."""
    seed: int = 0
    """Seed for the environment's randomness."""
    include: list[str] | None = None
    """Only these tools (None: all public tools)."""
    mcp: McpServer | None = None
    """For `kind: mcp`: the server and its backing store."""
    state_exclude: list[str] | None = None
    """Attributes (names or glob patterns, at any depth) the state hash leaves out; private
    attributes count otherwise. None: found when the environment is first built (attributes that
    differ between two loads of the same state) and recorded here, so every replay hashes alike.
    `["_*"]` hashes public attributes only."""


class Trace(Record):
    """Tool calls executed from a recorded initial state, each with its observation; replayable."""

    environments: list[EnvironmentSpec]
    steps: list[Step] = Field(default_factory=list)
    final_state_hash: str | None = None
    target_tool: str | None = None
    """The tool the sampler aimed at, if any."""
    mode: Literal["legality", "uniform", "random_walk", "advanced", "agent", "replay"] = "agent"
    """How the trace was made."""

    @property
    def calls(self) -> list[ToolCall]:
        return [s.call for s in self.steps]

    @property
    def tool_names(self) -> list[str]:
        return [s.call.name for s in self.steps]

    @property
    def implicit_dependencies(self) -> int:
        """How many arguments were fed by earlier outputs."""
        return sum(len(s.sources) for s in self.steps)
