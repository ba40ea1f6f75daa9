"""Run-directory integrity (issue 21): multi-file commits and their recovery, atomic writes, a run
directory that is resumed, replaced or refused but never mixed into, and validated config values."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pipeline_fixture_runs import small_config

from hardgen.errors import ConfigError
from hardgen.pipeline import Manifest, RunConfig, RunDirectory, RunDirectoryError, generate, load_config
from hardgen.pipeline._rundir import write_bytes_atomic

# --- commits -------------------------------------------------------------------------------------


def test_a_commit_replaces_all_its_files_at_once(tmp_path: Path) -> None:
    run = RunDirectory(tmp_path / "run").create()
    run.traces.write_bytes(b"old traces\n")
    run.library.write_bytes(b"old library\n")
    run.commit({run.traces: b"new traces\n", run.library: b"new library\n", run.units: b"units\n"})
    assert (run.traces.read_bytes(), run.library.read_bytes(), run.units.read_bytes()) == (
        b"new traces\n", b"new library\n", b"units\n")
    assert not run.pending.exists() and not run.staging.exists()


def test_recover_finishes_a_commit_half_moved_into_place(tmp_path: Path) -> None:
    # What a kill after the commit point and the first move leaves: traces new, library still old.
    run = RunDirectory(tmp_path / "run").create()
    run.traces.write_bytes(b"new traces\n")
    run.library.write_bytes(b"old library\n")
    run.pending.mkdir()
    (run.pending / run.library.name).write_bytes(b"new library\n")
    (run.pending / run.units.name).write_bytes(b"new units\n")
    run.recover()
    assert (run.traces.read_bytes(), run.library.read_bytes(), run.units.read_bytes()) == (
        b"new traces\n", b"new library\n", b"new units\n")
    assert not run.pending.exists()


def test_recover_drops_a_commit_that_was_not_complete(tmp_path: Path) -> None:
    run = RunDirectory(tmp_path / "run").create()
    run.library.write_bytes(b"old library\n")
    run.staging.mkdir()
    (run.staging / run.library.name).write_bytes(b"half a new lib")
    run.recover()
    assert run.library.read_bytes() == b"old library\n" and not run.staging.exists()


def test_a_commit_only_takes_files_of_its_run(tmp_path: Path) -> None:
    run = RunDirectory(tmp_path / "run").create()
    with pytest.raises(ValueError, match="not a file of the run directory"):
        run.commit({tmp_path / "elsewhere.json": b"{}"})


def test_an_atomic_write_that_fails_keeps_the_old_file_and_leaves_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(b"old\n")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("hardgen.pipeline._rundir.os.fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_bytes_atomic(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


# --- resume, overwrite, refuse -------------------------------------------------------------------


def _tiny(out: Path, **overrides: Any) -> RunConfig:
    """A run of two samples from one domain (for tests that only need some run)."""
    return small_config(out, **{"sources": [{"kind": "world", "domains": ["messaging"]}], "synthesis.samples": 2,
                                "sampling.traces": 12, "probe.max_tools": 3, **overrides})


def test_generate_refuses_a_directory_that_holds_a_run(small_run: tuple[Path, Manifest], tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(small_run[0], copy)
    before = {p.name: p.read_bytes() for p in copy.iterdir()}
    with pytest.raises(RunDirectoryError, match=r"already holds a run: resume it \(--resume\) or replace it"):
        asyncio.run(generate(small_config(copy, seed=1)))
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before  # nothing appended, nothing replaced


def test_generate_refuses_a_file_as_its_run_directory(tmp_path: Path) -> None:
    out = tmp_path / "notes.txt"
    out.write_text("mine")
    with pytest.raises(RunDirectoryError, match="is a file, not a run directory"):
        asyncio.run(generate(small_config(out)))
    assert out.read_text() == "mine"


def test_overwrite_replaces_the_old_run_whole(tmp_path: Path) -> None:
    out = tmp_path / "run"
    asyncio.run(generate(_tiny(out, seed=1)))
    (out / "notes-from-the-old-run.txt").write_text("old")
    manifest = asyncio.run(generate(_tiny(out, seed=2), overwrite=True))
    assert manifest.seed == 2 and load_config(out / "config.yaml").seed == 2
    assert not (out / "notes-from-the-old-run.txt").exists()
    assert {json.loads(line)["id"].split("-")[0] for line in (out / "samples.jsonl").open()} == {"s2"}  # seed 2's units
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # the old run, renamed aside, is gone too


def test_overwrite_does_not_delete_a_directory_that_is_not_a_run(tmp_path: Path) -> None:
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(RunDirectoryError, match="not a HardGen run directory"):
        asyncio.run(generate(small_config(out), overwrite=True))
    assert (out / "holiday.jpg").exists()


def test_overwrite_replaces_what_hardgen_probe_left(tmp_path: Path) -> None:
    out = RunDirectory(tmp_path / "run").create()
    out.failures.write_text("{}")
    with pytest.raises(RunDirectoryError, match="already holds a run"):
        asyncio.run(generate(_tiny(out.path)))
    assert asyncio.run(generate(_tiny(out.path), overwrite=True)).samples == 2


def test_resume_and_overwrite_exclude_each_other(tmp_path: Path) -> None:
    with pytest.raises(RunDirectoryError, match="exclude each other"):
        asyncio.run(generate(small_config(tmp_path / "run"), resume=True, overwrite=True))


@pytest.mark.parametrize(("saved", "words"), [
    (b"", "is empty"),
    (b"  \n", "is empty"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"synthesis:\n  samples: -5\n", "synthesis.samples"),
])
def test_resume_with_an_unusable_saved_config_is_an_error_not_the_defaults(
        tmp_path: Path, saved: bytes, words: str) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.yaml").write_bytes(saved)
    with pytest.raises((RunDirectoryError, ConfigError), match=words):
        asyncio.run(generate(small_config(out), resume=True))
    assert sorted(p.name for p in out.iterdir()) == ["config.yaml"]  # nothing was started


def test_resume_of_a_directory_without_a_config_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "samples.jsonl").write_text("{}\n")
    with pytest.raises(RunDirectoryError, match=r"has no config\.yaml"):
        asyncio.run(generate(small_config(out), resume=True))


def test_resume_of_an_empty_directory_starts_the_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.yaml.tmp").write_text("cut sh")  # a kill while the config was being written
    manifest = asyncio.run(generate(_tiny(out), resume=True))
    assert manifest.samples == 2 and (out / "config.yaml").exists()


# --- config values -------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), [
    ("concurrency", -3), ("concurrency", 0), ("tool_timeout_s", 0), ("tool_timeout_s", -1.5),
    ("synthesis.samples", -5), ("synthesis.samples", 0), ("synthesis.turns", 0), ("synthesis.max_attempts", 0),
    ("synthesis.variants_per_tool", 0), ("synthesis.min_calls", 0), ("synthesis.max_rounds", -1),
    ("synthesis.distractors", -1), ("probe.tasks_per_tool", 0), ("probe.failure_threshold", 1.5),
    ("probe.max_tools", 0), ("probe.max_steps", 0), ("sampling.traces", 0), ("sampling.min_length", 0),
    ("roles.reasoner.timeout_s", 0), ("roles.reasoner.max_concurrency", 0), ("roles.reasoner.max_retries", -1),
    ("roles.reasoner.temperature", -0.1), ("roles.reasoner.top_p", 0), ("roles.reasoner.max_tokens", 0),
])
def test_counts_timeouts_and_shares_out_of_range_are_config_errors(key: str, value: float) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(overrides={key: value})


def test_lengths_must_be_in_order_and_limits_at_their_edge_are_fine() -> None:
    with pytest.raises(ConfigError, match=r"max_length .* less than min_length"):
        load_config(overrides={"sampling.min_length": 5, "sampling.max_length": 3})
    config = load_config(overrides={"concurrency": 1, "synthesis.samples": 1, "synthesis.max_rounds": 0,
                                    "synthesis.distractors": 0, "probe.failure_threshold": 1.0,
                                    "roles.reasoner.max_retries": 0, "sampling.min_length": 3,
                                    "sampling.max_length": 3})
    assert config.concurrency == 1 and config.synthesis.samples == 1


def test_a_config_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_bytes(b"seed: 1\n\xff\xfe\n")
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        load_config(path)
