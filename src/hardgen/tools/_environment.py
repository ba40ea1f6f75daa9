"""Environments: stateful, deterministic sets of tools that an agent calls.

An environment can `reset` to its initial state, `call` a tool, `snapshot` and `restore` its
state, and give a stable `state_hash`. A tool's own failure (an exception, bad arguments, a
timeout, an unserialisable result) is returned as an error `Observation` naming the tool; it never
raises into the caller.

State after a failed call: whatever the tool left. Arguments are validated *before* the call
(against the schema, and no argument the tool does not declare), so an argument error changes
nothing, and the tool gets a copy, so it cannot change the caller's arguments; a tool that raises
half-way keeps its partial changes (as a real API would). A call that times out, or that ends its
worker process, is reported as an error observation and the environment is rebuilt at the state
just before that call (from the last snapshot, reset or restore, replaying the calls made since),
so the unit goes on. `async def` tools are run to completion within the call.

Where calls run (a worker thread, or a worker process that can be killed) is `_worker`'s subject;
which sources may be built at all when a file names them is `_trust`'s.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import difflib
import importlib
import inspect
import json
import numbers
import pickle
import re
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import jsonschema

from hardgen.errors import EnvironmentLoadError, ToolDefinitionError
from hardgen.schema import EnvironmentSpec, Observation, ToolSpec
from hardgen.tools._decorator import tool_meta
from hardgen.tools._derive import DerivedTool, derive_tool
from hardgen.tools._function_docs import load_function_docs
from hardgen.tools._seeded_random import install as _install_seeded_random
from hardgen.tools._seeded_random import seeded
from hardgen.tools._state import StateView, canonical_state, state_digest, state_hash, unstable_attributes
from hardgen.tools._trust import (
    Isolation,
    check_docs_file,
    check_loader,
    check_resolved,
    check_sources,
    docs_roots,
    is_strict,
    source_isolation,
    strict_sources,
)
from hardgen.tools._worker import (
    MAX_RESULT_BYTES,
    CallWorker,
    Outcome,
    ProcessWorker,
    WorkerDied,
    discard_output,
    error_message,
    guard_output,
    in_worker_process,
)

DEFAULT_TIMEOUT_S = 10.0

# Before any tool module does `from random import choice`, so that those names are seeded too.
_install_seeded_random()


@runtime_checkable
class Environment(Protocol):
    """What every environment offers (a single one or a composed `Session`)."""

    name: str

    def tools(self) -> list[ToolSpec]: ...

    def call(self, name: str, arguments: dict[str, Any]) -> Observation: ...

    def reset(self) -> None: ...

    def snapshot(self) -> Any: ...

    def restore(self, snapshot: Any) -> None: ...

    def state_hash(self) -> str: ...

    def state(self) -> Any: ...

    def specs(self) -> list[EnvironmentSpec]: ...


def import_target(target: str) -> Any:
    """Import `package.module:Attribute` or `package.module`."""
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EnvironmentLoadError(f"cannot import {module_name!r} for tool source {target!r}: {exc}") from exc
    if not attr:
        return module
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise EnvironmentLoadError(f"{module_name!r} has no attribute {attr!r} (tool source {target!r})")
        obj = getattr(obj, part)
    return obj


@dataclass
class _CompiledTool:
    derived: DerivedTool
    validator: jsonschema.protocols.Validator
    mutable_defaults: dict[str, Any] = field(default_factory=dict)
    """Parameters whose default is a list, dict or set, with a copy taken before any call: Python
    shares such a default between calls (`def post(tags=[])` keeps what one call appended), so
    every call that leaves them out gets a fresh copy, as a first call in a fresh process would."""

    def unexpected_arguments(self, arguments: dict[str, Any]) -> list[str]:
        """Argument names the tool does not declare. Rejected even when the schema is silent about
        `additionalProperties` (BFCL docs and derived schemas are), because the Python function
        would fail on them anyway; a schema that explicitly allows extra properties allows them."""
        parameters = self.derived.spec.parameters
        if parameters.get("additionalProperties", False) is not False:
            return []
        declared = parameters.get("properties", {})
        return sorted(k for k in arguments if k not in declared)


# Deriving schemas is the slow part of building an environment, and the pipeline builds fresh
# environments for every candidate: derive once per tool source.
_TOOLSET_CACHE: dict[tuple[Any, ...], dict[str, _CompiledTool]] = {}


_LIBRARY_PACKAGES = frozenset(sys.stdlib_module_names) | {"pydantic", "pydantic_core"}


def _defined_by_library(cls: type, name: str) -> bool:
    """Whether `name` comes from a base the tool author did not write (the standard library,
    pydantic): a class deriving from `BaseModel`, `dict` or `Thread` must not offer `model_dump`,
    `items` or `start` as tools."""
    for klass in cls.__mro__:
        if name in vars(klass):
            module = getattr(klass, "__module__", "") or ""
            return module.split(".", 1)[0] in _LIBRARY_PACKAGES
    return False


def _public_functions(host: Any, is_class: bool) -> dict[str, Any]:
    if is_class:
        members = {n: getattr(host, n) for n in dir(host) if not n.startswith("_")}
        members = {
            n: f
            for n, f in members.items()
            if callable(f) and not isinstance(f, type) and not _defined_by_library(host, n)
        }
    else:
        members = {
            n: f
            for n, f in vars(host).items()
            if not n.startswith("_") and isinstance(f, types.FunctionType) and f.__module__ == host.__name__
        }
    marked = {n: f for n, f in members.items() if tool_meta(f) is not None}
    # When a source marks tools with @tool, only those are tools; otherwise every public function is.
    return marked or members


def _mutable_defaults(fn: Any) -> dict[str, Any]:
    try:
        parameters = inspect.signature(fn).parameters.values() if fn is not None else ()
    except (TypeError, ValueError):
        return {}
    return {p.name: copy.deepcopy(p.default) for p in parameters
            if isinstance(p.default, (list, dict, set, bytearray))}


def compile_toolset(host: Any, spec: EnvironmentSpec) -> dict[str, _CompiledTool]:
    """Tools of a class or module, keyed by tool name, with validators. Cached per source."""
    # The docs path is checked on every build, not only the first: the cache must not let a file
    # reuse a path that was fine for the code that built it first.
    docs_path = resolve_docs_path(spec.docs, host) if spec.docs else None
    key = (host, docs_path, tuple(spec.include) if spec.include is not None else None, spec.name)
    cached = _TOOLSET_CACHE.get(key)
    if cached is not None:
        return cached
    is_class = isinstance(host, type)
    functions = _public_functions(host, is_class)
    derived: dict[str, DerivedTool] = {}
    if docs_path is not None:
        for doc_spec in load_function_docs(docs_path, environment=spec.name):
            if doc_spec.name not in functions:
                kind = "method" if is_class else "function"
                raise ToolDefinitionError(
                    f"{docs_path}: tool {doc_spec.name!r} is documented but {spec.target} has no such {kind}"
                )
            meta = tool_meta(functions[doc_spec.name])
            if meta is not None:  # @tool on the method says more than a guess from the name
                doc_spec = doc_spec.model_copy(update={"mutates": meta.mutates, "hints": dict(meta.hints)})
            derived[doc_spec.name] = DerivedTool(spec=doc_spec, attribute=doc_spec.name, adapters={})
    else:
        for attr, fn in sorted(functions.items()):
            tool = derive_tool(fn, environment=spec.name, attribute=attr)
            if tool.spec.name in derived:
                raise ToolDefinitionError(f"{spec.target}: two tools are named {tool.spec.name!r}")
            derived[tool.spec.name] = tool
    if spec.include is not None:
        missing = sorted(set(spec.include) - set(derived))
        if missing:
            raise ToolDefinitionError(f"{spec.target}: include lists unknown tool(s) {missing}")
        derived = {n: t for n, t in derived.items() if n in spec.include}
    compiled = {}
    for name, tool in derived.items():
        try:
            jsonschema.Draft202012Validator.check_schema(tool.spec.parameters)
        except jsonschema.SchemaError as exc:
            raise ToolDefinitionError(f"tool {name!r}: invalid parameter schema: {exc.message}") from exc
        compiled[name] = _CompiledTool(tool, jsonschema.Draft202012Validator(tool.spec.parameters),
                                       _mutable_defaults(functions.get(tool.attribute)))
    _TOOLSET_CACHE[key] = compiled
    return compiled


def _module_dir(host: Any) -> Path | None:
    module = host if isinstance(host, types.ModuleType) else sys.modules.get(getattr(host, "__module__", ""))
    module_file = getattr(module, "__file__", None)
    return Path(module_file).parent if module_file else None


def resolve_docs_path(docs: str | Path, host: Any) -> Path:
    """A docs path as given (absolute, or relative to the working directory), else relative to the
    directory of the tool source's module, so that a spec naming `data/fs.json` next to its class
    rebuilds from any working directory. The file is checked by `check_docs_file`: a regular file
    under the size cap and, when a file named it (strict mode), inside the run directory, the
    module's directory or a configured path, symlinks resolved."""
    path = Path(docs)
    beside_dir = _module_dir(host)
    if not path.is_absolute():
        # A file's relative path means its run directory, never whatever directory we run in.
        bases = [r if r.is_dir() else r.parent for r in docs_roots()] if is_strict() else [Path.cwd()]
        bases += [beside_dir] if beside_dir is not None else []
        path = next((base / path for base in bases if (base / path).exists()), bases[0] / path if bases else path)
    return check_docs_file(path, beside=beside_dir)


def check_file_sources(specs: Iterable[EnvironmentSpec], *, where: str = "") -> None:
    """What a command reading a file checks before it runs anything: every tool source is trusted
    (checked on the reference alone, nothing imported otherwise), and every docs path resolves to
    an allowed regular file (the trusted source is imported to find its directory). Raises
    UntrustedSourceError (an EnvironmentLoadError) naming the reference or path."""
    specs = list(specs)
    check_sources(specs, where=where)
    with strict_sources(environ=False):
        for spec in specs:
            check_loader(spec)
            if spec.docs:
                resolve_docs_path(spec.docs, import_target(spec.target))


def _closest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=3)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


@dataclass(frozen=True)
class _Pickled:
    data: bytes


@dataclass(frozen=True)
class _Snapshot:
    host: Any
    calls: int


@dataclass(frozen=True)
class _LoggedCall:
    index: int
    """The call's index, which seeds its randomness."""
    name: str
    arguments: dict[str, Any]


_LOG_LIMIT = 64
"""Calls kept for rebuilding after a timeout before a snapshot replaces them (bounds the replay)."""


def _copy_json(value: Any) -> Any:
    """A copy of JSON-shaped arguments (so that a tool mutating its list cannot change the caller's
    recorded call); other objects are deep-copied."""
    t = type(value)
    if t is dict:
        return {k: _copy_json(v) for k, v in value.items()}
    if t is list:
        return [_copy_json(v) for v in value]
    if t in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)


def _size_checked(name: str, value: Any) -> Observation:
    """A success observation, or an error one when the result's JSON is over MAX_RESULT_BYTES."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError) as exc:  # a cycle, or keys JSON has no word for
        return Observation.failure("UnserializableResultError", f"{name}: result is not JSON-serialisable: {exc}")
    size = len(text)
    if size > MAX_RESULT_BYTES:
        return Observation.failure(
            "ResultTooLargeError",
            f"{name}: result truncated: its JSON is {size} characters, over the {MAX_RESULT_BYTES} limit; "
            f"it began {text[:200]!r}",
        )
    return Observation.success(value)


class PythonEnvironment:
    """An environment over a Python class (state in an instance) or a module of functions.

    For a class, a fresh instance is made on `reset` and loaded with `spec.initial_state` by the
    loader: `spec.loader` if given, else the class attribute `__hardgen_loader__`, else a
    `_load_scenario(dict)` method when the class has one, else constructor keyword arguments.
    Modules are treated as stateless (their globals are not part of the state hash).

    `isolation` says where calls run (see `_worker`): `thread` (the default; a worker thread, fast),
    `process` (a worker process holding the state, killed on a timeout and respawned from the last
    good snapshot; `os._exit` or a crash in a tool is contained), or None for the source's
    configured isolation (`isolation` of a source in the run config), else `thread`. Without a
    `timeout`, thread-isolated calls run on the caller's thread. A source whose hung call could not
    be stopped (spinning inside C code) moves to process isolation for the rest of the run.

    Each call's `random.*` functions draw from a generator seeded from (seed, call index), private
    to that call's thread, so tools that use `random` replay exactly and the caller's global random
    state is never touched (see `_seeded_random`). Other sources of nondeterminism (clocks,
    `uuid4`, unseeded `random.Random()`) are the tool author's to avoid.

    An environment is not thread-safe: make one per thread (they are cheap; schemas are cached).
    """

    def __init__(
        self,
        spec: EnvironmentSpec,
        *,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        isolation: Isolation | Literal["inline"] | None = None,
    ) -> None:
        self.spec = spec
        self.name = spec.name
        self.timeout = timeout
        check_loader(spec)
        if is_strict():  # before the import: a refused module must not run even its top level
            check_sources([spec], where=f"environment {spec.name!r}")
        self._source = import_target(spec.target)
        if spec.kind == "class" and not isinstance(self._source, type):
            raise EnvironmentLoadError(f"tool source {spec.target!r} is not a class (kind='class')")
        if spec.kind == "module" and not isinstance(self._source, types.ModuleType):
            raise EnvironmentLoadError(f"tool source {spec.target!r} is not a module (kind='module')")
        if isinstance(self._source, type):
            check_resolved(spec, self._source.__module__, self._source.__qualname__)
        self._tools = compile_toolset(self._source, spec)
        if spec.target not in _GLOBALS_AT_FIRST_LOAD:
            _GLOBALS_AT_FIRST_LOAD[spec.target] = _outside_state(self._source)
        self._detect_returned_errors = getattr(self._source, "__hardgen_returned_errors__", True) is not False
        auto = "process" if spec.target in _AUTO_PROCESS else None
        chosen = isolation or source_isolation(spec.target) or auto or "thread"
        if chosen not in ("thread", "process", "inline"):
            raise EnvironmentLoadError(f"environment {self.name!r}: isolation must be 'thread' or 'process', got {chosen!r}")
        self.isolation: str = "inline" if chosen == "thread" and timeout is None else chosen
        self._worker: CallWorker | None = None
        self._process: ProcessWorker | None = None
        self._unavailable: str | None = None
        self.calls_made = 0
        self._host: Any = None
        self._base: _Snapshot | None = None
        self._log: list[_LoggedCall] = []
        self._view = StateView(private=True, exclude=frozenset(spec.state_exclude or ()))
        self.reset()
        if spec.state_exclude is None and spec.kind == "class" and self.isolation != "process":
            self._settle_state_exclusions()

    def _settle_state_exclusions(self) -> None:
        """Leave out of the hash what two loads of the same state disagree on (a timestamp taken
        at load), and record it in the spec so that a replay anywhere hashes the same way."""
        key = self.spec.model_dump_json()
        unstable = _UNSTABLE.get(key)
        if unstable is None:
            unstable = _UNSTABLE[key] = unstable_attributes(self._host, self._load(), self._view)
        if unstable:  # nothing unstable keeps the spec as given (None: the same answer on every load)
            self._view = StateView(private=True, exclude=frozenset(unstable))
            self.spec = self.spec.model_copy(update={"state_exclude": unstable})

    # -- state -----------------------------------------------------------------------------------
    def _load(self) -> Any:
        if self.spec.kind == "module":
            return self._source
        cls = self._source
        state = copy.deepcopy(self.spec.initial_state)
        loader = self.spec.loader or getattr(cls, "__hardgen_loader__", None)
        if loader is None:
            loader = "_load_scenario" if hasattr(cls, "_load_scenario") else "kwargs"
        if loader == "kwargs":
            unknown = unknown_state_keys(cls, state)
            if unknown:
                accepted = sorted(set(state) - set(unknown) | set(_constructor_parameters(cls) or ()))
                raise EnvironmentLoadError(
                    f"cannot load environment {self.name!r}: initial state key(s) "
                    f"{', '.join(repr(k) for k in unknown)} are not parameters of {self.spec.target}() "
                    f"(it takes: {', '.join(accepted) or 'none'}); remove them, or set "
                    f"`unknown_state_keys: ignore` on the source")
        try:
            if loader == "kwargs":
                return cls(**state)
            instance = cls()
            method = getattr(instance, loader, None)
            if method is None:
                raise EnvironmentLoadError(
                    f"cannot load environment {self.name!r}: {self.spec.target} has no loader method {loader!r}"
                )
            method(state)
            return instance
        except EnvironmentLoadError:
            raise
        except Exception as exc:
            raise EnvironmentLoadError(
                f"cannot load environment {self.name!r} ({self.spec.target}) with its initial state "
                f"via {loader!r}: {type(exc).__name__}: {exc}"
            ) from exc

    def _worker_process(self) -> ProcessWorker:
        if self._process is None or not self._process.alive:
            try:
                self._process = ProcessWorker.acquire(
                    self._pool_key, self.spec.model_dump_json(), start_timeout=max(60.0, self.timeout or 0)
                )
            except (RuntimeError, TimeoutError, WorkerDied) as exc:
                raise EnvironmentLoadError(f"cannot start a worker process for environment {self.name!r}: {exc}") from exc
        return self._process

    def _request(self, op: str, *args: Any) -> Any:
        """A state request to the worker process (reset, snapshot, hash...), which answers at once."""
        try:
            return self._worker_process().request(op, *args, timeout=max(60.0, self.timeout or 0))
        except (RuntimeError, TimeoutError, WorkerDied) as exc:
            raise EnvironmentLoadError(f"environment {self.name!r}: worker process failed on {op!r}: {exc}") from exc

    def reset(self) -> None:
        if self.isolation == "process":
            self._request("reset")
            self._host = None
        else:
            self._host = self._load()
        self.calls_made = 0
        self._unavailable = None
        self._base, self._log = None, []

    def _copy_host(self, host: Any) -> Any:
        try:
            return copy.deepcopy(host)
        except Exception as exc:  # a lock, a socket, an open file in the state
            raise EnvironmentLoadError(
                f"cannot snapshot environment {self.name!r} ({self.spec.target}): its state does not "
                f"deep-copy: {type(exc).__name__}: {exc}"
            ) from exc

    def snapshot_bytes(self) -> tuple[bytes, int]:
        """The state as pickled bytes and the call counter (what a worker process ships over)."""
        if self.spec.kind == "module":
            return b"", self.calls_made
        try:
            return pickle.dumps(self._host, protocol=pickle.HIGHEST_PROTOCOL), self.calls_made
        except Exception as exc:
            raise EnvironmentLoadError(
                f"cannot snapshot environment {self.name!r} ({self.spec.target}) in a worker process: its state "
                f"does not pickle: {type(exc).__name__}: {exc}"
            ) from exc

    def restore_bytes(self, data: bytes, calls: int) -> None:
        """Go back to a state from `snapshot_bytes` (our own bytes, never read from a file)."""
        if self.spec.kind != "module":
            self._host = pickle.loads(data)
        self.calls_made = calls
        self._unavailable = None
        self._base, self._log = None, []

    def _take_snapshot(self) -> _Snapshot:
        if self.isolation == "process":
            data, calls = self._request("snapshot")
            return _Snapshot(host=_Pickled(data), calls=calls)
        if self.spec.kind == "module":
            return _Snapshot(host=self._host, calls=self.calls_made)
        # Pickled bytes are several times cheaper than a deep copy and immutable, so a snapshot can
        # be restored again and again; objects that do not pickle fall back to a deep copy.
        try:
            frozen: Any = _Pickled(pickle.dumps(self._host, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:
            frozen = self._copy_host(self._host)
        return _Snapshot(host=frozen, calls=self.calls_made)

    def snapshot(self) -> _Snapshot:
        """A copy of the current state (and call counter, which seeds randomness); later calls do
        not change it, and it can be restored any number of times."""
        snap = self._take_snapshot()
        self._base, self._log = snap, []  # also the point a timed-out call is rebuilt from
        return snap

    def _restore_host(self, snapshot: _Snapshot) -> None:
        if self.isolation == "process":
            data = snapshot.host.data if isinstance(snapshot.host, _Pickled) else pickle.dumps(snapshot.host)
            self._request("restore", data, snapshot.calls)
        elif self.spec.kind == "module":
            self._host = snapshot.host
        elif isinstance(snapshot.host, _Pickled):
            self._host = pickle.loads(snapshot.host.data)
        else:
            self._host = self._copy_host(snapshot.host)
        self.calls_made = snapshot.calls

    def restore(self, snapshot: _Snapshot) -> None:
        """Go back to `snapshot` (also makes an unavailable environment usable again)."""
        self._restore_host(snapshot)
        self._unavailable = None
        self._base, self._log = snapshot, []

    def state(self) -> Any:
        if self.isolation == "process":
            return self._request("state")
        return {} if self.spec.kind == "module" else canonical_state(self._host)

    def state_hash(self) -> str:
        if self.isolation == "process":
            return str(self._request("state_hash"))
        return state_digest({}) if self.spec.kind == "module" else state_hash(self._host, self._view)

    @property
    def instance(self) -> Any:
        """The live object behind the tools (for tests and adapters; do not keep a reference).
        Under process isolation the state lives in the worker: this is a copy of it."""
        if self.isolation == "process":
            data, _ = self._request("snapshot")
            return self._source if self.spec.kind == "module" else pickle.loads(data)
        return self._host

    def specs(self) -> list[EnvironmentSpec]:
        return [self.spec]

    # -- tools -----------------------------------------------------------------------------------
    def tools(self) -> list[ToolSpec]:
        return [t.derived.spec for t in self._tools.values()]

    def tool(self, name: str) -> ToolSpec:
        return self._tools[name].derived.spec

    def has_tool(self, name: str) -> bool:
        return name in self._tools

    def _rejection(self, name: str, arguments: Any) -> Observation | None:
        """The error observation for a call that must not run (unknown tool, bad arguments)."""
        refused = refused_call(self.name, name, arguments, list(self._tools), self._unavailable)
        if refused is not None:
            return refused
        compiled = self._tools[name]
        unexpected = compiled.unexpected_arguments(arguments)
        if unexpected:
            declared = list(compiled.derived.spec.parameters.get("properties", {}))
            hint = _closest(unexpected[0], declared) if declared else "; it takes no arguments"
            return Observation.failure(
                "ArgumentError", f"{name}: unexpected argument(s) {', '.join(map(repr, unexpected))}{hint}"
            )
        # Shallowest error first (a missing required argument before a bad nested field); the key
        # is text because paths mix names and indices.
        errors = sorted(
            compiled.validator.iter_errors(arguments), key=lambda e: (len(e.path), [str(p) for p in e.path])
        )
        if errors:
            err = errors[0]
            where = ".".join(str(p) for p in err.path) or "arguments"
            return Observation.failure("ArgumentError", f"{name}: {where}: {err.message}")
        return None

    def call(self, name: str, arguments: dict[str, Any]) -> Observation:
        rejected = self._rejection(name, arguments)
        if rejected is not None:
            return rejected
        if len(self._log) >= _LOG_LIMIT:  # keep the rebuild after a timeout short
            try:
                self.snapshot()
            except EnvironmentLoadError:
                pass  # a state that cannot be copied: rebuilding replays from further back
        index = self.calls_made
        self.calls_made += 1
        self._log.append(_LoggedCall(index, name, arguments))
        if self.isolation == "process":
            return self._call_in_process(name, arguments, index)
        return self._call_here(name, arguments, index)

    def _call_here(self, name: str, arguments: dict[str, Any], index: int) -> Observation:
        """Run a call in this process: on the worker thread, or inline without a timeout."""
        compiled = self._tools[name]
        derived = compiled.derived
        try:
            kwargs = derived.convert_arguments(_copy_json(arguments))
        except ValueError as exc:
            return Observation.failure("ArgumentError", f"{name}: {exc}")
        for parameter, default in compiled.mutable_defaults.items():
            if parameter not in kwargs:
                kwargs[parameter] = copy.deepcopy(default)
        function = getattr(self._host, derived.attribute)
        call_seed = self.spec.seed * 1_000_003 + index

        def run() -> Any:
            with seeded(call_seed):
                result = function(**kwargs)
                if inspect.iscoroutine(result):  # an `async def` tool: run it here, to completion
                    result = asyncio.run(result)
                return result

        guard_output()
        if self.isolation == "inline":
            outcome = _run_inline(run)
        else:
            if self._worker is None:
                self._worker = CallWorker(self.name)
            ran = self._worker.run(run, self.timeout)
            if ran is None:
                stopped = self._worker.stop()
                self._worker = None
                if not stopped:
                    # Spinning inside C code, where a thread cannot be stopped: later calls of this
                    # source run in a worker process, which can be killed.
                    _AUTO_PROCESS.add(self.spec.target)
                return self._rebuild(name, f"did not return within {self.timeout:g}s", "TimeoutError")
            outcome = ran
        if not outcome.ok:
            return Observation.failure(outcome.error_type or "Error", outcome.message)
        try:
            value = derived.jsonable_result(outcome.value)
        except TypeError:
            # A number type of its own (mpmath, Decimal, numpy): its text is what a user would read.
            try:
                value = derived.jsonable_result(as_text_leaves(outcome.value))
            except TypeError as exc:
                return Observation.failure("UnserializableResultError", f"{name}: {exc}")
        returned_error = returned_error_of(value, write=derived.spec.mutates) if self._detect_returned_errors else None
        if returned_error is not None:
            named = returned_error if returned_error.startswith(f"{name}:") else f"{name}: {returned_error}"
            return Observation.failure("ReturnedError", named)
        return _size_checked(name, value)

    def _call_in_process(self, name: str, arguments: dict[str, Any], index: int) -> Observation:
        try:
            reply = self._worker_process().request("call", name, arguments, timeout=self.timeout)
        except TimeoutError:
            return self._rebuild(name, f"did not return within {self.timeout:g}s", "TimeoutError")
        except WorkerDied as exc:
            return self._rebuild(name, f"ended its worker process ({exc})", "WorkerDiedError")
        except RuntimeError as exc:
            return Observation.failure("WorkerError", f"{name}: {exc}")
        return Observation.model_validate_json(reply)

    def _rebuild(self, name: str, what: str, error_type: str) -> Observation:
        """After a call that timed out or killed its worker: the state just before that call again,
        from the last snapshot (or the initial state) plus the calls made since."""
        failed = self._log.pop()
        replay = list(self._log)
        base = self._base
        if self._process is not None:
            self._process.kill()
            self._process = None
            # A source that hung once may hang again: have a worker ready for the next rebuild.
            ProcessWorker.prepare_spare(self._pool_key, self.spec.model_dump_json())
        if self.isolation != "process" and self.spec.target in _AUTO_PROCESS:
            self.isolation = "process"
        message = f"{name}: {what}"
        try:
            if base is None:
                self.reset()
            else:
                self._restore_host(base)
            self._log = []
            for logged in replay:
                self.calls_made = logged.index
                observation = self.call(logged.name, logged.arguments)
                if observation.error is not None and observation.error.type in ("TimeoutError", "WorkerDiedError"):
                    raise EnvironmentLoadError(f"replaying {logged.name!r} failed too: {observation.error.message}")
        except EnvironmentLoadError as exc:
            self._unavailable = f"{message}, and the environment could not be rebuilt: {exc}"
            return Observation.failure(error_type, f"{message}; the environment could not be rebuilt")
        self._base, self._log = base, replay
        self.calls_made = failed.index + 1
        return Observation.failure(error_type, f"{message}; the environment was rebuilt as it was before the call")

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._process is not None:
            self._process.release(self._pool_key)
            self._process = None

    @property
    def _pool_key(self) -> str:
        return f"{self.spec.kind}:{self.spec.target}:{self.spec.docs}"

    def __del__(self) -> None:  # let the worker thread or process end with its environment
        try:
            self.close()
        except Exception:
            pass


_GLOBALS_AT_FIRST_LOAD: dict[str, dict[str, str]] = {}
"""Per source: the state it keeps outside its instances (class attributes, module globals), as
first seen in this process, before any call."""
_CACHE_NAME = re.compile(r"cache|memo", re.IGNORECASE)
_PRIVATE = StateView(private=True)


def _outside_state(source: Any) -> dict[str, str]:
    """Hashes of the data a source keeps outside its instances: class attributes along its MRO
    and its module's globals (not code, modules, classes, dunders or caches by name)."""
    out: dict[str, str] = {}
    holders: list[tuple[str, dict[str, Any]]] = []
    if isinstance(source, type):
        holders += [(klass.__qualname__, dict(vars(klass))) for klass in source.__mro__ if klass is not object]
        module = sys.modules.get(source.__module__)
    else:
        module = source
    if isinstance(module, types.ModuleType):
        holders.append((module.__name__, dict(vars(module))))
    for owner, names in holders:
        for name, value in names.items():
            if name.startswith("__") or _CACHE_NAME.search(name) or isinstance(value, (types.ModuleType, type)) \
                    or callable(value) or isinstance(value, (property, staticmethod, classmethod)):
                continue
            try:
                out[f"{owner}.{name}"] = state_hash(value, _PRIVATE)
            except Exception:  # an object that cannot even be walked is no data to compare
                continue
    return out


def leaked_state(env: Any) -> list[str]:
    """What `env`'s source changed outside its instances since it was first loaded in this process
    (a class-level list every instance appends to): state that leaks from one environment into the
    next, so what was generated here would not replay in a fresh process. Empty for other kinds."""
    source = getattr(env, "_source", None)
    target = getattr(getattr(env, "spec", None), "target", None)
    if source is None or target is None or target not in _GLOBALS_AT_FIRST_LOAD:
        return []
    first = _GLOBALS_AT_FIRST_LOAD[target]
    now = _outside_state(source)
    return sorted(name for name, digest in now.items() if first.get(name, digest) != digest)


_UNSTABLE: dict[str, list[str]] = {}
"""Per spec (as JSON): the attributes two loads disagreed on, found once per process."""

_AUTO_PROCESS: set[str] = set()
"""Sources moved to process isolation after a hung call of theirs could not be stopped."""


def _constructor_parameters(cls: type) -> list[str] | None:
    """Keyword parameters `cls(...)` takes, or None when it takes any (`**kwargs`, or unknown)."""
    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return [p.name for p in params if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]


def unknown_state_keys(cls: type, state: dict[str, Any]) -> list[str]:
    """Keys of an initial state that `cls`'s constructor has no parameter for (loaded as kwargs)."""
    known = _constructor_parameters(cls)
    return [] if known is None else sorted(k for k in state if k not in known)


def refused_call(environment: str, name: str, arguments: Any, tools: list[str],
                 unavailable: str | None) -> Observation | None:
    """The error for a call no environment may run, whatever its kind: a tool it does not have
    (with the closest name), an environment that could not be rebuilt, arguments that are not an
    object. None when the call may go on to its schema check."""
    if name not in tools:
        return Observation.failure("UnknownToolError", f"no tool named {name!r} in {environment!r}{_closest(name, tools)}")
    if unavailable:
        return Observation.failure("EnvironmentUnavailableError", unavailable)
    if not isinstance(arguments, dict):
        return Observation.failure(
            "ArgumentError", f"{name}: arguments must be a JSON object, got {type(arguments).__name__}")
    return None


def returned_error_of(result: Any, *, write: bool = False) -> str | None:
    """The error a tool reported in its result instead of raising, or None. Many real tools do
    (BFCL's classes answer `{"error": "No such file"}`); counted as a success, such a call would
    confirm prerequisites that failed, land error text in value pools and make golds of failures.

    Recognised: an object whose `error` is a non-empty string (with at most one other key), an
    object whose `status` is `error`/`failed` with a message, an object that is only a false
    `success`/`ok` (or, from a `write`, only a false `*_status`), or a false `*_status` flag with
    a message, an object whose only value is a short sentence saying the thing does not exist
    (`{"symbol": "Stock not found"}`), and a bare string that starts with `Error:` or `<Word>
    error:` (`Database error: ...`). A class opts out with `__hardgen_returned_errors__ = False`."""
    if isinstance(result, dict):
        error = result.get("error")
        if isinstance(error, str) and error.strip() and len(result) <= 2:
            return error.strip()
        message = result.get("message") or result.get("detail") or result.get("error")
        status = result.get("status")
        if isinstance(status, str) and status.lower() in ("error", "failed", "failure") \
                and isinstance(message, str) and message.strip():
            return message.strip()
        # `{"success": false}`, `{"login_status": false, "message": "User ID 'x' not found."}`:
        # the outcome flag of an action, false. A bare `*_status: false` with nothing to say why is
        # left alone: it can be what a read reports (`get_login_status` -> `{"login_status": false}`).
        flags = [k for k, v in result.items() if v is False and (k in ("success", "ok") or k.endswith("_status"))]
        if len(flags) == 1 and len(result) <= 3:
            said = message.strip() if isinstance(message, str) and message.strip() else None
            # A write's lone false flag is its failure (`unfollow_user` -> `{"unfollow_status": false}`).
            if said or (len(result) == 1 and (flags[0] in ("success", "ok") or write)):
                return said or f"{flags[0]} is false"
        # `get_symbol_by_name` -> `{"symbol": "Stock not found"}`: the one value asked for is a
        # short sentence saying it does not exist. Taken as a value, it would flow on as a symbol.
        if len(result) == 1:
            (only,) = result.values()
            if isinstance(only, str) and _MISSING_TEXT.fullmatch(only.strip()):
                return only.strip()
    if isinstance(result, list) and len(result) == 1 and isinstance(result[0], dict) and set(result[0]) == {"error"}:
        return returned_error_of(result[0], write=write)  # `[{"error": "User not authenticated."}]`
    if isinstance(result, str):
        match = _ERROR_TEXT.match(result)
        if match:
            return result[match.end():].strip() or result.strip()
    return None


_MISSING_TEXT = re.compile(r"(?:[\w'.-]+ ){0,5}(?:not found|does not exist|doesn't exist)\.?", re.IGNORECASE)
"""A value that says the thing asked for is missing: `Stock not found`, `User does not exist`."""
_ERROR_TEXT = re.compile(r"\s*(?:[A-Za-z]+ )?error\b\s*[:\-]", re.IGNORECASE)
"""A text result that is an error report: `Error: ...`, `Database error: ...`."""


def as_text_leaves(value: Any, depth: int = 0) -> Any:
    """`value` with each number of a type of its own (an mpmath or numpy number, a Decimal) as its
    text, and dates as ISO text. Other objects stay as they are (their text, `<lock at 0x...>`,
    would differ on every run), so the result still fails to serialise."""
    if depth > 50:
        return value
    if isinstance(value, dict):
        return {str(k): as_text_leaves(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_text_leaves(v, depth + 1) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, numbers.Number) or hasattr(type(value), "__float__"):
        return str(value)
    return value


def _run_inline(run: Any) -> Outcome:
    """Run a call on this thread. In a worker process every exception of the tool is an outcome;
    on the caller's own thread a KeyboardInterrupt may be the user's Ctrl-C and is left to rise."""
    try:
        with discard_output():
            return Outcome(value=run())
    except KeyboardInterrupt as exc:
        if not in_worker_process():
            raise
        return Outcome(error_type=type(exc).__name__, message=error_message(exc))
    except BaseException as exc:  # noqa: BLE001 - SystemExit, CancelledError: a tool's, an observation
        return Outcome(error_type=type(exc).__name__, message=error_message(exc))


def build_environment(
    spec: EnvironmentSpec, *, timeout: float | None = DEFAULT_TIMEOUT_S, isolation: Isolation | None = None
) -> Environment:
    """Build one environment from its spec (import the source, load the initial state). Inside
    `strict_sources()` an untrusted source is refused before anything is imported."""
    if spec.kind == "mcp":  # an MCP server: `_mcp` needs the optional SDK, so it is imported only here
        from hardgen.tools._mcp import McpEnvironment

        return McpEnvironment(spec, timeout=timeout)
    return PythonEnvironment(spec, timeout=timeout, isolation=isolation)


def class_environment(
    cls: type | str,
    initial_state: dict[str, Any] | None = None,
    *,
    name: str | None = None,
    loader: str | None = None,
    docs: str | Path | None = None,
    seed: int = 0,
    include: list[str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    state_exclude: list[str] | None = None,
) -> PythonEnvironment:
    """An environment whose tools are the public methods of `cls` (or its `@tool` ones).
    `state_exclude`: attributes the state hash leaves out (see `EnvironmentSpec.state_exclude`)."""
    target = cls if isinstance(cls, str) else f"{cls.__module__}:{cls.__qualname__}"
    default_name = target.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
    spec = EnvironmentSpec(
        name=name or default_name,
        kind="class",
        target=target,
        initial_state=initial_state or {},
        loader=loader,
        docs=str(docs) if docs is not None else None,
        seed=seed,
        include=include,
        state_exclude=state_exclude,
    )
    return PythonEnvironment(spec, timeout=timeout)


def module_environment(
    module: types.ModuleType | str,
    *,
    name: str | None = None,
    docs: str | Path | None = None,
    include: list[str] | None = None,
    seed: int = 0,
    timeout: float | None = DEFAULT_TIMEOUT_S,
) -> PythonEnvironment:
    """An environment whose tools are the plain functions defined in `module`."""
    target = module if isinstance(module, str) else module.__name__
    spec = EnvironmentSpec(
        name=name or target.rsplit(".", 1)[-1],
        kind="module",
        target=target,
        docs=str(docs) if docs is not None else None,
        include=include,
        seed=seed,
    )
    return PythonEnvironment(spec, timeout=timeout)
