"""The backend for any OpenAI-compatible chat-completions server: vLLM, SGLang, Ollama, llama.cpp, hosted APIs.

Built on the official `openai` async client with the client's own retries turned off, because the
retry policy here is the one a long generation run needs:

- at most `max_concurrency` requests in flight (a queue of slots, each tied to an HTTP client with
  room for it, so no request waits for a connection); plain-`http://` servers are reached through a
  lean HTTP/1.1 transport under the `openai` client (`hardgen.llm._http11`), `https://` ones through
  the client's default transport, in shards of 16 connections (its pool scans every connection on
  every request);
- `timeout_s` bounds each HTTP attempt as a whole, connecting and reading included, on every
  transport (a server that drips its answer a byte at a time cannot hold an attempt longer);
  connecting alone gets at most `min(10 s, timeout_s / 2)`, so an unreachable host is told apart
  from a slow answer;
- retries with exponential backoff and jitter on 429, 408, 5xx, timeouts, connection errors and
  answers that are not a chat completion (truncated or non-JSON bodies), never on other 4xx; a
  `Retry-After` header is honoured;
- one circuit breaker per backend (see `CircuitBreaker`): a server that keeps failing gets a pause,
  and waiting through it costs a request none of its retries;
- an optional SQLite response cache (see `ResponseCache`), so a re-run costs nothing;
- an optional `RequestBudget` shared with other backends, charged per request sent;
- accounting of requests, cache hits, retries, failures, tokens and latency (`stats`).

When a request fails for good, `complete` raises `BackendError`, whose message names the server, the
model, what went wrong and what to check; the caller records it for its unit of work. When the
server cannot serve the run at all it raises `ServerUnusableError` instead, and every later request
does the same without being sent: after `max_consecutive_rejections` non-retryable 4xx answers in a
row with no success in between (a server started without tool calling, a wrong model name or key),
when connecting failed `max_retries + 1` times in a row (a lone request's tries, or the breaker's
probes while it holds the others back) or for `unreachable_after_s`, or when the breaker gave up on it. When the budget is spent it raises `BudgetExhaustedError`. Both are
for the caller to stop the run on (`is_fatal`), not to count as failures of the model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai

from hardgen.llm._breaker import CircuitBreaker
from hardgen.llm._budget import RequestBudget
from hardgen.llm._cache import ResponseCache, cache_key
from hardgen.llm._errors import BackendError, BudgetExhaustedError, ServerUnusableError
from hardgen.llm._http11 import HTTPX, Http11Transport, guard_deadline, lean_transport_applies
from hardgen.llm._parse import parse_assistant_output_async
from hardgen.llm._protocol import ChatRequest, ChatResponse, Usage
from hardgen.llm._stats import BackendStats

logger = logging.getLogger("hardgen.llm")

API_KEY_ENV_VARS = ("HARDGEN_API_KEY", "OPENAI_API_KEY")
"""Environment variables read, in order, when no api_key is given (else the key is `EMPTY`)."""

_RETRYABLE_STATUS = frozenset({408, 429})
_CONNECTIONS_PER_CLIENT = 16
_CONNECT_TIMEOUT_MAX_S = 10.0
_SCHEMA_NAME = re.compile(r"[^A-Za-z0-9_-]")
# Words of the 400 answers vLLM, SGLang, llama.cpp server and Ollama give a prompt over the context window.
_CONTEXT_WORDS = ("context", "max_model_len", "too many tokens", "prompt is too long", "maximum input length")
_CONTEXT_ADVICE = (
    "The prompt does not fit the server's context window: start the server with a longer one (vLLM "
    "`--max-model-len`, SGLang `--context-length`, llama.cpp server `-c` / `--ctx-size`, Ollama `num_ctx` in the "
    "Modelfile or the request's options) or lower max_tokens."
)
_TOOLS_ADVICE = (
    "The server does not accept tool calls as started: enable tool calling (vLLM `--enable-auto-tool-choice "
    "--tool-call-parser hermes|llama3_json|mistral|pythonic`, the parser that matches the model; SGLang "
    "`--tool-call-parser qwen25|llama3|mistral|pythonic`; llama.cpp server `--jinja`; Ollama: a model whose "
    "chat template supports tools)."
)


@dataclass(frozen=True)
class _Failure:
    """One failed attempt, classified."""

    kind: str
    """`status`, `timeout`, `connection` or `bad_response` (and `circuit_open` for a failed probe)."""
    detail: str
    retryable: bool
    status: int | None = None
    retry_after: float | None = None
    connect: bool = False
    """No connection could be made (refused, unknown host, connect timeout): the server was not reached."""
    refused: bool = False
    """A connect failure that says the server is not there (refused, unknown host), unlike a connect
    timeout, which an overloaded machine or server gives as well."""

    def describe(self) -> str:
        return f"HTTP {self.status}: {self.detail}" if self.status is not None else f"{self.kind}: {self.detail}"


class _BadResponse(Exception):
    """The server answered 200 with something that is not a chat completion."""


class _AttemptTimeout(Exception):
    """An attempt ran past `timeout_s` as a whole (however its bytes trickled in)."""


@dataclass
class _LoopResources:
    """What must belong to one event loop: the HTTP clients (their connections) and the concurrency slots.

    `slots` holds `max_concurrency` entries, each naming the client a request holding it uses: taking
    one is the concurrency bound, and no client ever has more requests than its pool has connections.
    """

    clients: list[openai.AsyncOpenAI]
    slots: asyncio.Queue[openai.AsyncOpenAI]


class OpenAICompatibleBackend:
    """A `Backend` that talks to an OpenAI-compatible `/v1/chat/completions` endpoint.

    `base_url` is the server's API root, e.g. `http://localhost:8000/v1` (vLLM), `http://localhost:11434/v1`
    (Ollama), `https://api.openai.com/v1`. `api_key` defaults to `$HARDGEN_API_KEY`, then `$OPENAI_API_KEY`,
    then `EMPTY` (what local servers accept). `cache` is a `ResponseCache` or a path to its SQLite file.
    `extra_body` is merged into every request body for server-specific options, e.g.
    `{"chat_template_kwargs": {"enable_thinking": False}}` for vLLM. `lean_http` (default: automatic)
    sends plain-`http://` requests through a lean HTTP/1.1 transport under the `openai` client, several
    times cheaper per request than the default one (see `hardgen.llm._http11`); `https://` URLs always
    use the default transport.

    Giving up on the server (`ServerUnusableError`): `max_consecutive_rejections` non-retryable 4xx
    answers in a row with no success in between; `max_retries + 1` connect failures in a row (a
    request's own tries, or the breaker's probes), or connect failures with no answer in between for
    `unreachable_after_s`; the breaker giving up after
    `breaker_give_up_s` of failures (None: never). `budget`, when given, is charged one request per
    request sent and the tokens of its answer (cache hits are free).
    """

    name: str = "openai-compatible"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        max_concurrency: int = 16,
        timeout_s: float = 300.0,
        max_retries: int = 4,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        max_retry_after_s: float = 120.0,
        breaker_threshold: int = 8,
        breaker_cooldown_s: float = 10.0,
        breaker_cooldown_max_s: float | None = None,
        breaker_give_up_s: float | None = 120.0,
        max_consecutive_rejections: int = 5,
        unreachable_after_s: float = 60.0,
        cache: ResponseCache | str | Path | None = None,
        budget: RequestBudget | None = None,
        extra_body: dict[str, Any] | None = None,
        default_headers: dict[str, str] | None = None,
        lean_http: bool | None = None,
    ) -> None:
        if not base_url or "://" not in base_url:
            raise ValueError(f"base_url {base_url!r} is not a URL; expected e.g. 'http://localhost:8000/v1'")
        if not model:
            raise ValueError("model must name the model the server serves (GET <base_url>/models lists them)")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        if max_retries < 0:
            raise ValueError(f"max_retries must not be negative, got {max_retries}")
        if max_consecutive_rejections < 1:
            raise ValueError(f"max_consecutive_rejections must be at least 1, got {max_consecutive_rejections}")
        if unreachable_after_s < 0:
            raise ValueError(f"unreachable_after_s must not be negative, got {unreachable_after_s}")
        self.base_url = base_url.rstrip("/")
        self.model: str | None = model
        self.api_key = api_key or next((os.environ[v] for v in API_KEY_ENV_VARS if os.environ.get(v)), "EMPTY")
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.max_retry_after_s = max_retry_after_s
        self.extra_body = dict(extra_body or {})
        self.default_headers = dict(default_headers or {})
        self.lean_http = lean_transport_applies(self.base_url) if lean_http is None else lean_http
        """Whether requests go through the lean HTTP/1.1 transport (plain http, no proxy) or httpx's own."""
        if self.lean_http and not lean_transport_applies(self.base_url):
            raise ValueError(f"lean_http=True needs a plain http:// base_url with no proxy, got {self.base_url!r}")
        self.max_consecutive_rejections = max_consecutive_rejections
        self.unreachable_after_s = unreachable_after_s
        self.budget = budget
        self.breaker = CircuitBreaker(
            breaker_threshold,
            breaker_cooldown_s,
            cooldown_max_s=breaker_cooldown_max_s,
            give_up_after_s=breaker_give_up_s,
        )
        self._owns_cache = cache is not None and not isinstance(cache, ResponseCache)
        self.cache: ResponseCache | None = (
            cache if isinstance(cache, ResponseCache) or cache is None else ResponseCache(cache)
        )
        self._stats = BackendStats()
        self._structured_mode = "json_schema"
        self._random = random.Random()
        self._rejections = 0  # non-retryable 4xx answers since the last success
        self._unreachable_since: float | None = None  # first connect failure since the server last answered
        self._answers = 0  # HTTP answers of any status: a run of connect failures spans none
        self._connect_probes = 0  # breaker probes in a row that could not connect
        self._unusable: ServerUnusableError | None = None
        self._resources: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopResources] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"OpenAICompatibleBackend(base_url={self.base_url!r}, model={self.model!r})"

    @property
    def stats(self) -> BackendStats:
        """A snapshot of the accounting so far."""
        return self._stats.model_copy(update={"breaker_opens": self.breaker.opens})

    # -- the protocol ------------------------------------------------------------------------

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """Answer one chat request (from the cache when it holds it).

        Raises `BackendError` when the request failed for good, `ServerUnusableError` when the server
        cannot serve the run (also for every request after that, unsent; cache hits are still
        answered), `BudgetExhaustedError` when the shared budget is spent (unsent).
        """
        self._stats.requests += 1
        key = self._cache_key(request) if self.cache is not None else None
        if self.cache is not None and key is not None:
            cached = self.cache.get(key)
            if cached is not None:
                self._stats.cache_hits += 1
                return await self._response(cached, request, latency_s=0.0, cache_hit=True)
        if self._unusable is not None:
            self._stats.refused += 1
            raise self._unusable_again()
        if self.budget is not None:
            try:
                self.budget.charge_request(server=self.base_url, model=self.model)
            except BudgetExhaustedError:
                self._stats.refused += 1
                raise
        started = time.perf_counter()
        try:
            payload = await self._send_with_retries(request)
        except BackendError:
            self._stats.failures += 1
            raise
        latency = time.perf_counter() - started
        response = await self._response(payload, request, latency_s=latency, cache_hit=False)
        self._stats.prompt_tokens += response.usage.prompt_tokens
        self._stats.completion_tokens += response.usage.completion_tokens
        self._stats.latency_s_total += latency
        self._stats.latency_s_max = max(self._stats.latency_s_max, latency)
        if self.budget is not None:
            self.budget.add_tokens(response.usage.prompt_tokens, response.usage.completion_tokens)
        if response.parse_errors:
            self._stats.parse_errors += 1
        if self.cache is not None and key is not None:
            self.cache.put(key, payload, model=self.model)
        return response

    @property
    def unusable(self) -> ServerUnusableError | None:
        """The error this backend gave up on its server with (None while it has not)."""
        return self._unusable

    def _cache_key(self, request: ChatRequest) -> str:
        if self.extra_body:
            # The backend's extra_body changes what the server is asked, so it belongs in the key.
            request = request.model_copy(update={"extra_body": {**self.extra_body, **(request.extra_body or {})}})
        return cache_key(self.model, request)

    async def aclose(self) -> None:
        """Close the HTTP client of the running loop (and the cache, when this backend opened it)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        resources = self._resources.pop(loop, None) if loop is not None else None
        if resources is not None:
            for client in resources.clients:
                await client.close()
        if self._owns_cache and self.cache is not None:
            self.cache.close()
            self.cache = None

    async def __aenter__(self) -> OpenAICompatibleBackend:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- sending -----------------------------------------------------------------------------

    async def _send_with_retries(self, request: ChatRequest) -> dict[str, Any]:
        resources = self._loop_resources()
        failed = 0  # attempts of this request that were sent and failed (waiting on the breaker is free)
        # This request's run of connect failures with no answer from the server in between: its
        # length, and the server's answer count when it began.
        unreached, unreached_answers = 0, -1
        while True:
            ticket = await self.breaker.acquire()
            if not ticket.go:
                raise self._unusable_again() if self._unusable is not None else self._breaker_gave_up(failed)
            body = self._request_body(request)
            client = await resources.slots.get()
            try:
                if not self.breaker.admits(ticket):
                    # It opened while this request queued for a slot: back to the breaker, sending nothing.
                    self.breaker.release(ticket)
                    continue
                self._stats.http_requests += 1
                payload = await self._attempt(client, body)
                self._answered()
                self._rejections = 0
                self.breaker.record_success(ticket)
                return payload
            except (openai.APIError, _BadResponse, _AttemptTimeout) as exc:
                failure = self._classify(exc)
            except BaseException:
                self.breaker.release(ticket)
                raise
            finally:
                resources.slots.put_nowait(client)

            if not failure.retryable:
                self._answered()
                self.breaker.record_success(ticket)  # the server is up: it judged the request
                if self._should_fall_back_to_json_object(request, failure):
                    self._structured_mode = "json_object"
                    self._stats.structured_output_fallbacks += 1
                    logger.warning("%s rejected json_schema output; falling back to json_object", self.base_url)
                    continue
                self._rejections += 1
                if self._rejections >= self.max_consecutive_rejections:
                    raise self._give_up(self._rejected_error(failure, attempts=failed + 1))
                raise self._error(failure, attempts=failed + 1)
            failed += 1
            opened = self.breaker.record_failure(ticket, failure.describe())
            if failure.connect:
                if unreached_answers != self._answers:  # the server answered someone since: a new run
                    unreached, unreached_answers = 0, self._answers
                if failure.refused:  # a connect timeout neither counts in the run nor breaks it
                    unreached += 1
                    if ticket.probe:
                        self._connect_probes += 1
                self._not_connected(failure, unreached)
            else:
                unreached = 0
                if ticket.probe:
                    self._connect_probes = 0  # the run of probes that could not connect is broken
                if failure.kind in ("status", "bad_response"):
                    self._answered()
            if opened:
                logger.warning(
                    "%s failed %d times in a row (%s): pausing all requests for %.1f s",
                    self.base_url,
                    self.breaker.consecutive_failures,
                    failure.describe(),
                    self.breaker.current_cooldown_s,
                )
            if failed > self.max_retries:
                raise self._error(failure, attempts=failed)
            self._stats.retries += 1
            delay = self._backoff_s(failed, failure.retry_after)
            logger.debug("retrying %s in %.2f s after %s", self.base_url, delay, failure.describe())
            await asyncio.sleep(delay)

    async def _attempt(self, client: openai.AsyncOpenAI, body: dict[str, Any]) -> dict[str, Any]:
        """One HTTP attempt, bounded as a whole by `timeout_s`.

        The transports' own timeouts bound each read, not the attempt: a server sending a byte now and
        then would hold the httpx transport forever, so the attempt runs under its own deadline.
        """
        try:
            # The raw-response route of the official client (as its README documents for custom
            # requests): no typed-params transform per request; the body is parsed here, leniently.
            raw = await guard_deadline(
                client.post("/chat/completions", body=body, cast_to=HTTPX.Response), self.timeout_s
            )
        except asyncio.TimeoutError:
            # Inside the client every timeout becomes `APITimeoutError`, so a bare one is this deadline's.
            raise _AttemptTimeout() from None
        return _read_completion(raw.content)

    def _not_connected(self, failure: _Failure, unreached: int) -> None:
        """A connect failure: give up on the server, or see that the next probe comes soon enough.

        The server is given up on once connecting was refused (or its host unknown) `max_retries + 1`
        times in a row with no answer from it in between, each try after the backoff a retry waits:
        every try of one request (`unreached`, its run of refusals), or the breaker's trip and then
        `max_retries` refused probes while it holds the other requests back, so a wrong URL ends as
        quickly at concurrency 256 as at 1. A request whose run was broken by a timeout or a 5xx, or a
        server that answered others meanwhile, is not unreachable. Connect timeouts count only towards
        `unreachable_after_s` (connect failures of any kind with no answer in between), the end
        whatever the settings: a machine or server under heavy load times out connects too.
        """
        now = time.monotonic()
        if self._unreachable_since is None:
            self._unreachable_since = now
        deadline = self._unreachable_since + self.unreachable_after_s
        probes = self._connect_probes
        if now >= deadline or (failure.refused and (unreached > self.max_retries or probes >= self.max_retries)):
            raise self._give_up(self._unreachable_error(failure, tries=max(unreached, probes + 1, 1)))
        # Probe no later than the deadline; after a refusal, as soon as a lone request would retry (not a
        # whole cool-down): refusing a connection costs the server nothing, and the give-up needs probes.
        self.breaker.probe_by(min(deadline, now + self._backoff_s(probes + 1, None)) if failure.refused else deadline)

    def _answered(self) -> None:
        """The server sent an HTTP answer: it is reachable."""
        self._unreachable_since = None
        self._connect_probes = 0
        self._answers += 1

    def _request_body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [
                m.to_openai(include_reasoning=request.send_reasoning, include_name=request.send_tool_names)
                for m in request.messages
            ],
        }
        if request.tools:
            body["tools"] = [t.to_openai() for t in request.tools]
        if request.tool_choice is not None:
            body["tool_choice"] = request.tool_choice
        for name in ("temperature", "top_p", "max_tokens", "seed", "stop"):
            value = getattr(request, name)
            if value is not None:
                body[name] = value
        if request.response_schema is not None:
            body["response_format"] = self._response_format(request.response_schema)
        body.update(self.extra_body)
        if request.extra_body:
            body.update(request.extra_body)  # the request's own options win over the backend's
        return body

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self._structured_mode == "json_object":
            return {"type": "json_object"}
        name = _SCHEMA_NAME.sub("_", str(schema.get("title") or "response"))[:64] or "response"
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}

    def _should_fall_back_to_json_object(self, request: ChatRequest, failure: _Failure) -> bool:
        detail = failure.detail.lower()
        return (
            request.response_schema is not None
            and self._structured_mode == "json_schema"
            and failure.status in (400, 422)
            and ("json_schema" in detail or "response_format" in detail)
        )

    def _backoff_s(self, failed: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after_s)
        ceiling = min(self.backoff_max_s, self.backoff_base_s * (2 ** (failed - 1)))
        return ceiling * (0.5 + 0.5 * self._random.random())  # "equal jitter": spread, but never near zero

    def _loop_resources(self) -> _LoopResources:
        loop = asyncio.get_running_loop()
        resources = self._resources.get(loop)
        if resources is None:
            if self.lean_http:
                clients = [self._new_client(Http11Transport(max_idle=self.max_concurrency))]
            else:
                # Several clients with small pools rather than one large pool: the default HTTP pool scans
                # all its connections on every request, O(pool size) per request.
                shards = -(-self.max_concurrency // _CONNECTIONS_PER_CLIENT)
                per_client = -(-self.max_concurrency // shards)
                limits = HTTPX.Limits(max_connections=per_client, max_keepalive_connections=per_client)
                clients = [self._new_client(None, limits) for _ in range(shards)]
            slots: asyncio.Queue[openai.AsyncOpenAI] = asyncio.Queue()
            for i in range(self.max_concurrency):
                slots.put_nowait(clients[i % len(clients)])
            resources = _LoopResources(clients=clients, slots=slots)
            self._resources[loop] = resources
        return resources

    def _new_client(self, transport: Any, limits: Any = None) -> openai.AsyncOpenAI:
        # The openai package's own HTTP client class (its defaults: redirects, timeouts), with our pool.
        # Connecting gets less than the whole attempt, so a host that never accepts shows as a connect
        # failure (the server is unreachable), not as a slow answer.
        timeout = HTTPX.Timeout(self.timeout_s, connect=min(_CONNECT_TIMEOUT_MAX_S, self.timeout_s / 2))
        http_client = (
            openai.DefaultAsyncHttpxClient(transport=transport, timeout=timeout)
            if transport is not None
            else openai.DefaultAsyncHttpxClient(limits=limits, timeout=timeout)
        )
        return openai.AsyncOpenAI(
            base_url=self.base_url,
            api_key=self.api_key,
            max_retries=0,  # retries are ours (backoff, Retry-After, circuit breaker)
            timeout=timeout,
            default_headers=self.default_headers or None,
            http_client=http_client,
        )

    # -- reading -----------------------------------------------------------------------------

    def _classify(self, exc: BaseException) -> _Failure:
        if isinstance(exc, _BadResponse):
            return _Failure("bad_response", str(exc), retryable=True)
        if isinstance(exc, _AttemptTimeout):
            return _Failure("timeout", f"no answer within {self.timeout_s:g} s", retryable=True)
        if isinstance(exc, openai.APITimeoutError):
            if isinstance(exc.__cause__, HTTPX.ConnectTimeout):
                connect_s = min(_CONNECT_TIMEOUT_MAX_S, self.timeout_s / 2)
                return _Failure("connection", f"connecting timed out after {connect_s:g} s", True, connect=True)
            return _Failure("timeout", f"no answer within {self.timeout_s:g} s", retryable=True)
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc
            detail = f"{type(cause).__name__}: {cause}".rstrip(": ")
            refused = isinstance(cause, HTTPX.ConnectError)
            return _Failure("connection", detail, retryable=True, connect=refused, refused=refused)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            return _Failure(
                "status",
                _error_detail(exc),
                retryable=status in _RETRYABLE_STATUS or status >= 500,
                status=status,
                retry_after=_retry_after_s(exc.response.headers),
            )
        return _Failure("connection", f"{type(exc).__name__}: {exc}", retryable=True)

    def _error(self, failure: _Failure, *, attempts: int) -> BackendError:
        where = f"chat completion at {self.base_url} (model {self.model!r})"
        tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
        message = f"{where} failed {tries}: {failure.describe()}. {self._advice(failure)}"
        return BackendError(
            message,
            server=self.base_url,
            model=self.model,
            status=failure.status,
            kind=failure.kind,
            attempts=attempts,
        )

    def _advice(self, failure: _Failure) -> str:
        status = failure.status
        if failure.kind == "connection":
            return (
                f"Check that the server is running and reachable at {self.base_url} (host, port, and the /v1 suffix)."
            )
        if failure.kind == "timeout":
            return (
                f"The server did not answer within {self.timeout_s:g} s: raise timeout_s, lower max_concurrency "
                f"(now {self.max_concurrency}) or max_tokens, or check that the server is not overloaded."
            )
        if failure.kind == "bad_response":
            return "Check that base_url points at an OpenAI-compatible API (not a web page or a proxy error page)."
        if status == 429:
            return "The server is rate-limiting: lower max_concurrency, raise max_retries, or check your quota."
        if status is not None and status >= 500:
            return "The server failed: check its logs (model loaded? out of memory? crashed?)."
        return self._client_error_advice(failure)

    def _client_error_advice(self, failure: _Failure) -> str:
        """What to fix for a request the server rejected (a 4xx it will answer again the same way)."""
        status = failure.status
        detail = failure.detail.lower()
        if status in (401, 403):
            return f"Check the API key (api_key=, or ${API_KEY_ENV_VARS[0]} / ${API_KEY_ENV_VARS[1]})."
        if status == 404:
            return (
                f"Check base_url (usually ending in /v1) and the model name {self.model!r} "
                "(GET <base_url>/models lists the models the server serves)."
            )
        if any(word in detail for word in _CONTEXT_WORDS):
            return _CONTEXT_ADVICE
        if "tool" in detail:
            return _TOOLS_ADVICE
        return (
            "The server rejected the request: check that this model supports what it asked for "
            "(tools, tool_choice, response_format, sampling parameters) and the context length."
        )

    # -- giving up on the server -------------------------------------------------------------

    def _give_up(self, error: ServerUnusableError) -> ServerUnusableError:
        """Record that the server is unusable (the first reason stays) and stop every waiting request."""
        if self._unusable is not None:
            return self._unusable_again()  # another request got there first: one reason for all
        self._unusable = error
        self.breaker.give_up(str(error))
        logger.error("%s", error)
        return error

    def _unusable_again(self) -> ServerUnusableError:
        """The error the backend gave up with, raised afresh for a request it did not send."""
        first = self._unusable
        assert first is not None
        return ServerUnusableError(
            str(first), server=first.server, model=first.model, status=first.status, kind=first.kind, attempts=0
        )

    def _rejected_error(self, failure: _Failure, *, attempts: int) -> ServerUnusableError:
        message = (
            f"{self.base_url} (model {self.model!r}) rejected {self._rejections} requests in a row with no "
            f"success in between, the last with {failure.describe()}. It is not set up for what this run asks, "
            f"so every request would fail the same way. {self._client_error_advice(failure)} Then resume the run."
        )
        return ServerUnusableError(
            message, server=self.base_url, model=self.model, status=failure.status, kind=failure.kind, attempts=attempts
        )

    def _unreachable_error(self, failure: _Failure, *, tries: int) -> ServerUnusableError:
        since = self._unreachable_since
        down_s = time.monotonic() - since if since is not None else 0.0
        message = (
            f"{self.base_url} cannot be reached: {failure.detail} (no connection for {down_s:.1f} s, "
            f"{tries} tr{'ies' if tries != 1 else 'y'} in a row). Check that the server is "
            "running and listening there (still loading the model?), that base_url is right (scheme, host, port "
            "and the /v1 suffix), and that no firewall or proxy is in the way; then resume the run."
        )
        return ServerUnusableError(message, server=self.base_url, model=self.model, kind="connection", attempts=tries)

    def _breaker_gave_up(self, attempts: int) -> ServerUnusableError:
        message = (
            f"{self.base_url} (model {self.model!r}) is unusable: {self.breaker.gave_up_reason}. Check the "
            "server's logs (model loaded? out of memory? overloaded?) and its health, then resume the run."
        )
        error = ServerUnusableError(
            message, server=self.base_url, model=self.model, kind="circuit_open", attempts=attempts
        )
        return self._give_up(error)

    async def _response(
        self, payload: dict[str, Any], request: ChatRequest, *, latency_s: float, cache_hit: bool
    ) -> ChatResponse:
        wire = payload.get("message") or {}
        content = wire.get("content")
        if isinstance(content, list):  # content parts: keep the text ones
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        elif content is not None and not isinstance(content, str):
            content = json.dumps(content)
        reasoning = wire.get("reasoning_content") or wire.get("reasoning")
        # The offered names decide whether untagged JSON is a call; a long reply is parsed off the loop.
        message, errors = await parse_assistant_output_async(
            content,
            wire.get("tool_calls") or None,
            reasoning if isinstance(reasoning, str) else None,
            tool_names=[t.name for t in request.tools or []],
        )
        usage = payload.get("usage") or {}
        return ChatResponse(
            message=message,
            finish_reason=payload.get("finish_reason"),
            usage=Usage(
                prompt_tokens=_int(usage.get("prompt_tokens")), completion_tokens=_int(usage.get("completion_tokens"))
            ),
            latency_s=latency_s,
            cache_hit=cache_hit,
            model=payload.get("model") or self.model,
            parse_errors=errors,
        )


def _read_completion(content: bytes) -> dict[str, Any]:
    """The parts of a chat-completion body that matter, as the cache stores them."""
    try:
        data = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _BadResponse(f"the response body is not valid JSON ({exc}): {_snippet(content)}") from None
    if not isinstance(data, dict):
        raise _BadResponse(f"the response body is not a JSON object: {_snippet(content)}")
    if "error" in data and not data.get("choices"):
        raise _BadResponse(f"the server answered with an error: {_snippet(json.dumps(data['error']))}")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise _BadResponse(f"the response has no choices: {_snippet(content)}")
    message = choices[0].get("message")
    if not isinstance(message, dict):
        raise _BadResponse(f"the first choice has no message: {_snippet(content)}")
    usage = data.get("usage")
    return {
        "message": message,
        "finish_reason": choices[0].get("finish_reason"),
        "usage": usage if isinstance(usage, dict) else {},
        "model": data.get("model"),
    }


def _error_detail(exc: openai.APIStatusError) -> str:
    try:
        data = exc.response.json()
    except Exception:
        data = None
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:500]
        if isinstance(err, str):
            return err[:500]
        if isinstance(data.get("detail"), str):  # FastAPI-style servers
            return data["detail"][:500]
    try:
        text = exc.response.text
    except Exception:
        text = ""
    return text.strip()[:500] or exc.message


def _retry_after_s(headers: Any) -> float | None:
    """Seconds from `retry-after-ms` / `retry-after` (seconds or an HTTP date), when present."""
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return float(value) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _snippet(content: bytes | str) -> str:
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    return repr(text[:200] + ("..." if len(text) > 200 else ""))
