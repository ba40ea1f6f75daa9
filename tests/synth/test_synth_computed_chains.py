"""Chains of computations (a mean, then rounded): every computation is asked for, the numbers are
listed as a person lists them, and the answer gives the last result, not the ones on the way."""

from __future__ import annotations

import asyncio
import random
import re
import sys
from pathlib import Path

from hardgen.graph import ApiGraph, SamplerConfig, TraceSampler
from hardgen.schema import EnvironmentSpec, ToolSpec
from hardgen.synth import (
    ModelFreeCritic,
    ModelFreeQueryWriter,
    ModelFreeReasoner,
    SynthesisConfig,
    SynthesisUnit,
    Synthesizer,
    build_advanced_tool,
)
from hardgen.synth._graph_dependencies import GraphDependencies
from hardgen.tools import Session

_GRAPH_TESTS = str(Path(__file__).resolve().parents[1] / "graph")
if _GRAPH_TESTS not in sys.path:
    sys.path.insert(0, _GRAPH_TESTS)

SPEC = EnvironmentSpec(name="calculator", target="graph_fixture_computed:Calculator")


def _mean_then_round() -> tuple[object, ApiGraph, dict]:
    session = Session.from_specs([SPEC], timeout=None)
    graph = ApiGraph.from_session(session)
    sampler = TraceSampler(graph, session, seed=0, config=SamplerConfig(min_length=2, max_length=2, feed_target=1.0))
    tools = {t.name: t for t in session.tools()}
    for _ in range(40):
        trace = sampler.sample(target="round_number")
        if [s.call.name for s in trace.steps] == ["mean", "round_number"]:
            return build_advanced_tool(trace, tools), graph, tools
    raise AssertionError("no mean -> round_number trace in 40 tries")


def test_a_computation_on_the_way_is_asked_for_and_its_numbers_listed_plainly() -> None:
    tool, _graph, tools = _mean_then_round()
    assert tool.goal_steps == [0, 1]  # which numbers to average is the user's to say: no implicit mean
    numbers = tool.example_arguments["numbers"]
    assert len(numbers) >= 3
    listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
    for seed in range(6):
        query = ModelFreeQueryWriter().compose(tool, tool.example_arguments, [], tools, random.Random(seed))
        assert listed in query.text and f"'{numbers[0]}" not in query.text, query.text
        assert " numbers is " not in query.text, query.text


def test_the_answer_is_the_last_result_and_the_sample_verifies() -> None:
    tool, graph, tools = _mean_then_round()
    synthesizer = Synthesizer([SPEC], tools, {tool.name: tool}, ModelFreeQueryWriter(),
                              ModelFreeReasoner(GraphDependencies(graph)), ModelFreeCritic(), SynthesisConfig())
    written = 0
    for seed in range(6):
        sample = asyncio.run(synthesizer.synthesize(SynthesisUnit(
            unit_id=f"u-{seed}", seed=seed, advanced_tool=tool.name, arguments=tool.example_arguments, turns=1)))
        if not hasattr(sample, "gold"):
            continue
        written += 1
        steps = sample.gold[0].steps
        mean, rounded = steps[0].observation.result["result"], steps[1].observation.result["result"]
        answer = sample.messages[-1].content or ""
        assert sample.gold[0].answer_values == [rounded]
        assert re.search(rf"(?<![\d.]){re.escape(f'{rounded:g}')}(?!\d)", answer), answer
        assert f"{mean:.12g}" not in answer, answer  # the mean was a step on the way
        assert "other result" not in answer
    assert written >= 3


def test_operands_named_only_a_and_b_are_asked_for_by_their_description_and_called_as_asked() -> None:
    session = Session.from_specs([SPEC], timeout=None)
    graph = ApiGraph.from_session(session)
    tools = {t.name: t for t in session.tools()}
    sampler = TraceSampler(graph, session, seed=1, config=SamplerConfig(min_length=2, max_length=2, feed_target=1.0))
    trace = next(t for t in (sampler.sample(target="round_number") for _ in range(60))
                 if [s.call.name for s in t.steps] == ["add", "round_number"])
    tool = build_advanced_tool(trace, tools)
    a, b = tool.example_arguments["a"], tool.example_arguments["b"]
    synthesizer = Synthesizer([SPEC], tools, {tool.name: tool}, ModelFreeQueryWriter(),
                              ModelFreeReasoner(GraphDependencies(graph)), ModelFreeCritic(), SynthesisConfig())
    for seed in range(4):
        sample = asyncio.run(synthesizer.synthesize(SynthesisUnit(
            unit_id=f"u-{seed}", seed=seed, advanced_tool=tool.name, arguments={"a": a, "b": b}, turns=1)))
        assert hasattr(sample, "gold"), sample
        query = sample.gold[0].query
        assert "first number" in query and "second number" in query, query
        assert not re.search(r"\bthe [ab]\b", query), query
        # Addition would not tell a swap from the right call; the sample must still say what was asked.
        call = next(c for m in sample.messages for c in (m.tool_calls or []) if c.name == "add")
        assert call.arguments == {"a": a, "b": b}, (query, call.arguments)


def test_the_author_of_what_the_user_just_made_is_the_user_but_a_new_contact_is_not() -> None:
    from hardgen.synth import AdvancedTool
    from hardgen.synth._advanced_tool import ArgBinding, StepTemplate
    from hardgen.synth._query_writer import _refer_back

    def chain(first: str) -> AdvancedTool:
        return AdvancedTool(name="t", description="", parameters={"type": "object", "properties": {}}, steps=[
            StepTemplate(tool=first, arguments={}),
            StepTemplate(tool="get_user_stats", arguments={
                "username": ArgBinding(kind="ref", step=0, path=["username"])})], goal_steps=[0, 1])

    def spec(name: str, mutates: bool) -> ToolSpec:
        return ToolSpec(name=name, description="", parameters={"type": "object", "properties": {}}, mutates=mutates)

    tools = {"post_tweet": spec("post_tweet", True), "add_contact": spec("add_contact", True),
             "get_tweet": spec("get_tweet", False), "get_user_stats": spec("get_user_stats", False)}
    ask = "get statistics for a user"
    assert _refer_back(ask, chain("post_tweet"), "get_user_stats", tools) == "get statistics for me"
    assert _refer_back(ask, chain("add_contact"), "get_user_stats", tools) == ask  # the contact's, not mine
    assert _refer_back(ask, chain("get_tweet"), "get_user_stats", tools) == ask  # whoever wrote that tweet


def test_a_bare_id_is_named_by_what_its_tool_is_about() -> None:
    from hardgen.synth._answering import field_noun, qualified_key

    assert field_noun(qualified_key("id", "post_tweet")) == "tweet id"
    assert qualified_key("status", "create_ticket") == "ticket_status"
    assert qualified_key("username", "post_tweet") == "username"  # a named field says what it is
    assert qualified_key("id", "get_user_stats") == "id"  # "user stats" is no one thing to name it by


def test_a_later_turn_that_posts_the_same_tweet_again_is_a_repeat_whatever_empty_options_it_adds() -> None:
    from hardgen.schema import GoldTurn, Observation, Step, ToolCall
    from hardgen.synth._synthesizer import _repeats_creation

    def step(name: str, **arguments: object) -> Step:
        return Step(call=ToolCall(id=f"c-{name}", name=name, arguments=arguments), observation=Observation.success({}))

    first = GoldTurn(query="q", steps=[step("post_tweet", content="Lunch at noon")], final_state_hash="h")
    again = [step("post_tweet", content="Lunch at noon", tags=[])]
    assert _repeats_creation(again, [first], {"post_tweet"}) is not None
    assert _repeats_creation([step("post_tweet", content="Dinner at six", tags=[])], [first], {"post_tweet"}) is None


def test_a_value_referred_back_to_is_given_not_asked_for() -> None:
    from hardgen.synth._answering import requested_keys

    result = {"content": "Lunch at noon", "id": 11}
    assert requested_keys("Post it again? Use the content from earlier. What's the tweet id?", result) == ["id"]
    assert requested_keys("Use the same content as before, and tell me the content.", result) == ["content"]


def test_a_log_in_after_the_changes_asked_for_is_left_out_but_a_log_in_task_is_kept() -> None:
    from hardgen.schema import ArgumentSource, Observation, Step, ToolCall, Trace

    def spec(name: str, mutates: bool, *params: str) -> ToolSpec:
        return ToolSpec(name=name, description="", mutates=mutates, parameters={
            "type": "object", "properties": {p: {"type": "string"} for p in params}, "required": list(params)})

    tools = {"get_user_id": spec("get_user_id", False, "user"), "send_message": spec("send_message", True, "receiver_id", "message"),
             "message_login": spec("message_login", True, "user_id")}

    def step(i: int, name: str, arguments: dict, result: dict, sources: list | None = None) -> Step:
        return Step(call=ToolCall(id=f"c{i}", name=name, arguments=arguments), observation=Observation.success(result),
                    sources=sources or [])

    lookup = step(0, "get_user_id", {"user": "Alice"}, {"user_id": "USR003"})
    send = step(1, "send_message", {"receiver_id": "USR003", "message": "Hi"}, {"sent_status": True},
                [ArgumentSource(parameter="receiver_id", step=0, path=["user_id"])])
    login = step(2, "message_login", {"user_id": "USR003"}, {"login_status": True},
                 [ArgumentSource(parameter="user_id", step=0, path=["user_id"])])
    # The sampler went on after the message was sent, to a log-in its receiver id fits.
    late = build_advanced_tool(Trace(environments=[], steps=[lookup, send, login], target_tool="send_message"),
                               tools, set(), lambda a, b: False)
    assert [s.tool for s in late.steps] == ["get_user_id", "send_message"]
    alone = build_advanced_tool(Trace(environments=[], steps=[lookup, login.model_copy(update={"sources": [
        ArgumentSource(parameter="user_id", step=0, path=["user_id"])]})], target_tool="message_login"),
        tools, set(), lambda a, b: False)
    assert [s.tool for s in alone.steps] == ["get_user_id", "message_login"]


def test_records_kept_under_their_ids_are_summarised_by_them() -> None:
    from hardgen.synth._answering import summarise

    history = {"booking_history": {"flight_001": {"travel_to": "Rome"}, "flight_002": {"travel_to": "Oslo"}}}
    assert "flight_001 and flight_002" in summarise(history, random.Random(0))
    assert "one entry: flight_001" in summarise({"booking_history": {"flight_001": {"to": "Rome"}}}, random.Random(0))


def test_a_write_only_the_graph_says_enables_the_next_is_asked_for_but_a_log_in_is_not() -> None:
    from hardgen.schema import Observation, Step, ToolCall, Trace

    def spec(name: str, *params: str) -> ToolSpec:
        return ToolSpec(name=name, description="", mutates=True, parameters={
            "type": "object", "properties": {p: {"type": "string"} for p in params}, "required": list(params)})

    tools = {"login_trading": spec("login_trading", "username"), "deposit_funds": spec("deposit_funds", "amount"),
             "withdraw_funds": spec("withdraw_funds", "amount")}
    steps = [Step(call=ToolCall(id=f"c{i}", name=n, arguments=a), observation=Observation.success({"ok": 1}))
             for i, (n, a) in enumerate([("login_trading", {"username": "ana"}), ("deposit_funds", {"amount": "50"}),
                                         ("withdraw_funds", {"amount": "70"})])]
    needs = {("login_trading", "deposit_funds"), ("login_trading", "withdraw_funds"), ("deposit_funds", "withdraw_funds")}
    tool = build_advanced_tool(Trace(environments=[], steps=steps, target_tool="withdraw_funds"), tools, set(),
                               lambda a, b: (a, b) in needs)
    assert [tool.steps[i].tool for i in tool.goal_steps] == ["deposit_funds", "withdraw_funds"]


def test_a_thing_confirmed_once_is_it_after_that_only_when_it_is_the_same_thing() -> None:
    from hardgen.synth._voice import refer_back_in_turn

    assert refer_back_in_turn(["posted the tweet", "retweeted a tweet", "commented on a tweet"], [False, True, True]) \
        == ["posted the tweet", "retweeted it", "commented on it"]
    # the message sent after one was deleted is another message
    assert refer_back_in_turn(["deleted the message", "sent a message"], [False, False])[1] == "sent a message"
    assert refer_back_in_turn(["created the ticket", "closed the ticket queue"], [False, True])[1] \
        == "closed the ticket queue"  # "ticket" names the queue here


def test_a_default_left_as_it_is_is_not_asked_for_and_a_history_lists_its_entries() -> None:
    from hardgen.synth import AdvancedTool
    from hardgen.synth._advanced_tool import ArgBinding, ElementSelector, StepTemplate
    from hardgen.synth._query_writer import _selector_entities

    tool = AdvancedTool(name="t", description="", parameters={"type": "object", "properties": {
        "max_count": {"type": "integer", "default": 10}, "message": {"type": "string"}}, "required": ["message"]},
        steps=[StepTemplate(tool="git_log", arguments={"max_count": ArgBinding(kind="param", param="max_count")}),
               StepTemplate(tool="git_show", arguments={"revision": ArgBinding(kind="ref", step=0, path=[
                   "commit_history", ElementSelector(field="message", param="message"), "commit"])})],
        goal_steps=[1], example_arguments={"max_count": 10, "message": "Start the notes"})
    assert _selector_entities(tool) == {"message": "commit"}
    spec = ToolSpec(name="git_show", description="Show a commit.", parameters={"type": "object", "properties": {}})
    for seed in range(5):
        text = ModelFreeQueryWriter().compose(tool, tool.example_arguments, [], {"git_show": spec}, random.Random(seed)).text
        assert "max count" not in text and "10" not in text, text
        assert "commit history" not in text, text


def test_a_description_placeholder_is_no_part_of_a_request() -> None:
    from hardgen.synth._realiser import clean_description

    assert clean_description("Shows the contents of a commit, or of a file or directory given as <revision>.") \
        == "Shows the contents of a commit"
    assert "<" not in clean_description("Lists the files in <path> for you.")


def test_only_the_id_of_what_a_write_made_makes_a_later_write_about_the_same_thing() -> None:
    from hardgen.synth._reasoner import _id_values

    assert _id_values({"id": 10, "username": "businesspro"}, "post_tweet") == [10]
    assert _id_values({"ticket_id": 3, "owner_id": "U-1"}, "create_ticket") == [3]
    # the receiver of a deleted message is a person, not the message: sending another is not "it"
    assert _id_values({"deleted_status": True, "receiver_id": "USR002"}, "delete_message") == []
