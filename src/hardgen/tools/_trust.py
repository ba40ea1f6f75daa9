"""Which tool sources may run: a samples file or run directory is data, not code.

A sample names its tool sources by reference (`module:Class`) and carries the initial state that
the class is loaded with. Rebuilding an environment imports that module and calls the class, so a
file shared like any dataset must not decide what gets imported: a line naming `subprocess:Popen`
with `{"args": "...", "shell": true}` as its state would run a shell command. A reference is
therefore only *resolved* when the user's side says so:

- the built-in world (the exact `module:Class` of each built-in domain),
- sources named in the user's own run config (`resolve_sources` trusts them for the process),
- references stated explicitly: `--trust-sources` on the command line, the `HARDGEN_TRUST_SOURCES`
  environment variable (comma-separated), or `trust_sources()` / `trusted_sources()` in code.

A reference is `package.module:Class` (that attribute only), `package.module` (the module and its
attributes) or `package.*` (the package and everything under it). An entry with a path separator
is a directory or file that docs paths may point into.

Checking is *strict* inside `strict_sources()` (every reading command runs in it): building an
environment for an untrusted reference raises `UntrustedSourceError` before anything is imported,
and a docs path must resolve, symlinks followed, inside an allowed root (the run directory being
read, the source module's directory, a configured path). Outside it (library code constructing
its own specs, the generate pipeline over a config) references are the calling code's own and are
not checked, so existing code keeps working; `check_sources` is the explicit check for it.

Docs files are always required to be regular files under `MAX_DOCS_BYTES` (a device like
`/dev/zero` would never finish reading).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from hardgen.errors import EnvironmentLoadError
from hardgen.schema import EnvironmentSpec

TRUST_ENV_VAR = "HARDGEN_TRUST_SOURCES"
"""Environment variable with comma-separated references the user trusts (like `--trust-sources`)."""
MAX_DOCS_BYTES = 16 * 1024 * 1024
"""Largest tool-docs file read (16 MiB); real docs files are kilobytes."""

Isolation = Literal["thread", "process"]


class UntrustedSourceError(EnvironmentLoadError):
    """A tool source named by a file is neither built in nor trusted by the user."""


@dataclass
class _Policy:
    references: set[str] = field(default_factory=set)
    roots: list[Path] = field(default_factory=list)
    isolation: dict[str, Isolation] = field(default_factory=dict)
    strict: int = 0
    """Nesting depth of `strict_sources()` scopes (strict while > 0)."""


# Process-wide rather than a contextvar: tools run on worker threads and the pipeline hands work to
# executors, none of which would see a context set by the command.
_POLICY = _Policy()
_LOCK = threading.RLock()


@cache
def builtin_references() -> frozenset[str]:
    """The exact `module:Class` references of the built-in world."""
    from hardgen.world import all_domains  # the world imports this package: import late

    return frozenset(d.target for d in all_domains())


def _is_path_entry(entry: str) -> bool:
    return os.sep in entry or entry.startswith(("~", "."))


def _split_entries(entries: Iterable[str]) -> list[str]:
    out: list[str] = []
    for entry in entries:
        out.extend(part.strip() for part in entry.split(",") if part.strip())
    return out


def trust_sources(*entries: str, isolation: Isolation | None = None) -> None:
    """Trust these references (and path roots) for the rest of the process.

    `isolation` also sets how calls to these sources run (see `PythonEnvironment`)."""
    with _LOCK:
        for entry in _split_entries(entries):
            if _is_path_entry(entry):
                _POLICY.roots.append(Path(entry).expanduser().resolve())
            else:
                _POLICY.references.add(entry)
                if isolation is not None:
                    _POLICY.isolation[entry] = isolation


def trust_root(path: str | Path) -> None:
    """Let docs paths point into `path` (a run directory, a configured docs file) for the process."""
    with _LOCK:
        _POLICY.roots.append(Path(path).expanduser().resolve())


@contextmanager
def trusted_sources(*entries: str, roots: Sequence[str | Path] = ()) -> Iterator[None]:
    """Trust `entries` (and docs `roots`) inside the block only: whatever is trusted in it, here or
    by code it runs (a config's sources), is forgotten after it."""
    with _LOCK:
        saved = set(_POLICY.references), list(_POLICY.roots), dict(_POLICY.isolation)
    try:
        trust_sources(*entries)
        for root in roots:
            trust_root(root)
        yield
    finally:
        with _LOCK:
            _POLICY.references, _POLICY.roots, _POLICY.isolation = saved


@contextmanager
def strict_sources(*entries: str, roots: Sequence[str | Path] = (), environ: bool = True) -> Iterator[None]:
    """Refuse untrusted tool sources inside the block (what every command reading a file runs in).

    `entries` and `roots` are trusted inside the block; with `environ`, so are those in
    `HARDGEN_TRUST_SOURCES`."""
    from_env = _split_entries([os.environ.get(TRUST_ENV_VAR, "")]) if environ else []
    with trusted_sources(*entries, *from_env, roots=roots):
        with _LOCK:
            _POLICY.strict += 1
        try:
            yield
        finally:
            with _LOCK:
                _POLICY.strict -= 1


def docs_roots() -> list[Path]:
    """The directories and files docs paths may point into (besides each source's own directory)."""
    with _LOCK:
        return list(_POLICY.roots)


def is_strict() -> bool:
    """Whether untrusted sources are being refused (inside `strict_sources()`)."""
    return _POLICY.strict > 0


def _module_of(target: str) -> str:
    return target.partition(":")[0]


def is_trusted(target: str, kind: str = "class") -> bool:
    """Whether the reference `target` may be imported and called."""
    if kind == "class" and target in builtin_references():
        return True
    module = _module_of(target)
    with _LOCK:
        references = set(_POLICY.references)
    if kind == "mcp" or target.startswith("mcp:"):
        # An MCP server's reference names its command by digest: only that exact reference trusts
        # it (a module or package reference named `mcp` must not trust every server).
        return target in references
    for ref in references:
        if ref.endswith(".*"):
            package = ref[:-2]
            if module == package or module.startswith(package + "."):
                return True
        elif ":" in ref:
            if ref == target:
                return True
        elif module == ref:
            return True
    return False


def source_isolation(target: str) -> Isolation | None:
    """How the user asked calls to `target` to run, if they said (`isolation` of a source)."""
    with _LOCK:
        return _POLICY.isolation.get(target)


def refusal(target: str, where: str = "") -> str:
    """The one-line message that refuses `target`."""
    place = f" named in {where}" if where else ""
    return (
        f"refusing tool source {target!r}{place}: it is not part of the built-in world and not trusted "
        f"(a samples file or run directory is data and cannot choose code to run); if you trust it, pass "
        f"--trust-sources {target} or set {TRUST_ENV_VAR}"
    )


def untrusted_references(specs: Iterable[EnvironmentSpec]) -> list[str]:
    """The references among `specs` that are not trusted, in order, without repeats."""
    seen: list[str] = []
    for spec in specs:
        if spec.target not in seen and not is_trusted(spec.target, spec.kind):
            seen.append(spec.target)
    return seen


def check_sources(specs: Iterable[EnvironmentSpec], *, where: str = "") -> None:
    """Raise UntrustedSourceError naming the first untrusted reference (nothing is imported)."""
    bad = untrusted_references(specs)
    if bad:
        raise UntrustedSourceError(refusal(bad[0], where))


def check_loader(spec: EnvironmentSpec) -> None:
    """A loader is a plain method name: a dunder (`__class__`, `__reduce__`) would reach past the
    loading methods the class offers."""
    loader = spec.loader
    if loader is None or loader == "kwargs":
        return
    if not loader.isidentifier() or loader.startswith("__"):
        raise EnvironmentLoadError(f"environment {spec.name!r}: loader {loader!r} is not a loading method name")


def check_resolved(spec: EnvironmentSpec, module: str, qualname: str) -> None:
    """In strict mode, what an attribute path resolved to must itself be trusted: a trusted module
    that imports `subprocess` must not lend `mod:subprocess.Popen`."""
    if not is_strict() or spec.kind != "class":
        return
    resolved = f"{module}:{qualname}"
    if is_trusted(resolved) or (module == _module_of(spec.target) and is_trusted(spec.target)):
        return
    raise UntrustedSourceError(refusal(resolved, f"environment {spec.name!r} ({spec.target})"))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


@cache
def _package_dirs(packages: tuple[str, ...]) -> list[Path]:
    """The directories of trusted top-level packages (`bfcl_eval.*` trusts its data files too),
    found without importing them."""
    import importlib.util

    dirs: list[Path] = []
    for package in packages:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.submodule_search_locations:
            dirs.extend(Path(d).resolve() for d in spec.submodule_search_locations)
    return dirs


def check_docs_file(path: Path, *, beside: Path | None = None) -> Path:
    """The docs file at `path`, checked: a regular file under the size cap and, in strict mode,
    inside an allowed root (symlinks resolved first). `beside` is the source module's directory."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise EnvironmentLoadError(f"tool docs {path} cannot be read: {exc}") from None
    if not real.is_file():
        raise EnvironmentLoadError(f"tool docs {path} is not a regular file")
    size = real.stat().st_size
    if size > MAX_DOCS_BYTES:
        raise EnvironmentLoadError(f"tool docs {path} is {size} bytes, over the {MAX_DOCS_BYTES}-byte limit")
    if is_strict():
        with _LOCK:
            roots = list(_POLICY.roots)
            wildcards = [ref[:-2] for ref in _POLICY.references if ref.endswith(".*") and "." not in ref[:-2]]
        if beside is not None:
            roots.append(beside.resolve())
        roots.extend(_package_dirs(tuple(sorted(wildcards))))
        if not any(_inside(real, root) for root in roots):
            raise UntrustedSourceError(
                f"refusing tool docs {str(path)!r}: it resolves to {str(real)!r}, outside the run directory and "
                f"the configured sources; pass --trust-sources with its directory if you trust it"
            )
    return real
