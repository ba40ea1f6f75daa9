"""`hardgen eval` and `hardgen calibrate` on a run directory: JSON report, files, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from hardgen.cli._app import app
from hardgen.evaluate import Evaluation

runner = CliRunner()


def test_eval_json_report_and_files(small_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "eval"
    result = runner.invoke(app, ["eval", str(small_run), "--limit", "4", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for key in ("accuracy", "turn_accuracy", "by_domain", "by_chain_length", "by_implicit_dependencies", "tools",
                "taxonomy", "results", "files"):
        assert key in report, key
    assert report["samples"] == 4 and report["agent"] == "model-free"
    assert set(report["by_domain"]) <= {"banking", "messaging"}
    for stats in report["tools"].values():
        assert set(stats) == {"attempts", "failures", "taxonomy"}
        assert 0 <= stats["failures"] <= stats["attempts"]
    for bucket in report["by_chain_length"].values():
        assert set(bucket) == {"samples", "passed", "accuracy", "turns", "turns_passed", "turn_accuracy"}
    saved = Evaluation.model_validate_json((out / "eval.json").read_text(encoding="utf-8"))
    assert saved.samples == 4 and len(saved.results) == 4
    assert (out / "eval.png").stat().st_size > 1000
    assert sorted(report["files"]) == sorted([str(out / "eval.json"), str(out / "eval.png")])


def test_eval_table_for_people_and_default_out(small_run: Path, tmp_path: Path) -> None:
    samples = tmp_path / "heldout.jsonl"
    samples.write_text((small_run / "samples.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["eval", str(samples), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "sample accuracy" in result.output and "Per tool" in result.output
    assert (tmp_path / "heldout-eval" / "eval.json").exists()


def _flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return re.sub(r"\s+", " ", text)


def test_eval_bad_input_is_a_clear_error(small_run: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2 and "does not exist" in _flat(result.output)
    result = runner.invoke(app, ["eval", str(small_run), "--agent", "openai"])
    assert result.exit_code == 2 and "needs both --base-url and --model" in _flat(result.output)
    result = runner.invoke(app, ["eval", str(small_run), "--executor", "spark"])
    assert result.exit_code == 2 and "unknown executor 'spark'" in _flat(result.output)
    result = runner.invoke(app, ["eval", str(small_run), "--ray-workers", "2", "--out", str(tmp_path / "e")])
    assert result.exit_code == 2 and "need --executor ray" in _flat(result.output)
    assert not (tmp_path / "e").exists()


def test_calibrate_cli_keeps_what_the_model_free_agent_fails(small_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "cal"
    result = runner.invoke(app, ["calibrate", str(small_run), "--attempts", "2", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # The model-free agent is deterministic: each sample passes 0 or 2 times of 2.
    assert set(report["distribution"]) <= {"0", "2"}
    assert report["kept"] == report["distribution"].get("0", 0)
    kept = (out / "calibrated.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(kept) == report["kept"]
    result = runner.invoke(app, ["calibrate", str(small_run), "--min-pass-rate", "0.9", "--max-pass-rate", "0.1"])
    assert result.exit_code == 2 and "band" in _flat(result.output)
