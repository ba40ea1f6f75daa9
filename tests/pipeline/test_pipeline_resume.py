"""Resumable, deterministic runs (issue 7): a run killed with SIGKILL mid-way and resumed writes
exactly what an uninterrupted run with the same seed writes. (That two runs with the same seed are
byte-identical is proved by test_pipeline_executor's second run, at another concurrency.)"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipeline_fixture_runs import small_config, write_config

from hardgen.pipeline import Manifest, generate, load_config

FILES = ("samples.jsonl", "rejected.jsonl", "units.jsonl", "advanced_tools.jsonl")


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _hardgen_command() -> list[str]:
    script = Path(sys.executable).with_name("hardgen")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from hardgen.cli import main; main()"]


def test_a_run_killed_mid_way_resumes_without_losing_or_duplicating_a_sample(
        small_run: tuple[Path, Manifest], tmp_path: Path) -> None:
    reference, _ = small_run
    out = tmp_path / "run"
    config = write_config(small_config(out), tmp_path / "config.yaml")
    target = 30
    process = subprocess.Popen([*_hardgen_command(), "generate", "--config", str(config), "--json"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    killed_at = None
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            written = _lines(out / "samples.jsonl")
            if 3 <= written < target:
                os.killpg(process.pid, signal.SIGKILL)  # a real kill: no cleanup, no flush
                killed_at = written
                break
            time.sleep(0.002)
    finally:
        if process.poll() is None and killed_at is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert killed_at is not None, f"the run ended before it could be killed mid-way (rc {process.returncode}): {stderr}"
    assert process.returncode == -signal.SIGKILL
    assert 3 <= _lines(out / "samples.jsonl") < target
    assert not (out / "manifest.json").exists()
    # A write cut short by the kill: resume must drop the torn line, not keep or duplicate it.
    with open(out / "samples.jsonl", "ab") as fh:
        fh.write(b'{"id": "s0-0000')

    manifest = asyncio.run(generate(load_config(out / "config.yaml"), resume=True))

    assert (out / "samples.jsonl").read_bytes() == (reference / "samples.jsonl").read_bytes()
    assert (out / "rejected.jsonl").read_bytes() == (reference / "rejected.jsonl").read_bytes()
    ids = [json.loads(line)["id"] for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids)) == manifest.samples == target
    assert ids == sorted(ids)  # written in unit order


def test_resuming_a_finished_run_writes_nothing_new(small_run: tuple[Path, Manifest], tmp_path: Path) -> None:
    reference, manifest = small_run
    copy = tmp_path / "run"
    shutil.copytree(reference, copy)
    again = asyncio.run(generate(load_config(copy / "config.yaml", overrides={"out": str(copy)}), resume=True))
    for name in FILES:
        assert (copy / name).read_bytes() == (reference / name).read_bytes(), name
    assert again.samples == manifest.samples


def test_a_run_killed_after_the_probe_resumes_to_the_same_samples(
        small_run: tuple[Path, Manifest], tmp_path: Path) -> None:
    reference, _ = small_run
    out = tmp_path / "run"
    out.mkdir()
    # What a kill between the probe and the advanced tool library leaves behind.
    for name in ("config.yaml", "failures.json"):
        shutil.copy(reference / name, out / name)
    asyncio.run(generate(load_config(out / "config.yaml", overrides={"out": str(out)}), resume=True))
    assert (out / "samples.jsonl").read_bytes() == (reference / "samples.jsonl").read_bytes()
