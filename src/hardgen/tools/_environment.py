"""Environments: stateful, deterministic sets of tools that an agent calls.

An environment can `reset` to its initial state, `call` a tool, `snapshot` and `restore` its
state, and give a stable `state_hash`. A tool's own failure (an exception, bad arguments, a
timeout, an unserialisable result) is returned as an error `Observation` naming the tool; it never
raises into the caller.

State after a failed call: whatever the tool left. Arguments are validated *before* the call
(against the schema, and no argument the tool does not declare), so an argument error changes
nothing; a tool that raises half-way keeps its partial changes (as a real API would); a timed-out
call leaves the environment unavailable until `reset()` or `restore()`, because the hung call may
still be changing it in the background. `async def` tools are run to completion within the call.
"""

from __future__ import annotations

import asyncio
import copy
import difflib
import importlib
import inspect
import pickle
import sys
import types
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import jsonschema

from hardgen.errors import EnvironmentLoadError, ToolDefinitionError
from hardgen.schema import EnvironmentSpec, Observation, ToolSpec
from hardgen.tools._decorator import tool_meta
from hardgen.tools._derive import DerivedTool, derive_tool
from hardgen.tools._function_docs import load_function_docs
from hardgen.tools._seeded_random import install as _install_seeded_random
from hardgen.tools._seeded_random import seeded
from hardgen.tools._state import canonical_state, state_digest, state_hash
from hardgen.tools._worker import CallWorker

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


def compile_toolset(host: Any, spec: EnvironmentSpec) -> dict[str, _CompiledTool]:
    """Tools of a class or module, keyed by tool name, with validators. Cached per source."""
    key = (host, spec.docs, tuple(spec.include) if spec.include is not None else None, spec.name)
    cached = _TOOLSET_CACHE.get(key)
    if cached is not None:
        return cached
    is_class = isinstance(host, type)
    functions = _public_functions(host, is_class)
    derived: dict[str, DerivedTool] = {}
    if spec.docs:
        docs_path = resolve_docs_path(spec.docs, host)
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
        compiled[name] = _CompiledTool(tool, jsonschema.Draft202012Validator(tool.spec.parameters))
    _TOOLSET_CACHE[key] = compiled
    return compiled


def resolve_docs_path(docs: str | Path, host: Any) -> Path:
    """A docs path as given (absolute, or relative to the working directory), else relative to the
    directory of the tool source's module, so that a spec naming `data/fs.json` next to its class
    rebuilds from any working directory."""
    path = Path(docs)
    if path.is_absolute() or path.exists():
        return path
    module = host if isinstance(host, types.ModuleType) else sys.modules.get(getattr(host, "__module__", ""))
    module_file = getattr(module, "__file__", None)
    if module_file:
        beside = Path(module_file).parent / path
        if beside.exists():
            return beside
    return path


def _error_message(exc: BaseException) -> str:
    """The text of a tool's exception, as the agent should read it."""
    if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]  # str(KeyError("x")) adds quotes around the message
    return str(exc) or repr(exc)


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


class PythonEnvironment:
    """An environment over a Python class (state in an instance) or a module of functions.

    For a class, a fresh instance is made on `reset` and loaded with `spec.initial_state` by the
    loader: `spec.loader` if given, else the class attribute `__hardgen_loader__`, else a
    `_load_scenario(dict)` method when the class has one, else constructor keyword arguments.
    Modules are treated as stateless (their globals are not part of the state hash).

    Each call's `random.*` functions draw from a generator seeded from (seed, call index), private
    to that call's thread, so tools that use `random` replay exactly and the caller's global random
    state is never touched (see `_seeded_random`). Other sources of nondeterminism (clocks,
    `uuid4`, unseeded `random.Random()`) are the tool author's to avoid.

    An environment is not thread-safe: make one per thread (they are cheap; schemas are cached).
    """

    def __init__(self, spec: EnvironmentSpec, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> None:
        self.spec = spec
        self.name = spec.name
        self.timeout = timeout
        self._source = import_target(spec.target)
        if spec.kind == "class" and not isinstance(self._source, type):
            raise EnvironmentLoadError(f"tool source {spec.target!r} is not a class (kind='class')")
        if spec.kind == "module" and not isinstance(self._source, types.ModuleType):
            raise EnvironmentLoadError(f"tool source {spec.target!r} is not a module (kind='module')")
        self._tools = compile_toolset(self._source, spec)
        self._worker: CallWorker | None = None
        self._unavailable: str | None = None
        self.calls_made = 0
        self._host: Any = None
        self.reset()

    # -- state -----------------------------------------------------------------------------------
    def _load(self) -> Any:
        if self.spec.kind == "module":
            return self._source
        cls = self._source
        state = copy.deepcopy(self.spec.initial_state)
        loader = self.spec.loader or getattr(cls, "__hardgen_loader__", None)
        if loader is None:
            loader = "_load_scenario" if hasattr(cls, "_load_scenario") else "kwargs"
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

    def reset(self) -> None:
        self._host = self._load()
        self.calls_made = 0
        self._unavailable = None

    def _copy_host(self, host: Any) -> Any:
        try:
            return copy.deepcopy(host)
        except Exception as exc:  # a lock, a socket, an open file in the state
            raise EnvironmentLoadError(
                f"cannot snapshot environment {self.name!r} ({self.spec.target}): its state does not "
                f"deep-copy: {type(exc).__name__}: {exc}"
            ) from exc

    def snapshot(self) -> _Snapshot:
        """A copy of the current state (and call counter, which seeds randomness); later calls do
        not change it, and it can be restored any number of times."""
        if self.spec.kind == "module":
            return _Snapshot(host=self._host, calls=self.calls_made)
        # Pickled bytes are several times cheaper than a deep copy and immutable, so a snapshot can
        # be restored again and again; objects that do not pickle fall back to a deep copy.
        try:
            frozen: Any = _Pickled(pickle.dumps(self._host, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:
            frozen = self._copy_host(self._host)
        return _Snapshot(host=frozen, calls=self.calls_made)

    def restore(self, snapshot: _Snapshot) -> None:
        """Go back to `snapshot` (also makes a timed-out environment usable again)."""
        if self.spec.kind == "module":
            self._host = snapshot.host
        elif isinstance(snapshot.host, _Pickled):
            self._host = pickle.loads(snapshot.host.data)
        else:
            self._host = self._copy_host(snapshot.host)
        self.calls_made = snapshot.calls
        self._unavailable = None

    def state(self) -> Any:
        return {} if self.spec.kind == "module" else canonical_state(self._host)

    def state_hash(self) -> str:
        return state_digest({}) if self.spec.kind == "module" else state_hash(self._host)

    @property
    def instance(self) -> Any:
        """The live object behind the tools (for tests and adapters; do not keep a reference)."""
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

    def call(self, name: str, arguments: dict[str, Any]) -> Observation:
        compiled = self._tools.get(name)
        if compiled is None:
            return Observation.failure(
                "UnknownToolError", f"no tool named {name!r} in {self.name!r}{_closest(name, list(self._tools))}"
            )
        if self._unavailable:
            return Observation.failure("EnvironmentUnavailableError", self._unavailable)
        if not isinstance(arguments, dict):
            return Observation.failure(
                "ArgumentError", f"{name}: arguments must be a JSON object, got {type(arguments).__name__}"
            )
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
        derived = compiled.derived
        try:
            kwargs = derived.convert_arguments(arguments)
        except ValueError as exc:
            return Observation.failure("ArgumentError", f"{name}: {exc}")
        function = getattr(self._host, derived.attribute)
        call_seed = self.spec.seed * 1_000_003 + self.calls_made
        self.calls_made += 1

        def run() -> Any:
            with seeded(call_seed):
                result = function(**kwargs)
                if inspect.iscoroutine(result):  # an `async def` tool: run it here, to completion
                    result = asyncio.run(result)
                return result

        try:
            if self.timeout is None:
                result = run()
            else:
                if self._worker is None:
                    self._worker = CallWorker(self.name)
                try:
                    result = self._worker.submit(run).result(timeout=self.timeout)
                except FuturesTimeout:
                    # The hung call keeps its thread and its instance; this environment gets a new
                    # worker and must be reset or restored before it is used again. The abandoned
                    # worker is told to stop, so its thread ends if the call ever returns.
                    self._worker.close()
                    self._worker = None
                    self._unavailable = (
                        f"a call to {name!r} timed out after {self.timeout:g}s; reset or restore the environment"
                    )
                    return Observation.failure(
                        "TimeoutError", f"{name}: did not return within {self.timeout:g}s"
                    )
        except (Exception, SystemExit) as exc:  # a tool calling sys.exit() must not end the run
            return Observation.failure(type(exc).__name__, _error_message(exc))
        try:
            return Observation.success(derived.jsonable_result(result))
        except TypeError as exc:
            return Observation.failure("UnserializableResultError", f"{name}: {exc}")

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __del__(self) -> None:  # let the worker thread end with its environment
        try:
            self.close()
        except Exception:
            pass


def build_environment(spec: EnvironmentSpec, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> PythonEnvironment:
    """Build one environment from its spec (import the source, load the initial state)."""
    return PythonEnvironment(spec, timeout=timeout)


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
) -> PythonEnvironment:
    """An environment whose tools are the public methods of `cls` (or its `@tool` ones)."""
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
