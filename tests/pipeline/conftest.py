"""One small generated run shared by the pipeline tests."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_fixture_runs import small_config  # noqa: E402

from hardgen.pipeline import Manifest, generate  # noqa: E402


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    """An uninterrupted run of the small config: its directory and manifest."""
    out = tmp_path_factory.mktemp("uninterrupted") / "run"
    manifest = asyncio.run(generate(small_config(out)))
    return out, manifest
