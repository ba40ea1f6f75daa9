"""Typed stages with artifacts (issue 16): a stage whose artifact is complete is skipped, and that
alone is what resume means."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from hardgen.pipeline import Manifest, generate, load_config
from hardgen.pipeline import _generate as generate_module
from hardgen.pipeline._generate import GENERATE_STAGES, SUMMARY_STAGE
from hardgen.pipeline._rundir import RunDirectory
from hardgen.pipeline._stages import Stage, run_stages


def test_run_stages_skips_a_complete_stage_and_loads_every_artifact() -> None:
    calls: list[str] = []

    async def make(name: str) -> None:
        calls.append(f"run {name}")

    def stage(name: str, complete: bool | None) -> Stage[list[str]]:
        return Stage(name, writes=lambda r: [], reads=lambda r: [], run=lambda s: make(name),
                     load=lambda s: calls.append(f"load {name}"),
                     complete=None if complete is None else (lambda s: complete))

    ran = asyncio.run(run_stages([stage("a", True), stage("b", False), stage("c", None)], []))
    assert ran == ["b", "c"]
    assert calls == ["load a", "run b", "load b", "run c", "load c"]


def test_the_stages_declare_the_files_a_run_holds(small_run: tuple[Path, Manifest]) -> None:
    run = RunDirectory(small_run[0])
    declared = set()
    for stage in (*GENERATE_STAGES, SUMMARY_STAGE):
        declared.update(p.name for p in stage.writes(run))
        missing = [p.name for p in stage.reads(run) if not p.exists()]
        assert not missing, f"{stage.name} reads {missing}, which no run holds"
    on_disk = {p.name for p in run.path.iterdir()} - {"config.yaml"}
    assert on_disk <= declared | {"graph.png"}, on_disk - declared  # the picture needs matplotlib


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ran: list[str] = []

    def wrap(stage: Stage[Any]) -> Stage[Any]:
        async def run(state: Any) -> None:
            ran.append(stage.name)
            await stage.run(state)
        return dataclasses.replace(stage, run=run)

    monkeypatch.setattr(generate_module, "GENERATE_STAGES", tuple(wrap(s) for s in GENERATE_STAGES))
    return ran


def test_resuming_a_finished_run_runs_no_stage_but_the_summary(
        small_run: tuple[Path, Manifest], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "run"
    shutil.copytree(small_run[0], copy)
    ran = _recording(monkeypatch)
    asyncio.run(generate(load_config(copy / "config.yaml", overrides={"out": str(copy)}), resume=True))
    assert ran == []


def test_a_missing_artifact_is_made_again_and_only_that_one(
        small_run: tuple[Path, Manifest], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = small_run[0]
    copy = tmp_path / "run"
    shutil.copytree(reference, copy)
    (copy / "units.jsonl").unlink()
    ran = _recording(monkeypatch)
    asyncio.run(generate(load_config(copy / "config.yaml", overrides={"out": str(copy)}), resume=True))
    assert ran == ["units"]  # planned again from the library; synthesis, complete, is skipped
    assert (copy / "units.jsonl").stat().st_size > 0
    for name in ("samples.jsonl", "rejected.jsonl", "advanced_tools.jsonl", "graph.json"):
        assert (copy / name).read_bytes() == (reference / name).read_bytes(), name
