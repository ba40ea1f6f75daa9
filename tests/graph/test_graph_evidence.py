"""Read/write kinds and prerequisites decided by execution, not by names: a call that changes the
state hash writes, private state counts, and a tool may need two enablers at once."""

from __future__ import annotations

from typing import Any

import pytest

from hardgen.graph import ApiGraph, discover_prerequisites
from hardgen.schema import EnvironmentSpec
from hardgen.tools import MUTATES_GUESSED, Session, build_environment, guess_mutates


def _session(*classes: str) -> Session:
    return Session.from_specs([EnvironmentSpec(name=c.lower(), target=f"graph_fixture_evidence:{c}") for c in classes],
                              timeout=None)


def _discovered(*classes: str, seed: int = 0) -> tuple[ApiGraph, Any]:
    session = _session(*classes)
    graph = ApiGraph.from_session(session)
    return graph, discover_prerequisites(graph, session, seed=seed)


def test_names_are_only_a_prior_the_first_known_verb_decides() -> None:
    assert guess_mutates("message_get_login_status") is False  # `message` is the domain, `get` the verb
    assert guess_mutates("displayCarStatus") is False
    assert guess_mutates("gallon_to_liter") is False
    assert guess_mutates("archival_memory_add") is True
    assert guess_mutates("add") is True  # until execution shows otherwise
    session = _session("Calculator")
    assert all(spec.hints.get(MUTATES_GUESSED) for spec in session.tools())


def test_a_stateless_environment_s_guessed_writes_become_reads() -> None:
    graph, report = _discovered("Calculator")
    assert report.kinds_settled == {"add": False, "multiply": False}
    assert not graph.spec("add").mutates and not graph.spec("multiply").mutates


def test_a_write_is_what_changes_state_and_a_no_op_in_a_stateful_environment_proves_nothing() -> None:
    graph, _ = _discovered("Counter")
    assert graph.spec("bump").mutates
    # It changed nothing here, but the environment has state: the name's guess stands.
    assert graph.spec("touch_base").mutates and graph.mutates_guessed("touch_base")


def test_declared_kinds_are_never_changed_by_evidence() -> None:
    graph = ApiGraph.build(_session("Calculator").tools())
    spec = graph.spec("add")
    graph.graph.nodes["add"]["node"].spec = spec.model_copy(update={"hints": {}})  # as if declared
    graph.observe_call("add", {"a": 1, "b": 2}, _ok(), changed_state=False)
    graph.observe_call("add", {"a": 3, "b": 2}, _ok(), changed_state=False)
    assert graph.settle_mutates() == {} and graph.spec("add").mutates


def test_private_state_makes_a_working_directory_a_prerequisite() -> None:
    graph, report = _discovered("Shell")
    assert ("cd", "cat") in report.prerequisites_found
    assert graph.edge("cd", "cat").status == "confirmed"
    # `cd` changes only `_cwd`; `get_dice_roll` draws from a private generator, which is no write.
    assert graph.spec("cd").mutates and not graph.spec("get_dice_roll").mutates


def test_a_clock_reading_and_a_private_generator_do_not_change_the_hash() -> None:
    env = _session("Shell").environments[0]
    first = env.state_hash()
    env.call("get_dice_roll", {})
    assert env.state_hash() == first  # the generator moved, no state did
    assert build_environment(env.specs()[0], timeout=None).state_hash() == first  # `_opened_at` differs
    env.call("cd", {"folder": "notes"})
    assert env.state_hash() != first


def test_values_that_differ_between_two_loads_are_left_out_and_recorded() -> None:
    env = build_environment(EnvironmentSpec(name="s", target="graph_fixture_evidence:Session"), timeout=None)
    (spec,) = env.specs()
    assert spec.state_exclude == ["_token"]
    again = build_environment(spec, timeout=None)
    assert again.state_hash() == env.state_hash()
    explicit = build_environment(spec.model_copy(update={"state_exclude": []}), timeout=None)
    assert explicit.state_hash() != env.state_hash()  # an explicit list is taken as given


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_tool_that_needs_two_enablers_at_once_is_found(seed: int) -> None:
    graph, report = _discovered("Car", seed=seed)
    assert ("start_engine", ["lock_doors", "press_brake_pedal"]) in [(t, sorted(e)) for t, e in report.multi_enabler]
    assert {"lock_doors", "press_brake_pedal"} <= set(graph.prerequisites("start_engine"))
    assert "turn_on_radio" not in graph.prerequisites("start_engine") or \
        graph.edge("turn_on_radio", "start_engine").status != "confirmed"
    assert "start_engine" not in report.still_failing


def _ok() -> Any:
    from hardgen.schema import Observation

    return Observation(ok=True, result={"result": 3})
