"""Environments over MCP servers (`kind: mcp`): tools from any Model Context Protocol server.

A server is reached by a stdio command or a streamable HTTP URL through the official `mcp` SDK
(`pip install 'hardgen[mcp]'`, imported only when such a server is used). Its tools become
`ToolSpec`s from the schemas it lists (name, description, `inputSchema`, `outputSchema`); a call's
result becomes an observation: `structuredContent` when the server gives it, else its text content
as read by `read_text` (JSON, a Python literal as servers returning `str(rows)` send, `Key: value`
records, headed sections, item lists; see `_text_reading`), else the text. A text that was read
keeps its literal words in `Observation.text`: the agent sees what the real server says, while the
values inside it (a commit sha, a branch, a table) reach the graph's pools and data-flow evidence.
`isError` is an error observation, and so is a result that is only a text starting `Error:` or
`<Word> error:` (servers older than `isError` report that way).
`bind` names arguments HardGen passes on every call and hides from the agent (a repository path).

**Read-only by default.** HardGen cannot reset a server it does not own the state of, so without a
store only tools the server annotates `readOnlyHint: true` (or that the source lists in `reads`) are
offered, and the state hash is constant. A **store** (a folder, a SQLite file, a git repository;
see `_stores`) makes the server resettable and all its tools usable: each environment works on its
own copy of the store (`{store}` in the command and `env` is that copy's path), `reset` and
`restore` write the wanted bytes back and restart the server on them, and the store's canonical
content is the state. The copy's path never reaches the agent: arguments naming the store's own
path are rewritten to the copy's, and results naming the copy are rewritten back, so a recorded
call replays on any fresh copy.

The server runs lazily: an environment starts its server on the first call after a reset or
restore that changed the store (building one, hashing it, snapshotting and restoring an unchanged
state start nothing). The client runs on a thread of its own with its own event loop, because the
pipeline calls `call` synchronously from worker threads. Every wait is bounded: the start (with
`initialize` and the tool listing) by `start_timeout_s`, each call by the environment's timeout.
A server that does not start is an `EnvironmentLoadError` naming the command and the end of its
stderr; a call that times out or whose server died is an error observation, after which the
environment is rebuilt as it was before that call (the last snapshot plus the calls since, as
`PythonEnvironment` does). Server processes are killed with their process group when the
environment closes, when it is collected, and at exit; each carries a token in its environment so
that anything it spawned is found and killed too (Linux).

Trust: a source's reference is `mcp:<name>@<digest of command, url, env, store and reads>`, so
trusting it (the run config does; `--trust-sources` for a file read elsewhere) trusts exactly that
command on that store.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import jsonschema.validators

from hardgen.errors import EnvironmentLoadError, MissingDependencyError, ToolDefinitionError, require
from hardgen.schema import EnvironmentSpec, McpServer, Observation, ToolSpec
from hardgen.tools._derive import guess_mutates
from hardgen.tools._state import state_digest
from hardgen.tools._stores import (
    GIT_IDENTITY,
    StoreImage,
    read_store,
    remove_quietly,
    store_hash,
    store_state,
    write_store,
)
from hardgen.tools._text_reading import read_text
from hardgen.tools._trust import check_sources, is_strict

if TYPE_CHECKING:
    from hardgen.pipeline._config import SourceConfig

DEFAULT_CALL_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 10.0
"""The SDK's own shutdown is bounded at about 6 s (stdin closed, 2 s, SIGTERM, 2 s, SIGKILL)."""
_STDERR_TAIL = 2000
_TOKEN_VAR = "HARDGEN_MCP_TOKEN"
_CONSTANT_STATE = state_digest({})


# -- configuration ---------------------------------------------------------------------------------


def _default_name(server: McpServer) -> str:
    if server.command:
        words = [Path(w).name for w in server.command]
        named = next((w for w in words if "mcp" in w.lower()), words[0])
        name = re.sub(r"(?i)^mcp[-_]?server[-_]?|[-_]?mcp$", "", named) or named
    else:
        from urllib.parse import urlparse

        name = urlparse(server.url or "").hostname or "mcp"
    name = re.sub(r"\W+", "_", name).strip("_") or "mcp"
    return name if name[0].isalpha() else f"mcp_{name}"


def configure_source(source: SourceConfig) -> None:
    """Check a `kind: mcp` source and complete it: its store as an absolute path, a name, and
    `target` set to its trust reference. Raises ValueError (the config validator reports it)."""
    if bool(source.command) == bool(source.url):
        raise ValueError("an 'mcp' tool source needs exactly one of command (a list: program and arguments) or url")
    if source.url and source.store:
        raise ValueError(
            "an 'mcp' source with a store needs a command: HardGen restarts the server on each episode's copy of "
            "the store, which it cannot do for a server at a URL"
        )
    if source.store:
        store = Path(source.store).expanduser().resolve()
        if not store.exists():
            raise ValueError(f"the store {source.store!r} of an 'mcp' source does not exist")
        source.store = str(store)
    server = McpServer(
        command=source.command, url=source.url, env=dict(source.env), store=source.store, reads=list(source.reads),
        bind=dict(source.bind), start_timeout_s=source.start_timeout_s,
    )
    source.name = source.name or _default_name(server)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", source.name):
        raise ValueError(f"mcp source name {source.name!r} must be letters, digits, '_' or '-' (it prefixes tool names)")
    expected = server.reference(source.name)
    if source.target is not None and source.target != expected:
        raise ValueError(f"an 'mcp' source's target is derived ({expected!r}); leave it out")
    source.target = expected


def source_spec(source: SourceConfig, seed: int) -> EnvironmentSpec:
    """The environment spec of a configured `kind: mcp` source."""
    assert source.name is not None and source.target is not None  # set by configure_source
    server = McpServer(
        command=source.command, url=source.url, env=dict(source.env), store=source.store, reads=list(source.reads),
        bind=dict(source.bind), start_timeout_s=source.start_timeout_s,
    )
    return EnvironmentSpec(name=source.name, kind="mcp", target=source.target, mcp=server, seed=seed)


def mcp_environment(
    name: str,
    *,
    command: list[str] | None = None,
    url: str | None = None,
    store: str | Path | None = None,
    reads: list[str] | None = None,
    env: dict[str, str] | None = None,
    bind: dict[str, Any] | None = None,
    start_timeout_s: float = 30.0,
    include: list[str] | None = None,
    timeout: float | None = DEFAULT_CALL_TIMEOUT_S,
) -> McpEnvironment:
    """An environment over one MCP server (see the module docstring for `store`, `reads`, `bind`)."""
    server = McpServer(
        command=command, url=url, env=env or {}, store=str(Path(store).resolve()) if store is not None else None,
        reads=reads or [], bind=bind or {}, start_timeout_s=start_timeout_s,
    )
    spec = EnvironmentSpec(name=name, kind="mcp", target=server.reference(name), mcp=server, include=include)
    return McpEnvironment(spec, timeout=timeout)


# -- the event loop thread and one server connection -----------------------------------------------


class _LoopThread:
    """An asyncio loop running on a daemon thread; coroutines are handed to it from any thread."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=f"hardgen-mcp-{name}", daemon=True)
        self._thread.start()

    def submit(self, coro: Any) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def close(self) -> None:
        if self.loop.is_closed():
            return

        async def finish() -> None:  # let cancelled shutdowns reap their processes before the loop goes
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=_STOP_TIMEOUT_S)

        with contextlib.suppress(Exception):
            self.submit(finish()).result(timeout=_STOP_TIMEOUT_S + 1)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=_STOP_TIMEOUT_S)
        if not self._thread.is_alive():
            self.loop.close()


class _Connection:
    """One running server and its client session, held open by a task on the loop thread (the
    SDK's context managers must be entered and left by the same task)."""

    def __init__(self, runner: _LoopThread, open_streams: Callable[[Any], Any], describe: str) -> None:
        self._runner = runner
        self._open_streams = open_streams
        self.describe = describe
        self.session: Any = None
        self.stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._stop: asyncio.Event | None = None
        self._held: concurrent.futures.Future[Any] | None = None
        self._listing: concurrent.futures.Future[list[dict[str, Any]]] = concurrent.futures.Future()

    async def _hold(self) -> None:
        mcp: Any = require("mcp", "mcp", "MCP tool sources")
        self._stop = asyncio.Event()
        try:
            async with contextlib.AsyncExitStack() as stack:
                streams = await stack.enter_async_context(self._open_streams(self.stderr))
                session = await stack.enter_async_context(mcp.ClientSession(streams[0], streams[1]))
                await session.initialize()
                self.session = session
                self._listing.set_result(await _list_tools(session))
                await self._stop.wait()
        except BaseException as exc:  # noqa: BLE001 - whatever ended the server is the start's answer
            if not self._listing.done():
                self._listing.set_exception(exc)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise

    def start(self, timeout: float) -> list[dict[str, Any]]:
        """Start the server, initialize and list its tools, within `timeout` seconds."""
        self._held = self._runner.submit(self._hold())
        try:
            return self._listing.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            self.stop()
            raise EnvironmentLoadError(
                f"MCP server {self.describe} did not answer initialize and tools/list within {timeout:g}s"
                f"{self.stderr_tail()}"
            ) from None
        except MissingDependencyError:
            self.stop()
            raise
        except BaseException as exc:
            self.stop()
            raise EnvironmentLoadError(
                f"MCP server {self.describe} failed to start: {_describe_exception(exc)}{self.stderr_tail()}"
            ) from None

    @property
    def alive(self) -> bool:
        return self._held is not None and not self._held.done()

    def wait_ended(self, timeout: float) -> bool:
        if self._held is None:
            return True
        with contextlib.suppress(concurrent.futures.TimeoutError, concurrent.futures.CancelledError, Exception):
            self._held.result(timeout=timeout)
        return self._held.done()

    def call(self, name: str, arguments: dict[str, Any], timeout: float) -> Any:
        """The server's CallToolResult as a wire-shaped dict. Raises TimeoutError, or what the
        session raised (the connection may have ended: see `alive`)."""
        future = self._runner.submit(self.session.call_tool(name, arguments))
        try:
            result = future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError from None
        return result.model_dump(mode="json", by_alias=True, exclude_none=True)

    def stop(self) -> None:
        """End the session and the server (the SDK closes stdin, then kills the process group).
        The caller sweeps the token's processes after this, for what a cancelled shutdown left."""
        if self._held is None:
            return
        if self.session is not None and self._stop is not None:  # serving: leave through the contexts
            stop = self._stop
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                self._runner.loop.call_soon_threadsafe(stop.set)
            if not self.wait_ended(_STOP_TIMEOUT_S):
                self._held.cancel()
        else:  # still starting (a hung initialize): only cancelling reaches it
            self._held.cancel()
        self.session = None

    def stderr_tail(self) -> str:
        try:
            self.stderr.flush()
            self.stderr.seek(0)
            text = self.stderr.read()
        except (OSError, ValueError):
            return ""
        text = text.strip()
        return f"; its stderr ended: {text[-_STDERR_TAIL:]!r}" if text else "; it wrote nothing on stderr"

    def close(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            self.stderr.close()


async def _list_tools(session: Any) -> list[dict[str, Any]]:
    """Every tool the server lists, following pagination, in the wire (camelCase) shape."""
    tools: list[dict[str, Any]] = []
    result = await session.list_tools()
    while True:
        dumped = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        tools.extend(dumped.get("tools", []))
        cursor = dumped.get("nextCursor")
        if not cursor:
            return tools
        try:  # the SDK's 2.x signature, then 1.x's
            from mcp import types as mcp_types

            result = await session.list_tools(params=mcp_types.PaginatedRequestParams(cursor=cursor))
        except (TypeError, AttributeError):
            result = await session.list_tools(cursor=cursor)


def _quiet_sdk_logging() -> None:
    """The SDK logs a traceback for every stdout line that is not JSON-RPC; a server printing
    garbage would flood the terminal, and HardGen reports the failed start itself (with stderr)."""
    logging.getLogger("mcp.client.stdio").setLevel(logging.CRITICAL)


def _describe_exception(exc: BaseException) -> str:
    """One line for an exception, unwrapping the task groups the SDK raises through."""
    while getattr(exc, "exceptions", None):  # an exception group (anyio's on Python 3.10)
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    text = str(exc).strip() or "(no message)"
    return f"{type(exc).__name__}: {text}"


# -- processes --------------------------------------------------------------------------------------


def _processes_with_token(token: str) -> list[int]:
    """Pids of processes whose environment carries `token` (a server and whatever it spawned)."""
    needle = f"{_TOKEN_VAR}={token}".encode()
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone already, or not ours
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def kill_token_processes(token: str) -> None:
    """Kill every process carrying `token`, with its process group (servers run in their own)."""
    for pid in _processes_with_token(token):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


_LIVE: weakref.WeakSet[McpEnvironment] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for env in list(_LIVE):
        with contextlib.suppress(Exception):
            env.close()


# -- results ----------------------------------------------------------------------------------------


def _parse_text(text: str) -> Any:
    """A text result as data: its reading (`read_text`: JSON, a Python literal, `Key: value`
    records, sections, item lists), else the text itself."""
    reading = read_text(text)
    return text if reading is None else reading


def _block_value(block: dict[str, Any]) -> Any:
    if block.get("type") == "text":
        return _parse_text(str(block.get("text", "")))
    if block.get("type") == "resource":
        resource = block.get("resource", {})
        if "text" in resource:
            return {"uri": resource.get("uri"), "text": _parse_text(str(resource["text"]))}
        return {"uri": resource.get("uri"), "mimeType": resource.get("mimeType")}
    # images, audio, links: what they are, not their bytes
    return {k: v for k, v in block.items() if k in ("type", "mimeType", "uri", "name")}


def result_observation(name: str, result: dict[str, Any]) -> Observation:
    """The observation of one CallToolResult (wire shape)."""
    from hardgen.tools._environment import returned_error_of  # _environment builds MCP environments

    content = result.get("content") or []
    if result.get("isError"):
        text = " ".join(str(b.get("text", "")) for b in content if b.get("type") == "text").strip()
        return Observation.failure("ToolError", f"{name}: {text or 'the server reported an error'}")
    if result.get("structuredContent") is not None:
        return Observation.success(result["structuredContent"])
    texts = [str(b.get("text", "")) for b in content if b.get("type") == "text"]
    if len(texts) == len(content) == 1 and returned_error_of(texts[0]) is not None:
        # Servers written before `isError` (mcp-server-sqlite: "Error: Only SELECT queries are
        # allowed", "Database error: ...") report failures as text; a sample built on one would
        # teach that an error is an answer.
        return Observation.failure("ToolError", f"{name}: {texts[0].strip()}")
    values = [_block_value(b) for b in content]
    if len(texts) == len(content) == 1:
        # The agent sees what the server said (not `"Diff with main:\n"` as a JSON string); the
        # graph, the sampler and the verifier work on its reading.
        return Observation.success(values[0], text=texts[0])
    return Observation.success(values[0] if len(values) == 1 else values)


def _replace_strings(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {_replace_strings(k, old, new): _replace_strings(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_strings(v, old, new) for v in value]
    return value


# -- the environment --------------------------------------------------------------------------------


@dataclass(frozen=True)
class McpSnapshot:
    """A store's bytes and their state hash (None for a server without a store)."""

    image: StoreImage | None
    digest: str


@dataclass(frozen=True)
class _LoggedCall:
    name: str
    arguments: dict[str, Any]


@dataclass
class _Tool:
    spec: ToolSpec
    validator: Any
    bound: list[str]
    """The tool's parameters that `bind` fills in."""


_LISTINGS: dict[tuple[str, str, tuple[str, ...] | None], list[dict[str, Any]]] = {}
"""Tool listings per server, so that building more environments over it starts nothing."""


class McpEnvironment:
    """An environment over one MCP server; implements the `Environment` protocol (see the module
    docstring). Not thread-safe: make one per thread, like `PythonEnvironment`."""

    def __init__(self, spec: EnvironmentSpec, *, timeout: float | None = DEFAULT_CALL_TIMEOUT_S) -> None:
        if spec.kind != "mcp" or spec.mcp is None:
            raise EnvironmentLoadError(f"environment {spec.name!r} is not an MCP source (kind={spec.kind!r})")
        if is_strict():  # before anything runs: a file must not choose the command
            check_sources([spec], where=f"environment {spec.name!r}")
        server = spec.mcp
        if spec.target != server.reference(spec.name):
            raise EnvironmentLoadError(
                f"environment {spec.name!r}: target {spec.target!r} does not match its server (expected "
                f"{server.reference(spec.name)!r}); the command or store was changed after it was named"
            )
        if bool(server.command) == bool(server.url):
            raise EnvironmentLoadError(f"MCP environment {spec.name!r} needs exactly one of command or url")
        if server.store is not None and not server.command:
            raise EnvironmentLoadError(f"MCP environment {spec.name!r}: a store needs a command, not a url")
        require("mcp", "mcp", "MCP tool sources")
        _quiet_sdk_logging()
        self.spec = spec
        self.name = spec.name
        self.server = server
        self.timeout = timeout if timeout is not None else DEFAULT_CALL_TIMEOUT_S
        self._token = uuid.uuid4().hex
        self._runner: _LoopThread | None = None
        self._connection: _Connection | None = None
        self._closed = False
        self._unavailable: str | None = None
        self._log: list[_LoggedCall] = []
        self._episode_dir: Path | None = None
        self._copy: Path | None = None
        self._pristine: McpSnapshot | None = None
        self._base: McpSnapshot | None = None
        _LIVE.add(self)
        try:
            if server.store is not None:
                store = Path(server.store)
                if not store.exists():
                    raise EnvironmentLoadError(f"MCP environment {spec.name!r}: store {store} does not exist")
                self._episode_dir = Path(tempfile.mkdtemp(prefix=f"hardgen-mcp-{spec.name}-")).resolve()
                self._copy = self._episode_dir / store.name
                image = read_store(store)
                write_store(image, self._copy)
                self._pristine = McpSnapshot(image, store_hash(self._copy))
            self._tools = self._compile(self._listing())
        except BaseException:
            self.close()
            raise

    # -- building ---------------------------------------------------------------------------------
    @property
    def _describe(self) -> str:
        if self.server.command:
            return f"{self.name!r} (command {' '.join(self.server.command)!r})"
        return f"{self.name!r} (url {self.server.url!r})"

    def _listing(self) -> list[dict[str, Any]]:
        key = (self.server.digest(), self.name, tuple(self.spec.include) if self.spec.include is not None else None)
        listing = _LISTINGS.get(key)
        if listing is None:
            listing = self._connect()
            _LISTINGS[key] = listing
        return listing

    def _compile(self, listing: list[dict[str, Any]]) -> dict[str, _Tool]:
        reads = set(self.server.reads)
        by_name = {str(t.get("name")): t for t in listing}
        unknown = sorted((reads | set(self.spec.include or [])) - set(by_name))
        if unknown:
            raise ToolDefinitionError(
                f"MCP server {self._describe} lists no tool(s) {unknown} (it lists {sorted(by_name)})"
            )
        tools: dict[str, _Tool] = {}
        for name, listed in by_name.items():
            if self.spec.include is not None and name not in self.spec.include:
                continue
            hint = (listed.get("annotations") or {}).get("readOnlyHint")
            is_read = hint is True or name in reads
            if self.server.store is None and not is_read:
                continue  # read-only use: a write could not be undone
            mutates = False if is_read else (hint is False or guess_mutates(name))
            parameters = dict(listed.get("inputSchema") or {"type": "object"})
            parameters.setdefault("type", "object")
            # Bound arguments are HardGen's to give: the agent neither sees nor passes them.
            parameters["properties"] = {
                k: v for k, v in (parameters.get("properties") or {}).items() if k not in self.server.bind
            }
            if "required" in parameters:
                parameters["required"] = [r for r in parameters["required"] if r not in self.server.bind]
            try:
                spec = ToolSpec(
                    name=name,
                    description=str(listed.get("description") or ""),
                    parameters=parameters,
                    returns=listed.get("outputSchema"),
                    mutates=mutates,
                    environment=self.name,
                )
                cls = jsonschema.validators.validator_for(parameters, default=jsonschema.Draft202012Validator)
                cls.check_schema(parameters)
            except (ValueError, jsonschema.SchemaError) as exc:
                raise ToolDefinitionError(f"MCP server {self._describe}: tool {name!r} cannot be offered: {exc}") from exc
            bound = sorted(set(self.server.bind) & set((listed.get("inputSchema") or {}).get("properties") or {}))
            tools[name] = _Tool(spec, cls(parameters), bound)
        if not tools:
            raise EnvironmentLoadError(
                f"MCP server {self._describe} offers no tool HardGen can use read-only (none is annotated "
                f"readOnlyHint: true; it lists {sorted(by_name)}): name its reads in `reads`, or give it a `store` "
                f"that HardGen copies per episode to use its writes"
            )
        return tools

    def _open_streams(self) -> Callable[[Any], Any]:
        if self.server.url:
            from mcp.client import streamable_http

            url = self.server.url
            # The SDK's 2.x name, then 1.x's.
            names = vars(streamable_http)
            client = names.get("streamable_http_client") or names["streamablehttp_client"]

            def open_http(_errlog: Any) -> Any:
                return client(url)

            return open_http
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        assert self.server.command
        where = str(self._copy) if self._copy is not None else ""
        command = [part.replace("{store}", where) for part in self.server.command]
        program = shutil.which(command[0])
        if program is None:
            raise EnvironmentLoadError(f"MCP server {self._describe}: {command[0]!r} is not an executable on PATH")
        env = {k: v.replace("{store}", where) for k, v in self.server.env.items()}
        if self._copy is not None:
            env = {**GIT_IDENTITY, **env}
        env[_TOKEN_VAR] = self._token
        params = StdioServerParameters(
            command=program, args=command[1:], env=env, cwd=str(self._episode_dir) if self._episode_dir else None
        )

        def open_stdio(errlog: Any) -> Any:
            return stdio_client(params, errlog=errlog)

        return open_stdio

    def _connect(self) -> list[dict[str, Any]]:
        """Start the server (on the current copy of the store) and return its tool listing."""
        if self._closed:
            raise EnvironmentLoadError(f"MCP environment {self.name!r} is closed")
        if self._runner is None:
            self._runner = _LoopThread(self.name)
        connection = _Connection(self._runner, self._open_streams(), self._describe)
        try:
            listing = connection.start(self.server.start_timeout_s)
        except BaseException:
            connection.close()
            kill_token_processes(self._token)
            raise
        self._connection = connection
        return listing

    def _server_running(self) -> bool:
        """Whether a process of this environment's server is alive (True where it cannot be told:
        a server at a URL, or no /proc)."""
        if self.server.url or not Path("/proc").is_dir():
            return True
        return bool(_processes_with_token(self._token))

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        kill_token_processes(self._token)  # anything the server left behind

    # -- protocol ---------------------------------------------------------------------------------
    def tools(self) -> list[ToolSpec]:
        return [t.spec for t in self._tools.values()]

    def tool(self, name: str) -> ToolSpec:
        return self._tools[name].spec

    def has_tool(self, name: str) -> bool:
        return name in self._tools

    def specs(self) -> list[EnvironmentSpec]:
        return [self.spec]

    def state(self) -> Any:
        if self._copy is None:
            return {}
        return {"store": self.server.store, **store_state(self._copy)}

    def state_hash(self) -> str:
        return _CONSTANT_STATE if self._copy is None else store_hash(self._copy)

    def snapshot(self) -> McpSnapshot:
        if self._copy is None:
            snap = McpSnapshot(None, _CONSTANT_STATE)
        else:
            snap = McpSnapshot(read_store(self._copy), store_hash(self._copy))
        self._base, self._log = snap, []
        return snap

    def restore(self, snapshot: McpSnapshot) -> None:
        """Go back to `snapshot`: its bytes written to the copy and the server restarted on them
        (nothing is done when the store already holds that state)."""
        self._unavailable = None
        self._base, self._log = snapshot, []
        if self._copy is None or snapshot.image is None:
            return
        if store_hash(self._copy) == snapshot.digest:
            return
        self._disconnect()
        write_store(snapshot.image, self._copy)

    def reset(self) -> None:
        if self._pristine is None:
            self._unavailable = None
            self._base, self._log = None, []
            return
        self.restore(self._pristine)
        self._base = None

    def call(self, name: str, arguments: dict[str, Any]) -> Observation:
        rejected = self._rejection(name, arguments)
        if rejected is not None:
            return rejected
        self._log.append(_LoggedCall(name, json.loads(json.dumps(arguments))))
        outcome = self._send(name, arguments)
        if isinstance(outcome, Observation):
            return outcome
        what, error_type = outcome
        return self._rebuild(name, what, error_type)

    def _rejection(self, name: str, arguments: Any) -> Observation | None:
        from hardgen.tools._environment import refused_call

        refused = refused_call(self.name, name, arguments, list(self._tools), self._unavailable)
        if refused is not None:
            return refused
        tool = self._tools[name]
        parameters = tool.spec.parameters
        if parameters.get("additionalProperties", False) is False:
            unexpected = sorted(k for k in arguments if k not in parameters.get("properties", {}))
            if unexpected:
                return Observation.failure("ArgumentError", f"{name}: unexpected argument(s) {unexpected}")
        errors = sorted(tool.validator.iter_errors(arguments), key=lambda e: (len(e.path), [str(p) for p in e.path]))
        if errors:
            where = ".".join(str(p) for p in errors[0].path) or "arguments"
            return Observation.failure("ArgumentError", f"{name}: {where}: {errors[0].message}")
        return None

    def _send(self, name: str, arguments: dict[str, Any]) -> Observation | tuple[str, str]:
        """One call on the live server: its observation, or (what happened, error type) when the
        call timed out or the server died and the environment must be rebuilt."""
        from hardgen.tools._environment import _size_checked

        try:
            if self._connection is None or not self._connection.alive:
                self._disconnect()
                self._connect()
        except EnvironmentLoadError as exc:
            return Observation.failure("ServerStartError", f"{name}: {exc}")
        connection = self._connection
        assert connection is not None
        bound = {k: self.server.bind[k] for k in self._tools[name].bound}
        sent = {**arguments, **_replace_strings(bound, "{store}", self.server.store or "")}
        if self._copy is not None:
            assert self.server.store is not None
            sent = _replace_strings(sent, self.server.store, str(self._copy))
        try:
            result = connection.call(name, sent, self.timeout)
        except TimeoutError:
            return f"did not return within {self.timeout:g}s", "TimeoutError"
        except Exception as exc:
            # A closed connection or a vanished process is a dead server; anything else is the
            # server's protocol-level answer to this call.
            described = _describe_exception(exc)
            if not connection.alive or "connection closed" in described.lower() or not self._server_running():
                return f"its MCP server ended ({described}){connection.stderr_tail()}", "ServerDiedError"
            return Observation.failure("McpError", f"{name}: {described}")
        if self._copy is not None:
            assert self.server.store is not None
            result = _replace_strings(result, str(self._copy), self.server.store)
        observation = result_observation(name, result)
        if not observation.ok:
            return observation
        checked = _size_checked(name, observation.result)
        return observation if checked.ok else checked

    def _rebuild(self, name: str, what: str, error_type: str) -> Observation:
        """After a call that timed out or killed the server: a fresh server on the state just
        before that call (the last snapshot or reset, plus the calls made since)."""
        self._log.pop()
        replay = list(self._log)
        self._disconnect()
        message = f"{name}: {what}"
        if self._copy is not None:
            base = self._base or self._pristine
            assert base is not None and base.image is not None
            write_store(base.image, self._copy)
            for logged in replay:
                outcome = self._send(logged.name, logged.arguments)
                if not isinstance(outcome, Observation) or (outcome.error and outcome.error.type == "ServerStartError"):
                    self._disconnect()
                    self._unavailable = f"{message}, and the environment could not be rebuilt"
                    return Observation.failure(error_type, f"{message}; the environment could not be rebuilt")
        return Observation.failure(error_type, f"{message}; the environment was rebuilt as it was before the call")

    def close(self) -> None:
        """Stop the server (and its process group), the loop thread and remove the store's copy."""
        self._closed = True
        self._disconnect()
        if self._runner is not None:
            self._runner.close()
            self._runner = None
        if self._episode_dir is not None:
            remove_quietly(self._episode_dir)
            self._episode_dir = None
        _LIVE.discard(self)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
