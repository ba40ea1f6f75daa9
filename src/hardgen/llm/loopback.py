"""A local OpenAI-compatible chat server for tests, benchmarks and offline demos.

`LoopbackServer` serves `POST /v1/chat/completions` and `GET /v1/models` on 127.0.0.1 (an ephemeral
port by default) from a background thread with its own asyncio loop, over a minimal HTTP/1.1
implementation with keep-alive (no web framework needed). It answers through a pluggable
*responder*, a function from the request JSON to an assistant message, and can misbehave on purpose:
a per-request latency, a script of replies (`429` then `200`, a hang that never answers, a truncated
or non-JSON body, tool calls written as Hermes ``<tool_call>`` text or as a Python call list, tool-call
arguments that are not JSON). Every request it receives is recorded for assertions, and it tracks how
many chat requests were in flight at once.

    with LoopbackServer(responder=my_responder, script=[429, 429]) as server:
        backend = OpenAICompatibleBackend(server.url, "loopback")
        ...
        assert len(server.chat_requests) == 3

Run it as a process with `python -m hardgen.llm.loopback --latency 0.1` (prints its URL).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hardgen.schema import Message

ReplyKind = Literal[
    "ok",
    "hang",
    "truncated",
    "not_json",
    "hermes",
    "python_list",
    "bad_arguments",
    "think",
    "qwen3",
    "llama_json",
    "python_tag",
    "mistral",
    "mistral_v11",
    "function_tag",
    "plain_json",
    "pythonic_after_text",
]
"""How the server shapes one answer:

- `ok`: the responder's message as is (native `tool_calls`, `reasoning_content` if it set one);
- `hang`: never answers (until the client gives up and closes the connection);
- `truncated`: a well-framed HTTP 200 whose JSON body is cut in half;
- `not_json`: an HTTP 200 whose body is an HTML page;
- `hermes`: tool calls moved into the content as ``<tool_call>{"name":..., "arguments":...}</tool_call>``;
- `python_list`: tool calls moved into the content as ``[f(a=1), g(b='x')]``;
- `bad_arguments`: native tool calls whose `arguments` string is not valid JSON;
- `think`: the reasoning moved into the content as ``<think>...</think>``.

Model families served without a tool-call parser write their calls into the content, each its own way
(for calls, the content is only the calls unless said otherwise; an answer without calls is left as is):

- `qwen3`: Qwen3 without a reasoning parser: ``<think>...</think>`` then the answer and Hermes blocks;
- `llama_json`: Llama 3.1 JSON, ``{"name": "f", "parameters": {...}}``, several joined by ``; ``;
- `python_tag`: the same after Llama 3.1's ``<|python_tag|>``;
- `mistral`: Mistral before tokenizer v11, ``[TOOL_CALLS][{"name": "f", "arguments": {...}}]``;
- `mistral_v11`: Mistral v11+, ``[TOOL_CALLS]f[ARGS]{...}`` once per call;
- `function_tag`: Llama 3.x custom tools / Qwen-coder, ``<function=f>{...}</function>`` per call;
- `plain_json`: a ```json fence holding the call object (a list of them for several calls);
- `pythonic_after_text`: a sentence, then a Llama 3.2 pythonic list ``[f(a=1), g(b='x')]``.
"""

Responder = Callable[[dict[str, Any]], "dict[str, Any] | Message"]
"""Turns a chat-completions request body into the assistant message (wire dict or `Message`)."""

_KINDS: frozenset[str] = frozenset(ReplyKind.__args__)  # type: ignore[attr-defined]
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class Reply:
    """One scripted answer of the loopback server."""

    status: int = 200
    """HTTP status; anything but 200 answers with an OpenAI-style error body."""
    kind: ReplyKind = "ok"
    retry_after: float | None = None
    """Seconds sent in a `Retry-After` header (with error statuses)."""
    latency_s: float | None = None
    """Overrides the server's latency for this answer."""
    error_message: str | None = None
    """Text of the error body for error statuses."""
    drip_s: float | None = None
    """Send the body of a 200 answer one byte every `drip_s` seconds (after the headers): each read
    gets a byte soon, so only a deadline on the whole attempt stops the client waiting."""

    @classmethod
    def coerce(cls, value: int | str | Reply) -> Reply:
        """A script entry: an HTTP status (`429`), a reply kind (`"hang"`), or a `Reply`."""
        if isinstance(value, Reply):
            return value
        if isinstance(value, bool):
            raise TypeError(f"script entry {value!r} is neither an HTTP status, a reply kind nor a Reply")
        if isinstance(value, int):
            return cls(status=value)
        if isinstance(value, str) and value in _KINDS:
            return cls(kind=value)  # type: ignore[arg-type]
        raise ValueError(f"script entry {value!r} is neither an HTTP status, one of {sorted(_KINDS)} nor a Reply")


@dataclass(frozen=True)
class FaultMix:
    """Random faults by seed: each chat request not covered by the script draws its reply from `rates`.

    `rates` maps a script entry (an HTTP status such as `500`, a reply kind such as `"hang"`, or a
    `Reply`) to its probability; what is left answers with the server's `default`. The draw is a hash
    of the seed, the request body and how many times the server has seen that same body, so a request
    meets the same faults on its first try and on each retry whatever the order of arrival: two runs of
    the same requests with different client settings face exactly the same faults.
    """

    rates: dict[int | str | Reply, float]
    seed: int = 0

    def __post_init__(self) -> None:
        if any(rate < 0 for rate in self.rates.values()) or sum(self.rates.values()) > 1 + 1e-9:
            raise ValueError(f"fault rates must be non-negative and sum to at most 1, got {self.rates}")
        for entry in self.rates:
            Reply.coerce(entry)  # a bad entry fails here, not on the first request

    def draw(self, body: dict[str, Any], occurrence: int) -> Reply | None:
        """The fault for the `occurrence`-th arrival (0 first) of `body`, or None for the default reply."""
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(f"{self.seed}\0{occurrence}\0{text}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") / 2**64
        total = 0.0
        for entry, rate in self.rates.items():
            total += rate
            if point < total:
                return Reply.coerce(entry)
        return None


@dataclass
class ReceivedRequest:
    """A request as the loopback server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    """The parsed JSON body (None for GET or a body that is not JSON)."""
    received_at: float = field(default_factory=time.monotonic)


def echo_responder(request: dict[str, Any]) -> dict[str, Any]:
    """The default responder: echoes the last user message, or answers `{}` when JSON was asked for."""
    if request.get("response_format"):
        return {"role": "assistant", "content": "{}"}
    last_user = next((m for m in reversed(request.get("messages", [])) if m.get("role") == "user"), None)
    text = last_user.get("content") if last_user else ""
    return {"role": "assistant", "content": f"echo: {text}"}


def sequence_responder(messages: Iterable[dict[str, Any] | Message]) -> Responder:
    """A responder that answers with the given messages in turn, repeating the last one when they run out.

    Handy for agent-loop tests: first a message with tool calls, then the final answer.
    """
    queue = deque(messages)
    if not queue:
        raise ValueError("sequence_responder needs at least one message")
    lock = threading.Lock()

    def respond(_request: dict[str, Any]) -> dict[str, Any] | Message:
        with lock:
            return queue.popleft() if len(queue) > 1 else queue[0]

    return respond


class LoopbackServer:
    """An OpenAI-compatible chat server on 127.0.0.1, running in a background thread.

    Use as a context manager (or `start()` / `stop()`); `url` is the base URL to give a backend.
    Replies follow `script` in order of arrival (entries: HTTP status, reply kind or `Reply`), then
    `faults` (a `FaultMix`) when given, then `default` for every request after that.
    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        latency_s: float = 0.0,
        script: Sequence[int | str | Reply] = (),
        default: int | str | Reply = 200,
        model: str = "loopback",
        host: str = "127.0.0.1",
        port: int = 0,
        backlog: int = 4096,
        faults: FaultMix | None = None,
    ) -> None:
        self.responder: Responder = responder or echo_responder
        self.faults = faults
        self._arrivals: dict[str, int] = {}  # times each chat body was seen, for `faults`
        self.latency_s = latency_s
        self.model = model
        self.host = host
        self.port = port
        self.backlog = backlog
        self.requests: list[ReceivedRequest] = []
        """Every request received, in order of arrival."""
        self.responder_errors: list[str] = []
        """Exceptions raised by the responder (each answered with HTTP 500)."""
        self.in_flight = 0
        self.max_in_flight = 0
        """Most chat requests in progress at once (received but not yet answered)."""
        self._script: deque[Reply] = deque()
        self._default = Reply.coerce(default)
        self._lock = threading.Lock()
        self.set_script(script, default=default)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._connections: set[asyncio.Task[Any]] = set()
        self._stopping: asyncio.Event | None = None
        self._completion_ids = 0

    # -- control -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL for an OpenAI client, e.g. `http://127.0.0.1:41234/v1`."""
        if not self._ready.is_set():
            raise RuntimeError("the loopback server is not started; use it as a context manager or call start()")
        return f"http://{self.host}:{self.port}/v1"

    @property
    def chat_requests(self) -> list[ReceivedRequest]:
        """The chat-completion requests received, in order."""
        return [r for r in list(self.requests) if r.path.endswith("/chat/completions")]

    def set_script(self, script: Sequence[int | str | Reply], *, default: int | str | Reply | None = None) -> None:
        """Replace the scripted replies (and optionally the default) for the requests still to come."""
        replies = [Reply.coerce(s) for s in script]
        with self._lock:
            self._script = deque(replies)
            if default is not None:
                self._default = Reply.coerce(default)

    def reset_records(self) -> None:
        """Forget the requests received so far and the in-flight maximum."""
        with self._lock:
            self.requests.clear()
            self.responder_errors.clear()
            self.max_in_flight = self.in_flight

    def start(self) -> LoopbackServer:
        if self._thread is not None:
            raise RuntimeError("the loopback server is already started")
        self._thread = threading.Thread(target=self._run, name="hardgen-loopback", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10)
        if self._start_error is not None:
            raise RuntimeError(f"the loopback server could not start: {self._start_error}") from self._start_error
        if not self._ready.is_set():
            raise RuntimeError("the loopback server did not start within 10 s")
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._stopping is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(self._stopping.set)
        thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the event loop thread ---------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # surfaced to start() if it happens before ready
            self._start_error = exc
            self._ready.set()
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(
            self._handle_connection, self.host, self.port, backlog=self.backlog, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stopping.wait()
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), timeout=2)

    async def _handle_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while await self._handle_one(reader, writer):
                pass
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass  # client went away mid-request: nothing to answer
        except asyncio.CancelledError:
            pass  # server stopping
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _handle_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request on a kept-alive connection; False when the connection should close."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False  # clean close between requests
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            await self._write(writer, 400, _error_body("malformed request line", 400), close=True)
            return False
        method, path, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        if headers.get("transfer-encoding", "").lower() == "chunked":
            await self._write(writer, 501, _error_body("chunked request bodies are not supported", 501), close=True)
            return False
        length = int(headers.get("content-length", "0") or 0)
        raw = await reader.readexactly(length) if length else b""
        body: dict[str, Any] | None = None
        if raw:
            with contextlib.suppress(ValueError):
                parsed = json.loads(raw)
                body = parsed if isinstance(parsed, dict) else None
        route = path.split("?", 1)[0].rstrip("/")
        self.requests.append(ReceivedRequest(method=method, path=route, headers=headers, body=body))

        if method == "GET" and route.endswith("/models"):
            payload = {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "hardgen"}]}
            await self._write(writer, 200, json.dumps(payload).encode(), close=not keep_alive)
        elif method == "POST" and route.endswith("/chat/completions"):
            if body is None:
                await self._write(
                    writer, 400, _error_body("the request body is not a JSON object", 400), close=not keep_alive
                )
            else:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
                try:
                    answered = await self._chat(body, reader, writer, keep_alive)
                finally:
                    self.in_flight -= 1
                if not answered:
                    return False
        else:
            await self._write(writer, 404, _error_body(f"no route for {method} {route}", 404), close=not keep_alive)
        return keep_alive

    async def _chat(
        self, request: dict[str, Any], reader: asyncio.StreamReader, writer: asyncio.StreamWriter, keep_alive: bool
    ) -> bool:
        reply = self._next_reply(request)
        latency = self.latency_s if reply.latency_s is None else reply.latency_s
        if latency > 0:
            await asyncio.sleep(latency)
        if reply.kind == "hang":
            await reader.read()  # returns when the client closes the connection
            return False
        if reply.status != 200:
            extra = {"Retry-After": _format_seconds(reply.retry_after)} if reply.retry_after is not None else {}
            text = reply.error_message or f"loopback scripted HTTP {reply.status}"
            await self._write(
                writer, reply.status, _error_body(text, reply.status), close=not keep_alive, headers=extra
            )
            return True
        if reply.kind == "not_json":
            page = b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
            await self._write(writer, 200, page, close=not keep_alive, content_type="text/html")
            return True
        try:
            answer = self.responder(request)
            message = answer.to_openai(include_reasoning=True) if isinstance(answer, Message) else dict(answer)
        except Exception as exc:  # a test's responder bug: answer 500 and keep it for the test to see
            self.responder_errors.append(f"{type(exc).__name__}: {exc}")
            await self._write(writer, 500, _error_body(f"responder failed: {exc}", 500), close=not keep_alive)
            return True
        message.setdefault("role", "assistant")
        message = _shape_message(message, reply.kind)
        payload = self._completion(request, message)
        data = json.dumps(payload, ensure_ascii=False).encode()
        if reply.kind == "truncated":
            data = data[: len(data) // 2]
        if reply.drip_s:
            await self._write(writer, 200, data, close=not keep_alive, drip_s=reply.drip_s)
            return True
        await self._write(writer, 200, data, close=not keep_alive)
        return True

    def _next_reply(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            if self._script:
                return self._script.popleft()
            if self.faults is None:
                return self._default
            key = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            occurrence = self._arrivals.get(key, 0)
            self._arrivals[key] = occurrence + 1
        return self.faults.draw(request, occurrence) or self._default

    def _completion(self, request: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
        self._completion_ids += 1
        # A rough, deterministic token count (4 characters a token) so accounting can be asserted.
        prompt_tokens = max(1, len(json.dumps(request.get("messages", []), ensure_ascii=False)) // 4)
        completion_tokens = max(1, len(json.dumps(message, ensure_ascii=False)) // 4)
        return {
            "id": f"chatcmpl-loopback-{self._completion_ids}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model") or self.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    @staticmethod
    async def _write(
        writer: asyncio.StreamWriter,
        status: int,
        body: bytes,
        *,
        close: bool,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        drip_s: float | None = None,
    ) -> None:
        lines = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
            "Connection: close" if close else "Connection: keep-alive",
        ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if not drip_s:
            writer.write(head + body)
            await writer.drain()
            return
        writer.write(head)
        await writer.drain()
        for i in range(len(body)):
            await asyncio.sleep(drip_s)
            if writer.is_closing():
                return
            writer.write(body[i : i + 1])
            await writer.drain()  # raises ConnectionError once the client has given up and closed


def _shape_message(message: dict[str, Any], kind: ReplyKind) -> dict[str, Any]:
    """Rewrite a well-formed assistant message into the (mis)shape a reply kind asks for."""
    if kind in ("ok", "truncated"):
        return message
    out = dict(message)
    calls = [_wire_call(c) for c in (out.get("tool_calls") or [])]
    if kind == "think":
        reasoning = out.pop("reasoning_content", None) or out.pop("reasoning", None) or "Let me think."
        out["content"] = f"<think>{reasoning}</think>" + (out.get("content") or "")
    elif kind in ("hermes", "python_list"):
        out.pop("tool_calls", None)
        if kind == "hermes":
            blocks = "".join(
                "\n<tool_call>\n" + json.dumps({"name": n, "arguments": a}, ensure_ascii=False) + "\n</tool_call>"
                for n, a in calls
            )
            out["content"] = ((out.get("content") or "") + blocks).strip()
        else:
            rendered = ", ".join(f"{n}({', '.join(f'{k}={v!r}' for k, v in a.items())})" for n, a in calls)
            out["content"] = f"[{rendered}]"
    elif kind == "qwen3":
        reasoning = out.pop("reasoning_content", None) or out.pop("reasoning", None) or "Let me think."
        out.pop("tool_calls", None)
        blocks = "".join(
            "\n<tool_call>\n" + json.dumps({"name": n, "arguments": a}, ensure_ascii=False) + "\n</tool_call>"
            for n, a in calls
        )
        out["content"] = f"<think>\n{reasoning}\n</think>\n\n" + ((out.get("content") or "") + blocks).strip()
    elif kind in _FAMILY_KINDS and calls:
        out.pop("tool_calls", None)
        out["content"] = _family_calls(kind, calls, out.get("content"))
    elif kind == "bad_arguments":
        broken = [
            {
                "id": f"call_bad_{i}",
                "type": "function",
                "function": {"name": n, "arguments": json.dumps(a)[:-1] + ", oops"},
            }
            for i, (n, a) in enumerate(calls or [("broken_tool", {"x": 1})])
        ]
        out["tool_calls"] = broken
    return out


_FAMILY_KINDS = frozenset(
    {"llama_json", "python_tag", "mistral", "mistral_v11", "function_tag", "plain_json", "pythonic_after_text"}
)


def _family_calls(kind: str, calls: list[tuple[str, dict[str, Any]]], content: str | None) -> str:
    """The content a model family writes for these calls, in its own format."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    if kind in ("llama_json", "python_tag"):
        body = "; ".join(dumps({"name": n, "parameters": a}) for n, a in calls)
        return ("<|python_tag|>" if kind == "python_tag" else "") + body
    if kind == "mistral":
        return (content or "") + "[TOOL_CALLS]" + dumps([{"name": n, "arguments": a} for n, a in calls])
    if kind == "mistral_v11":
        return (content or "") + "".join(f"[TOOL_CALLS]{n}[ARGS]{dumps(a)}" for n, a in calls)
    if kind == "function_tag":
        return (content or "") + "".join(f"<function={n}>{dumps(a)}</function>" for n, a in calls)
    if kind == "plain_json":
        objects = [{"name": n, "arguments": a} for n, a in calls]
        return "```json\n" + json.dumps(objects[0] if len(objects) == 1 else objects, ensure_ascii=False, indent=2) + "\n```"
    rendered = ", ".join(f"{n}({', '.join(f'{k}={v!r}' for k, v in a.items())})" for n, a in calls)
    return (content or "I will look that up with the tools.") + f"\n\n[{rendered}]"


def _wire_call(call: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    fn = call.get("function", call)
    args = fn.get("arguments", {})
    return fn["name"], json.loads(args) if isinstance(args, str) else dict(args)


def _error_body(message: str, status: int) -> bytes:
    kind = "rate_limit_error" if status == 429 else "server_error" if status >= 500 else "invalid_request_error"
    return json.dumps({"error": {"message": message, "type": kind, "code": status}}).encode()


def _format_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until interrupted: `python -m hardgen.llm.loopback --latency 0.1 --port 8000`."""
    parser = argparse.ArgumentParser(prog="python -m hardgen.llm.loopback", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each chat answer")
    parser.add_argument("--model", default="loopback")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="REPLY=RATE",
        help="a random fault, e.g. 500=0.1 or hang=0.05 (repeatable; see FaultMix)",
    )
    parser.add_argument("--fault-seed", type=int, default=0)
    args = parser.parse_args(argv)
    rates: dict[int | str | Reply, float] = {}
    for spec in args.fault:
        entry, _, rate = spec.partition("=")
        rates[int(entry) if entry.isdigit() else entry] = float(rate)
    faults = FaultMix(rates, seed=args.fault_seed) if rates else None
    with LoopbackServer(
        latency_s=args.latency, model=args.model, host=args.host, port=args.port, faults=faults
    ) as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
