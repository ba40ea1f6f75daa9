"""The pipeline: config, run directory, failure mining and the `generate` orchestration."""

from hardgen.pipeline._config import (
    BackendConfig,
    BudgetConfig,
    ProbeConfig,
    RolesConfig,
    RunConfig,
    SamplingConfig,
    SourceConfig,
    SynthesisOptions,
    dump_config,
    load_config,
)
from hardgen.pipeline._generate import Manifest, Progress, SilentProgress, generate, summarize
from hardgen.pipeline._probe import FailureReport, ProbeTask, ToolProbeResult, build_probe_task, mine_failures
from hardgen.pipeline._roles import Roles, build_backend, build_roles
from hardgen.pipeline._rundir import (
    JsonlAppender,
    RunDirectory,
    RunDirectoryError,
    iter_jsonl,
    repair_jsonl,
    write_json_atomic,
    write_jsonl_atomic,
)
from hardgen.pipeline._sources import resolve_sources
from hardgen.pipeline._units import plan_units, unit_seed, variant_arguments

__all__ = [
    "BackendConfig",
    "BudgetConfig",
    "FailureReport",
    "JsonlAppender",
    "Manifest",
    "ProbeConfig",
    "ProbeTask",
    "Progress",
    "Roles",
    "RolesConfig",
    "RunConfig",
    "RunDirectory",
    "RunDirectoryError",
    "SamplingConfig",
    "SilentProgress",
    "SourceConfig",
    "SynthesisOptions",
    "ToolProbeResult",
    "build_backend",
    "build_probe_task",
    "build_roles",
    "dump_config",
    "generate",
    "iter_jsonl",
    "load_config",
    "mine_failures",
    "plan_units",
    "repair_jsonl",
    "resolve_sources",
    "summarize",
    "unit_seed",
    "variant_arguments",
    "write_json_atomic",
    "write_jsonl_atomic",
]
