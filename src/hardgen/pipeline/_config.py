"""The run configuration: a YAML file plus command-line overrides, validated, saved resolved in the
run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from hardgen.errors import ConfigError
from hardgen.schema import FAMILIES, Family, Record


class BackendConfig(Record):
    """Which model a role talks to. `model-free` needs nothing; `openai` is any OpenAI-compatible
    server (vLLM, SGLang, Ollama, llama.cpp server, hosted APIs)."""

    kind: Literal["model-free", "openai"] = "model-free"
    agent: str | None = None
    """For `model-free`: which rung of the agent ladder (`hardgen.agents.LADDER`: single-call,
    lookup-1, chain, chain-budget, noisy-planner, planner); None: the role's default agent."""
    base_url: str | None = None
    """e.g. http://localhost:8000/v1"""
    model: str | None = None
    api_key_env: str | None = None
    """Name of the environment variable holding the API key (default: HARDGEN_API_KEY, then OPENAI_API_KEY)."""
    temperature: float | None = Field(default=None, ge=0)
    """Sampling settings sent with every request of this role (None: the server's default). A
    role never picks its own temperature: reasoning models that accept only 1.0 would fail."""
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    """Completion-token limit per request (thinking models need room to think)."""
    seed: int | None = None
    """A fixed request seed; None lets each role derive per-request seeds from the run seed."""
    extra_body: dict[str, Any] = Field(default_factory=dict)
    """Server-specific request fields, e.g. `{top_k: 20, chat_template_kwargs: {enable_thinking: false}}`."""
    send_reasoning: bool = False
    """Send the model's earlier reasoning back within an episode (Qwen3 and gpt-oss templates expect it)."""
    send_tool_names: bool = False
    """Put the non-standard `name` on tool messages (off: some providers reject it)."""
    max_concurrency: int = Field(default=16, ge=1)
    timeout_s: float = Field(default=300.0, gt=0)
    max_retries: int = Field(default=4, ge=0)

    @model_validator(mode="after")
    def _check(self) -> BackendConfig:
        if self.kind == "openai" and (not self.base_url or not self.model):
            raise ValueError("an 'openai' backend needs both base_url and model")
        if self.agent is not None:
            from hardgen.agents import AGENT_NAMES

            if self.kind != "model-free":
                raise ValueError("'agent' picks a model-free agent; an 'openai' backend has a model instead")
            if self.agent not in AGENT_NAMES:
                raise ValueError(f"unknown agent {self.agent!r}; choose from {', '.join(AGENT_NAMES)}")
        return self


class RolesConfig(Record):
    target: BackendConfig = Field(default_factory=BackendConfig)
    """The agent under study (failure mining, evaluation)."""
    reference: BackendConfig = Field(default_factory=BackendConfig)
    """The second agent of failure mining (a failure tool is one both fail at)."""
    tool_maker: BackendConfig = Field(default_factory=BackendConfig)
    query_writer: BackendConfig = Field(default_factory=BackendConfig)
    reasoner: BackendConfig = Field(default_factory=BackendConfig)
    critic: BackendConfig = Field(default_factory=BackendConfig)


class SourceConfig(Record):
    """One tool source. `world`: the built-in domains; `class`: a Python class (`module:Class`);
    `module`: a module of functions; docs: a JSON function-docs file for the class's schemas;
    `mcp`: an MCP server (`command` or `url`, optionally a `store`; see `hardgen.tools.McpEnvironment`)."""

    kind: Literal["world", "class", "module", "bfcl", "mcp"] = "world"
    domains: list[str] | None = None
    """For `world`: which domains (default all)."""
    classes: list[str] | None = None
    """For `bfcl`: which of BFCL's multi-turn classes (default all eight)."""
    path: str | None = None
    """For `bfcl`: a folder holding `bfcl_eval/` (default: the installed package)."""
    task: str | None = None
    """For `bfcl`: the task whose `initial_config` loads the classes (default: for each class, the
    `multi_turn_base` task whose config for it holds the most entries); `initial_state` overrides
    it per class name."""
    target: str | None = None
    name: str | None = None
    docs: str | None = None
    loader: str | None = None
    initial_state: dict[str, Any] | str | None = None
    """The state dict, or a path to a JSON/YAML file holding it."""
    state_exclude: list[str] | None = None
    """For `class`: attributes (names or glob patterns, at any depth) the state hash leaves out,
    e.g. a cache; private attributes count otherwise. Default: those that differ between two
    loads of the same state (a timestamp taken at load). `["_*"]`: public attributes only."""
    unknown_state_keys: Literal["error", "ignore"] = "error"
    """For `class` loaded by constructor keywords: an `initial_state` key the constructor has no
    parameter for is an error naming it, or (`ignore`) left out with a warning."""
    isolation: Literal["thread", "process"] = "thread"
    """Where this source's tool calls run: `thread` (fast; a hung pure-Python call is stopped) or
    `process` (a worker process per environment, killed on a timeout and rebuilt from the last
    snapshot; contains `os._exit` and crashes, at a cost per call: bench/bench_tool_isolation.py)."""
    command: list[str] | None = None
    """For `mcp`: the stdio command starting the server; `{store}` is the episode's copy of the store."""
    url: str | None = None
    """For `mcp`: a streamable HTTP endpoint instead of a command (read-only tools only)."""
    store: str | None = None
    """For `mcp`: the backing store (folder, SQLite file or git repository) that makes the server
    resettable and its write tools usable; copied fresh per episode, never touched itself."""
    reads: list[str] = Field(default_factory=list)
    """For `mcp`: tools that are reads although the server does not annotate them `readOnlyHint`."""
    env: dict[str, str] = Field(default_factory=dict)
    """For `mcp`: extra environment variables of the server process."""
    bind: dict[str, Any] = Field(default_factory=dict)
    """For `mcp`: arguments passed on every call that takes them and hidden from the agent, e.g.
    `{repo_path: "{store}"}` (`{store}` is the episode's copy)."""
    start_timeout_s: float = Field(default=30.0, gt=0)
    """For `mcp`: how long the server may take to start and list its tools."""

    @model_validator(mode="after")
    def _check(self) -> SourceConfig:
        if self.kind == "mcp":
            from hardgen.tools._mcp import configure_source  # the tools package imports this one's schema: late

            configure_source(self)  # checks command/url/store, names it, sets `target` to its trust reference
            return self
        if self.kind not in ("world", "bfcl") and not self.target:
            raise ValueError(f"a {self.kind!r} tool source needs a target like 'package.module:ClassName'")
        return self


class ProbeConfig(Record):
    enabled: bool = True
    tasks_per_tool: int = Field(default=2, ge=1)
    """K probe tasks per tool."""
    failure_threshold: float = Field(default=0.5, ge=0, le=1)
    """A tool is a failure tool when both agents fail at least this share of its probes."""
    max_tools: int | None = Field(default=None, ge=1)
    """Probe at most this many tools (None: all)."""
    max_steps: int = Field(default=8, ge=1)


class SamplingConfig(Record):
    mode: Literal["legality", "uniform", "random_walk"] = "legality"
    traces: int | None = Field(default=None, ge=1)
    """Traces to sample (default: 8 per sample asked and at least 300)."""
    min_length: int = Field(default=2, ge=1)
    max_length: int = Field(default=8, ge=1)
    discovery: bool = True
    """Discover state prerequisites by execution before sampling."""

    def trace_budget(self, samples: int) -> int:
        """How many traces to sample for `samples` samples. Most traces make no task (nothing a
        user could name singles out a list element, a two-call lookup, ...), and the units are
        planned longest chains first, so a generous budget is what keeps chains long."""
        return self.traces or max(300, 8 * samples)

    @model_validator(mode="after")
    def _check(self) -> SamplingConfig:
        if self.max_length < self.min_length:
            raise ValueError(f"max_length ({self.max_length}) is less than min_length ({self.min_length})")
        return self


_BASE_ONLY: dict[Family, float] = {"base": 1.0}


class SynthesisOptions(Record):
    samples: int = Field(default=100, ge=1)
    """How many samples to aim for (units are made until this many are planned)."""
    variants_per_tool: int = Field(default=3, ge=1)
    """Units per advanced tool: its own values first, then other values from the value pools."""
    turns: int = Field(default=1, ge=1)
    max_rounds: int = Field(default=4, ge=0)
    """When the planned units run out before `samples` are written, sample more traces (with a new
    seed, the graph unchanged) and plan more units, at most this many times."""
    min_calls: int = Field(default=2, ge=1)
    """Advanced tools with fewer calls are left out of the library (single calls are not hard)."""
    max_attempts: int = Field(default=3, ge=1)
    distractors: int = Field(default=4, ge=0)
    noise: bool = True
    families: dict[Family, float] = Field(default_factory=lambda: _BASE_ONLY.copy())
    """Sample families mixed by ratio (`{base: 0.5, parallel: 0.25, irrelevance: 0.25}`): `samples`
    is split by these shares, and each family is filled from units whose verified sample fits it
    (see `hardgen.synth._families`). A family the tools cannot support is left short, reported in
    the manifest, never padded with another. Default: base samples only."""

    @field_validator("families")
    @classmethod
    def _check_families(cls, value: dict[Family, float]) -> dict[Family, float]:
        if any(r < 0 for r in value.values()):
            raise ValueError("family ratios must be 0 or more")
        if not any(r > 0 for r in value.values()):
            raise ValueError(f"at least one family needs a ratio above 0 (families: {', '.join(FAMILIES)})")
        return value


class BudgetConfig(Record):
    """What the run may spend on model servers, over all roles. When either limit is reached the run
    stops cleanly (the samples so far are kept; `--resume` with a larger budget goes on, and what
    was already asked is answered from the cache for free)."""

    max_requests: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=0)


class RunConfig(Record):
    seed: int = 0
    out: str = "runs/hardgen"
    sources: list[SourceConfig] = Field(default_factory=lambda: [SourceConfig()])
    world_seed: int = 0
    """Seed of the built-in world's generated state."""
    roles: RolesConfig = Field(default_factory=RolesConfig)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    probe: ProbeConfig = Field(default_factory=ProbeConfig)
    sampling: SamplingConfig = Field(default_factory=SamplingConfig)
    synthesis: SynthesisOptions = Field(default_factory=SynthesisOptions)
    concurrency: int = Field(default=8, ge=1)
    tool_timeout_s: float = Field(default=10.0, gt=0)
    cache: bool = True
    """Cache model responses in the run directory (a resumed run costs nothing for work done)."""


def set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `a.b.c` in nested dicts, making the sections on the way; a value in the way is an error."""
    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"cannot set {dotted!r}: {part!r} is not a section")
    node[parts[-1]] = value


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None,
                sets: list[str] | None = None) -> RunConfig:
    """Read a YAML config (optional), apply dotted overrides (`{"synthesis.samples": 50}`) and
    `key=value` strings (values parsed as YAML), and validate. Raises ConfigError with the field."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc
        except UnicodeDecodeError:
            raise ConfigError(f"config {path} is not UTF-8 text") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"config {path} is not valid YAML: {exc}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"config {path} must be a mapping at the top level")
        data = loaded or {}
    for key, value in (overrides or {}).items():
        if value is not None:
            set_dotted(data, key, value)
    for item in sets or []:
        if "=" not in item:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        key, _, raw = item.partition("=")
        set_dotted(data, key.strip(), yaml.safe_load(raw))
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid config: {problems}") from None


def dump_config(config: RunConfig) -> str:
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)
