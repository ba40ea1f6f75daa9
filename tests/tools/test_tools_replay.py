"""Replay: a recorded trace re-executes to the same observations and final state hash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tools_fixture_gorilla_fs import SCENARIO

from hardgen.schema import EnvironmentSpec, Step, ToolCall, Trace
from hardgen.tools import Session, replay, replay_trace

HERE = Path(__file__).parent

SPECS = [
    # Docs path relative to the class's module: the trace rebuilds from any working directory.
    EnvironmentSpec(
        name="fs", target="tools_fixture_gorilla_fs:GorillaFileSystem", initial_state=SCENARIO,
        docs="data/gorilla_fs_docs.json",
    ),
    EnvironmentSpec(
        name="shop", target="tools_fixture_envs:Inventory",
        initial_state={"items": {"apple": 3}, "tags": ["b", "a", "c"]}, seed=42,
    ),
    EnvironmentSpec(name="weather", target="tools_fixture_envs:Weather", initial_state={"city": "Oslo"}, seed=7),
    EnvironmentSpec(name="calc", kind="module", target="tools_fixture_module"),
]

CALLS = [
    ToolCall(id="c1", name="cd", arguments={"folder": "documents"}),
    ToolCall(id="c2", name="cat", arguments={"file_name": "notes.txt"}),
    ToolCall(id="c3", name="echo", arguments={"content": "buy eggs", "file_name": "notes.txt"}),
    ToolCall(id="c4", name="draw_lottery", arguments={"count": 4}),
    ToolCall(id="c5", name="forecast", arguments={"day": "monday"}),
    ToolCall(id="c6", name="forecast", arguments={"day": "tuesday"}),
    ToolCall(id="c7", name="add_item", arguments={"name": "pear", "quantity": 2}),
    ToolCall(id="c8", name="get_item", arguments={"name": "plum"}),  # a tool error, recorded as such
    ToolCall(id="c9", name="tag", arguments={"label": "d"}),
    ToolCall(id="c10", name="add", arguments={"a": 2, "b": 5}),
    ToolCall(id="c11", name="cd", arguments={"folder": 7}),  # an argument error
    ToolCall(id="c12", name="mkdir", arguments={"dir_name": "archive"}),
]


def record() -> Trace:
    """Execute the calls live, as a sampler would, and record the trace."""
    session = Session.from_specs(SPECS)
    steps = [
        Step(call=call, observation=session.call(call.name, call.arguments), state_hash=session.state_hash())
        for call in CALLS
    ]
    return Trace(environments=SPECS, steps=steps, final_state_hash=session.state_hash(), mode="random_walk")


def test_replaying_a_recorded_trace_gives_the_same_observations_and_hashes() -> None:
    trace = record()
    observations = [s.observation for s in trace.steps]
    assert not observations[7].ok and not observations[10].ok  # the recorded failures
    assert observations[3].ok and len(observations[3].result) == 4
    for _ in range(2):
        result = replay_trace(trace)
        assert result.observations == observations
        assert result.state_hashes == [s.state_hash for s in trace.steps]
        assert result.final_state_hash == trace.final_state_hash
        assert result.initial_state_hash == Session.from_specs(SPECS).state_hash()


def test_replay_of_the_json_round_tripped_trace_is_identical() -> None:
    trace = record()
    again = Trace.from_json(trace.to_json())
    assert again == trace
    assert replay_trace(again).final_state_hash == trace.final_state_hash


def test_a_different_call_sequence_gives_a_different_final_hash() -> None:
    trace = record()
    assert replay(CALLS[:-1], SPECS).final_state_hash != trace.final_state_hash


def test_replay_can_continue_on_a_live_session() -> None:
    session = Session.from_specs(SPECS)
    first = replay(CALLS[:6], SPECS, session=session)
    rest = replay(CALLS[6:], SPECS, session=session)
    assert rest.initial_state_hash == first.final_state_hash
    assert [*first.observations, *rest.observations] == [s.observation for s in record().steps]


def test_replay_in_a_fresh_process_gives_the_same_result(tmp_path: Path) -> None:
    trace = record()
    trace_file = tmp_path / "trace.json"
    trace_file.write_text(trace.to_json())
    script = textwrap.dedent(
        """
        import json, sys
        from hardgen.schema import Trace
        from hardgen.tools import replay_trace
        trace = Trace.from_json(open(sys.argv[1]).read())
        result = replay_trace(trace)
        print(json.dumps({
            "observations": [o.model_dump(mode="json") for o in result.observations],
            "final": result.final_state_hash,
        }))
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "PYTHONHASHSEED": "12345",  # a different set and str-hash order than this process
    }
    done = subprocess.run(
        [sys.executable, "-c", script, str(trace_file)], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["final"] == trace.final_state_hash
    assert out["observations"] == [s.observation.model_dump(mode="json") for s in trace.steps]
