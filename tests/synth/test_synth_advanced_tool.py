"""AdvancedTool: the Tool Maker's executable abstraction of a trace (issue 6, Build 1)."""

from __future__ import annotations

import pytest
from synth_fixture_chain import ADA, ALAN, cancel_tool, cancel_trace, is_prerequisite, store_tools
from verify_fixture_store import store_spec

from hardgen.schema import GoldTurn
from hardgen.synth import (
    AdvancedExecutionError,
    AdvancedTool,
    ArgBinding,
    ElementSelector,
    StepTemplate,
    build_advanced_tool,
    execute_advanced,
    focus_trace,
)
from hardgen.tools import Session
from hardgen.verify import CandidateTurn, verify_candidate


@pytest.fixture
def session() -> Session:
    s = Session.from_specs([store_spec()])
    yield s
    s.close()


def test_focus_keeps_the_target_its_dependencies_and_prerequisites_only() -> None:
    trace = cancel_trace()
    focused = focus_trace(trace, is_prerequisite)
    assert focused.tool_names == ["login", "find_user", "list_orders", "cancel_order"]
    # Sources are renumbered to the kept steps.
    assert [(s.call.name, src.step) for s in focused.steps for src in s.sources] == [
        ("list_orders", 1), ("cancel_order", 2)]
    # Without the prerequisite test the login is not known to be needed.
    assert focus_trace(trace).tool_names == ["find_user", "list_orders", "cancel_order"]


def test_user_values_are_lifted_and_looked_up_values_stay_references() -> None:
    tool = cancel_tool()
    assert tool.example_arguments == ADA
    assert tool.parameters["required"] == list(ADA)
    assert tool.primitive_tools == ["login", "find_user", "list_orders", "cancel_order"]
    bindings = {(step.tool, p): b for step in tool.steps for p, b in step.arguments.items()}
    assert bindings[("list_orders", "user_id")] == ArgBinding(kind="ref", step=1, path=["user_id"])
    # "the 2nd order" becomes "the order whose item the user names".
    assert bindings[("cancel_order", "order_id")].path == [
        "orders", ElementSelector(field="item", param="order_item"), "order_id"]
    assert tool.goal_steps == [3] and tool.target_tool == "cancel_order" and not tool.ambiguous
    assert "cancel_order" in tool.description and "Internally" in tool.description
    assert tool.to_tool_spec().kind == "advanced"


def test_called_with_its_example_values_it_reproduces_the_source_trace(session: Session) -> None:
    trace = cancel_trace()
    steps = execute_advanced(cancel_tool(), ADA, session)
    assert session.state_hash() == trace.final_state_hash
    focused = focus_trace(trace, is_prerequisite)
    assert [(s.call.name, s.call.arguments) for s in steps] == [(s.call.name, s.call.arguments) for s in focused.steps]
    assert [s.observation for s in steps] == [s.observation for s in focused.steps]
    assert [s.sources for s in steps] == [s.sources for s in focused.steps]


def test_the_body_is_data_that_round_trips_and_still_executes(session: Session) -> None:
    tool = cancel_tool()
    reloaded = AdvancedTool.model_validate_json(tool.model_dump_json())
    assert reloaded == tool
    execute_advanced(reloaded, ADA, session)
    assert session.state_hash() == cancel_trace().final_state_hash


def test_other_values_make_a_new_executed_and_verifiable_trace(session: Session) -> None:
    steps = execute_advanced(cancel_tool(), ALAN, session)
    new_hash = session.state_hash()
    assert new_hash != cancel_trace().final_state_hash
    assert [s.call.arguments for s in steps][2:] == [{"user_id": "U-102"}, {"order_id": "O-5004"}]
    assert all(s.observation.ok for s in steps)
    # The selector was resolved to the index of Alan's chair in his own order list.
    assert steps[3].sources[0].path == ["orders", 1, "order_id"]
    gold = GoldTurn(query="q", steps=steps, required_observations=[1, 2], final_state_hash=new_hash)
    replay = verify_candidate([store_spec()], [gold], [CandidateTurn(calls=[s.call for s in steps], answer="ok")])
    assert replay.passed, replay.reasons


def test_a_nested_advanced_tool_executes_with_references_across_the_nesting(session: Session) -> None:
    inner = cancel_tool()
    outer = AdvancedTool(
        name="cancel_and_show_order_adv", description="Cancel an order and show it.",
        parameters=inner.parameters,
        steps=[StepTemplate(tool=inner.name, arguments={p: ArgBinding(kind="param", param=p) for p in ADA}),
               StepTemplate(tool="get_order",
                            arguments={"order_id": ArgBinding(kind="ref", step=0, path=["order_id"])})],
        example_arguments=ADA, goal_steps=[1])
    steps = execute_advanced(outer, ALAN, session, {inner.name: inner})
    assert [s.call.name for s in steps] == ["login", "find_user", "list_orders", "cancel_order", "get_order"]
    assert steps[-1].observation.result["status"] == "cancelled"
    assert steps[-1].call.arguments == {"order_id": "O-5004"}
    # Step indices in the sources are positions in the flat list of executed primitive steps.
    assert [(i, src.step) for i, s in enumerate(steps) for src in s.sources] == [(2, 1), (3, 2), (4, 3)]


def test_an_unknown_selector_value_fails_with_the_steps_done_so_far(session: Session) -> None:
    with pytest.raises(AdvancedExecutionError) as error:
        execute_advanced(cancel_tool(), {**ADA, "order_item": "Purple Sofa"}, session)
    assert "step 4 (cancel_order)" in str(error.value) and "Purple Sofa" in str(error.value)
    assert [s.call.name for s in error.value.steps] == ["login", "find_user", "list_orders"]


def test_a_failing_step_fails_with_its_error_observation(session: Session) -> None:
    with pytest.raises(AdvancedExecutionError) as error:
        execute_advanced(cancel_tool(), {**ADA, "password": "wrong"}, session)
    assert "step 1 (login) failed: PermissionDeniedError" in str(error.value)
    assert len(error.value.steps) == 1 and not error.value.steps[0].observation.ok


def test_a_missing_argument_fails_before_anything_runs(session: Session) -> None:
    before = session.state_hash()
    with pytest.raises(AdvancedExecutionError) as error:
        execute_advanced(cancel_tool(), {"username": "ada"}, session)
    assert "missing argument" in str(error.value) and error.value.steps == []
    assert session.state_hash() == before


def test_names_do_not_clash_with_taken_names_and_single_calls_are_tasks() -> None:
    first = cancel_tool()
    second = build_advanced_tool(cancel_trace(), store_tools(), {first.name}, is_prerequisite)
    assert second.name != first.name and second.name.startswith(first.name)
    single = build_advanced_tool(cancel_trace().model_copy(update={"steps": cancel_trace().steps[:1],
                                                                   "target_tool": "login"}), store_tools())
    assert single.name.endswith("_task") and single.primitive_tools == ["login"]
