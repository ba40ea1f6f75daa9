"""The model-free agent through the agent loop: it solves requests that state every value, it does
not chain (a request naming a person where the tool needs an id fails), and it is deterministic."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from agents_fixture_office import office_environment

from hardgen.agents import AgentRun, ModelFreeAgent, fill_arguments, run_agent
from hardgen.llm import Backend, ChatRequest
from hardgen.schema import Message, ToolSpec


def solve(query: str, seed: int = 0, **kwargs: Any) -> tuple[AgentRun, Any]:
    env = office_environment()
    result = asyncio.run(run_agent(ModelFreeAgent(seed=seed), [Message.user(query)], env.tools(), env, **kwargs))
    return result, env


def calls(result: AgentRun) -> list[tuple[str, dict[str, Any]]]:
    return [(s.call.name, s.call.arguments) for s in result.steps]


def test_it_is_a_backend() -> None:
    agent = ModelFreeAgent()
    assert isinstance(agent, Backend)
    assert agent.name == "model-free"


@pytest.mark.parametrize(
    ("query", "expected", "answer_values"),
    [
        ("What's the weather in Paris?", [("get_weather", {"city": "Paris"})], ["21.5", "sunny"]),
        (
            "How warm is it in New York, in fahrenheit?",
            [("get_weather", {"city": "New York", "unit": "fahrenheit"})],
            ["62.6"],
        ),
        (
            "Convert 250 EUR to GBP.",
            [("convert_currency", {"amount": 250, "from_currency": "EUR", "to_currency": "GBP"})],
            ["214.67"],
        ),
        (
            "Convert $80 into euros",
            [("convert_currency", {"amount": 80, "from_currency": "USD", "to_currency": "EUR"})],
            ["73.6"],
        ),
        ("Where is my order O-1042?", [("get_order_status", {"order_id": "O-1042"})], ["shipped", "35.5"]),
        ("What is Alice Baker's user id?", [("find_user", {"name": "Alice Baker"})], ["U-100"]),
        ("List the shared files, including hidden ones", [("list_files", {"include_hidden": True})], [".secrets"]),
        ("List the shared files", [("list_files", {})], ["report.txt"]),
        (
            'Schedule a meeting titled "Budget review" on 2024-05-03 with dana@example.com for 45 minutes',
            [
                (
                    "schedule_meeting",
                    {
                        "title": "Budget review",
                        "date": "2024-05-03",
                        "attendee_email": "dana@example.com",
                        "duration_minutes": 45,
                    },
                )
            ],
            ["MT-1"],
        ),
    ],
)
def test_single_step_requests_that_state_every_value_succeed(
    query: str, expected: list[tuple[str, dict[str, Any]]], answer_values: list[str]
) -> None:
    result, _ = solve(query)
    assert calls(result) == expected
    assert all(s.observation.ok for s in result.steps)
    assert result.stop_reason == "answered" and result.model_turns == 2
    for value in answer_values:
        assert value in (result.final_answer or ""), (value, result.final_answer)


def test_a_request_that_needs_a_lookup_first_fails_because_it_does_not_chain() -> None:
    result, env = solve("Send Alice Baker a message saying 'Lunch at noon?'")
    # It goes straight for the send tool with the name where the id belongs, and never looks the id up.
    assert [name for name, _ in calls(result)] == ["send_message"]
    assert calls(result)[0][1] == {"user_id": "Alice Baker", "text": "Lunch at noon?"}
    assert not result.steps[0].observation.ok
    assert env.instance.sent == []
    assert result.stop_reason == "answered"
    assert "could not" in (result.final_answer or "") and "send_message failed" in (result.final_answer or "")
    reasoning = result.messages[0].reasoning or ""
    assert "user_id" in reasoning and "guess" in reasoning


def test_it_never_feeds_an_observation_into_a_later_call() -> None:
    # Even when it is told the id exists, it can only use what the request states.
    result, env = solve("Find Alice Baker's id and then send her the message 'hi'")
    seen_only_in_observations = {"U-100"}
    for step in result.steps:
        assert not seen_only_in_observations & {str(v) for v in step.call.arguments.values()}
    assert env.instance.sent == []


def test_independent_requests_get_one_call_each_in_the_order_asked() -> None:
    result, _ = solve("Convert 100 USD to EUR and tell me the weather in Rio de Janeiro, then check order O-1042")
    assert calls(result) == [
        ("convert_currency", {"amount": 100, "from_currency": "USD", "to_currency": "EUR"}),
        ("get_weather", {"city": "Rio de Janeiro"}),
        ("get_order_status", {"order_id": "O-1042"}),
    ]
    # All calls go out in one assistant message (parallel calls), then one answer with every result.
    assert [m.role for m in result.messages] == ["assistant", "tool", "tool", "tool", "assistant"]
    for value in ("92.0", "29.0", "shipped"):
        assert value in (result.final_answer or "")


def test_failed_calls_are_reported_honestly() -> None:
    result, _ = solve("Where is my order O-9999?")
    assert calls(result) == [("get_order_status", {"order_id": "O-9999"})]
    assert "could not" in (result.final_answer or "") and "O-9999" in (result.final_answer or "")


def test_it_gives_up_when_no_tool_is_relevant() -> None:
    result, _ = solve("Sing me a song about the sea")
    assert result.steps == [] and result.stop_reason == "answered"
    assert "None of the offered tools" in (result.final_answer or "")


def test_tool_choice_none_and_required() -> None:
    result, _ = solve("What's the weather in Paris?", tool_choice="none")
    assert result.steps == [] and result.stop_reason == "answered"
    forced, _ = solve("Sing me a song about the sea", tool_choice="required")
    assert len(forced.steps) == 1


def test_it_is_deterministic_for_a_seed() -> None:
    query = "Convert 100 USD to EUR and tell me the weather in Paris"
    first, _ = solve(query, seed=3)
    again, _ = solve(query, seed=3)
    assert first.to_json() == again.to_json()
    other, _ = solve(query, seed=4)
    assert calls(other) == calls(first)
    ids = {c.id for c in first.messages[0].tool_calls or []}
    other_ids = {c.id for c in other.messages[0].tool_calls or []}
    assert ids.isdisjoint(other_ids)


def test_every_step_is_narrated() -> None:
    result, _ = solve("What's the weather in Paris?")
    reasoning = result.messages[0].reasoning or ""
    assert "get_weather" in reasoning and "city='Paris' from the name 'Paris'" in reasoning
    assert "unit" in reasoning  # the optional parameter left at its default is mentioned
    assert result.messages[-1].reasoning


def test_it_answers_from_the_observations_of_the_latest_request_only() -> None:
    agent = ModelFreeAgent()
    env = office_environment()
    first = asyncio.run(run_agent(agent, [Message.user("What's the weather in Paris?")], env.tools(), env))
    history = [Message.user("What's the weather in Paris?"), *first.messages, Message.user("Where is order O-1042?")]
    second = asyncio.run(run_agent(agent, history, env.tools(), env))
    assert calls(second) == [("get_order_status", {"order_id": "O-1042"})]
    assert "sunny" not in (second.final_answer or "")
    assert second.steps[0].turn == 1


def test_without_a_user_message_there_is_nothing_to_do() -> None:
    response = asyncio.run(ModelFreeAgent().complete(ChatRequest(messages=[Message.system("be brief")])))
    assert response.message.tool_calls is None and response.message.content


def test_no_tools_offered() -> None:
    assert ModelFreeAgent().plan("What's the weather?", [], force=True).give_up
    response = asyncio.run(ModelFreeAgent().complete(ChatRequest(messages=[Message.user("weather in Paris?")])))
    assert response.message.tool_calls is None and "no tools" in (response.message.content or "")


def test_plan_explains_without_executing() -> None:
    env = office_environment()
    plan = ModelFreeAgent().plan("What's the weather in Paris?", env.tools())
    assert [p.match.tool.name for p in plan.calls] == ["get_weather"]
    assert plan.calls[0].fill.complete
    assert any(lit.value == "Paris" for lit in plan.literals)


def test_slot_filling_prefers_context_and_keeps_each_literal_to_one_parameter() -> None:
    spec = ToolSpec(
        name="drive",
        description="Estimate a drive between two cities.",
        parameters={
            "type": "object",
            "properties": {"from_city": {"type": "string"}, "to_city": {"type": "string"}},
            "required": ["from_city", "to_city"],
        },
    )
    from hardgen.agents import extract_literals

    text = "How long is the drive to Berlin from Lisbon?"
    fill = fill_arguments(spec, text, extract_literals(text))
    assert fill.arguments == {"from_city": "Lisbon", "to_city": "Berlin"} and fill.complete
    one = "Drive to Berlin"
    partial = fill_arguments(spec, one, extract_literals(one))
    assert partial.arguments == {"to_city": "Berlin"} and partial.missing == ["from_city"]


def test_identifier_parameters_do_not_take_names_in_strict_mode() -> None:
    env = office_environment()
    send = next(t for t in env.tools() if t.name == "send_message")
    from hardgen.agents import extract_literals

    text = "Message Alice Baker: 'hello'"
    strict = fill_arguments(send, text, extract_literals(text))
    assert strict.missing == ["user_id"] and not strict.complete
    loose = fill_arguments(send, text, extract_literals(text), strict=False)
    assert loose.arguments["user_id"] == "Alice Baker" and loose.guessed == ["user_id"] and not loose.complete


def test_answer_reports_nested_values() -> None:
    from hardgen.agents import describe_result

    text = describe_result({"orders": [{"id": "O-1", "total": 12.5}], "count": 1, "empty": []})
    assert "orders[0].id: O-1" in text and "orders[0].total: 12.5" in text and "empty: none" in text
    assert describe_result(None) == "nothing (done)" and describe_result([]) == "no results"
    long = describe_result({"xs": list(range(100))}, limit=10)
    assert long.endswith("and more") and json.dumps(long)
