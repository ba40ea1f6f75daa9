"""The Ray executor (issue 16) on a local two-CPU Ray, started once for the module: a run on two
workers, one of which is killed mid-way, writes the same run directory, byte for byte, as the local
run; so does a local run killed mid-way and resumed on Ray; evaluation on Ray reports what the local
pool reports; and what a killed worker spent stays counted."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pipeline_fixture_runs import small_config, write_config

from hardgen.pipeline import Manifest, generate, load_config
from hardgen.pipeline._ray import RayExecutor
from hardgen.pipeline._rundir import KILL_AFTER_WRITE_ENV, count_lines

ray = pytest.importorskip("ray", reason="the Ray executor tests need Ray: pip install 'hardgen[ray]'")

FILES = ("failures.json", "graph.probed.json", "graph.json", "traces.jsonl", "advanced_tools.jsonl",
         "library_dropped.json", "units.jsonl", "samples.jsonl", "rejected.jsonl")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def two_workers(local_ray: Any) -> Iterator[RayExecutor]:
    """Two Ray actors shared by the module's tests, as one executor serves every job of a run
    (starting actors, which import HardGen, is most of what a small job costs)."""
    executor = RayExecutor(workers=2)
    executor._actors(local_ray, 4)  # two actors, two units in flight each, whichever test comes first
    yield executor
    executor.close()


def _differ(run: Path, reference: Path) -> list[str]:
    return [n for n in FILES if (run / n).read_bytes() != (reference / n).read_bytes()]


def test_a_run_killed_locally_and_resumed_on_ray_ends_as_the_uninterrupted_run(
        two_workers: RayExecutor, small_run: tuple[Path, Manifest], tmp_path: Path) -> None:
    reference, _ = small_run
    out = tmp_path / "run"
    config = write_config(small_config(out), tmp_path / "config.yaml")
    # A real SIGKILL of a local `hardgen generate`, right after its 24th write (a dozen units in).
    killed = subprocess.run([sys.executable, "-c", "from hardgen.cli import main; main()", "generate", "--config",
                             str(config), "--json"], env={**os.environ, KILL_AFTER_WRITE_ENV: "24"},
                            capture_output=True, timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    assert 0 < count_lines(out / "samples.jsonl") < 30
    asyncio.run(generate(load_config(out / "config.yaml"), resume=True, executor=two_workers))
    assert _differ(out, reference) == []


def test_a_run_on_two_ray_workers_one_killed_mid_run_writes_the_bytes_of_the_local_run(
        two_workers: RayExecutor, small_run: tuple[Path, Manifest], tmp_path: Path) -> None:
    """Two workers run the probe tasks and synthesis units; one dies mid-synthesis and loses only
    its units in flight, which are run again."""
    reference, manifest = small_run
    out = tmp_path / "run"
    executor = two_workers

    async def run_and_kill() -> tuple[Manifest, int]:
        running = asyncio.ensure_future(generate(small_config(out, concurrency=4), executor=executor))
        killed_after = -1
        while not running.done():
            execution = executor.execution
            if killed_after < 0 and execution is not None and execution.key.startswith("synthesis") \
                    and execution.completed >= 5:
                killed_after = execution.completed
                # As if its process died: Ray restarts the actor and retries the units it had.
                ray.kill(execution.actors[0], no_restart=False)
            await asyncio.sleep(0.005)
        return await running, killed_after

    again, killed_after = asyncio.run(run_and_kill())
    assert len(executor.actors) == 2
    assert killed_after >= 5, "the run ended before a worker could be killed"
    assert _differ(out, reference) == []
    assert again.model_dump(exclude={"phase_seconds"}) == manifest.model_dump(exclude={"phase_seconds"})


def test_hardgen_eval_on_two_ray_workers_reports_what_the_local_pool_reports(
        two_workers: RayExecutor, small_run: tuple[Path, Manifest], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluation samples are units of the same executor: `hardgen eval --executor ray` scores the
    same samples the same way, in the same order (only the wall time differs)."""
    from typer.testing import CliRunner

    import hardgen.cli._options
    from hardgen.cli._app import app
    from hardgen.pipeline._ray import RayExecution

    made: list[tuple[Any, ...]] = []

    def shared(*args: Any, **kwargs: Any) -> RayExecutor:  # the module's workers, kept open for the next test
        made.append((*args, *kwargs.items()))
        return two_workers

    monkeypatch.setattr(hardgen.cli._options, "RayExecutor", shared)
    monkeypatch.setattr(two_workers, "close", lambda: None)

    sent: list[str] = []
    submit = RayExecution._submit

    async def counted(self: Any, unit: Any) -> Any:
        sent.append(self.key)
        return await submit(self, unit)

    monkeypatch.setattr(RayExecution, "_submit", counted)
    reference, _ = small_run
    common = ["eval", str(reference), "--agent", "noisy-planner", "--seed", "2", "--limit", "12", "--concurrency", "4",
              "--json"]
    reports = {}
    for executor, options in (("local", []), ("ray", ["--executor", "ray", "--ray-workers", "2"])):
        result = CliRunner().invoke(app, [*common, *options, "--out", str(tmp_path / executor)])
        assert result.exit_code == 0, result.output
        reports[executor] = json.loads((tmp_path / executor / "eval.json").read_text())
        reports[executor].pop("seconds")
    assert made == [(None, ("workers", 2))]
    assert len(sent) == 12 and all(key.startswith("evaluation") for key in sent)  # the Ray run's, every sample
    assert reports["ray"] == reports["local"]
    assert reports["local"]["samples"] == 12 and 0 < reports["local"]["passed"] < 12


def test_what_a_dead_ray_worker_spent_on_the_units_it_returned_stays_counted(two_workers: RayExecutor) -> None:
    class Counting:
        """Counts a request per unit, as a backend's accounting would."""

        def __init__(self) -> None:
            self.requests = 0

        async def run(self, unit: int) -> int:
            await asyncio.sleep(0.02)
            self.requests += 1
            return unit

        def report(self) -> dict[str, Any]:
            return {"backends": {"model": {"requests": self.requests}}}

        def close(self) -> None: ...

    def build(_recipe: Any) -> Counting:  # defined here: Ray ships it by value
        return Counting()

    from hardgen.pipeline import Job
    from hardgen.pipeline._synthesis import merge_reports

    async def run_and_kill() -> tuple[list[int], list[dict[str, Any]]]:
        out: list[int] = []
        async with two_workers.start(Job("count", build, {}), 4) as execution:
            async for result in execution.map(range(60)):
                out.append(result)
                if len(out) == 20:
                    ray.kill(execution.actors[0], no_restart=False)  # its units in flight are run again
            return out, await execution.reports()

    results, reports = asyncio.run(run_and_kill())
    assert results == list(range(60))
    backends: dict[str, Any] = {}
    merge_reports(backends, {}, reports)
    # Every unit counted: the dead worker's by the report that came with its last result, the
    # restarted one's (and the other worker's) by their final reports. A unit it finished whose
    # result was lost in its death runs again, so at most those in flight then count twice.
    assert len(reports) == 3 and 60 <= backends["model"]["requests"] <= 60 + 4
