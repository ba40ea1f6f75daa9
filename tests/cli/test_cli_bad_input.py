"""Bad input ends a command with one clear line and exit status 2, never a traceback (issue 21):
files that are not UTF-8, an output path that is a file, a full disk, values out of range, and a run
directory that already holds a run."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hardgen.cli._app import app

runner = CliRunner()
SMALL = ["--domains", "messaging", "--set", "probe.tasks_per_tool=1", "--set", "probe.max_tools=3",
         "--set", "sampling.traces=12", "--json"]


def _one_clear_line(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    for word in words:
        assert word in errors[0], result.output


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli-bad-input") / "run"
    result = runner.invoke(app, ["generate", "--out", str(out), "-n", "2", "--seed", "1", *SMALL])
    assert result.exit_code == 0, result.output
    return out


def test_generate_into_a_run_directory_is_refused_without_resume_or_overwrite(run_dir: Path) -> None:
    before = (run_dir / "samples.jsonl").read_bytes()
    result = runner.invoke(app, ["generate", "--out", str(run_dir), "-n", "2", "--seed", "2", *SMALL])
    _one_clear_line(result, "already holds a run", "--resume", "--overwrite")
    assert (run_dir / "samples.jsonl").read_bytes() == before


def test_generate_resume_finishes_a_run_and_overwrite_replaces_it(run_dir: Path, tmp_path: Path) -> None:
    resumed = runner.invoke(app, ["generate", "--resume", "--out", str(run_dir), "--json"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.stdout)["samples"] == 2 and json.loads(resumed.stdout)["seed"] == 1
    out = tmp_path / "run"
    assert runner.invoke(app, ["generate", "--out", str(out), "-n", "1", "--seed", "1", *SMALL]).exit_code == 0
    replaced = runner.invoke(app, ["generate", "--overwrite", "--out", str(out), "-n", "2", "--seed", "3", *SMALL])
    assert replaced.exit_code == 0, replaced.output
    ids = [json.loads(line)["id"] for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(ids) == 2 and all(i.startswith("s3-") for i in ids)


def test_resume_of_a_run_with_an_empty_config_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.yaml").write_text("")
    (out / "samples.jsonl").write_text("")
    _one_clear_line(runner.invoke(app, ["generate", "--resume", "--out", str(out)]), "is empty")


def test_generate_with_out_pointing_at_a_file(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me")
    _one_clear_line(runner.invoke(app, ["generate", "--out", str(target), *SMALL]), "is a file")
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(("args", "words"), [
    (["--concurrency", "-3"], ("concurrency", "greater than or equal to 1")),
    (["--set", "tool_timeout_s=0"], ("tool_timeout_s", "greater than 0")),
    (["-n", "-5"], ("synthesis.samples",)),
])
def test_values_out_of_range_are_one_line(tmp_path: Path, args: list[str], words: tuple[str, ...]) -> None:
    _one_clear_line(runner.invoke(app, ["generate", "--out", str(tmp_path / "run"), *args]), *words)
    assert not (tmp_path / "run").exists()


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_bytes(b"seed: 1\n# caf\xe9\n")
    _one_clear_line(runner.invoke(app, ["generate", "--config", str(config), "--out", str(tmp_path / "r")]),
                    "not UTF-8", "run.yaml")


@pytest.mark.parametrize("command", [["export", "--format", "openai", "--out", "OUT"], ["stats"], ["verify"]])
def test_a_samples_file_that_is_not_utf8_is_one_line(tmp_path: Path, command: list[str]) -> None:
    samples = tmp_path / "samples.jsonl"
    samples.write_bytes(b'{"id": "caf\xe9"}\n')
    args = [command[0], str(samples), *[str(tmp_path / "out") if a == "OUT" else a for a in command[1:]]]
    _one_clear_line(runner.invoke(app, args), "not UTF-8")


def test_export_with_out_pointing_at_a_file(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me")
    result = runner.invoke(app, ["export", str(run_dir), "--format", "openai", "--out", str(target)])
    _one_clear_line(result, "is a file")
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "No space left on device"),
                                             (errno.EROFS, "Read-only file system"),
                                             (errno.EACCES, "Permission denied")])
def test_a_full_disk_or_read_only_directory_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        code: int, words: str) -> None:
    # Simulated at the run's first write: as root, no permission can be denied for real.
    def cannot_write(path: Path, text: str) -> None:
        raise OSError(code, words, str(path))

    monkeypatch.setattr("hardgen.pipeline._generate.write_text_atomic", cannot_write)
    result = runner.invoke(app, ["generate", "--out", str(tmp_path / "run"), *SMALL])
    _one_clear_line(result, words, "config.yaml")
