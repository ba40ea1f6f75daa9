"""The loopback OpenAI-compatible server: routes, scripted faults, records, and 256-way concurrency."""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from typing import Any

import pytest

from hardgen.llm.loopback import FaultMix, LoopbackServer, Reply, sequence_responder
from hardgen.schema import Message, ToolCall


def _post(server: LoopbackServer, body: Any, conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn.request("POST", "/v1/chat/completions", body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    result = response.status, response.read()
    if own:
        conn.close()
    return result


CHAT = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}


def test_models_and_chat_over_one_kept_alive_connection() -> None:
    with LoopbackServer(model="served") as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/v1/models")
        models = json.loads(conn.getresponse().read())
        status, body = _post(server, CHAT, conn)
        status2, _ = _post(server, CHAT, conn)
        conn.close()
        assert [m["id"] for m in models["data"]] == ["served"]
        assert status == status2 == 200
        completion = json.loads(body)
        assert completion["choices"][0]["message"] == {"role": "assistant", "content": "echo: hello"}
        assert completion["usage"]["total_tokens"] > 0
        assert [r.path for r in server.requests] == ["/v1/models", "/v1/chat/completions", "/v1/chat/completions"]
        assert server.chat_requests[0].body == CHAT


def test_script_then_default_and_retry_after_header() -> None:
    with LoopbackServer(script=[Reply(status=429, retry_after=2), 503], default=200) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("POST", "/v1/chat/completions", body=json.dumps(CHAT))
        first = conn.getresponse()
        first.read()
        assert first.status == 429 and first.getheader("Retry-After") == "2"
        assert [_post(server, CHAT, conn)[0] for _ in range(2)] == [503, 200]
        conn.close()


def test_malformed_shapes() -> None:
    call = ToolCall(id="c1", name="f", arguments={"a": 1, "b": "x"})
    with LoopbackServer(
        responder=lambda _req: Message.assistant(tool_calls=[call]),
        script=["truncated", "not_json", "hermes", "python_list", "bad_arguments"],
    ) as server:
        _, truncated = _post(server, CHAT)
        with pytest.raises(json.JSONDecodeError):
            json.loads(truncated)
        _, page = _post(server, CHAT)
        assert page.startswith(b"<html>")
        hermes = json.loads(_post(server, CHAT)[1])["choices"][0]["message"]
        assert (
            "tool_calls" not in hermes
            and '<tool_call>\n{"name": "f", "arguments": {"a": 1, "b": "x"}}' in hermes["content"]
        )
        python = json.loads(_post(server, CHAT)[1])["choices"][0]["message"]
        assert python["content"] == "[f(a=1, b='x')]"
        bad = json.loads(_post(server, CHAT)[1])["choices"][0]["message"]
        with pytest.raises(json.JSONDecodeError):
            json.loads(bad["tool_calls"][0]["function"]["arguments"])


def test_sequence_responder_and_responder_errors_are_recorded() -> None:
    responder = sequence_responder([{"role": "assistant", "content": "one"}, Message.assistant("two")])
    with LoopbackServer(responder=responder) as server:
        contents = [json.loads(_post(server, CHAT)[1])["choices"][0]["message"]["content"] for _ in range(3)]
    assert contents == ["one", "two", "two"]

    def broken(_request: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("tools")

    with LoopbackServer(responder=broken) as server:
        status, _ = _post(server, CHAT)
        assert status == 500 and server.responder_errors == ["KeyError: 'tools'"]


def test_bad_requests_are_answered_not_crashed() -> None:
    with LoopbackServer() as server:
        assert _post(server, b"{not json")[0] == 400
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/v1/nothing")
        assert conn.getresponse().status == 404
        conn.close()
        assert _post(server, CHAT)[0] == 200


def test_script_entries_are_validated() -> None:
    with pytest.raises(ValueError, match="neither an HTTP status"):
        LoopbackServer(script=["explode"])


def test_fault_mix_draws_are_seeded_per_body_and_try_at_the_asked_rates() -> None:
    mix = FaultMix({500: 0.10, "hang": 0.05}, seed=7)
    bodies = [{"messages": [{"role": "user", "content": f"r{i}"}]} for i in range(4000)]
    draws = [mix.draw(b, 0) for b in bodies]
    assert draws == [mix.draw(b, 0) for b in bodies]  # the same body and try: the same fault
    assert draws != [mix.draw(b, 1) for b in bodies]  # a retry draws afresh
    assert draws != [FaultMix({500: 0.10, "hang": 0.05}, seed=8).draw(b, 0) for b in bodies]
    errors = sum(d is not None and d.status == 500 for d in draws)
    hangs = sum(d is not None and d.kind == "hang" for d in draws)
    assert 330 <= errors <= 470 and 140 <= hangs <= 260  # 400 and 200 expected
    with pytest.raises(ValueError, match="sum to at most 1"):
        FaultMix({500: 0.7, 503: 0.4})
    with pytest.raises(ValueError, match="neither an HTTP status"):
        FaultMix({"explode": 0.1})


def test_fault_mix_applies_after_the_script_and_repeats_per_retry_of_a_body() -> None:
    mix = FaultMix({503: 0.5}, seed=1)
    bodies = [{**CHAT, "messages": [{"role": "user", "content": f"q{i}"}]} for i in range(40)]
    with LoopbackServer(script=[200], faults=mix) as server:
        first = _post(server, bodies[0])[0]
        seen = [[_post(server, body)[0] for _ in range(3)] for body in bodies]
    assert first == 200  # the script comes first and does not count as an arrival for the mix
    expected = [[503 if mix.draw(body, n) else 200 for n in range(3)] for body in bodies]
    assert seen == expected and {503, 200} <= {status for tries in seen for status in tries}


def test_a_dripped_answer_arrives_whole_and_slowly() -> None:
    with LoopbackServer(default=Reply(drip_s=0.002)) as server:
        started = time.monotonic()
        status, body = _post(server, CHAT)
        elapsed = time.monotonic() - started
    assert status == 200 and json.loads(body)["choices"][0]["message"]["content"] == "echo: hello"
    assert elapsed >= len(body) * 0.002


def test_stop_returns_while_a_request_hangs() -> None:
    server = LoopbackServer(default="hang").start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=0.3)
    with pytest.raises(TimeoutError):
        _post(server, CHAT, conn)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    conn.close()


async def _raw_requests(port: int, connections: int, per_connection: int) -> int:
    body = json.dumps(CHAT).encode()
    request = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body

    async def worker() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        ok = 0
        for _ in range(per_connection):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1])
            ok += head.startswith(b"HTTP/1.1 200") and bool(await reader.readexactly(length))
        writer.close()
        return ok

    return sum(await asyncio.gather(*(worker() for _ in range(connections))))


def test_sustains_256_concurrent_requests_at_100ms() -> None:
    with LoopbackServer(latency_s=0.1) as server:
        started = time.monotonic()
        answered = asyncio.run(_raw_requests(server.port, 256, 2))
        elapsed = time.monotonic() - started
        peak = server.max_in_flight
    assert answered == 512
    assert peak == 256  # all 256 were in flight at once: the latency overlapped, it was not serialised
    assert elapsed < 5.0  # ideal 0.2 s; generous for a loaded CI machine
