"""Fault injection (issue 21): SIGKILL `hardgen generate` right after each of its writes (every file
of every phase, the commits of both top-up rounds and their moves, appended samples and
rejections), resume, and compare the run directory byte for byte with the uninterrupted run.

Each run is a forked child of this (already imported) process calling the CLI, so a kill point
costs the run's own work and not an interpreter start; the kill itself is the real thing
(`HARDGEN_FAULT_KILL_AFTER_WRITE`, a SIGKILL from inside the write hook: no cleanup, no flush).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
from pathlib import Path

import pytest
from pipeline_fixture_runs import write_config

from hardgen.cli._app import app
from hardgen.pipeline import load_config
from hardgen.pipeline._rundir import KILL_AFTER_WRITE_ENV, WRITE_LOG_ENV

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")

# One domain, a few tools probed, too few traces for the samples asked: round 0 runs out of units,
# two top-up rounds follow (with rejections), the second reaching the samples asked.
TINY_RUN = {
    "sources": [{"kind": "world", "domains": ["notes"]}],  # a library that needs both top-ups, and rejects
    "synthesis.samples": 8,
    "synthesis.max_rounds": 2,
    "synthesis.variants_per_tool": 1,  # few units per round: fewer writes to kill after
    "probe.tasks_per_tool": 1,
    "probe.max_tools": 4,
    "sampling.traces": 6,  # round 0's library runs out of units before the samples asked
    "concurrency": 1,
}
SAME_BYTES = ("failures.json", "graph.probed.json", "graph.json", "traces.jsonl",
              "advanced_tools.jsonl", "library_dropped.json", "units.jsonl", "samples.jsonl", "rejected.jsonl",
              "graph.png")


def _cli(args: list[str], env: dict[str, str]) -> None:
    os.environ.update(env)
    try:
        app(args, prog_name="hardgen")
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    os._exit(0)


def _run(args: list[str], **env: str) -> int | None:
    """Run the CLI in a forked child; its exit code (-9 when killed)."""
    child = multiprocessing.get_context("fork").Process(target=_cli, args=(args, env))
    child.start()
    child.join(240)
    if child.is_alive():
        child.kill()
        child.join()
        raise AssertionError(f"hardgen {' '.join(args)} did not end")
    return child.exitcode


def _generate(config: Path, out: Path, **env: str) -> int | None:
    return _run(["generate", "--config", str(config), "--out", str(out), "--json"], **env)


def _writes(log: Path) -> list[str]:
    return [line.split("\t")[1] for line in log.read_text().splitlines()]


def _manifest(run: Path) -> dict[str, object]:
    data = json.loads((run / "manifest.json").read_text())
    data.pop("phase_seconds")  # timings are the one thing a resumed run cannot repeat
    return data


def _config(run: Path) -> dict[str, object]:
    return load_config(run / "config.yaml").model_dump(exclude={"out"})  # each run has its own directory


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """The uninterrupted run: its config file, directory and the sequence of its writes."""
    base = tmp_path_factory.mktemp("kill-reference")
    config = write_config(load_config(overrides={**TINY_RUN, "out": str(base / "run")}), base / "config.yaml")
    log = base / "writes.log"
    assert _generate(config, base / "run", **{WRITE_LOG_ENV: str(log)}) == 0
    return config, base / "run", _writes(log)


def test_the_reference_run_covers_every_phase_and_two_top_ups(reference: tuple[Path, Path, list[str]]) -> None:
    _, run, writes = reference
    names = [w.split("/")[1] for w in writes]
    assert names.count("commit.pending") == 4  # probe, library, two top-ups
    assert names.count("units.jsonl") == 3  # planned once, then one commit per top-up
    assert "rejected.jsonl" in names and names[-2:] == ["graph.png", "manifest.json"]
    assert {json.loads(line)["round"] for line in (run / "units.jsonl").read_text().splitlines()} == {0, 1, 2}


def _compare(run: Path, ref: Path) -> list[str]:
    """What differs from the reference run, and what a resumed run left behind."""
    differ = [n for n in SAME_BYTES if (run / n).read_bytes() != (ref / n).read_bytes()]
    if _manifest(run) != _manifest(ref):
        differ.append("manifest.json")
    if _config(run) != _config(ref):
        differ.append("config.yaml")
    left = [p.name for p in run.iterdir() if p.name.startswith("commit.") or p.name.endswith(".tmp")]
    return differ + [f"left behind: {name}" for name in sorted(left)]


def _killed_then_resumed(config: Path, run: Path, point: int) -> list[str]:
    killed = _generate(config, run, **{KILL_AFTER_WRITE_ENV: str(point)})
    assert killed == -signal.SIGKILL, f"write {point}: exit {killed}, no kill"
    resumed = _run(["generate", "--resume", "--out", str(run), "--json"])
    return [f"resume exited {resumed}"] if resumed != 0 else []


def test_a_run_killed_after_every_single_write_in_turn_ends_as_the_uninterrupted_run(
        reference: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    """Kill after the first write, resume and kill the resumed run after its first write, and so on:
    every write of the run is the last one before a kill once, and the kills pile up."""
    config, ref, writes = reference
    run = tmp_path / "run"
    log = tmp_path / "writes.log"
    assert _generate(config, run, **{KILL_AFTER_WRITE_ENV: "1", WRITE_LOG_ENV: str(log)}) == -signal.SIGKILL
    killed_after = _writes(log)
    while killed_after[-1] != "run/manifest.json":
        # The picture is drawn again by a run resumed before its manifest: that resume's second
        # write is the new ground.
        nth = "2" if killed_after[-1] == "run/graph.png" else "1"
        log.unlink()
        code = _run(["generate", "--resume", "--out", str(run), "--json"],
                    **{KILL_AFTER_WRITE_ENV: nth, WRITE_LOG_ENV: str(log)})
        assert code == -signal.SIGKILL, f"a resume after {killed_after[-1]} ended with {code}, not killed"
        killed_after += _writes(log)[-1:]
    assert killed_after == writes  # every write of the uninterrupted run, each followed by a kill
    assert _run(["generate", "--resume", "--out", str(run), "--json"]) == 0
    assert _compare(run, ref) == []


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.skipif(not os.environ.get("HARDGEN_KILL_SWEEP"), reason="a few minutes: set HARDGEN_KILL_SWEEP=1")
def test_a_run_killed_after_any_write_resumes_to_the_uninterrupted_run(
        reference: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    """Each kill point on its own, from a fresh start (the chained test above is the quick version)."""
    config, ref, writes = reference
    failures = []
    for point in range(1, len(writes) + 1):
        run = tmp_path / f"kill-{point:03d}" / "run"  # the same directory name: it is the samples' run id
        problems = _killed_then_resumed(config, run, point) or _compare(run, ref)
        if problems:
            failures.append(f"killed after write {point} ({writes[point - 1]}): {problems}")
    assert not failures, "\n".join(failures)
