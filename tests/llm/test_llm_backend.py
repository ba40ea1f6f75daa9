"""OpenAICompatibleBackend over real HTTP against the loopback server: parsing, retries, breaker, cache."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from hardgen.llm import (
    Backend,
    BackendError,
    BudgetExhaustedError,
    ChatRequest,
    ChatResponse,
    OpenAICompatibleBackend,
    RequestBudget,
    ResponseCache,
    ServerUnusableError,
    is_fatal,
)
from hardgen.llm.loopback import FaultMix, LoopbackServer, Reply
from hardgen.schema import Message, ToolCall, ToolSpec

T = TypeVar("T")

# Short backoffs and timeouts keep the whole file fast.
FAST = {"backoff_base_s": 0.01, "backoff_max_s": 0.05, "timeout_s": 5.0}


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def backend(server: LoopbackServer, **kwargs: Any) -> OpenAICompatibleBackend:
    options = {**FAST, **kwargs}
    return OpenAICompatibleBackend(server.url, "test-model", **options)


def ask(text: str = "hi", **kwargs: Any) -> ChatRequest:
    return ChatRequest(messages=[Message.user(text)], **kwargs)


async def complete(b: OpenAICompatibleBackend, request: ChatRequest) -> ChatResponse:
    try:
        return await b.complete(request)
    finally:
        await b.aclose()


def tool_responder(request: dict[str, Any]) -> dict[str, Any]:
    """Calls the first offered tool with fixed arguments, or answers in text when no tool is offered."""
    tools = request.get("tools") or []
    if not tools:
        return {"role": "assistant", "content": "no tools"}
    name = tools[0]["function"]["name"]
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_abc",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps({"user_id": 42, "tags": ["a", "b"]})},
            }
        ],
    }


LOOKUP = ToolSpec(
    name="lookup_user",
    description="Find a user.",
    parameters={
        "type": "object",
        "properties": {"user_id": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}},
        "required": ["user_id"],
    },
)


def test_is_a_backend() -> None:
    b = OpenAICompatibleBackend("http://127.0.0.1:9/v1", "m")
    assert isinstance(b, Backend) and b.name == "openai-compatible" and b.model == "m"


@pytest.mark.parametrize("lean_http", [True, False], ids=["lean-transport", "httpx-transport"])
def test_native_tool_calls_and_request_shape(lean_http: bool) -> None:
    previous = ToolCall(id="call_prev", name="lookup_user", arguments={"user_id": 1})
    request = ChatRequest(
        messages=[
            Message.system("You are helpful."),
            Message.user("Who is 1?"),
            Message.assistant(tool_calls=[previous]),
            Message.tool(previous, '{"name": "Ann"}'),
            Message.user("And 42?"),
        ],
        tools=[LOOKUP],
        tool_choice="auto",
        temperature=0.2,
        max_tokens=64,
        seed=7,
        metadata={"unit": "u1"},
    )
    with LoopbackServer(responder=tool_responder) as server:
        response = run(complete(backend(server, lean_http=lean_http), request))
        sent = server.chat_requests[0].body
    assert response.message.tool_calls == [
        ToolCall(id="call_abc", name="lookup_user", arguments={"user_id": 42, "tags": ["a", "b"]})
    ]
    assert response.finish_reason == "tool_calls" and response.parse_errors == [] and not response.cache_hit
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0
    assert sent is not None
    assert sent["model"] == "test-model"
    assert sent["tools"] == [LOOKUP.to_openai()]
    assert (
        sent["tool_choice"] == "auto" and sent["temperature"] == 0.2 and sent["max_tokens"] == 64 and sent["seed"] == 7
    )
    assert "metadata" not in sent and "response_format" not in sent
    wire_call = sent["messages"][2]["tool_calls"][0]
    assert wire_call["function"]["arguments"] == '{"user_id": 1}'  # a JSON string on the wire
    assert sent["messages"][3] == {
        "role": "tool",
        "content": '{"name": "Ann"}',
        "tool_call_id": "call_prev",
    }  # no `name`: not in the chat-completions standard, and some providers reject it


@pytest.mark.parametrize("kind", ["hermes", "python_list"])
def test_text_tool_calls_are_parsed(kind: str) -> None:
    with LoopbackServer(responder=tool_responder, default=kind) as server:
        response = run(complete(backend(server), ask(tools=[LOOKUP])))
    calls = response.message.tool_calls or []
    assert [(c.name, c.arguments) for c in calls] == [("lookup_user", {"user_id": 42, "tags": ["a", "b"]})]
    assert response.message.content is None and response.parse_errors == []


def test_reasoning_from_think_tags_and_from_reasoning_content() -> None:
    def thinking(_request: dict[str, Any]) -> dict[str, Any]:
        return {"role": "assistant", "content": "It is 4.", "reasoning_content": "2 + 2 = 4"}

    with LoopbackServer(responder=thinking, script=["think"]) as server:
        b = backend(server)

        async def both() -> tuple[ChatResponse, ChatResponse]:
            try:
                return await b.complete(ask("a")), await b.complete(ask("b"))
            finally:
                await b.aclose()

        tagged, field = run(both())
    assert tagged.message.reasoning == "2 + 2 = 4" and tagged.message.content == "It is 4."
    assert field.message.reasoning == "2 + 2 = 4" and field.message.content == "It is 4."


def test_bad_json_arguments_become_parse_errors_not_exceptions() -> None:
    with LoopbackServer(responder=tool_responder, default="bad_arguments") as server:
        b = backend(server)
        response = run(complete(b, ask(tools=[LOOKUP])))
    assert response.message.tool_calls is None
    assert len(response.parse_errors) == 1 and "lookup_user" in response.parse_errors[0]
    assert b.stats.parse_errors == 1


def test_429_then_success_is_retried_and_counted() -> None:
    with LoopbackServer(script=[429, Reply(status=429, retry_after=0.2)]) as server:
        b = backend(server)
        started = time.monotonic()
        response = run(complete(b, ask("hello")))
        elapsed = time.monotonic() - started
        seen = len(server.chat_requests)
    assert response.message.content == "echo: hello"
    assert seen == 3
    stats = b.stats
    assert (stats.requests, stats.http_requests, stats.retries, stats.failures) == (1, 3, 2, 0)
    assert elapsed >= 0.2  # Retry-After honoured


def test_500s_exhaust_retries_with_a_clear_error() -> None:
    with LoopbackServer(default=Reply(status=500, error_message="CUDA out of memory")) as server:
        b = backend(server, max_retries=2)
        with pytest.raises(BackendError) as info:
            run(complete(b, ask()))
        seen = len(server.chat_requests)
    err = info.value
    assert seen == 3 and err.attempts == 3 and err.status == 500 and err.kind == "status"
    text = str(err)
    assert server.url in text and "test-model" in text and "after 3 attempts" in text
    assert "HTTP 500" in text and "CUDA out of memory" in text and "check its logs" in text
    assert b.stats.failures == 1 and b.stats.retries == 2


@pytest.mark.parametrize(("status", "hint"), [(400, "rejected the request"), (401, "API key"), (404, "'test-model'")])
def test_client_errors_are_not_retried(status: int, hint: str) -> None:
    with LoopbackServer(default=status) as server:
        with pytest.raises(BackendError, match=f"HTTP {status}") as info:
            run(complete(backend(server), ask()))
        seen = len(server.chat_requests)
    assert seen == 1 and info.value.attempts == 1 and hint in str(info.value)


def test_timeout_is_retried_then_reported() -> None:
    with LoopbackServer(default="hang") as server:
        b = backend(server, timeout_s=0.2, max_retries=1)
        started = time.monotonic()
        with pytest.raises(BackendError) as info:
            run(complete(b, ask()))
        elapsed = time.monotonic() - started
        seen = len(server.chat_requests)
    assert info.value.kind == "timeout" and seen == 2
    assert "within 0.2 s" in str(info.value) and "timeout_s" in str(info.value)
    assert 0.4 <= elapsed < 3.0


def test_hang_once_then_success() -> None:
    with LoopbackServer(script=["hang"]) as server:
        response = run(complete(backend(server, timeout_s=0.2), ask("x")))
    assert response.message.content == "echo: x"


def free_port() -> int:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("lean_http", [True, False], ids=["lean-transport", "httpx-transport"])
def test_an_unreachable_server_is_unusable_after_one_request_and_later_ones_fail_fast(lean_http: bool) -> None:
    port = free_port()
    b = OpenAICompatibleBackend(f"http://127.0.0.1:{port}/v1", "m", max_retries=2, lean_http=lean_http, **FAST)

    async def twice() -> tuple[ServerUnusableError, ServerUnusableError, float]:
        with pytest.raises(ServerUnusableError) as first:
            await b.complete(ask("a"))
        started = time.monotonic()
        with pytest.raises(ServerUnusableError) as second:
            await b.complete(ask("b"))
        await b.aclose()
        return first.value, second.value, time.monotonic() - started

    started = time.monotonic()
    first, second, second_s = run(twice())
    assert time.monotonic() - started < 3.0
    assert first.kind == "connection" and first.attempts == 3 and is_fatal(first)
    text = str(first)
    assert f"127.0.0.1:{port}" in text and "cannot be reached" in text and "running and listening" in text
    assert str(second) == text and second.attempts == 0 and second_s < 0.05
    assert (b.stats.http_requests, b.stats.failures, b.stats.refused) == (3, 1, 1)


def test_a_wrong_url_ends_as_quickly_at_high_concurrency_as_for_one_request() -> None:
    # 64 requests, 16 at a time: the breaker trips on the first refusals and holds the rest; its
    # probes come after the retry backoff (not the 10 s cool-down), and max_retries of them failing
    # ends everything, well before the 60 s unreachable bound.
    b = OpenAICompatibleBackend(f"http://127.0.0.1:{free_port()}/v1", "m", max_concurrency=16, max_retries=3, **FAST)

    async def many() -> list[BaseException | ChatResponse]:
        try:
            return await asyncio.gather(*(b.complete(ask(str(i))) for i in range(64)), return_exceptions=True)
        finally:
            await b.aclose()

    started = time.monotonic()
    results = run(many())
    assert time.monotonic() - started < 3.0
    assert all(isinstance(r, ServerUnusableError) and r.kind == "connection" for r in results)
    assert b.stats.http_requests <= 16 + 3 + 8  # the first wave, the probes, and a few retries before the trip
    assert "4 tries in a row" in str(results[0])


def test_a_connect_failure_after_other_failures_is_not_an_unreachable_server() -> None:
    # Two 500s, then the server goes away: the request is out of tries, but connecting failed only
    # once, so this is one failed request (a connect timeout under load looks the same), not a
    # server to give up on.
    server = LoopbackServer(default=500).start()
    b = backend(server, max_retries=2, backoff_base_s=0.4, backoff_max_s=0.4)

    async def go() -> BaseException:
        task = asyncio.create_task(b.complete(ask()))
        while len(server.chat_requests) < 2:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(server.stop)  # before the third try, 0.2 to 0.4 s after the second
        try:
            await task
        except BackendError as exc:
            return exc
        finally:
            await b.aclose()
        raise AssertionError("the request did not fail")

    error = run(go())
    assert type(error) is BackendError and error.kind == "connection" and error.attempts == 3
    assert b.unusable is None


def test_connect_timeouts_give_up_only_after_the_unreachable_bound() -> None:
    # A listener that never accepts, its backlog full: connects time out rather than being refused.
    # A machine under load times out connects too, so they do not count as tries of a dead server:
    # only the unreachable bound ends them.
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler.setblocking(False)
        filler.connect_ex(listener.getsockname())
        port = listener.getsockname()[1]
        b = OpenAICompatibleBackend(
            f"http://127.0.0.1:{port}/v1", "m", max_retries=2, unreachable_after_s=1.2, **{**FAST, "timeout_s": 0.2}
        )
        started = time.monotonic()
        with pytest.raises(BackendError) as info:
            run(complete(b, ask()))
        elapsed = time.monotonic() - started
        if "connecting timed out" not in str(info.value):
            pytest.skip(f"this machine does not time out connects to a full backlog: {info.value}")
        assert type(info.value) is BackendError and info.value.attempts == 3  # three tries, no give-up
        assert b.unusable is None and elapsed < 1.2
        patient = OpenAICompatibleBackend(
            f"http://127.0.0.1:{port}/v1", "m", max_retries=100, unreachable_after_s=0.6, **{**FAST, "timeout_s": 0.2}
        )
        started = time.monotonic()
        with pytest.raises(ServerUnusableError, match="connecting timed out"):
            run(complete(patient, ask()))
        assert 0.6 <= time.monotonic() - started < 2.0


def test_connect_failures_give_up_after_the_unreachable_bound_whatever_max_retries() -> None:
    b = OpenAICompatibleBackend(
        f"http://127.0.0.1:{free_port()}/v1", "m", max_retries=1000, unreachable_after_s=0.5, **FAST
    )
    started = time.monotonic()
    with pytest.raises(ServerUnusableError, match=r"no connection for 0\.[5-9]"):
        run(complete(b, ask()))
    assert 0.5 <= time.monotonic() - started < 2.0


def test_waiters_behind_an_open_breaker_are_released_when_the_server_is_given_up() -> None:
    # 32 concurrent requests to a dead port: the breaker opens and holds most of them; the give-up
    # (here after 0.6 s unreachable) must end them all, not leave them waiting for probes forever.
    b = OpenAICompatibleBackend(
        f"http://127.0.0.1:{free_port()}/v1",
        "m",
        max_concurrency=8,
        max_retries=1000,
        unreachable_after_s=0.6,
        breaker_threshold=4,
        breaker_cooldown_s=0.2,
        **FAST,
    )

    async def many() -> list[BaseException | ChatResponse]:
        try:
            return await asyncio.gather(*(b.complete(ask(str(i))) for i in range(32)), return_exceptions=True)
        finally:
            await b.aclose()

    started = time.monotonic()
    results = run(many())
    assert time.monotonic() - started < 3.0
    assert all(isinstance(r, ServerUnusableError) for r in results)
    assert b.stats.http_requests < 32 + 8  # the breaker kept the rest from hammering a dead port


VLLM_NO_TOOLS = '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set'


def test_repeated_tool_rejections_make_the_server_unusable_with_the_flags_to_set() -> None:
    with LoopbackServer(default=Reply(status=400, error_message=VLLM_NO_TOOLS)) as server:
        b = backend(server)

        async def many() -> list[BaseException]:
            errors: list[BaseException] = []
            for i in range(7):
                try:
                    await b.complete(ask(str(i), tools=[LOOKUP], tool_choice="auto"))
                except BackendError as exc:
                    errors.append(exc)
            await b.aclose()
            return errors

        errors = run(many())
        seen = len(server.chat_requests)
    assert seen == 5  # the sixth and seventh were never sent
    assert [type(e).__name__ for e in errors] == ["BackendError"] * 4 + ["ServerUnusableError"] * 3
    assert not any(is_fatal(e) for e in errors[:4])
    text = str(errors[4])
    assert server.url in text and "5 requests in a row" in text and VLLM_NO_TOOLS in text
    for flag in ("--enable-auto-tool-choice", "--tool-call-parser", "hermes", "qwen25", "--jinja", "Ollama"):
        assert flag in text
    assert "--enable-auto-tool-choice" in str(errors[0])  # a single rejection already names the fix


def test_a_success_between_rejections_keeps_the_server_usable() -> None:
    with LoopbackServer(script=[400, 400, 400, 400, 200, 400, 400, 400, 400, 200]) as server:
        b = backend(server, max_consecutive_rejections=5)

        async def many() -> list[str]:
            outcomes = []
            for i in range(10):
                try:
                    await b.complete(ask(str(i)))
                    outcomes.append("ok")
                except BackendError as exc:
                    outcomes.append(type(exc).__name__)
            await b.aclose()
            return outcomes

        outcomes = run(many())
    assert outcomes == ["BackendError"] * 4 + ["ok"] + ["BackendError"] * 4 + ["ok"]


def test_a_context_length_rejection_names_the_context_flags() -> None:
    too_long = "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens."
    with (
        LoopbackServer(default=Reply(status=400, error_message=too_long)) as server,
        pytest.raises(BackendError) as info,
    ):
        run(complete(backend(server), ask(tools=[LOOKUP])))
    text = str(info.value)
    assert not isinstance(info.value, ServerUnusableError)
    for flag in ("--max-model-len", "--context-length", "--ctx-size", "num_ctx"):
        assert flag in text


@pytest.mark.parametrize("kind", ["truncated", "not_json"])
def test_malformed_body_is_retried_then_succeeds(kind: str) -> None:
    with LoopbackServer(script=[kind]) as server:
        b = backend(server)
        response = run(complete(b, ask("y")))
    assert response.message.content == "echo: y" and b.stats.retries == 1


@pytest.mark.parametrize("kind", ["truncated", "not_json"])
def test_malformed_body_every_time_is_a_clear_error(kind: str) -> None:
    with LoopbackServer(default=kind) as server, pytest.raises(BackendError, match="not valid JSON") as info:
        run(complete(backend(server, max_retries=1), ask()))
    assert info.value.kind == "bad_response" and "OpenAI-compatible" in str(info.value)


def test_circuit_breaker_pauses_instead_of_a_retry_storm() -> None:
    cooldown = 0.2
    with LoopbackServer(default=503) as server:
        b = backend(
            server,
            max_concurrency=1,
            max_retries=5,
            breaker_threshold=3,
            breaker_cooldown_s=cooldown,
            breaker_give_up_s=0.5,
        )

        async def many() -> list[BaseException | ChatResponse]:
            try:
                return await asyncio.gather(*(b.complete(ask(str(i))) for i in range(6)), return_exceptions=True)
            finally:
                await b.aclose()

        results = run(many())
        times = [r.received_at for r in server.chat_requests]
    # Without the breaker: 6 requests x 6 attempts = 36. With it: 3 to trip it, then a probe after
    # each cool-down (0.2 s, then 0.4 s): the second, 0.6 s after the trip, is past 0.5 s and gives up.
    assert len(times) == 5
    assert times[3] - times[2] >= cooldown * 0.9  # the pause after the third consecutive failure
    assert times[4] - times[3] >= 2 * cooldown * 0.9  # a failed probe doubles it
    assert b.stats.breaker_opens == 2
    assert all(isinstance(r, ServerUnusableError) and r.kind == "circuit_open" for r in results)
    assert "failed every request" in str(results[0]) and "HTTP 503" in str(results[0])


def test_requests_waiting_on_the_breaker_spend_no_retries() -> None:
    # Four requests hang: their timeouts open the breaker. Twelve more arrive while it is open, and
    # the first two probes hang too (two more openings). A request may fail only after sending
    # max_retries + 1 attempts itself; the old breaker charged every opening to every waiter and
    # failed all twelve without sending them once.
    with LoopbackServer(script=["hang"] * 4) as server:
        b = backend(
            server,
            max_concurrency=4,
            max_retries=1,
            timeout_s=0.3,
            backoff_base_s=0.05,
            breaker_threshold=2,
            breaker_cooldown_s=0.2,
        )

        async def many() -> list[BaseException | ChatResponse]:
            first = [asyncio.create_task(b.complete(ask(f"first {i}"))) for i in range(4)]
            await asyncio.sleep(0.4)  # timed out at 0.3 s: the breaker is open until 0.5 s
            assert b.breaker.state == "open"
            server.set_script(["hang", "hang"])  # for the first two probes
            queued = [asyncio.create_task(b.complete(ask(f"queued {i}"))) for i in range(12)]
            try:
                await asyncio.gather(*first, return_exceptions=True)
                return await asyncio.gather(*queued, return_exceptions=True)
            finally:
                await b.aclose()

        queued = run(many())
        sent = [r.body["messages"][-1]["content"] for r in server.chat_requests if r.body]
    for i, result in enumerate(queued):
        assert isinstance(result, ChatResponse) or sent.count(f"queued {i}") == 2, (i, result)
    assert sum(isinstance(r, ChatResponse) for r in queued) >= 10
    assert b.stats.breaker_opens == 3


def test_under_mixed_faults_the_breaker_fails_only_requests_that_used_their_own_tries() -> None:
    # The same requests against the same seeded faults, breaker off and on (opening often). A request
    # may fail only after sending max_retries + 1 attempts itself, never for having waited; the old
    # breaker failed dozens here with `circuit_open` after one or two tries. (Exact equality of the
    # two failure sets would hold on an idle machine; load-induced timeouts make it noisy.)
    faults = FaultMix({500: 0.2, "hang": 0.1}, seed=3)

    def run_once(breaker_threshold: int) -> tuple[list[BaseException | ChatResponse], list[str], int]:
        with LoopbackServer(faults=faults) as server:
            b = backend(
                server,
                max_concurrency=32,
                max_retries=2,
                timeout_s=0.6,
                breaker_threshold=breaker_threshold,
                breaker_cooldown_s=0.05,
            )

            async def many() -> list[BaseException | ChatResponse]:
                try:
                    return await asyncio.gather(*(b.complete(ask(f"r{i}")) for i in range(300)), return_exceptions=True)
                finally:
                    await b.aclose()

            results = run(many())
            sent = [r.body["messages"][-1]["content"] for r in server.chat_requests if r.body]
        return results, sent, b.stats.breaker_opens

    for threshold in (10**6, 3):
        results, sent, opens = run_once(threshold)
        failed = [(i, r) for i, r in enumerate(results) if not isinstance(r, ChatResponse)]
        assert all(type(r) is BackendError and r.kind in ("status", "timeout") for _, r in failed), failed
        tries = [(i, r.attempts, sent.count(f"r{i}")) for i, r in failed if isinstance(r, BackendError)]
        assert all(attempts == seen == 3 for _, attempts, seen in tries), tries
        assert len(failed) < 40, tries  # about 300 x 0.3^3 = 8 requests meet three faults in a row
    assert opens > 0  # the breaker did open under this mix


def test_breaker_closes_again_when_the_server_recovers() -> None:
    with LoopbackServer(script=[500, 500, 500]) as server:
        b = backend(server, max_retries=5, breaker_threshold=2, breaker_cooldown_s=0.1)
        response = run(complete(b, ask("back")))
    assert response.message.content == "echo: back"
    assert b.breaker.state == "closed" and b.stats.breaker_opens == 2


def test_cache_hit_on_repeat_costs_no_request(tmp_path: Path) -> None:
    with LoopbackServer(responder=tool_responder) as server:
        b = backend(server, cache=tmp_path / "cache.sqlite")

        async def twice() -> tuple[ChatResponse, ChatResponse]:
            try:
                first = await b.complete(ask("q", tools=[LOOKUP], temperature=0.9))
                second = await b.complete(ask("q", tools=[LOOKUP], temperature=0.9, metadata={"unit": 2}))
                return first, second
            finally:
                await b.aclose()

        first, second = run(twice())
        seen = len(server.chat_requests)
    assert seen == 1
    assert not first.cache_hit and second.cache_hit
    assert second.message == first.message and second.usage == first.usage
    stats = b.stats
    assert (stats.requests, stats.cache_hits, stats.http_requests) == (2, 1, 1)
    assert stats.prompt_tokens == first.usage.prompt_tokens  # a hit costs no tokens


def test_failed_requests_are_not_cached(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    with LoopbackServer(script=[400]) as server:
        b = backend(server, cache=cache)

        async def go() -> ChatResponse:
            with pytest.raises(BackendError):
                await b.complete(ask("z"))
            try:
                return await b.complete(ask("z"))
            finally:
                await b.aclose()

        response = run(go())
        seen = len(server.chat_requests)
    assert seen == 2 and not response.cache_hit and len(cache) == 1


SCHEMA = {
    "title": "Tool Name",
    "type": "object",
    "properties": {"name": {"type": "string"}},
    "required": ["name"],
}


def test_structured_output_request_shape() -> None:
    with LoopbackServer() as server:
        response = run(complete(backend(server), ask(response_schema=SCHEMA)))
        sent = server.chat_requests[0].body
    assert sent is not None
    assert sent["response_format"] == {"type": "json_schema", "json_schema": {"name": "Tool_Name", "schema": SCHEMA}}
    assert response.message.content == "{}"


def test_structured_output_falls_back_to_json_object() -> None:
    rejection = Reply(status=400, error_message="response_format type 'json_schema' is not supported")
    with LoopbackServer(script=[rejection]) as server:
        b = backend(server)

        async def two() -> None:
            try:
                await b.complete(ask("a", response_schema=SCHEMA))
                await b.complete(ask("b", response_schema=SCHEMA))
            finally:
                await b.aclose()

        run(two())
        formats = [r.body["response_format"] for r in server.chat_requests if r.body]
    assert formats == [
        {"type": "json_schema", "json_schema": {"name": "Tool_Name", "schema": SCHEMA}},
        {"type": "json_object"},
        {"type": "json_object"},
    ]
    assert b.stats.structured_output_fallbacks == 1 and b.stats.failures == 0


def test_concurrency_bound_is_respected() -> None:
    with LoopbackServer(latency_s=0.05) as server:
        b = backend(server, max_concurrency=4)

        async def many() -> list[ChatResponse]:
            try:
                return await asyncio.gather(*(b.complete(ask(str(i))) for i in range(24)))
            finally:
                await b.aclose()

        responses = run(many())
        peak = server.max_in_flight
    assert len(responses) == 24 and peak == 4


def test_token_accounting_matches_the_server() -> None:
    with LoopbackServer() as server:
        b = backend(server)

        async def three() -> list[ChatResponse]:
            try:
                return [await b.complete(ask(str(i) * (i + 1))) for i in range(3)]
            finally:
                await b.aclose()

        responses = run(three())
    stats = b.stats
    assert stats.prompt_tokens == sum(r.usage.prompt_tokens for r in responses) > 0
    assert stats.completion_tokens == sum(r.usage.completion_tokens for r in responses) > 0
    assert stats.total_tokens == stats.prompt_tokens + stats.completion_tokens
    assert 0 < stats.latency_s_mean <= stats.latency_s_max
    assert type(stats).model_validate_json(stats.model_dump_json()) == stats


def test_api_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARDGEN_API_KEY", "sk-hardgen")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    with LoopbackServer() as server:
        run(complete(backend(server), ask()))
        monkeypatch.delenv("HARDGEN_API_KEY")
        run(complete(backend(server), ask()))
        monkeypatch.delenv("OPENAI_API_KEY")
        run(complete(backend(server), ask()))
        auth = [r.headers.get("authorization") for r in server.chat_requests]
    assert auth == ["Bearer sk-hardgen", "Bearer sk-openai", "Bearer EMPTY"]


def test_extra_body_is_merged_into_requests() -> None:
    with LoopbackServer() as server:
        extra = {"chat_template_kwargs": {"enable_thinking": False}}
        run(complete(backend(server, extra_body=extra), ask()))
        sent = server.chat_requests[0].body
    assert sent is not None and sent["chat_template_kwargs"] == {"enable_thinking": False}


def test_usable_from_successive_event_loops() -> None:
    with LoopbackServer() as server:
        b = backend(server)
        first = asyncio.run(b.complete(ask("one")))
        second = asyncio.run(b.complete(ask("two")))
    assert (first.message.content, second.message.content) == ("echo: one", "echo: two")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_url": "localhost:8000"}, "not a URL"),
        ({"model": ""}, "model must name"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"base_url": "https://api.example.com/v1", "lean_http": True}, "plain http"),
    ],
)
def test_bad_configuration_is_a_clear_error(kwargs: dict[str, Any], message: str) -> None:
    options: dict[str, Any] = {"base_url": "http://127.0.0.1:8000/v1", "model": "m", **kwargs}
    with pytest.raises(ValueError, match=message):
        OpenAICompatibleBackend(**options)


@pytest.mark.parametrize("lean_http", [True, False], ids=["lean-transport", "httpx-transport"])
def test_timeout_bounds_the_whole_attempt_against_a_dripping_server(lean_http: bool) -> None:
    # A byte every 50 ms: every read gets data soon, the whole answer would take about 15 s.
    with LoopbackServer(default=Reply(drip_s=0.05)) as server:
        b = backend(server, timeout_s=0.5, max_retries=0, lean_http=lean_http)
        started = time.monotonic()
        with pytest.raises(BackendError) as info:
            run(complete(b, ask()))
        elapsed = time.monotonic() - started
    assert info.value.kind == "timeout" and "within 0.5 s" in str(info.value)
    assert 0.5 <= elapsed < 1.5


def test_a_slow_drip_within_the_timeout_is_read_in_full() -> None:
    with LoopbackServer(default=Reply(drip_s=0.0005)) as server:
        response = run(complete(backend(server, timeout_s=5.0), ask("drip")))
    assert response.message.content == "echo: drip"


def test_every_request_option_is_sent_and_extra_body_merges_over_the_backends() -> None:
    request = ask(
        temperature=0.6,
        top_p=0.95,
        max_tokens=256,
        seed=3,
        stop=["</s>"],
        extra_body={"top_k": 20, "chat_template_kwargs": {"enable_thinking": False}},
    )
    with LoopbackServer() as server:
        run(complete(backend(server, extra_body={"top_k": 5, "repetition_penalty": 1.1}), request))
        sent = server.chat_requests[0].body
    assert sent is not None
    assert (sent["temperature"], sent["top_p"], sent["max_tokens"], sent["seed"], sent["stop"]) == (
        0.6,
        0.95,
        256,
        3,
        ["</s>"],
    )
    assert sent["top_k"] == 20 and sent["repetition_penalty"] == 1.1  # the request's own value wins
    assert sent["chat_template_kwargs"] == {"enable_thinking": False} and "extra_body" not in sent


def test_changing_extra_body_on_the_request_or_the_backend_is_a_cache_miss(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    with LoopbackServer() as server:

        async def go() -> list[bool]:
            plain = backend(server, cache=cache)
            thinking_off = backend(server, cache=cache, extra_body={"chat_template_kwargs": {"enable_thinking": False}})
            hits = [
                (await plain.complete(ask("q"))).cache_hit,
                (await plain.complete(ask("q", metadata={"unit": 2}))).cache_hit,
                (await plain.complete(ask("q", extra_body={"top_k": 20}))).cache_hit,
                (await plain.complete(ask("q", extra_body={"top_k": 40}))).cache_hit,
                (await thinking_off.complete(ask("q"))).cache_hit,
                (await thinking_off.complete(ask("q"))).cache_hit,
            ]
            await plain.aclose()
            await thinking_off.aclose()
            return hits

        hits = run(go())
        seen = len(server.chat_requests)
    assert hits == [False, True, False, False, False, True] and seen == 4


def test_a_shared_budget_stops_requests_once_spent_and_cache_hits_are_free(tmp_path: Path) -> None:
    budget = RequestBudget(max_requests=3)
    cache = ResponseCache(tmp_path / "c.sqlite")
    with LoopbackServer() as server:

        async def go() -> tuple[list[str], BudgetExhaustedError]:
            one, two = backend(server, budget=budget, cache=cache), backend(server, budget=budget)
            contents = [
                (await one.complete(ask("a"))).message.content or "",
                (await one.complete(ask("a"))).message.content or "",  # a hit: free
                (await two.complete(ask("b"))).message.content or "",
                (await one.complete(ask("c"))).message.content or "",
            ]
            with pytest.raises(BudgetExhaustedError) as info:
                await two.complete(ask("d"))
            contents.append((await one.complete(ask("a"))).message.content or "")  # hits still answered
            await one.aclose()
            await two.aclose()
            assert two.stats.refused == 1 and two.stats.failures == 0
            return contents, info.value

        contents, error = run(go())
        seen = len(server.chat_requests)
    assert contents == ["echo: a", "echo: a", "echo: b", "echo: c", "echo: a"] and seen == 3
    assert is_fatal(error) and error.kind == "budget" and "3 of 3 requests" in str(error)
    assert (budget.requests, budget.refused, budget.exhausted) == (3, 1, True)
    assert budget.prompt_tokens > 0 and budget.completion_tokens > 0


def test_a_token_budget_stops_requests_after_the_answer_that_spent_it() -> None:
    budget = RequestBudget(max_tokens=1)
    with LoopbackServer() as server:
        b = backend(server, budget=budget)

        async def go() -> None:
            await b.complete(ask("first"))
            with pytest.raises(BudgetExhaustedError, match="tokens"):
                await b.complete(ask("second"))
            await b.aclose()

        run(go())
        seen = len(server.chat_requests)
    assert seen == 1 and budget.total_tokens == b.stats.total_tokens > 1
