"""`hardgen export` from a run directory or a samples file."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from hardgen.cli._app import app

runner = CliRunner()


def _flat(text: str) -> str:
    """Output with rich's line wrapping undone: whitespace runs become one space."""
    return re.sub(r"\s+", " ", text)


def _joined(text: str) -> str:
    """Output with all whitespace removed (for long tokens rich may fold mid-word)."""
    return re.sub(r"\s+", "", text)


def _run_dir(tmp_path: Path, samples, extra_lines: list[str] = ()) -> Path:  # type: ignore[assignment]
    run = tmp_path / "run"
    run.mkdir()
    lines = [s.to_json() for s in samples] + list(extra_lines)
    (run / "samples.jsonl").write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    (run / "rejected.jsonl").write_text('{"reason": "state hash mismatch"}\n', encoding="utf-8")
    return run


def test_export_run_directory_as_json_report(samples, tmp_path: Path) -> None:
    run = _run_dir(tmp_path, samples)
    result = runner.invoke(
        app, ["export", str(run), "--format", "trl", "--split-turns", "--test-fraction", "0.34", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["format"] == "trl"
    assert Path(report["out_dir"]) == run / "export" / "trl"
    assert report["samples"] == {"train": 2, "test": 1}
    assert report["split"]["shared_advanced_tools"] == 0
    assert all(Path(f).is_file() for f in report["files"])
    first = json.loads(Path(report["files"][0]).read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"prompt", "completion", "tools"}


def test_export_hf_card_gets_the_yield_from_the_run(samples, tmp_path: Path) -> None:
    run = _run_dir(tmp_path, samples)
    out = tmp_path / "hf"
    result = runner.invoke(app, ["export", str(run), "-f", "hf", "-o", str(out), "--no-reasoning"])
    assert result.exit_code == 0, result.output
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "| rejected candidates | 1 |" in card and "| yield (kept / verified candidates) | 75.0% |" in card


def test_export_fails_on_a_bad_line_unless_skipping(samples, tmp_path: Path) -> None:
    run = _run_dir(tmp_path, samples, ['{"id": "half"}'])
    result = runner.invoke(app, ["export", str(run), "--format", "openai"])
    assert result.exit_code == 2
    assert "1 of 4 lines" in _flat(result.output) and "samples.jsonl:4" in _joined(result.output)
    result = runner.invoke(app, ["export", str(run), "--format", "openai", "--skip-invalid", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["samples"] == {"train": 3}
    assert len(report["invalid_lines"]) == 1 and "samples.jsonl:4" in report["invalid_lines"][0]


def test_export_unknown_format_is_a_clear_error(samples, tmp_path: Path) -> None:
    run = _run_dir(tmp_path, samples)
    result = runner.invoke(app, ["export", str(run), "--format", "sharegpt"])
    assert result.exit_code == 2
    assert "unknown export format 'sharegpt'" in _flat(result.output) and "llamafactory" in _joined(result.output)
