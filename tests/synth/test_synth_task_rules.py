"""What makes a gold the sensible solution of its query (issue 11): writes are goals unless they
only enable, nothing is created to be destroyed, looked-up values come from the shortest chain,
and every argument is determined and unambiguous. Traces are executed on the built-in world."""

from __future__ import annotations

from typing import Any

import pytest

from hardgen.schema import ArgumentSource, Step, ToolCall, ToolSpec, Trace
from hardgen.synth import build_advanced_tool
from hardgen.synth._answerability import ambiguous_arguments, undetermined_arguments
from hardgen.tools import Session
from hardgen.world import world_specs

Call = tuple[str, dict[str, Any]]


def _run(domain: str, calls: list[Call], sources: dict[int, list[ArgumentSource]] | None = None,
         target: str | None = None) -> tuple[Trace, dict[str, ToolSpec]]:
    specs = world_specs(domains=[domain])
    session = Session.from_specs(specs)
    try:
        steps = []
        for i, (name, arguments) in enumerate(calls):
            observation = session.call(name, arguments)
            assert observation.ok, (name, observation.error)
            steps.append(Step(call=ToolCall(name=name, arguments=arguments), observation=observation,
                              sources=(sources or {}).get(i, [])))
        tools = {t.name: t for t in session.tools()}
        return Trace(environments=specs, steps=steps, target_tool=target or calls[-1][0], mode="legality"), tools
    finally:
        session.close()


def _src(parameter: str, step: int, *path: str | int) -> ArgumentSource:
    return ArgumentSource(parameter=parameter, step=step, path=list(path))


def test_a_write_that_feeds_the_goal_is_a_goal_too() -> None:
    # The list an item goes into is created by the same task: the user asks for both.
    trace, tools = _run("notes", [("create_todo_list", {"name": "Party prep"}),
                                  ("add_todo_item", {"list_id": "TL-204", "text": "Buy candles"})],
                        {1: [_src("list_id", 0, "list_id")]})
    tool = build_advanced_tool(trace, tools)
    assert tool.goal_steps == [0, 1]
    assert tool.problem is None


def test_a_log_in_only_enables_and_a_lookup_only_serves() -> None:
    trace, tools = _run("banking", [("login_bank", {"customer_name": "Carlos Ito", "pin": "9273"}),
                                    ("list_bank_cards", {})], target="list_bank_cards")
    tool = build_advanced_tool(trace, tools, is_prerequisite=lambda a, b: a == "login_bank")
    assert tool.goal_steps == [1]  # logging in is implicit, the cards are what the user wants


def test_deleting_what_the_task_just_made_is_no_task() -> None:
    trace, tools = _run("notes", [("create_todo_list", {"name": "Party prep"}),
                                  ("add_todo_item", {"list_id": "TL-204", "text": "Buy candles"})],
                        {1: [_src("list_id", 0, "list_id")]})
    item = trace.steps[1].observation.result["item_id"]
    trace, tools = _run("notes", [("create_todo_list", {"name": "Party prep"}),
                                  ("add_todo_item", {"list_id": "TL-204", "text": "Buy candles"}),
                                  ("complete_todo_item", {"item_id": item})],
                        {1: [_src("list_id", 0, "list_id")], 2: [_src("item_id", 1, "item_id")]})
    assert build_advanced_tool(trace, tools).problem is None  # completing an item undoes nothing
    trace, tools = _run("notes", [("create_note", {"notebook_id": "NB-101", "title": "Gift ideas", "body": "Socks"})])
    note_id = trace.steps[0].observation.result["note_id"]
    trace, tools = _run("notes", [("create_note", {"notebook_id": "NB-101", "title": "Gift ideas", "body": "Socks"}),
                                  ("delete_note", {"note_id": note_id})], {1: [_src("note_id", 0, "note_id")]})
    tool = build_advanced_tool(trace, tools)
    assert tool.problem is not None and tool.problem.startswith("create-then-destroy")


def test_the_first_of_several_list_elements_is_ambiguous_without_a_name() -> None:
    # "the first payee" is nothing a user says; the payee's name singles one out.
    trace, tools = _run("banking", [("login_bank", {"customer_name": "Carlos Ito", "pin": "9273"}),
                                    ("list_payees", {})], target="list_payees")
    payees = trace.steps[1].observation.result["payees"]
    assert len(payees) > 1
    payee = payees[0]
    trace, tools = _run("banking", [("login_bank", {"customer_name": "Carlos Ito", "pin": "9273"}),
                                    ("list_payees", {}),
                                    ("remove_payee", {"payee_id": payee["payee_id"]})],
                        {2: [_src("payee_id", 1, "payees", 0, "payee_id")]})
    tool = build_advanced_tool(trace, tools, is_prerequisite=lambda a, b: a == "login_bank")
    assert not tool.ambiguous  # named by a field the user can say
    assert payee["name"] in tool.example_arguments.values()


def test_one_lookup_is_enough_when_its_result_already_holds_the_value() -> None:
    # find by name -> (profile by the email that gave) -> the id the first result already held
    session = Session.from_specs(world_specs(domains=["messaging"]))
    try:
        found = session.call("find_user_by_name", {"name": "Grace"}).result
    finally:
        session.close()
    user = found["users"][0]
    trace, tools = _run("messaging", [("find_user_by_name", {"name": user["display_name"]}),
                                      ("find_user_by_email", {"email": user["email"]}),
                                      ("get_chat_user_profile", {"user_id": user["user_id"]})],
                        {1: [_src("email", 0, "users", 0, "email")], 2: [_src("user_id", 1, "user_id")]})
    tool = build_advanced_tool(trace, tools)
    assert [s.tool for s in tool.steps] == ["find_user_by_name", "get_chat_user_profile"]


def _step(name: str, arguments: dict[str, Any], result: Any, sources: list[ArgumentSource] | None = None) -> Step:
    from hardgen.schema import Observation

    return Step(call=ToolCall(name=name, arguments=arguments), observation=Observation(ok=True, result=result),
                sources=sources or [])


ORDERS = {"orders": [{"order_id": "O-1", "total": 97.99, "status": "processing"},
                     {"order_id": "O-2", "total": 12.5, "status": "processing"}]}


@pytest.mark.parametrize(("query", "expected"), [
    ("Cancel my order that came to 97.99, please.", []),
    ("Cancel one of my orders.", ["ambiguous"]),
])
def test_an_argument_from_a_list_must_be_the_one_the_query_names(query: str, expected: list[str]) -> None:
    steps = [_step("search_orders", {}, ORDERS),
             _step("cancel_order", {"order_id": "O-1"}, {"order_id": "O-1"}, [_src("order_id", 0, "orders", 0, "order_id")])]
    problems = ambiguous_arguments(steps, query, lookups=[ORDERS])
    assert [p.split(":")[0] for p in problems] == expected


def test_the_gold_must_take_the_element_the_query_names() -> None:
    steps = [_step("search_orders", {}, ORDERS),
             _step("cancel_order", {"order_id": "O-2"}, {"order_id": "O-2"}, [_src("order_id", 0, "orders", 1, "order_id")])]
    problems = ambiguous_arguments(steps, "Cancel my order that came to 97.99.", lookups=[ORDERS])
    assert problems and problems[0].startswith("undetermined")


def test_a_log_in_record_does_not_compete_with_the_person_named() -> None:
    steps = [_step("login", {"username": "mayas72", "password": "pw-1"}, {"user_id": "u-1", "username": "mayas72"}),
             _step("find_user_by_name", {"name": "Jonas Dubois"}, {"users": [{"user_id": "u-2", "name": "Jonas Dubois"}]}),
             _step("add_contact", {"user_id": "u-2"}, {"ok": True}, [_src("user_id", 1, "users", 0, "user_id")])]
    query = "Log in as mayas72 (password pw-1) and add Jonas Dubois to my contacts."
    assert ambiguous_arguments(steps, query, lookups=[], enabling={0}) == []
    assert ambiguous_arguments(steps, query, lookups=[])  # counted as a candidate, it ties


def test_every_argument_needs_a_reason_to_be_what_it_is() -> None:
    tools = {"cd": ToolSpec(name="cd", parameters={"type": "object", "properties": {"path": {"type": "string"}}},
                            mutates=True),
             "ls": ToolSpec(name="ls", parameters={"type": "object", "properties": {
                 "all": {"type": "boolean", "default": False}, "sort": {"type": "string", "default": "name"}}})}
    steps = [_step("ls", {"sort": "name"}, {"entries": ["docs"]}), _step("cd", {"path": "/home/docs"}, {"cwd": "/home/docs"})]
    assert undetermined_arguments(steps, "Go into my documents folder.", tools) == ["cd.path"]
    assert undetermined_arguments(steps, "Go to /home/docs please.", tools) == []
    assert undetermined_arguments(steps, "Go into it.", tools, known=["/home/docs"]) == []


def test_calls_tied_together_only_by_a_dropped_lookup_are_two_tasks_and_the_other_is_left_out() -> None:
    from hardgen.schema import Observation

    tools = {t.name: t for t in (
        ToolSpec(name="ls", description="List the folder.", mutates=False),
        ToolSpec(name="mv", description="Move a file.", mutates=True, parameters={
            "type": "object", "properties": {"source": {"type": "string"}, "destination": {"type": "string"}}}),
        ToolSpec(name="sort", description="Sort a file's lines.", mutates=False, parameters={
            "type": "object", "properties": {"file_name": {"type": "string"}}}))}

    def step(name: str, arguments: dict[str, Any], result: Any, sources: list[ArgumentSource]) -> Step:
        return Step(call=ToolCall(name=name, arguments=arguments), observation=Observation.success(result),
                    sources=sources)

    listing = {"entries": ["notes.txt", "report.txt"]}
    trace = Trace(environments=[], target_tool="mv", mode="legality", steps=[
        step("ls", {}, listing, []),
        step("mv", {"source": "notes.txt", "destination": "notes_old.txt"}, {"ok": True}, [_src("source", 0, "entries", 0)]),
        step("sort", {"file_name": "report.txt"}, {"sorted_content": "a\nb"}, [_src("file_name", 0, "entries", 1)]),
    ])
    tool = build_advanced_tool(trace, tools)
    # The sort read the listing the move's file came from, so the trace keeps it; but the user
    # names both files, so the listing is dropped, and moving one file and sorting another are
    # then two requests: only the target's is the task.
    assert [s.tool for s in tool.steps] == ["mv"]
    assert set(tool.parameters["properties"]) == {"source", "destination"}


def test_computing_back_a_number_the_user_gave_is_a_round_trip() -> None:
    from hardgen.schema import Observation

    tools = {t.name: t for t in (
        ToolSpec(name="gallon_to_liter", description="Convert gallons to litres.", mutates=False, parameters={
            "type": "object", "properties": {"gallon": {"type": "number"}}}),
        ToolSpec(name="liter_to_gallon", description="Convert litres to gallons.", mutates=False, parameters={
            "type": "object", "properties": {"liter": {"type": "number"}}}))}
    trace = Trace(environments=[], target_tool="liter_to_gallon", mode="legality", steps=[
        Step(call=ToolCall(name="gallon_to_liter", arguments={"gallon": 14.21}),
             observation=Observation.success({"liter": 53.7906})),
        Step(call=ToolCall(name="liter_to_gallon", arguments={"liter": 53.7906}),
             observation=Observation.success({"gallon": 14.20997}), sources=[_src("liter", 0, "liter")]),
    ])
    assert (build_advanced_tool(trace, tools).problem or "").startswith("round trip")
    onward = trace.model_copy(update={"steps": [trace.steps[0], trace.steps[1].model_copy(update={
        "observation": Observation.success({"gallon": 30.5})})]})
    assert build_advanced_tool(onward, tools).problem is None


def test_a_log_in_after_everything_it_enables_is_left_out() -> None:
    from hardgen.schema import Observation

    tools = {t.name: t for t in (
        ToolSpec(name="login", description="Log in.", mutates=True, parameters={
            "type": "object", "properties": {"user": {"type": "string"}, "password": {"type": "string"}}}),
        ToolSpec(name="post", description="Post a note.", mutates=True, parameters={
            "type": "object", "properties": {"text": {"type": "string"}}}),
        ToolSpec(name="get_post", description="Get a post.", mutates=False, parameters={
            "type": "object", "properties": {"post_id": {"type": "integer"}}}))}

    def step(name: str, arguments: dict[str, Any], result: Any, sources: list[ArgumentSource]) -> Step:
        return Step(call=ToolCall(name=name, arguments=arguments), observation=Observation.success(result),
                    sources=sources)

    trace = Trace(environments=[], target_tool="post", mode="legality", steps=[
        step("login", {"user": "ana", "password": "pw-1"}, {"ok": True}, []),
        step("post", {"text": "Hello there"}, {"post_id": 7, "user": "ana"}, []),
        step("get_post", {"post_id": 7}, {"post_id": 7, "text": "Hello there"}, [_src("post_id", 1, "post_id")]),
        step("login", {"user": "ana", "password": "pw-1"}, {"ok": True}, [_src("user", 1, "user")]),
        step("get_stats", {"user": "ana"}, {"posts": 3}, [_src("user", 1, "user")]),
    ])
    tools["get_stats"] = ToolSpec(name="get_stats", description="Get a user's statistics.", mutates=False,
                                  parameters={"type": "object", "properties": {"user": {"type": "string"}}})
    tool = build_advanced_tool(trace, tools, is_prerequisite=lambda a, b: (a, b) == ("login", "post"))
    # The second log-in comes after the post it could enable: it enables nothing.
    assert [s.tool for s in tool.steps] == ["login", "post", "get_post", "get_stats"]
