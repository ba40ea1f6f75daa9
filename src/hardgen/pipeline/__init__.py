"""The pipeline: config, run directory, failure mining, the stages of `generate` and the executors
that run their units (a local sliding pool, or Ray)."""

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
from hardgen.pipeline._executor import Execution, Executor, Job, LocalExecutor, Worker
from hardgen.pipeline._generate import (
    GENERATE_STAGES,
    SUMMARY_STAGE,
    GenerateState,
    Manifest,
    Progress,
    SilentProgress,
    generate,
    summarize,
)
from hardgen.pipeline._probe import FailureReport, ProbeTask, ToolProbeResult, build_probe_task, mine_failures
from hardgen.pipeline._ray import RayExecutor
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
from hardgen.pipeline._stages import Stage, run_stages
from hardgen.pipeline._units import plan_units, unit_seed, variant_arguments

__all__ = [
    "GENERATE_STAGES",
    "SUMMARY_STAGE",
    "BackendConfig",
    "BudgetConfig",
    "Execution",
    "Executor",
    "FailureReport",
    "GenerateState",
    "Job",
    "JsonlAppender",
    "LocalExecutor",
    "Manifest",
    "ProbeConfig",
    "ProbeTask",
    "Progress",
    "RayExecutor",
    "Roles",
    "RolesConfig",
    "RunConfig",
    "RunDirectory",
    "RunDirectoryError",
    "SamplingConfig",
    "SilentProgress",
    "SourceConfig",
    "Stage",
    "SynthesisOptions",
    "ToolProbeResult",
    "Worker",
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
    "run_stages",
    "summarize",
    "unit_seed",
    "variant_arguments",
    "write_json_atomic",
    "write_jsonl_atomic",
]
