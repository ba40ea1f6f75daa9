"""A small generated run shared by the evaluation tests (two domains, six samples)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from hardgen.pipeline import RunConfig, generate, load_config

SMALL: dict[str, Any] = {
    "sources": [{"kind": "world", "domains": ["messaging", "banking"]}],
    "synthesis.samples": 6,
    "probe.tasks_per_tool": 1,
    "sampling.traces": 30,
}


def small_config(out: Path, **overrides: Any) -> RunConfig:
    return load_config(None, {**SMALL, "out": str(out), **overrides})


@pytest.fixture(name="small_config")
def small_config_fixture() -> Any:
    """Makes the small config for an output directory (keyword overrides as dotted keys)."""
    return lambda out, **overrides: small_config(out, **overrides)


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("evaluate") / "run"
    manifest = asyncio.run(generate(small_config(out)))
    assert manifest.samples >= 4, manifest
    return out
