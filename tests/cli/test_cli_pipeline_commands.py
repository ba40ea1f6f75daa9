"""The user-facing pipeline commands: generate, verify and probe, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hardgen.cli._app import app

runner = CliRunner()
SMALL = ["--domains", "messaging,banking", "--set", "probe.tasks_per_tool=1", "--set", "sampling.traces=40"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    result = runner.invoke(app, ["generate", "--out", str(out), "-n", "5", "--json", *SMALL])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["samples"] == 5 and manifest["samples"] + manifest["rejected"] >= 5
    return out


def test_generate_writes_the_run_directory(run_dir: Path) -> None:
    for name in ("config.yaml", "graph.json", "failures.json", "advanced_tools.jsonl", "units.jsonl",
                 "samples.jsonl", "rejected.jsonl", "manifest.json"):
        assert (run_dir / name).exists(), name
    assert len((run_dir / "samples.jsonl").read_text().splitlines()) == 5


def test_generate_prints_a_summary_for_people(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path / "run"), "-n", "2", *SMALL])
    assert result.exit_code == 0, result.output
    assert "verified samples" in result.output and "yield" in result.output


def test_verify_passes_a_good_run_and_fails_a_tampered_one(run_dir: Path, tmp_path: Path) -> None:
    ok = runner.invoke(app, ["verify", str(run_dir), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["passed"] == 5
    lines = (run_dir / "samples.jsonl").read_text().splitlines()
    sample = json.loads(lines[0])
    sample["gold"][-1]["final_state_hash"] = "0" * 64  # a gold that no replay can reach
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join([json.dumps(sample), *lines[1:], "{not json"]) + "\n")
    bad = runner.invoke(app, ["verify", str(tampered), "--json"])
    assert bad.exit_code == 1
    report = json.loads(bad.stdout)
    assert report["passed"] == 4 and report["failed"] == 1 and report["invalid"] == 1
    assert any("state" in r for r in report["failures"][0]["reasons"])


def test_verify_says_clearly_when_there_is_nothing_to_verify(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 2 and "no samples file" in result.output


def test_probe_reports_the_failure_set(tmp_path: Path) -> None:
    result = runner.invoke(app, ["probe", "--out", str(tmp_path), "--domains", "messaging", "-k", "1", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["tasks"] > 0 and set(report["failure_set"]) <= set(report["tools"])
    assert (tmp_path / "failures.json").exists() and (tmp_path / "graph.json").exists()


def test_bad_options_and_configs_fail_with_a_clear_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--domains", "atlantis"])
    assert result.exit_code == 2 and "unknown domain 'atlantis'" in result.output
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--base-url", "http://localhost:1/v1"])
    assert result.exit_code == 2 and "--base-url and --model go together" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("synthesis: {samples: lots}\n")
    result = runner.invoke(app, ["generate", "--config", str(bad)])
    assert result.exit_code == 2 and "synthesis.samples" in result.output


def test_a_missing_optional_dependency_is_a_clear_error_not_a_traceback(run_dir: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    # `sys.modules[name] = None` makes `import name` fail, as on a machine without the extra.
    script = ("import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None; "
              "from hardgen.cli import main; "
              f"sys.argv = ['hardgen', 'export', {str(run_dir)!r}, '--format', 'hf', '--out', {str(tmp_path)!r}]; "
              "main()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "pip install 'hardgen[hf]'" in done.stderr.replace("\n", " ")
    assert "Traceback" not in done.stderr
