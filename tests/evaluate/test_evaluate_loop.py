"""The closed loop: two rounds steer the sampled targets toward the failures; the training hook."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hardgen.cli._app import app
from hardgen.evaluate import Evaluation, LoopReport, run_loop, run_train_hook
from hardgen.graph import ApiGraph
from hardgen.pipeline import FailureReport

runner = CliRunner()


def test_two_rounds_shift_the_sampled_targets_toward_the_failures(small_config: Any, tmp_path: Path) -> None:
    report = asyncio.run(run_loop(small_config(tmp_path / "loop"), 2))
    assert report.ok and [r.round for r in report.rounds] == [1, 2]
    first, second = report.rounds
    assert (first.seed, second.seed) == (0, 1)
    assert first.success_rate is not None and first.success_rate < 0.5  # hard for the model-free target
    assert first.eval_failing_tools and first.update is not None
    # Round 2 is steered toward what round 1's evaluation found failing...
    assert second.steered_toward == sorted(first.eval_failing_tools)
    assert first.update.weight_share_after > first.update.weight_share_before
    # ...and its sampler draws those tools more often than round 1 did.
    assert second.target_share_steered > first.target_share_steered
    # Round 2 started from round 1's updated failure report, saved with true counts.
    used = FailureReport.model_validate_json((tmp_path / "loop" / "round-2" / "failures.json").read_text())
    assert len(used.failure_set) == first.update.failure_set_after == second.failure_set
    graph = ApiGraph.load(tmp_path / "loop" / "round-2" / "graph.json")
    weights = first.update.weights
    top = max(weights, key=lambda t: weights[t])
    assert graph.target_weight(top) == weights[top] and top in first.eval_failing_tools
    for number in (1, 2):
        Evaluation.model_validate_json((tmp_path / "loop" / f"round-{number}" / "eval.json").read_text())
    saved = LoopReport.model_validate_json((tmp_path / "loop" / "loop.json").read_text())
    assert saved == report


def test_train_hook_gets_the_round_data(tmp_path: Path) -> None:
    data = tmp_path / "my run" / "samples.jsonl"
    data.parent.mkdir()
    data.write_text("{}\n")
    seen = tmp_path / "seen.txt"
    # Placeholders are shell-quoted: a path with a space stays one argument.
    command = f"printf '%s|%s|%s|%s\\n' \"$HARDGEN_ROUND\" \"$HARDGEN_DATA\" {{round}} {{data}} > '{seen}'; echo trained"
    result = run_train_hook(command, data=data, round_number=3, run_dir=data.parent)
    assert result.ok and result.returncode == 0
    assert seen.read_text().strip() == f"3|{data}|3|{data}"
    assert "trained" in result.output_tail and Path(result.log or "").exists()


def test_train_hook_placeholders_are_filled_in_one_pass(tmp_path: Path) -> None:
    # A placeholder's text inside another's value is part of that value, not a placeholder.
    data = tmp_path / "a {run} and {round}" / "samples.jsonl"
    data.parent.mkdir()
    data.write_text("{}\n")
    run_dir = tmp_path / "run dir"
    run_dir.mkdir()
    seen = tmp_path / "seen.txt"
    result = run_train_hook(f"printf '%s\\n' {{data}} {{run}} {{round}} > '{seen}'", data=data, round_number=2,
                            run_dir=run_dir)
    assert result.ok, result.output_tail
    assert seen.read_text().splitlines() == [str(data), str(run_dir), "2"]


def test_a_failing_train_hook_stops_the_loop_and_says_why(small_config: Any, tmp_path: Path) -> None:
    out = tmp_path / "loop"
    result = runner.invoke(app, [
        "loop", "--rounds", "2", "--out", str(out), "--samples", "3", "--domains", "messaging",
        "--set", "probe.tasks_per_tool=1", "--set", "sampling.traces=15",
        "--train-hook", "echo out of GPU memory >&2; exit 3", "--json"])
    assert result.exit_code == 1, result.output
    report = LoopReport.model_validate_json((out / "loop.json").read_text())
    assert report.stopped and "round 1" in report.stopped and "exit status 3" in report.stopped
    assert len(report.rounds) == 1
    hook = report.rounds[0].hook
    assert hook is not None and hook.returncode == 3 and "out of GPU memory" in hook.output_tail
    assert report.rounds[0].success_rate is None  # nothing evaluated after a failed hook
    assert not (out / "round-2").exists()
    flat = re.sub(r"\s+", " ", result.stderr)
    assert "training hook failed in round 1" in flat and "out of GPU memory" in flat
    assert json.loads(result.stdout)["stopped"] == report.stopped
