"""Shared fixtures of the training tests: one small verified run on the built-in world (no torch
needed), and a tiny random-weight tool-calling model built from it (torch needed; those tests skip
without it)."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest

from hardgen.export import read_samples
from hardgen.pipeline import generate, load_config
from hardgen.schema import Sample

TRAINING_DEPS = ("torch", "transformers", "trl", "datasets", "accelerate", "peft")
MISSING = [m for m in TRAINING_DEPS if importlib.util.find_spec(m) is None]


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four verified two-turn banking samples (multi-step, with implicit lookups and a log-in the second turn relies on)."""
    out = tmp_path_factory.mktemp("train-run") / "run"
    config = load_config(overrides={"out": str(out), "synthesis.samples": 4, "synthesis.turns": 2, "probe.tasks_per_tool": 1,
                                    "sources": [{"kind": "world", "domains": ["banking"]}]})
    asyncio.run(generate(config))
    return out


@pytest.fixture(scope="session")
def small_samples(small_run: Path) -> list[Sample]:
    return read_samples(small_run).samples


@pytest.fixture(scope="session")
def tiny_model(small_samples: list[Sample], tmp_path_factory: pytest.TempPathFactory) -> Path:
    if MISSING:
        pytest.skip(f"needs {', '.join(MISSING)}")
    from hardgen.train import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", small_samples, vocab_size=4096, hidden_size=32)
