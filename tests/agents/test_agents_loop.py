"""The agent loop with a scripted backend: what the model says is executed, observed and recorded,
and nothing the model does (or a failing backend) crashes the episode."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from agents_fixture_office import office_environment

from hardgen.agents import AgentRun, run_agent
from hardgen.llm import ChatRequest, ChatResponse, Usage
from hardgen.schema import Message, Observation, ToolCall


class ScriptedBackend:
    """Answers with the given responses in turn (repeating the last); an exception is raised."""

    name = "scripted"
    model = "script-1"

    def __init__(self, replies: Sequence[ChatResponse | Message | Exception]) -> None:
        self.replies = list(replies)
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, Message):
            return ChatResponse(message=reply, usage=Usage(prompt_tokens=10, completion_tokens=5))
        return reply


def call(tool_name: str, /, **arguments: Any) -> ToolCall:
    return ToolCall(name=tool_name, arguments=arguments)


def run(backend: Any, query: str = "hello", **kwargs: Any) -> AgentRun:
    env = kwargs.pop("environment", None) or office_environment()
    tools = kwargs.pop("tools", None) or env.tools()
    return asyncio.run(run_agent(backend, [Message.user(query)], tools, env, **kwargs))


def test_tool_calls_are_executed_in_order_then_the_answer_ends_the_episode() -> None:
    env = office_environment()
    backend = ScriptedBackend(
        [
            Message.assistant(tool_calls=[call("find_user", name="Alice Baker"), call("get_weather", city="Paris")]),
            Message.assistant(tool_calls=[call("send_message", user_id="U-100", text="hi")]),
            Message.assistant("Sent; it is 21.5 degrees in Paris."),
        ]
    )
    result = run(backend, environment=env)
    assert result.stop_reason == "answered" and result.answered
    assert result.final_answer == "Sent; it is 21.5 degrees in Paris."
    assert [s.call.name for s in result.steps] == ["find_user", "get_weather", "send_message"]
    assert all(s.observation.ok for s in result.steps)
    assert env.instance.sent == [{"user_id": "U-100", "text": "hi"}]
    roles = [m.role for m in result.messages]
    assert roles == ["assistant", "tool", "tool", "assistant", "tool", "assistant"]
    # Tool messages answer their calls by id, with the observation's text.
    first_calls = result.messages[0].tool_calls or []
    assert [m.tool_call_id for m in result.messages[1:3]] == [c.id for c in first_calls]
    assert result.messages[1].content == result.steps[0].observation.to_text()
    assert result.model_turns == 3
    assert result.usage.prompt_tokens == 30 and result.usage.completion_tokens == 15
    assert result.backend == "scripted" and result.model == "script-1"


def test_the_model_sees_the_whole_history_and_the_request_options() -> None:
    backend = ScriptedBackend(
        [Message.assistant(tool_calls=[call("get_weather", city="Paris")]), Message.assistant("done")]
    )
    run(backend, "weather?", temperature=0.2, seed=7, max_tokens=64, tool_choice="auto", metadata={"unit": "u1"})
    first, second = backend.requests
    assert [m.role for m in first.messages] == ["user"]
    assert [m.role for m in second.messages] == ["user", "assistant", "tool"]
    assert (second.temperature, second.seed, second.max_tokens, second.tool_choice) == (0.2, 7, 64, "auto")
    assert second.metadata == {"unit": "u1"}
    assert {t.name for t in second.tools or []} >= {"get_weather", "send_message"}


def test_unknown_tools_and_invalid_arguments_become_observations() -> None:
    backend = ScriptedBackend(
        [
            Message.assistant(
                tool_calls=[call("get_wether", city="Paris"), call("get_weather", city=42), call("get_weather")]
            ),
            Message.assistant("I could not get it."),
        ]
    )
    result = run(backend)
    assert result.stop_reason == "answered"
    errors = [s.observation.error.type for s in result.steps if s.observation.error]
    # The call to a tool that does not exist never ran: rejected, not a step.
    assert errors == ["ArgumentError", "ArgumentError"]
    assert [(r.kind, r.call.name if r.call else None) for r in result.rejected] == [("unoffered", "get_wether")]
    assert "get_weather" in result.rejected[0].reason
    assert result.messages[1].role == "tool" and '"UnknownToolError"' in (result.messages[1].content or "")
    # The model made that call, so its transcript keeps it, answered.
    assert [c.name for c in result.messages[0].tool_calls or []] == ["get_wether", "get_weather", "get_weather"]


def test_a_tool_that_is_not_offered_is_not_executed() -> None:
    env = office_environment()
    offered = [t for t in env.tools() if t.name != "send_message"]
    backend = ScriptedBackend(
        [Message.assistant(tool_calls=[call("send_message", user_id="U-100", text="x")]), Message.assistant("ok")]
    )
    result = run(backend, environment=env, tools=offered)
    assert result.steps == []
    assert result.rejected[0].kind == "unoffered" and result.rejected[0].call is not None
    assert result.rejected[0].call.arguments == {"user_id": "U-100", "text": "x"}
    assert '"UnknownToolError"' in (result.messages[1].content or "")
    assert env.instance.sent == []


def test_parse_errors_are_answered_with_an_observation_the_model_sees() -> None:
    bad = ChatResponse(
        message=Message.assistant(tool_calls=[call("get_weather", city="Paris")]),
        parse_errors=["native tool call #1 to 'send_message': arguments are not valid JSON; arguments were {text: hi"],
    )
    backend = ScriptedBackend([bad, Message.assistant("done")])
    result = run(backend)
    assert result.stop_reason == "answered"
    assert result.parse_errors == bad.parse_errors
    # The transcript holds only the call the model made; the malformed one is recorded as rejected.
    assistant = result.messages[0]
    assert [c.name for c in assistant.tool_calls or []] == ["get_weather"]
    assert [m.role for m in result.messages] == ["assistant", "tool", "assistant"]
    assert [(r.kind, r.call) for r in result.rejected] == [("malformed", None)]
    assert "not valid JSON" in result.rejected[0].reason
    assert [s.call.name for s in result.steps] == ["get_weather"]
    # The model itself is told, through a stand-in call that exists only in the request.
    sent = backend.requests[1].messages
    stand_in = (sent[1].tool_calls or [])[1]
    assert stand_in.name == "send_message" and stand_in.arguments == {}
    assert sent[-1].role == "tool" and sent[-1].tool_call_id == stand_in.id
    assert "MalformedCallError" in (sent[-1].content or "")


def test_a_parse_error_that_is_not_about_a_call_does_not_hold_up_the_answer() -> None:
    reply = ChatResponse(
        message=Message.assistant("The answer is 4."), parse_errors=["reasoning block <think> is never closed"]
    )
    result = run(ScriptedBackend([reply]))
    assert result.stop_reason == "answered" and result.final_answer == "The answer is 4."
    assert result.parse_errors == ["reasoning block <think> is never closed"]


def test_the_same_failing_call_repeated_ends_the_episode() -> None:
    looping = Message.assistant(tool_calls=[call("get_weather", city="Atlantis")])
    result = run(ScriptedBackend([looping]), max_steps=10)
    assert result.stop_reason == "repeated_failure"
    assert len(result.steps) == 2 and result.model_turns == 2
    assert result.error is not None and "get_weather" in result.error and "Atlantis" in result.error


def test_repeated_failure_threshold_and_skipped_calls() -> None:
    twice = Message.assistant(
        tool_calls=[call("get_weather", city="Atlantis"), call("get_weather", city="Atlantis"), call("list_files")]
    )
    result = run(ScriptedBackend([twice]), max_repeated_failures=2)
    assert result.stop_reason == "repeated_failure"
    assert [s.call.name for s in result.steps] == ["get_weather", "get_weather"]
    # The call after the stop is answered as skipped, so every call id has its tool message.
    last = result.messages[-1]
    assert last.role == "tool" and "SkippedCallError" in (last.content or "")
    more = run(
        ScriptedBackend([Message.assistant(tool_calls=[call("get_weather", city="Atlantis")])]), max_repeated_failures=3
    )
    assert more.stop_reason == "repeated_failure" and len(more.steps) == 3


def test_different_failing_calls_do_not_count_as_repeats() -> None:
    replies = [Message.assistant(tool_calls=[call("get_weather", city=c)]) for c in ("Atlantis", "Avalon", "Lemuria")]
    result = run(ScriptedBackend([*replies, Message.assistant("none of them exist")]))
    assert result.stop_reason == "answered" and len(result.steps) == 3


def test_step_limit() -> None:
    cities = iter(["Paris", "New York", "Rio de Janeiro", "Paris"])

    class Wanderer(ScriptedBackend):
        async def complete(self, request: ChatRequest) -> ChatResponse:
            self.requests.append(request)
            return ChatResponse(message=Message.assistant(tool_calls=[call("get_weather", city=next(cities))]))

    backend = Wanderer([])
    result = run(backend, max_steps=3)
    assert result.stop_reason == "max_steps" and result.final_answer is None
    assert len(result.steps) == 3 and len(backend.requests) == 3
    assert result.error is not None and "3" in result.error
    with pytest.raises(ValueError, match="max_steps"):
        run(backend, max_steps=0)


def test_backend_exception_ends_the_episode_with_backend_error() -> None:
    class ServerDown(RuntimeError):
        pass

    backend = ScriptedBackend(
        [Message.assistant(tool_calls=[call("list_files")]), ServerDown("HTTP 503 from http://x/v1")]
    )
    result = run(backend)
    assert result.stop_reason == "backend_error"
    assert result.error == "ServerDown: HTTP 503 from http://x/v1"
    assert [s.call.name for s in result.steps] == ["list_files"]
    assert result.model_turns == 1


def test_empty_response() -> None:
    result = run(ScriptedBackend([Message.assistant("  ")]))
    assert result.stop_reason == "empty_response" and result.final_answer is None
    assert result.error is not None


def test_an_environment_that_raises_still_gives_an_observation() -> None:
    class Flaky:
        def call(self, name: str, arguments: dict[str, Any]) -> Observation:
            raise ConnectionError("socket closed")

    env = office_environment()
    backend = ScriptedBackend([Message.assistant(tool_calls=[call("list_files")]), Message.assistant("sorry")])
    result = asyncio.run(run_agent(backend, [Message.user("files?")], env.tools(), Flaky()))
    assert result.stop_reason == "answered"
    assert result.steps[0].observation.error is not None
    assert result.steps[0].observation.error.type == "ConnectionError"


def test_steps_carry_the_user_turn_and_the_run_round_trips_as_json() -> None:
    env = office_environment()
    history = [Message.user("first"), Message.assistant("ok"), Message.user("second")]
    backend = ScriptedBackend([Message.assistant(tool_calls=[call("list_files")]), Message.assistant("done")])
    result = asyncio.run(run_agent(backend, history, env.tools(), env))
    assert result.steps[0].turn == 1
    assert AgentRun.from_json(result.to_json()) == result
