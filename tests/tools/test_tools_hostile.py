"""Hostile tools: whatever a tool does, it is contained, recorded as an observation, and the
environment (and the run around it) goes on. Thread isolation by default, process isolation where
only a process can contain it (os._exit, a loop inside C code)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import tools_fixture_hostile
from tools_fixture_hostile import Hostile

from hardgen.schema import EnvironmentSpec, ToolCall
from hardgen.tools import MAX_RESULT_BYTES, PythonEnvironment, Session, class_environment, replay, trusted_sources

HERE = Path(__file__).parent
TIMEOUT = 0.5


def hostile(isolation: str = "thread", timeout: float | None = TIMEOUT) -> PythonEnvironment:
    env = class_environment(Hostile, {"count": 5}, timeout=timeout)
    if isolation == "thread":
        return env
    return PythonEnvironment(env.spec, timeout=timeout, isolation="process")  # type: ignore[arg-type]


def error_type(env: Any, name: str, arguments: dict[str, Any] | None = None) -> str:
    obs = env.call(name, arguments or {})
    assert not obs.ok and obs.error is not None, obs
    return str(obs.error.type)


def cpu_seconds_over(seconds: float) -> float:
    """CPU time this process uses while the caller waits (all threads)."""
    start = time.process_time()
    time.sleep(seconds)
    return time.process_time() - start


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("fail", {}, "ValueError"),
        ("not_json", {}, "UnserializableResultError"),
        ("recurse", {}, "RecursionError"),
        ("allocate", {}, "MemoryError"),
        ("interrupt", {}, "KeyboardInterrupt"),
        ("exit", {}, "SystemExit"),
        ("cancelled", {}, "CancelledError"),
        ("rogue", {}, "Rogue"),
        ("huge", {"megabytes": 2}, "ResultTooLargeError"),
    ],
)
def test_a_misbehaving_tool_is_an_observation_and_the_environment_goes_on(
    tool: str, arguments: dict[str, Any], expected: str
) -> None:
    # Building a megabytes-long result takes a while on a crowded machine: no timeout is tested here.
    env = hostile(timeout=10.0) if tool == "huge" else hostile()
    env.call("bump", {})
    assert error_type(env, tool, arguments) == expected
    assert env.call("bump", {}).result == 7 + (100 if tool == "fail" else 0)  # a raise keeps partial changes


def test_a_huge_result_is_recorded_as_truncated_and_never_kept_whole() -> None:
    env = hostile(timeout=10.0)
    obs = env.call("huge", {"megabytes": 100})
    assert obs.error is not None and obs.error.type == "ResultTooLargeError"
    assert "truncated" in obs.error.message and str(MAX_RESULT_BYTES) in obs.error.message
    assert len(obs.model_dump_json()) < 2_000  # what goes into traces.jsonl stays small
    assert env.call("huge", {"megabytes": 0}).ok


def test_a_hung_python_loop_is_stopped_the_state_rebuilt_and_the_cpu_idle() -> None:
    env = hostile()
    env.call("bump", {})
    before = env.state_hash()
    threads_before = threading.active_count()
    started = time.perf_counter()
    obs = env.call("spin", {})
    assert time.perf_counter() - started < TIMEOUT + 2.0
    assert obs.error is not None and obs.error.type == "TimeoutError" and "rebuilt" in obs.error.message
    assert env.state_hash() == before and env.call("read", {}).result == 6
    assert cpu_seconds_over(1.0) < 0.3  # the loop is not still burning a core
    assert threading.active_count() <= threads_before


def test_a_sleeping_call_past_the_timeout_never_changes_the_live_state() -> None:
    env = hostile()
    assert error_type(env, "sleep", {"seconds": 1.0}) == "TimeoutError"
    time.sleep(1.0)  # the call wakes up, and is stopped before its write
    assert env.call("read", {}).result == 5
    assert env.instance.count == 5


def test_a_tools_output_never_reaches_ours(capsys: pytest.CaptureFixture[str]) -> None:
    env = hostile()
    print("ours before")
    assert env.call("noisy", {}).result == "quiet result"
    print("ours after", file=sys.stderr)
    captured = capsys.readouterr()
    assert "NOISE" not in captured.out + captured.err
    assert "ours before" in captured.out and "ours after" in captured.err


def test_json_output_stays_json_while_a_tool_prints() -> None:
    script = textwrap.dedent(
        """
        import json
        from hardgen.tools import class_environment
        from tools_fixture_hostile import Hostile
        env = class_environment(Hostile, {"count": 1})
        obs = [env.call("noisy", {}).result for _ in range(3)]
        print(json.dumps({"results": obs}))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=HERE, env={**os.environ, "PYTHONPATH": str(HERE)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"results": ["quiet result"] * 3}
    assert "NOISE" not in done.stderr


def test_argument_mutation_does_not_reach_the_callers_arguments() -> None:
    env = hostile()
    arguments = {"items": [1, 2]}
    assert env.call("mutate", arguments).result == 3
    assert arguments == {"items": [1, 2]}


def test_global_state_changed_by_a_tool_leaves_the_callers_random_stream_alone() -> None:
    env = hostile()
    random.seed(42)
    expected = [random.random() for _ in range(3)]
    random.seed(42)
    env.call("global_state", {})  # calls random.seed(0) inside the tool
    assert [random.random() for _ in range(3)] == expected


def test_a_replayed_run_of_every_kind_of_misbehaviour_finishes_with_each_recorded() -> None:
    spec = EnvironmentSpec(name="hostile", target="tools_fixture_hostile:Hostile", initial_state={"count": 0})
    names = ["bump", "fail", "interrupt", "exit", "cancelled", "rogue", "recurse", "not_json", "spin", "bump"]
    result = replay([ToolCall(name=n, arguments={}) for n in names], [spec], timeout=TIMEOUT)
    kinds = [s.observation.error.type if s.observation.error else "ok" for s in result.steps]
    assert kinds == ["ok", "ValueError", "KeyboardInterrupt", "SystemExit", "CancelledError", "Rogue",
                     "RecursionError", "UnserializableResultError", "TimeoutError", "ok"]
    assert result.steps[-1].observation.result == 102  # the state just before the hang, plus one


# -- process isolation -------------------------------------------------------------------------


def test_process_isolation_contains_os_exit_and_rebuilds_from_the_last_good_state() -> None:
    env = hostile("process")
    try:
        env.call("bump", {})
        snap = env.snapshot()
        env.call("bump", {})
        obs = env.call("hard_exit", {})
        assert obs.error is not None and obs.error.type == "WorkerDiedError" and "exit code 3" in obs.error.message
        assert env.call("read", {}).result == 7  # the snapshot plus the call after it
        env.restore(snap)
        assert env.call("read", {}).result == 6
        assert error_type(env, "interrupt") == "KeyboardInterrupt"
        assert error_type(env, "exit") == "SystemExit"
    finally:
        env.close()


def test_process_isolation_kills_a_loop_inside_c_code_and_leaves_the_cpu_idle() -> None:
    env = hostile("process")
    try:
        env.call("bump", {})
        spinning = env._process._process.pid  # type: ignore[union-attr]
        assert error_type(env, "spin_in_c") == "TimeoutError"
        assert not Path(f"/proc/{spinning}").exists()  # killed and reaped, not left spinning
        assert env.call("read", {}).result == 6
        assert cpu_seconds_over(1.0) < 0.3
    finally:
        env.close()


def test_process_isolation_keeps_tool_globals_and_output_in_the_worker(capfd: pytest.CaptureFixture[str]) -> None:
    env = hostile("process")
    seen_here = list(tools_fixture_hostile.CALLS_SEEN)
    try:
        assert env.call("global_state", {}).result == 1  # the worker's own fresh module
        assert env.call("noisy_fd", {}).result == "fd result"
        assert seen_here == tools_fixture_hostile.CALLS_SEEN
        captured = capfd.readouterr()
        assert "NOISE" not in captured.out + captured.err
        assert env.state_hash() == hostile().state_hash()
        assert env.instance.count == 5  # a copy of the worker's state
    finally:
        env.close()


def test_a_session_mixes_isolations_and_matches_thread_results() -> None:
    spec = EnvironmentSpec(name="hostile", target="tools_fixture_hostile:Hostile", initial_state={"count": 2})
    calls = ["bump", "fail", "bump", "read"]
    threaded = Session([PythonEnvironment(spec, timeout=TIMEOUT)])
    isolated = Session([PythonEnvironment(spec, timeout=TIMEOUT, isolation="process")])
    try:
        for name in calls:
            assert threaded.call(name, {}) == isolated.call(name, {})
            assert threaded.state_hash() == isolated.state_hash()
    finally:
        isolated.close()


def test_a_source_whose_hung_call_cannot_be_stopped_moves_to_process_isolation() -> None:
    spec = EnvironmentSpec(name="stuck", target="tools_fixture_hostile:Stuck", initial_state={"count": 3})
    env = PythonEnvironment(spec, timeout=0.2)
    assert env.isolation == "thread"
    # Several seconds inside OpenSSL (on a fast, idle machine too): the stop cannot land until it returns, so the thread is
    # still busy after the grace period and the source changes isolation.
    assert error_type(env, "crunch", {"iterations": 8_000_000}) == "TimeoutError"
    try:
        assert env.isolation == "process"
        assert env.call("read", {}).result == 3
        later = PythonEnvironment(spec, timeout=0.2)
        assert later.isolation == "process"
        later.close()
    finally:
        env.close()


def test_a_config_source_asks_for_process_isolation(tmp_path: Path) -> None:
    from hardgen.pipeline import load_config
    from hardgen.pipeline._sources import resolve_sources

    config = load_config(overrides={"sources": [{
        "kind": "class", "target": "tools_fixture_hostile:Hostile", "name": "hostile",
        "initial_state": {"count": 1}, "isolation": "process",
    }]})
    with trusted_sources():  # the config's trust and isolation end with the test
        (spec,) = resolve_sources(config)
        env = PythonEnvironment(spec, timeout=TIMEOUT)
    assert PythonEnvironment(spec, timeout=TIMEOUT).isolation == "thread"
    try:
        assert env.isolation == "process"
        assert env.call("hard_exit", {}).error is not None  # contained: this process goes on
        assert env.call("bump", {}).result == 2
    finally:
        env.close()
