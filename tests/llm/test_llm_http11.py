"""The lean HTTP/1.1 transport against servers that frame answers differently from the loopback server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hardgen.llm import ChatRequest, OpenAICompatibleBackend
from hardgen.schema import Message

COMPLETION = json.dumps(
    {"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi there"}, "finish_reason": "stop"}]}
).encode()


async def _serve_and_ask(
    framing: str, requests: int = 3, pause_s: float = 0.05
) -> tuple[list[str | None], int, OpenAICompatibleBackend]:
    """Serve `requests` chat answers framed as `framing`; return contents, connections seen, backend."""
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                await reader.readexactly(length)
                if framing == "chunked":
                    half = len(COMPLETION) // 2
                    body = b"".join(
                        b"%x\r\n%s\r\n" % (len(part), part) for part in (COMPLETION[:half], COMPLETION[half:])
                    )
                    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n")
                elif framing == "close":
                    writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + COMPLETION)
                else:  # "drop-idle": keep-alive promised, connection dropped once idle
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(COMPLETION) + COMPLETION)
                await writer.drain()
                if framing in ("close", "drop-idle"):
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    backend = OpenAICompatibleBackend(f"http://127.0.0.1:{port}/v1", "m", lean_http=True, backoff_base_s=0.01)
    contents: list[str | None] = []
    try:
        for i in range(requests):
            response = await backend.complete(ChatRequest(messages=[Message.user(str(i))]))
            contents.append(response.message.content)
            await asyncio.sleep(pause_s)  # with a pause, a dropped connection's EOF arrives before reuse
    finally:
        await backend.aclose()
        server.close()
    return contents, connections, backend


def _check(framing: str, pause_s: float = 0.05) -> Any:
    contents, connections, backend = asyncio.run(_serve_and_ask(framing, pause_s=pause_s))
    assert contents == ["hi there"] * 3
    assert backend.stats.retries == 0 and backend.stats.http_requests == 3
    return connections


def test_chunked_answers_on_one_kept_alive_connection() -> None:
    assert _check("chunked") == 1


def test_connection_close_answers_read_to_the_end() -> None:
    assert _check("close") == 3


def test_connections_the_server_dropped_while_idle_are_replaced_without_a_retry() -> None:
    assert _check("drop-idle") == 3


def test_connection_dropped_just_before_reuse_is_replaced_without_a_retry() -> None:
    assert _check("drop-idle", pause_s=0.0) == 3
