"""The agent loop against the OpenAI-compatible backend and the loopback server on 127.0.0.1: real
wire round trips, including malformed tool calls and a server error that ends the episode."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from agents_fixture_office import office_environment

from hardgen.agents import AgentRun, ModelFreeAgent, run_agent
from hardgen.llm import ChatRequest, OpenAICompatibleBackend
from hardgen.schema import Message, ToolCall, ToolSpec

loopback = pytest.importorskip("hardgen.llm.loopback")


def weather_call() -> Message:
    return Message.assistant(tool_calls=[ToolCall(id="call_w1", name="get_weather", arguments={"city": "Paris"})])


def episode(server: Any, query: str = "Weather in Paris?", **kwargs: Any) -> tuple[AgentRun, Any]:
    env = office_environment()

    async def go() -> AgentRun:
        async with OpenAICompatibleBackend(server.url, "loopback", max_retries=0, timeout_s=20) as backend:
            return await run_agent(backend, [Message.user(query)], env.tools(), env, **kwargs)

    return asyncio.run(go()), env


def test_tool_calls_over_the_wire_are_executed_and_answered() -> None:
    responder = loopback.sequence_responder([weather_call(), Message.assistant("It is 21.5 and sunny in Paris.")])
    with loopback.LoopbackServer(responder=responder) as server:
        result, _ = episode(server, temperature=0.0, seed=1)
        requests = [r.body or {} for r in server.chat_requests]
    assert result.stop_reason == "answered" and result.final_answer == "It is 21.5 and sunny in Paris."
    assert [(s.call.name, s.call.arguments, s.observation.ok) for s in result.steps] == [
        ("get_weather", {"city": "Paris"}, True)
    ]
    assert result.backend == "openai-compatible" and result.usage.prompt_tokens > 0
    assert len(requests) == 2
    assert {t["function"]["name"] for t in requests[0]["tools"]} >= {"get_weather", "send_message"}
    assert requests[0]["temperature"] == 0.0 and requests[0]["seed"] == 1
    tool_message = requests[1]["messages"][-1]
    assert tool_message["role"] == "tool" and tool_message["tool_call_id"] == "call_w1"
    assert '"temperature": 21.5' in tool_message["content"]


def test_text_tool_calls_are_read_too() -> None:
    responder = loopback.sequence_responder([weather_call(), Message.assistant("done")])
    with loopback.LoopbackServer(responder=responder, script=["hermes"]) as server:
        result, _ = episode(server)
    assert [s.call.name for s in result.steps] == ["get_weather"] and result.steps[0].observation.ok


def test_a_malformed_call_becomes_an_observation_the_model_sees() -> None:
    responder = loopback.sequence_responder([weather_call(), Message.assistant("Sorry, let me stop.")])
    with loopback.LoopbackServer(responder=responder, script=["bad_arguments"]) as server:
        result, _ = episode(server)
        second = (server.chat_requests[1].body or {})["messages"]
    assert result.stop_reason == "answered"
    assert result.parse_errors and result.steps == []
    assert second[-1]["role"] == "tool" and "MalformedCallError" in second[-1]["content"]
    # The stand-in call is named after the tool the model tried to call.
    assert second[-2]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_a_server_error_ends_the_episode_as_backend_error() -> None:
    responder = loopback.sequence_responder([weather_call(), Message.assistant("never sent")])
    with loopback.LoopbackServer(responder=responder, script=[200, 500]) as server:
        result, _ = episode(server)
    assert result.stop_reason == "backend_error"
    assert result.error is not None and "BackendError" in result.error and "500" in result.error
    assert [s.call.name for s in result.steps] == ["get_weather"]  # the work before the failure is kept
    assert result.final_answer is None


def test_the_model_free_agent_behind_the_wire_acts_as_it_does_in_process() -> None:
    agent = ModelFreeAgent(seed=5)

    def respond(body: dict[str, Any]) -> Message:
        request = ChatRequest(
            messages=[Message.from_openai(m) for m in body["messages"]],
            tools=[ToolSpec.from_openai(t) for t in body.get("tools") or []],
            seed=body.get("seed"),
        )
        return agent.respond(request).message

    query = "Convert 100 USD to EUR and tell me the weather in Paris"
    with loopback.LoopbackServer(responder=respond) as server:
        remote, _ = episode(server, query)
    env = office_environment()
    local = asyncio.run(run_agent(agent, [Message.user(query)], env.tools(), env))
    assert remote.stop_reason == local.stop_reason == "answered"
    assert [(s.call.name, s.call.arguments) for s in remote.steps] == [
        (s.call.name, s.call.arguments) for s in local.steps
    ]
    assert remote.final_answer == local.final_answer


@pytest.mark.parametrize("kind", ["ok", "hermes", "qwen3", "python_list", "llama_json", "python_tag", "mistral",
                                  "mistral_v11", "function_tag", "plain_json", "pythonic_after_text"])
def test_the_same_episode_twice_is_answered_from_the_cache_in_full(kind: str) -> None:
    # Text-format calls used to get random ids: the second request of a repeated episode differed from
    # the cached one and went to the server again. Now the ids follow the reply, so none does.
    from hardgen.llm import ResponseCache

    paris = ToolCall(name="get_weather", arguments={"city": "Paris"})
    replies = [Message.assistant(tool_calls=[paris]), Message.assistant(tool_calls=[paris]),  # the same call twice
               Message.assistant("It is 21.5 and sunny in Paris.")]
    cache = ResponseCache(":memory:")
    env = office_environment()

    async def go(server: Any) -> AgentRun:
        async with OpenAICompatibleBackend(server.url, "loopback", max_retries=0, cache=cache) as backend:
            return await run_agent(backend, [Message.user("Weather in Paris?")], env.tools(), env)

    with loopback.LoopbackServer(responder=loopback.sequence_responder(replies), default=kind) as server:
        first = asyncio.run(go(server))
        sent_first = len(server.chat_requests)
        second = asyncio.run(go(server))
        sent_second = len(server.chat_requests) - sent_first
    assert first.stop_reason == "answered" and [s.call.name for s in first.steps] == ["get_weather", "get_weather"]
    assert sent_first == 3 and sent_second == 0
    assert second.messages == first.messages
    ids = [c.id for m in first.messages for c in m.tool_calls or []]
    assert len(ids) == len(set(ids)) == 2  # the repeated call got its own id
    cache.close()


def test_reasoning_is_sent_back_and_tool_names_left_out_unless_asked() -> None:
    thinking = Message.assistant(tool_calls=[ToolCall(id="call_w1", name="get_weather", arguments={"city": "Paris"})],
                                 reasoning="Paris first.")

    def second_request(**options: Any) -> dict[str, Any]:
        responder = loopback.sequence_responder([thinking, Message.assistant("done")])
        with loopback.LoopbackServer(responder=responder) as server:
            episode(server, **options)
            return (server.chat_requests[1].body or {})["messages"]

    plain = second_request()
    assert "reasoning_content" not in plain[1] and plain[2]["role"] == "tool" and "name" not in plain[2]
    asked = second_request(send_reasoning=True, send_tool_names=True)
    assert asked[1]["reasoning_content"] == "Paris first." and asked[2]["name"] == "get_weather"


def test_a_malformed_call_is_not_in_the_transcript() -> None:
    responder = loopback.sequence_responder([weather_call(), Message.assistant("Sorry, let me stop.")])
    with loopback.LoopbackServer(responder=responder, script=["bad_arguments"]) as server:
        result, _ = episode(server)
    assert [m.role for m in result.messages] == ["assistant", "assistant"]
    assert result.messages[0].tool_calls is None
    assert [r.kind for r in result.rejected] == ["malformed"] and "get_weather" in result.rejected[0].reason
