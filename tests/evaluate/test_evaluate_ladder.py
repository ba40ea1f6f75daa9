"""The ladder in evaluation: per-rung baselines with intervals, the offline loop's training step,
and calibration with a stochastic rung."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from hardgen.agents import build_agent
from hardgen.evaluate import (
    LADDER_MIN_GAIN,
    LadderComparison,
    calibrate,
    compare_ladder,
    evaluate_samples,
    load_samples,
    run_loop,
    train_on_ladder,
    wilson_interval,
)


def test_wilson_interval() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-3) and high == pytest.approx(0.5962, abs=1e-3)
    low, high = wilson_interval(0, 100)
    assert low == 0.0 and 0.03 < high < 0.04  # never a zero-width interval at 0%


def test_each_rung_gets_its_own_hardgen_samples_and_shares_the_baseline_sets(small_config: Any, tmp_path: Path) -> None:
    config = small_config(tmp_path / "ladder", **{"synthesis.samples": 4, "sampling.traces": 20})
    table = asyncio.run(compare_ladder(config, ["single-call", "planner"], modes=("legality", "uniform")))
    assert [r.agent for r in table.rows] == ["single-call", "planner"]
    assert set(table.sets) == {"uniform"}
    for row in table.rows:
        assert set(row.cells) == {"legality", "uniform"}
        assert row.legality_run and Path(row.legality_run).name == f"legality-{row.agent}"
        for cell in row.cells.values():
            assert cell.samples > 0 and cell.low <= cell.success_rate <= cell.high
    # The same uniform samples for both rungs; the HardGen samples were mined against each rung.
    assert table.rows[0].cells["uniform"].samples == table.rows[1].cells["uniform"].samples
    assert table.rows[1].cells["uniform"].passed > table.rows[0].cells["uniform"].passed
    assert table.rows[0].failure_set != table.rows[1].failure_set
    saved = LadderComparison.model_validate_json((tmp_path / "ladder" / "ladder.json").read_text())
    assert saved == table
    with pytest.raises(ValueError, match="unknown agent"):
        asyncio.run(compare_ladder(config, ["oracle"]))


def test_the_offline_loop_moves_the_target_up_the_ladder_and_the_failure_set_shrinks(small_config: Any,
                                                                                     tmp_path: Path) -> None:
    config = small_config(tmp_path / "loop")
    report = asyncio.run(run_loop(config, 2, train="ladder"))
    first, second = report.rounds
    assert first.agent == "single-call" and first.training is not None and first.training.moved
    assert second.agent == first.training.after != "single-call"
    assert second.remined and not first.remined
    assert second.failure_set < first.failure_set
    # The move was earned: the new rung passes samples of round 1 that the old target failed.
    needed = max(1, LADDER_MIN_GAIN * first.training.failed_samples)
    assert first.training.candidates[-1].agent == second.agent and first.training.candidates[-1].fixed >= needed
    assert all(c.fixed < needed for c in first.training.candidates[:-1])
    with pytest.raises(ValueError, match="model-free target"):
        asyncio.run(run_loop(config, 1, train="ladder", agent=build_agent("planner")))


def test_the_training_step_stays_when_no_higher_rung_fixes_a_failure(small_run: Path) -> None:
    samples = load_samples(small_run / "samples.jsonl")
    evaluation = asyncio.run(evaluate_samples(build_agent("planner"), samples, seed=0))
    step = asyncio.run(train_on_ladder("planner", samples, evaluation, seed=0))
    assert step.after == "planner" and not step.moved and step.candidates == []


def test_calibration_with_the_noisy_rung_spreads_pass_rates(small_run: Path) -> None:
    samples = load_samples(small_run / "samples.jsonl")
    noisy, _ = asyncio.run(calibrate(build_agent("noisy-planner"), samples, attempts=6, seed=0, concurrency=2))
    steady, _ = asyncio.run(calibrate(build_agent("planner"), samples, attempts=3, seed=0, concurrency=2))
    assert all(r.pass_rate in (0.0, 1.0) for r in steady.results)  # deterministic: all or nothing
    assert any(r.pass_rate is not None and 0.0 < r.pass_rate < 1.0 for r in noisy.results), noisy.distribution


def test_the_cli_picks_rungs_by_name(small_run: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from hardgen.cli._app import app

    runner = CliRunner()
    reports = {}
    for agent in ("single-call", "planner"):
        result = runner.invoke(app, ["eval", str(small_run), "--agent", agent, "--out", str(tmp_path / agent), "--json"])
        assert result.exit_code == 0, result.output
        reports[agent] = json.loads(result.stdout)
    assert reports["planner"]["agent"] == "planner"
    assert reports["planner"]["passed"] > reports["single-call"]["passed"]
    bad = runner.invoke(app, ["eval", str(small_run), "--agent", "oracle"])
    assert bad.exit_code != 0 and "rung of the ladder" in bad.output
    noted = runner.invoke(app, ["calibrate", str(small_run), "-k", "2", "--agent", "chain", "--out", str(tmp_path / "c")])
    assert noted.exit_code == 0 and "deterministic" in noted.output
    bad_loop = runner.invoke(app, ["loop", "--train", "rl", "--out", str(tmp_path / "l")])
    assert bad_loop.exit_code != 0 and "--train must be 'sft' or 'ladder'" in bad_loop.output
