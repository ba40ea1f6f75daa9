"""A role's sampling settings reach the server with every request and are part of the cache key,
so changing a temperature is never answered from a stale cache entry."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hardgen.llm import ChatRequest, OpenAICompatibleBackend, RequestSettings, with_settings
from hardgen.llm.loopback import LoopbackServer, echo_responder
from hardgen.pipeline import load_config
from hardgen.pipeline._roles import build_backend, role_warnings
from hardgen.schema import Message, ToolCall


def _ask(url: str, cache: Path, settings: RequestSettings, request: ChatRequest) -> None:
    async def go() -> None:
        backend = OpenAICompatibleBackend(url, "loopback", cache=cache, max_retries=0)
        try:
            await with_settings(backend, settings).complete(request)
        finally:
            await backend.aclose()
    asyncio.run(go())


def test_settings_are_sent_and_a_change_is_a_cache_miss(tmp_path: Path) -> None:
    request = ChatRequest(messages=[Message.user("hello")])
    thinking_off = {"top_k": 20, "chat_template_kwargs": {"enable_thinking": False}}
    with LoopbackServer(responder=echo_responder) as server:
        settings = RequestSettings(temperature=0.6, top_p=0.95, max_tokens=512, extra_body=thinking_off)
        _ask(server.url, tmp_path / "cache.sqlite", settings, request)
        body = server.chat_requests[-1].body
        assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.6, 0.95, 512)
        assert body["top_k"] == 20 and body["chat_template_kwargs"] == {"enable_thinking": False}
        _ask(server.url, tmp_path / "cache.sqlite", settings, request)
        assert len(server.chat_requests) == 1  # the same settings: answered from the cache
        _ask(server.url, tmp_path / "cache.sqlite", settings.model_copy(update={"temperature": 1.0}), request)
        assert len(server.chat_requests) == 2 and server.chat_requests[-1].body["temperature"] == 1.0


def test_a_request_keeps_its_own_values_and_a_configured_seed_wins() -> None:
    settings = RequestSettings(temperature=0.6, seed=7, extra_body={"top_k": 20, "min_p": 0.0})
    request = ChatRequest(messages=[Message.user("x")], temperature=0.0, seed=3, extra_body={"top_k": 5})
    applied = settings.apply(request)
    assert applied.temperature == 0.0 and applied.seed == 7
    assert applied.extra_body == {"top_k": 5, "min_p": 0.0}
    assert RequestSettings().apply(request) is request


@pytest.mark.parametrize("field,value", [("temperature", 1.0), ("top_p", 0.8), ("max_tokens", 64), ("seed", 11)])
def test_the_config_of_a_role_becomes_its_request_settings(field: str, value: object) -> None:
    config = load_config(overrides={"roles.query_writer": {"kind": "openai", "base_url": "http://127.0.0.1:9/v1",
                                                           "model": "m", field: value}})
    backend = build_backend(config.roles.query_writer, seed=0, cache=None)
    assert getattr(backend.settings.apply(ChatRequest(messages=[Message.user("x")])), field) == value  # type: ignore[attr-defined]


def test_reasoning_is_sent_back_within_an_episode_only_when_the_role_asks(tmp_path: Path) -> None:
    call = ToolCall(id="call_1", name="f", arguments={})
    history = [Message.user("hi"), Message.assistant(None, reasoning="I should look it up.", tool_calls=[call]),
               Message.tool(call, "{}")]
    request = ChatRequest(messages=history)
    with LoopbackServer(responder=echo_responder) as server:
        _ask(server.url, tmp_path / "a.sqlite", RequestSettings(), request)
        _ask(server.url, tmp_path / "b.sqlite", RequestSettings(send_reasoning=True), request)
        plain, with_reasoning = (r.body["messages"][1] for r in server.chat_requests)
    assert "reasoning_content" not in plain
    assert with_reasoning["reasoning_content"] == "I should look it up."


def test_one_model_as_target_and_reference_is_warned_about() -> None:
    server = {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "qwen3"}
    same = load_config(overrides={"roles.target": server, "roles.reference": server})
    assert any("same model" in w for w in role_warnings(same))
    other = load_config(overrides={"roles.target": server, "roles.reference": {**server, "model": "llama"}})
    assert role_warnings(other) == []
