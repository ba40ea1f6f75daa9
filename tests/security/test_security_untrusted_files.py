"""A samples file is data: crafted files make no reading command run code or read a path outside the
run directory, and a real run's own samples still verify, with the trust coming from the built-in
world, the user's config or --trust-sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hardgen.cli._app import app
from hardgen.errors import EnvironmentLoadError
from hardgen.export import SampleFileError, read_samples
from hardgen.schema import EnvironmentSpec, Sample
from hardgen.tools import (
    UntrustedSourceError,
    build_environment,
    check_file_sources,
    is_trusted,
    strict_sources,
)
from hardgen.tools._trust import MAX_DOCS_BYTES, check_docs_file

runner = CliRunner()
SMALL = ["--domains", "messaging,banking", "--set", "probe.tasks_per_tool=1", "--set", "sampling.traces=40"]
HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
READING = [["verify"], ["export", "--format", "openai"], ["eval"], ["stats"], ["calibrate", "-k", "1"]]
RUNNING = [["verify"], ["eval"], ["stats"], ["calibrate", "-k", "1"]]


@pytest.fixture(scope="module")
def world_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world") / "run"
    result = runner.invoke(app, ["generate", "--out", str(out), "-n", "2", "--json", *SMALL])
    assert result.exit_code == 0, result.output
    return out


def first_sample(run: Path) -> Sample:
    return read_samples(run).samples[0]


def crafted_run(tmp_path: Path, sample: Sample, name: str = "crafted") -> Path:
    run = tmp_path / name
    run.mkdir()
    (run / "samples.jsonl").write_text(sample.to_json() + "\n", encoding="utf-8")
    return run


def with_environment(sample: Sample, spec: EnvironmentSpec) -> Sample:
    return sample.model_copy(update={"environments": [*sample.environments, spec]})


def popen_sample(sample: Sample, marker: Path) -> Sample:
    return with_environment(sample, EnvironmentSpec(
        name="shell", kind="class", target="subprocess:Popen", loader="kwargs",
        initial_state={"args": f"touch {marker}", "shell": True},
    ))


def docs_sample(sample: Sample, docs: str) -> Sample:
    first, *rest = sample.environments
    return sample.model_copy(update={"environments": [first.model_copy(update={"docs": docs}), *rest]})


def invoke(command: list[str], path: Path, *extra: str) -> tuple[int, str]:
    out = path.parent / f"out-{command[0]}"
    args = [*command, str(path), *extra]
    if command[0] in ("export", "eval", "calibrate", "stats"):
        args += ["--out", str(out)]
    result = runner.invoke(app, args)
    return result.exit_code, result.output.replace("\n", "")  # rich wraps long lines


@pytest.mark.parametrize("command", RUNNING, ids=lambda c: c[0])
def test_a_popen_line_is_refused_by_every_command_that_runs_tools(
    command: list[str], world_run: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "popen-ran"
    run = crafted_run(tmp_path, popen_sample(first_sample(world_run), marker))
    code, output = invoke(command, run)
    assert code == 2, output
    assert "refusing tool source 'subprocess:Popen'" in output and "--trust-sources" in output
    assert not marker.exists()


def test_export_copies_a_popen_line_as_data_and_runs_nothing(world_run: Path, tmp_path: Path) -> None:
    marker = tmp_path / "popen-ran"
    run = crafted_run(tmp_path, popen_sample(first_sample(world_run), marker))
    code, output = invoke(["export", "--format", "openai"], run)
    assert code == 0, output
    assert "subprocess:Popen" in output and "nothing of them was run" in output
    assert not marker.exists()


@pytest.fixture
def effect_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A module whose import alone creates a marker file, placed on sys.path."""
    marker = tmp_path / "imported"
    package = tmp_path / "site"
    package.mkdir()
    (package / "hardgen_effect_tools.py").write_text(textwrap.dedent(f"""
        from pathlib import Path
        Path({str(marker)!r}).write_text("the module ran")

        class Thing:
            def poke(self) -> str:
                '''Pokes.'''
                return "poked"
    """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(package))
    return "hardgen_effect_tools:Thing", marker


@pytest.mark.parametrize("command", READING, ids=lambda c: c[0])
def test_a_module_with_import_effects_is_never_imported(
    command: list[str], world_run: Path, tmp_path: Path, effect_module: tuple[str, Path]
) -> None:
    target, marker = effect_module
    sample = with_environment(first_sample(world_run), EnvironmentSpec(name="thing", target=target))
    run = crafted_run(tmp_path, sample)
    code, output = invoke(command, run)
    assert code == (0 if command[0] == "export" else 2), output
    assert target in output
    assert not marker.exists()
    assert "hardgen_effect_tools" not in sys.modules


@pytest.mark.parametrize("command", RUNNING, ids=lambda c: c[0])
def test_a_device_as_docs_path_is_refused_at_once(command: list[str], world_run: Path, tmp_path: Path) -> None:
    run = crafted_run(tmp_path, docs_sample(first_sample(world_run), "/dev/zero"))
    code, output = invoke(command, run)
    assert code == 2, output
    assert "/dev/zero" in output and "not a regular file" in output


@pytest.mark.parametrize("command", RUNNING, ids=lambda c: c[0])
def test_a_docs_symlink_out_of_the_run_directory_is_refused(
    command: list[str], world_run: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.json"
    secret.write_text("[]", encoding="utf-8")
    run = crafted_run(tmp_path, docs_sample(first_sample(world_run), "docs.json"))
    (run / "docs.json").symlink_to(secret)
    code, output = invoke(command, run)
    assert code == 2, output
    assert "outside the run directory" in output and "secret.json" in output


def test_an_absolute_docs_path_outside_is_refused_and_a_relative_one_escaping_too(
    world_run: Path, tmp_path: Path
) -> None:
    for docs in ("/etc/hostname", "../../../../../../etc/hostname"):
        run = crafted_run(tmp_path, docs_sample(first_sample(world_run), docs), name=f"run-{len(docs)}")
        code, output = invoke(["verify"], run)
        assert code == 2 and "outside the run directory" in output, output


def test_the_built_in_worlds_own_run_still_verifies_and_exports(world_run: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["verify", str(world_run)]).exit_code == 0
    exported = runner.invoke(app, ["export", str(world_run), "-f", "openai", "-o", str(tmp_path / "x")])
    assert exported.exit_code == 0 and "not trusted" not in exported.output
    stats = runner.invoke(app, ["stats", str(world_run), "--json"])
    assert stats.exit_code == 0, stats.output


# -- the library ---------------------------------------------------------------------------------


def test_build_refuses_an_untrusted_reference_before_importing_it(effect_module: tuple[str, Path]) -> None:
    target, marker = effect_module
    with strict_sources(environ=False), pytest.raises(UntrustedSourceError, match="refusing tool source"):
        build_environment(EnvironmentSpec(name="thing", target=target))
    assert not marker.exists()
    with strict_sources(target, environ=False):  # stated trust: it may run
        assert build_environment(EnvironmentSpec(name="thing", target=target)).call("poke", {}).result == "poked"
    assert marker.exists()
    assert not is_trusted(target)  # the trust ended with the block


def test_a_trusted_module_does_not_lend_what_it_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hardgen_lender.py").write_text("import subprocess\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = EnvironmentSpec(name="lent", target="hardgen_lender:subprocess.Popen", loader="kwargs",
                           initial_state={"args": ["true"]})
    with strict_sources("hardgen_lender", environ=False), pytest.raises(UntrustedSourceError, match="subprocess:Popen"):
        build_environment(spec)


def test_a_dunder_loader_is_refused() -> None:
    spec = EnvironmentSpec(name="banking", target="hardgen.world.domains.banking:BankingAPI", loader="__class__")
    with pytest.raises(EnvironmentLoadError, match="not a loading method"):
        build_environment(spec)


def test_read_samples_with_trust_sources_refuses_and_names_the_reference(world_run: Path, tmp_path: Path) -> None:
    run = crafted_run(tmp_path, popen_sample(first_sample(world_run), tmp_path / "m"))
    assert len(read_samples(run).samples) == 1  # reading alone is data and imports nothing
    with pytest.raises(SampleFileError, match="'subprocess:Popen' named in sample"):
        read_samples(run, trust_sources=[])
    assert len(read_samples(run, trust_sources=["subprocess:Popen"]).samples) == 1


def test_the_environment_variable_trusts_like_the_flag(
    world_run: Path, tmp_path: Path, effect_module: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    target, _ = effect_module
    sample = with_environment(first_sample(world_run), EnvironmentSpec(name="thing", target=target))
    monkeypatch.setenv("HARDGEN_TRUST_SOURCES", f"other.module, {target}")
    with strict_sources():
        check_file_sources(sample.environments)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: Path("/dev/zero"), "not a regular file"),
        (lambda root: root, "not a regular file"),
        (lambda root: root / "missing.json", "cannot be read"),
    ],
)
def test_docs_files_must_be_regular_files(make: Callable[[Path], Path], message: str, tmp_path: Path) -> None:
    with pytest.raises(EnvironmentLoadError, match=message):
        check_docs_file(make(tmp_path))


def test_docs_files_have_a_size_cap_and_stay_inside_the_roots(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:
        fh.truncate(MAX_DOCS_BYTES + 1)
    with pytest.raises(EnvironmentLoadError, match="over the"):
        check_docs_file(big)
    small = tmp_path / "run" / "docs.json"
    small.parent.mkdir()
    small.write_text("[]", encoding="utf-8")
    with strict_sources(roots=[tmp_path / "run"], environ=False):
        assert check_docs_file(small) == small.resolve()
    with strict_sources(roots=[tmp_path / "elsewhere"], environ=False), pytest.raises(UntrustedSourceError):
        check_docs_file(small)


# -- a user's own class: trusted by the config or the flag, not by the file -------------------------


def _hardgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests" / "integration")}
    env.pop("HARDGEN_TRUST_SOURCES", None)
    hardgen = Path(sys.executable).parent / "hardgen"
    return subprocess.run([str(hardgen), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=280)


def test_a_users_class_named_in_the_config_verifies_with_the_config_or_the_flag_only(tmp_path: Path) -> None:
    state = json.loads((REPO / "tests" / "security" / "data" / "library_state.json").read_text())
    config = tmp_path / "hardgen.yaml"
    config.write_text(textwrap.dedent(f"""
        seed: 3
        out: {tmp_path / 'run'}
        sources:
          - kind: class
            target: integration_fixture_library:CityLibrary
            name: library
            loader: load_state
            initial_state: {json.dumps(state)}
        synthesis: {{samples: 2, variants_per_tool: 2}}
        probe: {{tasks_per_tool: 1}}
        sampling: {{traces: 30}}
    """), encoding="utf-8")
    generated = _hardgen("generate", "--config", str(config), "--json", cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    run = tmp_path / "run"
    refused = _hardgen("verify", str(run), cwd=tmp_path)
    assert refused.returncode == 2
    assert "refusing tool source 'integration_fixture_library:CityLibrary'" in refused.stderr.replace("\n", " ")
    by_config = _hardgen("verify", str(run), "--config", str(config), "--json", cwd=tmp_path)
    assert by_config.returncode == 0, by_config.stderr
    assert json.loads(by_config.stdout)["passed"] >= 1
    by_flag = _hardgen("verify", str(run), "--trust-sources", "integration_fixture_library:CityLibrary", "--json",
                       cwd=tmp_path)
    assert by_flag.returncode == 0 and json.loads(by_flag.stdout) == json.loads(by_config.stdout)
    exported = _hardgen("export", str(run), "-f", "openai", "--trust-sources", "integration_fixture_library.*",
                        cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr


def test_trusting_a_module_named_mcp_does_not_trust_every_mcp_server() -> None:
    from hardgen.tools import is_trusted, trusted_sources

    with trusted_sources("mcp", "mcp.*"):
        assert not is_trusted("mcp:notes@0123abcd", "mcp")
    with trusted_sources("mcp:notes@0123abcd"):
        assert is_trusted("mcp:notes@0123abcd", "mcp") and not is_trusted("mcp:notes@ffff0000", "mcp")
