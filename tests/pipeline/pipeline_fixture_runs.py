"""The small run the pipeline tests generate (the built-in world, model-free roles)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hardgen.pipeline import RunConfig, dump_config, load_config

SMALL_RUN: dict[str, Any] = {
    "sources": [{"kind": "world", "domains": ["messaging", "banking"]}],
    "synthesis.samples": 30,
    "probe.tasks_per_tool": 1,
    "sampling.traces": 40,
    "concurrency": 1,  # one unit in flight: samples are written one by one (the kill test needs that)
}


def small_config(out: Path, **overrides: Any) -> RunConfig:
    """The small run's config. Runs compared byte for byte must share their directory's name, which
    is the run id recorded in each sample's provenance."""
    return load_config(overrides={**SMALL_RUN, "out": str(out), **overrides})


def write_config(config: RunConfig, path: Path) -> Path:
    path.write_text(dump_config(config), encoding="utf-8")
    return path
