"""A lean HTTP/1.1 keep-alive transport for the `openai` client, used for plain-`http://` model servers.

Why: the default transport stack of the `openai` client (httpx, httpcore, anyio) costs about a
millisecond of CPU per request and scans its whole connection pool on every request, which caps a
client near 1,000 requests/s, well below what a local vLLM or SGLang server at high concurrency
answers. This transport speaks just what a local OpenAI-compatible server needs (HTTP/1.1,
`Content-Length` or chunked bodies, keep-alive) over asyncio streams; the `openai` client on top of
it still builds the requests, authenticates and maps errors, unchanged.

It is used only for `http://` URLs that no proxy applies to; `https://` endpoints (hosted APIs) keep the
default transport, with TLS, proxies, HTTP/2 and compression.
"""

from __future__ import annotations

import asyncio
import sys
import urllib.request
from collections import deque
from typing import Any

import openai


def _httpx_module() -> Any:
    """The HTTP package under the `openai` client: `httpx` (openai 1.x) or `httpx2` (later versions)."""
    base = next(c for c in openai.DefaultAsyncHttpxClient.__mro__[1:] if c.__name__ == "AsyncClient")
    return sys.modules[base.__module__.split(".")[0]]


HTTPX: Any = _httpx_module()

_READ_LIMIT = 1 << 20
_timeout_context = getattr(asyncio, "timeout", None)  # Python 3.11+: no extra task per guarded await
_SKIP_HEADERS = frozenset({b"accept-encoding", b"connection", b"host", b"transfer-encoding"})


def lean_transport_applies(base_url: str) -> bool:
    """Whether `Http11Transport` can serve `base_url`: plain http, and no proxy configured for it."""
    scheme, _, rest = base_url.partition("://")
    if scheme.lower() != "http":
        return False
    host = rest.split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    proxies = urllib.request.getproxies()
    return not (proxies.get("http") or proxies.get("all")) or bool(urllib.request.proxy_bypass(host))


class _Connection:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def usable(self) -> bool:
        # The server closing an idle connection shows as EOF on its reader (fed by the event loop).
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


class Http11Transport(HTTPX.AsyncBaseTransport):  # type: ignore[misc, name-defined]
    """An `httpx` async transport: HTTP/1.1 over asyncio streams, one idle pool per host and port.

    The number of connections is bounded by the caller's concurrency (the backend's slots), so the
    pool only caps how many idle connections it keeps (`max_idle`).
    """

    def __init__(self, max_idle: int = 256) -> None:
        self.max_idle = max_idle
        self._idle: dict[tuple[str, int], deque[_Connection]] = {}
        self._closed = False

    async def handle_async_request(self, request: Any) -> Any:
        url = request.url
        key = (url.host, url.port or 80)
        timeouts = request.extensions.get("timeout") or {}
        try:
            body = request.content
        except HTTPX.RequestNotRead:
            body = await request.aread()
        head = self._head(request, url, body)
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if not conn.usable():
                conn.close()
                continue
            try:
                return await self._exchange(conn, key, head, body, request, timeouts)
            except _StaleConnection:
                continue  # the server dropped it while idle before answering: try another
        conn = await self._connect(key, request, timeouts.get("connect"))
        try:
            return await self._exchange(conn, key, head, body, request, timeouts)
        except _StaleConnection as exc:
            raise HTTPX.RemoteProtocolError(
                "the server closed the connection without answering", request=request
            ) from exc.__cause__

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            while idle:
                idle.pop().close()

    # -- one request on one connection --------------------------------------------------------

    @staticmethod
    def _head(request: Any, url: Any, body: bytes) -> bytes:
        target = url.raw_path.decode("ascii") if isinstance(url.raw_path, bytes) else url.raw_path
        lines = [f"{request.method} {target} HTTP/1.1", f"Host: {url.netloc.decode('ascii')}"]
        head = "\r\n".join(lines).encode("latin-1") + b"\r\n"
        extra = [
            name + b": " + value
            for name, value in request.headers.raw
            if name.lower() not in _SKIP_HEADERS and name.lower() != b"content-length"
        ]
        # Identity encoding: a local server's JSON is small and decompression would only cost CPU.
        extra += [b"Accept-Encoding: identity", b"Connection: keep-alive", b"Content-Length: %d" % len(body)]
        return head + b"\r\n".join(extra) + b"\r\n\r\n"

    async def _connect(self, key: tuple[str, int], request: Any, timeout: float | None) -> _Connection:
        try:
            reader, writer = await guard_deadline(asyncio.open_connection(key[0], key[1], limit=_READ_LIMIT), timeout)
        except asyncio.TimeoutError as exc:
            raise HTTPX.ConnectTimeout(f"connecting to {key[0]}:{key[1]} timed out", request=request) from exc
        except OSError as exc:
            raise HTTPX.ConnectError(f"cannot connect to {key[0]}:{key[1]}: {exc}", request=request) from exc
        return _Connection(reader, writer)

    async def _exchange(
        self, conn: _Connection, key: tuple[str, int], head: bytes, body: bytes, request: Any, timeouts: dict[str, Any]
    ) -> Any:
        timeout = timeouts.get("read")
        try:
            status, reason, version, headers, payload, keep_alive = await guard_deadline(
                self._round_trip(conn, head + body, request.method), timeout
            )
        except _StaleConnection:
            conn.close()
            raise
        except asyncio.TimeoutError as exc:
            conn.close()
            raise HTTPX.ReadTimeout(f"no answer within {timeout} s", request=request) from exc
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError, ValueError) as exc:
            conn.close()
            raise HTTPX.RemoteProtocolError(f"reading the response failed: {exc!r}", request=request) from exc
        except BaseException:
            conn.close()  # cancelled mid-exchange: the connection's state is unknown
            raise
        if keep_alive and not self._closed:
            idle = self._idle.setdefault(key, deque())
            if len(idle) < self.max_idle:
                idle.append(conn)
            else:
                conn.close()
        else:
            conn.close()
        return HTTPX.Response(
            status,
            headers=headers,
            content=payload,
            request=request,
            extensions={"http_version": version, "reason_phrase": reason},
        )

    async def _round_trip(
        self, conn: _Connection, data: bytes, method: str
    ) -> tuple[int, bytes, bytes, list[tuple[bytes, bytes]], bytes, bool]:
        reader = conn.reader
        try:
            conn.writer.write(data)
            await conn.writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise
            raise _StaleConnection() from exc
        except ConnectionError as exc:
            raise _StaleConnection() from exc
        lines = head.split(b"\r\n")
        version, _, rest = lines[0].partition(b" ")
        code, _, reason = rest.partition(b" ")
        if not version.startswith(b"HTTP/1.") or not code.isdigit():
            raise ValueError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
        headers: list[tuple[bytes, bytes]] = []
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(b":")
                headers.append((name.strip(), value.strip()))
        status = int(code)
        payload, keep_alive = await self._read_body(reader, method, status, version, headers)
        return status, reason, version, headers, payload, keep_alive

    @staticmethod
    async def _read_body(
        reader: asyncio.StreamReader, method: str, status: int, version: bytes, headers: list[tuple[bytes, bytes]]
    ) -> tuple[bytes, bool]:
        fields = {name.lower(): value for name, value in headers}
        connection = fields.get(b"connection", b"").lower()
        keep_alive = connection != b"close" if version == b"HTTP/1.1" else connection == b"keep-alive"
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return b"", keep_alive
        if fields.get(b"transfer-encoding", b"").lower().endswith(b"chunked"):
            chunks: list[bytes] = []
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                        pass
                    return b"".join(chunks), keep_alive
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
        if b"content-length" in fields:
            return await reader.readexactly(int(fields[b"content-length"])), keep_alive
        return await reader.read(), False  # body delimited by the server closing the connection


class _StaleConnection(Exception):
    """A kept-alive connection failed before any byte of the answer: the request can go elsewhere."""


async def guard_deadline(awaitable: Any, timeout: float | None) -> Any:
    """Await `awaitable`, raising `asyncio.TimeoutError` if it takes longer than `timeout` seconds."""
    if timeout is None:
        return await awaitable
    if _timeout_context is not None:
        async with _timeout_context(timeout):
            return await awaitable
    return await asyncio.wait_for(awaitable, timeout)
