"""The executor seam (issue 16): the sliding pool keeps `concurrency` units in flight, hands results
out in unit order through a bounded reorder buffer, and a run through it writes the bytes the former
window loop wrote."""

from __future__ import annotations

import asyncio
import random
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from pipeline_fixture_runs import small_config, write_config

from hardgen.pipeline import Manifest, generate, load_config
from hardgen.pipeline._executor import Job, LocalExecutor, WindowExecutor, ordered_pool, windowed

FILES = ("failures.json", "graph.probed.json", "graph.json", "traces.jsonl", "advanced_tools.jsonl",
         "library_dropped.json", "units.jsonl", "samples.jsonl", "rejected.jsonl")


class _Timed:
    """Units that sleep their own duration; records how many were in flight at each start."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.at_start: list[int] = []
        self.started: list[int] = []

    async def run(self, unit: tuple[int, float]) -> int:
        index, seconds = unit
        self.started.append(index)
        self.in_flight += 1
        self.at_start.append(self.in_flight)
        try:
            await asyncio.sleep(seconds)
        finally:
            self.in_flight -= 1
        return index


def _collect(gen: Any) -> list[Any]:
    async def go() -> list[Any]:
        return [r async for r in gen]
    return asyncio.run(go())


def test_the_pool_yields_in_unit_order_whatever_order_units_finish_in() -> None:
    rng = random.Random(3)
    units = [(i, rng.choice((0.001, 0.01, 0.03))) for i in range(60)]
    timed = _Timed()
    assert _collect(ordered_pool(timed.run, units, concurrency=8)) == list(range(60))
    assert max(timed.at_start) == 8


def test_a_slow_unit_does_not_idle_the_other_slots_but_the_buffer_is_bounded() -> None:
    # Unit 0 takes long; the others are quick. The window loop would wait for it with 7 idle slots;
    # the pool goes on with later units, up to `ahead` past the oldest unit not yet handed out.
    units = [(0, 0.3)] + [(i, 0.001) for i in range(1, 200)]
    timed = _Timed()

    async def go() -> tuple[list[int], list[int]]:
        out = []
        started_when_first_came: list[int] = []
        async for result in ordered_pool(timed.run, units, concurrency=4, ahead=20):
            if result == 0:
                started_when_first_came = list(timed.started)
            out.append(result)
        return out, started_when_first_came

    out, started = asyncio.run(go())
    assert out == list(range(200))
    assert len(started) == 20  # unit 0 plus 19 after it: never more than `ahead` started past it


def test_the_window_loop_waits_for_its_slowest_unit_and_the_pool_does_not() -> None:
    units = [(0, 0.1)] + [(i, 0.001) for i in range(1, 8)]
    window, pool = _Timed(), _Timed()
    assert _collect(windowed(window.run, units, concurrency=4)) == list(range(8))
    assert _collect(ordered_pool(pool.run, units, concurrency=4)) == list(range(8))
    # The window loop starts unit 4 once the whole first window (held up by unit 0) is done; the
    # pool starts it as soon as a quick unit frees its slot, next to the slow unit 0.
    assert window.at_start[window.started.index(4)] == 1
    assert pool.at_start[pool.started.index(4)] >= 2


def test_a_freed_slot_starts_its_next_unit_in_the_same_step_however_busy_the_event_loop_is() -> None:
    # With 128 units in flight, their answers queue many callbacks at once; a next unit that had to
    # wait its turn behind them would leave its slot idle. Count the callbacks run in between.
    ran = 0
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}

    def tick() -> None:
        nonlocal ran
        ran += 1

    async def unit(index: int) -> int:
        starts[index] = ran
        await asyncio.sleep(0.001)
        ends[index] = ran
        return index

    async def go() -> list[int]:
        loop = asyncio.get_running_loop()

        async def busy() -> None:  # every turn of the loop has callbacks queued
            while True:
                for _ in range(5):
                    loop.call_soon(tick)
                await asyncio.sleep(0)

        noise = asyncio.ensure_future(busy())
        try:
            return [r async for r in ordered_pool(unit, range(12), concurrency=1)]
        finally:
            noise.cancel()

    assert asyncio.run(go()) == list(range(12))
    assert all(ends[i] > starts[i] for i in range(12))  # the loop was busy while each unit ran
    assert [starts[i] - ends[i - 1] for i in range(1, 12)] == [0] * 11


async def _fail_at(unit: int) -> int:
    await asyncio.sleep(0.001 * (unit % 3))
    if unit == 5:
        raise ValueError("unit 5 broke")
    return unit


def test_a_failing_unit_raises_after_every_earlier_result() -> None:
    seen: list[int] = []

    async def go() -> None:
        async for result in ordered_pool(_fail_at, range(20), concurrency=4):
            seen.append(result)

    with pytest.raises(ValueError, match="unit 5 broke"):
        asyncio.run(go())
    assert seen == [0, 1, 2, 3, 4]


def test_leaving_early_cancels_the_units_in_flight() -> None:
    timed = _Timed()
    units = [(i, 0.05) for i in range(40)]

    async def go() -> int:
        gen = ordered_pool(timed.run, units, concurrency=6)
        async for result in gen:
            if result == 2:
                break
        await gen.aclose()
        await asyncio.sleep(0)
        return timed.in_flight

    assert asyncio.run(go()) == 0
    assert len(timed.started) < 40


def test_a_job_pickles_without_its_local_worker() -> None:
    import pickle

    job = Job("demo", dict, {"a": 1}, local=_Timed())  # type: ignore[arg-type]
    again = pickle.loads(pickle.dumps(job))
    assert again.local is None and again.recipe == {"a": 1} and job.local is not None


def test_a_run_at_concurrency_8_writes_the_bytes_of_the_one_unit_at_a_time_run(
        small_run: tuple[Path, Manifest], tmp_path: Path) -> None:
    """The pool, 8 units in flight (probe tasks and synthesis units), against the session's run with
    one; this is also the proof that two runs with the same seed write the same bytes."""
    reference, manifest = small_run
    out = tmp_path / "run"  # the same directory name as the reference: it is the samples' run id
    again = asyncio.run(generate(small_config(out, concurrency=8), executor=LocalExecutor()))
    assert [n for n in FILES if (out / n).read_bytes() != (reference / n).read_bytes()] == []
    assert again.samples == manifest.samples == 30
    assert again.model_dump(exclude={"phase_seconds"}) == manifest.model_dump(exclude={"phase_seconds"})


def test_the_former_window_loop_writes_those_bytes_too(small_run: tuple[Path, Manifest], tmp_path: Path) -> None:
    """The window loop (the benchmarks' reference), 8 units at a time, from the reference's probe on
    (the synthesis units, which is what the benchmarks run through it)."""
    reference, manifest = small_run
    out = tmp_path / "run"
    out.mkdir()
    write_config(small_config(out, concurrency=8), out / "config.yaml")
    for name in ("graph.probed.json", "failures.json"):
        shutil.copy(reference / name, out / name)
    again = asyncio.run(generate(load_config(out / "config.yaml"), resume=True, executor=WindowExecutor()))
    assert [n for n in FILES if (out / n).read_bytes() != (reference / n).read_bytes()] == []
    assert again.model_dump(exclude={"phase_seconds"}) == manifest.model_dump(exclude={"phase_seconds"})


def test_ray_missing_is_an_error_that_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from hardgen.errors import MissingDependencyError
    from hardgen.pipeline._ray import import_ray

    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'hardgen\[ray\]'"):
        import_ray()


def test_a_budget_with_an_executor_elsewhere_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    from hardgen.errors import ConfigError
    from hardgen.pipeline import BudgetConfig
    from hardgen.pipeline._ray import RayExecutor

    out = tmp_path / "run"
    with pytest.raises(ConfigError, match="budget is not supported with the ray executor"):
        asyncio.run(generate(small_config(out), executor=RayExecutor(), budget=BudgetConfig(max_requests=10)))
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--executor", "spark"], "unknown executor 'spark'"),
    (["--ray-address", "auto"], "need --executor ray"),
])
def test_the_cli_refuses_an_executor_it_does_not_know_or_ray_options_without_ray(
        args: list[str], message: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from hardgen.cli._app import app

    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "run"), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "run").exists()


def test_what_workers_elsewhere_spent_adds_to_the_runs_own_accounting() -> None:
    from hardgen.pipeline._synthesis import merge_reports

    backends = {"reasoner": {"requests": 10, "latency_s_total": 2.0, "latency_s_max": 0.5}}
    fallbacks = {"critic": {"not json": 1}}
    reports = [{"backends": {"reasoner": {"requests": 5, "latency_s_total": 1.0, "latency_s_max": 0.9},
                             "critic": {"requests": 2}},
                "role_fallbacks": {"critic": {"not json": 2, "server error": 1}}, "reasoning_sentences_scrubbed": 3},
               {"backends": {"reasoner": {"requests": 1, "latency_s_total": 0.5, "latency_s_max": 0.2}}}]
    assert merge_reports(backends, fallbacks, reports) == 3
    assert backends == {"reasoner": {"requests": 16, "latency_s_total": 3.5, "latency_s_max": 0.9},
                        "critic": {"requests": 2}}
    assert fallbacks == {"critic": {"not json": 3, "server error": 1}}
