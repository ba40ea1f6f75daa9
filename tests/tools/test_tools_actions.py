"""Action kinds of tools, from names, hints and the graph: what may stay implicit in a gold."""

from __future__ import annotations

import pytest

from hardgen.schema import ArgumentSource, Observation, Step, ToolCall, ToolSpec
from hardgen.tools import enabling_steps, is_creating, is_destroying, is_enabling_name, names_new_entity


@pytest.mark.parametrize("name", ["login_bank", "ticket_login", "cd", "selectAccount", "log_in", "sign_in_user",
                                  "press_brake_pedal", "start_engine", "authenticate"])
def test_session_changes_read_as_enabling(name: str) -> None:
    assert is_enabling_name(name)


@pytest.mark.parametrize("name", ["create_note", "send_chat_message", "cancel_order", "open_bank_account", "mkdir"])
def test_changes_to_data_do_not(name: str) -> None:
    assert not is_enabling_name(name)


def test_creating_and_destroying_verbs() -> None:
    assert all(map(is_creating, ["create_note", "add_payee", "mkdir", "touch", "book_flight", "postTweet"]))
    assert all(map(is_destroying, ["delete_note", "cancel_order", "rm", "archive_note", "remove_payee"]))
    assert not is_creating("get_note") and not is_destroying("update_note")


def test_the_name_of_a_new_entity() -> None:
    assert names_new_entity("create_notebook", "name")
    assert names_new_entity("create_scene", "scene_name")
    assert names_new_entity("mkdir", "path")
    assert not names_new_entity("book_flight", "traveller_name")  # that traveller exists already
    assert not names_new_entity("get_notebook", "name")


def _spec(name: str, mutates: bool, **hints: object) -> ToolSpec:
    return ToolSpec(name=name, mutates=mutates, environment="env", hints=dict(hints))


def _step(name: str, sources: list[ArgumentSource] | None = None) -> Step:
    return Step(call=ToolCall(name=name, arguments={}), observation=Observation(ok=True, result={}),
                sources=sources or [])


def test_enabling_steps_from_names_hints_and_declarations() -> None:
    specs = {"login": _spec("login", True), "send": _spec("send", True), "arm": _spec("arm", True),
             "fire": _spec("fire", True, requires=["arm"]), "mark": _spec("mark", True, enables=False),
             "prime": _spec("prime", True, enables=True), "make_list": _spec("make_list", True),
             "add_item": _spec("add_item", True, requires=["make_list"])}
    assert enabling_steps([_step("login"), _step("send")], specs) == {0}
    assert enabling_steps([_step("arm"), _step("fire")], specs) == {0}  # a required step that makes nothing
    assert enabling_steps([_step("mark"), _step("send")], specs) == set()
    assert enabling_steps([_step("prime"), _step("send")], specs) == {0}
    # A list an item goes into is made, not enabled: the user asks for it.
    made = [_step("make_list"), _step("add_item", [ArgumentSource(parameter="list_id", step=0, path=["list_id"])])]
    assert enabling_steps(made, specs) == set()
    assert enabling_steps([_step("send")], specs) == set()  # nothing after it to enable


def test_a_later_call_that_reverses_an_earlier_one() -> None:
    from hardgen.tools import undoes

    assert undoes("freeze_card", "unfreeze_card")
    assert undoes("add_to_cart", "remove_from_cart")
    assert undoes("turn_on_device", "turn_off_device")
    assert undoes("lock_doors", "unlock_doors")
    assert not undoes("unfreeze_card", "freeze_card")  # the other way round is a fix, not an undo
    assert not undoes("add_todo_item", "complete_todo_item")
    assert not undoes("unsubscribe_weather_alerts", "subscribe_weather_alerts")  # replacing a subscription
