"""Gold from outside: recorded calls become samples that verify by re-execution, and a recorded
call that fails is reported where and why instead of becoming a gold built on a failure."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hardgen.cli._app import app
from hardgen.pipeline._bfcl import CallSyntaxError, parse_bfcl_call
from hardgen.pipeline._import import ImportFailure, gold_sample
from hardgen.schema import Sample, ToolCall
from hardgen.verify import verify_sample

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "verify"))
from verify_fixture_store import store_spec  # noqa: E402

HAS_BFCL = importlib.util.find_spec("bfcl_eval") is not None and importlib.util.find_spec("mpmath") is not None

LOGIN = ToolCall(name="login", arguments={"username": "ada", "password": "lamp-42"})
TURNS = [("Log me in as ada (password lamp-42) and cancel my Oak Bookshelf order, Ada Lovelace here.",
          [LOGIN, "find_user(name='Ada Lovelace')", "list_orders(user_id='U-101')", "cancel_order('O-5002')"])]


def test_recorded_calls_become_a_sample_that_verifies_with_the_data_flow_found() -> None:
    sample = gold_sample("rec-1", [store_spec()], TURNS)
    assert verify_sample(sample).passed
    steps = sample.gold[0].steps
    assert [s.call.name for s in steps] == ["login", "find_user", "list_orders", "cancel_order"]
    assert steps[3].call.arguments == {"order_id": "O-5002"}  # the positional argument named by the signature
    # U-101 and O-5002 came from results the user never stated: implicit dependencies.
    assert [(s.parameter, s.step) for s in steps[2].sources] == [("user_id", 1)]
    assert [(s.parameter, s.step) for s in steps[3].sources] == [("order_id", 2)]
    assert sample.metadata.implicit_dependencies == 2


@pytest.mark.parametrize("calls,where", [
    (["cancel_order(order_id='O-5002')"], "NotLoggedInError"),
    ([LOGIN, "cancel_order(order_id='O-9999')"], "call 2 cancel_order"),
    ([LOGIN, "refund_everything()"], "no tool 'refund_everything'"),
    ([LOGIN, "cancel_order(order_id=open('/etc/passwd').read())"], "not a literal"),
])
def test_a_recorded_call_that_fails_is_an_error_naming_it(calls: list, where: str) -> None:
    with pytest.raises(ImportFailure, match=where.replace("(", r"\(")):
        gold_sample("rec-2", [store_spec()], [("Cancel my order.", calls)])


def test_bfcl_call_text_is_read_as_literals_only() -> None:
    call = parse_bfcl_call("post_tweet(content='Done!', tags=['#a', '#b'])", {"post_tweet": ["content", "tags"]})
    assert (call.name, call.arguments) == ("post_tweet", {"content": "Done!", "tags": ["#a", "#b"]})
    for text in ("__import__('os').system('x')", "f(**{'a': 1})", "not a call", "f(1, 2)"):
        with pytest.raises(CallSyntaxError):
            parse_bfcl_call(text, {"f": ["a"]})


def test_hardgen_import_reads_a_calls_file_with_the_configs_sources(tmp_path: Path) -> None:
    config = tmp_path / "hardgen.yaml"
    config.write_text(yaml.safe_dump({"sources": [{"kind": "class", "target": "verify_fixture_store:Store",
                                                   "name": "store", "loader": "_load_scenario",
                                                   "initial_state": store_spec().initial_state}]}))
    record = {"id": "ada-cancels", "turns": [{"query": TURNS[0][0], "calls": [
        {"name": "login", "arguments": {"username": "ada", "password": "lamp-42"}},
        "find_user(name='Ada Lovelace')", "list_orders(user_id='U-101')", "cancel_order(order_id='O-5002')"]}]}
    broken = {"id": "bad", "turns": [{"query": "x", "calls": ["cancel_order(order_id='O-5002')"]}]}
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps(record) + "\n" + json.dumps(broken) + "\n")
    out = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(app, ["import", str(calls), "--config", str(config), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verified"] == 1 and list(report["failures"]) == ["bad"]
    [sample] = [Sample.model_validate_json(line) for line in out.read_text().splitlines()]
    assert sample.id == "ada-cancels" and verify_sample(sample).passed
    # A calls file names states only: without a config there are no sources, and nothing runs.
    result = CliRunner().invoke(app, ["import", str(calls), "--out", str(tmp_path / "x.jsonl")])
    assert result.exit_code != 0 and "--config" in result.output


@pytest.mark.skipif(not HAS_BFCL, reason="bfcl-eval (pip install --no-deps bfcl-eval) and mpmath are not installed")
def test_bfcl_ground_truth_imports_and_verifies(tmp_path: Path) -> None:
    out = tmp_path / "bfcl.jsonl"
    result = CliRunner().invoke(app, ["import", "bfcl", "--out", str(out), "--limit", "30", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verified"] >= 28, report["failures"]
    samples = [Sample.model_validate_json(line) for line in out.read_text().splitlines()]
    assert all(verify_sample(s).passed for s in samples)
    assert {e.name for s in samples for e in s.environments} >= {"GorillaFileSystem", "TwitterAPI"}


@pytest.mark.skipif(not HAS_BFCL, reason="bfcl-eval (pip install --no-deps bfcl-eval) and mpmath are not installed")
def test_a_bfcl_source_loads_the_classes_with_a_tasks_initial_config_and_graph_takes_a_config(tmp_path: Path) -> None:
    from hardgen.pipeline import load_config, resolve_sources

    config = load_config(overrides={"sources": [{"kind": "bfcl", "classes": ["GorillaFileSystem", "MathAPI"],
                                                 "task": "multi_turn_base_0"}]})
    specs = resolve_sources(config)
    assert [s.name for s in specs] == ["GorillaFileSystem", "MathAPI"]
    assert "workspace" in json.dumps(specs[0].initial_state) and specs[1].initial_state == {}  # MathAPI: stateless
    path = tmp_path / "bfcl.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"kind": "bfcl", "classes": ["GorillaFileSystem"]}]}))
    result = CliRunner().invoke(app, ["graph", "--config", str(path), "--out", str(tmp_path / "g"), "--traces", "5",
                                      "--no-render", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["nodes"] >= 15


@pytest.mark.skipif(not HAS_BFCL, reason="bfcl-eval (pip install --no-deps bfcl-eval) and mpmath are not installed")
def test_without_a_task_each_bfcl_class_gets_the_fullest_of_its_task_states() -> None:
    from hardgen.pipeline import load_config, resolve_sources
    from hardgen.pipeline._bfcl import _entries, read_bfcl_tasks

    config = load_config(overrides={"sources": [{"kind": "bfcl", "classes": ["GorillaFileSystem", "MessageAPI"]}]})
    specs = {s.name: s for s in resolve_sources(config)}
    tasks = read_bfcl_tasks()
    for name, spec in specs.items():
        sizes = [_entries(t.initial_config[name]) for t in tasks if name in t.initial_config]
        assert _entries(spec.initial_state) == max(sizes) > min(sizes)
    assert "user_map" in specs["MessageAPI"].initial_state  # a workspace with its people


@pytest.mark.skipif(not HAS_BFCL, reason="bfcl-eval (pip install --no-deps bfcl-eval) and mpmath are not installed")
def test_imported_bfcl_samples_verify_in_a_fresh_process_trusting_the_package_only(tmp_path: Path) -> None:
    import subprocess

    out = tmp_path / "bfcl.jsonl"
    assert CliRunner().invoke(app, ["import", "bfcl", "--out", str(out), "--limit", "5"]).exit_code == 0
    # The docs live in the package's data folder: trusting `bfcl_eval.*` trusts them too.
    hardgen = [sys.executable, "-c", "import sys; from hardgen.cli import main; sys.argv[0] = 'hardgen'; main()"]
    done = subprocess.run([*hardgen, "verify", str(out), "--trust-sources", "bfcl_eval.*", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["passed"] == 5
    refused = subprocess.run([*hardgen, "verify", str(out)], capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "bfcl_eval" in refused.stderr
