"""Backing stores of resettable MCP servers: copied fresh per episode, hashed as the state.

A store is a folder or a single file. Inside it, three kinds of things are told apart, so that the
state is what a user would call the data and not how it happens to lie on disk:

- a SQLite database (any file starting with the SQLite header) is the sha256 of its canonical dump
  (`sqlite3.Connection.iterdump`, so page layout, free pages and vacuuming do not matter) plus its
  rows by table; `-journal`, `-wal` and `-shm` sidecars are not state of their own,
- a git repository (a `.git` folder) is its HEAD, branches, tags, commits and index entries as git
  reports them (`git status` rewriting the index's stat cache changes nothing), its working tree
  being files,
- any other file is its text (UTF-8, up to 64 KiB) or its size and sha256.

A snapshot is the store's bytes held in memory (`StoreImage`), so it can be restored any number of
times and dies with its last reference; stores are capped at `MAX_STORE_BYTES`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardgen.errors import EnvironmentLoadError
from hardgen.tools._state import state_digest

MAX_STORE_BYTES = 64 * 1024 * 1024
"""Largest store copied per episode (64 MiB): every reset and snapshot copies it whole."""
_TEXT_LIMIT = 64 * 1024
_SQLITE_HEADER = b"SQLite format 3\x00"
_SIDECARS = ("-journal", "-wal", "-shm")
_GIT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class StoreImage:
    """A store's files as bytes: relative path -> (content, mode); folders listed so empty ones
    survive. `single` is set when the store is one file, not a folder."""

    files: tuple[tuple[str, bytes, int], ...]
    folders: tuple[str, ...]
    single: bool


def read_store(path: Path) -> StoreImage:
    """The bytes of the store at `path` (a file or a folder; symlinks inside are not followed)."""
    if path.is_file():
        data = path.read_bytes()
        _check_size(path, len(data))
        return StoreImage(files=(("", data, path.stat().st_mode & 0o777),), folders=(), single=True)
    if not path.is_dir():
        raise EnvironmentLoadError(f"MCP store {path} is neither a file nor a folder")
    files: list[tuple[str, bytes, int]] = []
    folders: list[str] = []
    total = 0
    for root, dirs, names in os.walk(path):
        dirs.sort()
        rel_root = Path(root).relative_to(path)
        for d in dirs:
            folders.append(str(rel_root / d))
        for name in sorted(names):
            full = Path(root) / name
            if full.is_symlink() or not full.is_file():
                continue  # a link could point anywhere outside the store; sockets and fifos are not data
            data = full.read_bytes()
            total += len(data)
            _check_size(path, total)
            files.append((str(rel_root / name), data, full.stat().st_mode & 0o777))
    return StoreImage(files=tuple(files), folders=tuple(folders), single=False)


def _check_size(path: Path, size: int) -> None:
    if size > MAX_STORE_BYTES:
        raise EnvironmentLoadError(
            f"MCP store {path} is over {MAX_STORE_BYTES} bytes; it is copied for every episode, use a smaller one"
        )


def write_store(image: StoreImage, dest: Path) -> None:
    """Make `dest` hold exactly `image` (whatever was there before is removed)."""
    if dest.is_dir() and not dest.is_symlink():
        shutil.rmtree(dest)
    elif dest.exists() or dest.is_symlink():
        dest.unlink()
    if image.single:
        _, data, mode = image.files[0]
        dest.write_bytes(data)
        dest.chmod(mode)
        return
    dest.mkdir(parents=True)
    for folder in image.folders:
        (dest / folder).mkdir(parents=True, exist_ok=True)
    for rel, data, mode in image.files:
        target = dest / rel
        target.write_bytes(data)
        target.chmod(mode)


def store_state(path: Path) -> dict[str, Any]:
    """The canonical state of the store at `path` (see the module docstring). Lists of records
    (`{"path": ..., "content": ...}`, `{"table_name": ..., "rows": ...}`, `{"name": ..., "commit": ...}`)
    rather than mappings, so that value pools learn file paths, table and branch names as values."""
    if path.is_file():
        return _entry_state(path, path.name)
    files: list[dict[str, Any]] = []
    databases: list[dict[str, Any]] = []
    repositories: list[dict[str, Any]] = []
    for root, dirs, names in os.walk(path):
        dirs.sort()
        rel_root = Path(root).relative_to(path)
        if ".git" in dirs:
            repositories.append({"path": str(rel_root), **_git_state(Path(root))})
            dirs.remove(".git")
        for name in sorted(names):
            full = Path(root) / name
            if name.endswith(_SIDECARS) or full.is_symlink() or not full.is_file():
                continue
            entry = _entry_state(full, str(rel_root / name))
            (databases if "tables" in entry else files).append(entry)
    state: dict[str, Any] = {"files": files}
    if databases:
        state["databases"] = databases
    if repositories:
        state["repositories"] = repositories
    return state


def _entry_state(path: Path, rel: str) -> dict[str, Any]:
    with path.open("rb") as fh:
        head = fh.read(len(_SQLITE_HEADER))
    if head == _SQLITE_HEADER:
        return {"path": rel, **_sqlite_state(path)}
    data = path.read_bytes()
    if len(data) <= _TEXT_LIMIT:
        try:
            return {"path": rel, "content": data.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    return {"path": rel, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def store_hash(path: Path) -> str:
    return state_digest(store_state(path))


def _sqlite_state(path: Path) -> dict[str, Any]:
    """Rows by table (what value pools learn from) and the sha256 of the canonical dump (what
    catches every change: schema, indexes, rows)."""
    # Read-only and immutable=0: the server may have it open; we never write it.
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5.0)
    except sqlite3.Error as exc:
        raise EnvironmentLoadError(f"cannot open SQLite store {path}: {exc}") from exc
    try:
        dump = hashlib.sha256()
        for line in conn.iterdump():
            dump.update(line.encode("utf-8", errors="surrogatepass") + b"\n")
        tables: list[dict[str, Any]] = []
        names = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        for (table,) in names:
            cursor = conn.execute(f'SELECT * FROM "{table.replace(chr(34), chr(34) * 2)}"')
            columns = [c[0] for c in cursor.description]
            rows = [dict(zip(columns, _jsonable_row(row), strict=True)) for row in cursor.fetchall()]
            tables.append({"table_name": table, "rows": rows})
    except sqlite3.Error as exc:
        raise EnvironmentLoadError(f"cannot read SQLite store {path}: {exc}") from exc
    finally:
        conn.close()
    return {"tables": tables, "dump_sha256": dump.hexdigest()}


def _jsonable_row(row: tuple[Any, ...]) -> list[Any]:
    return [{"blob_sha256": hashlib.sha256(v).hexdigest()} if isinstance(v, bytes) else v for v in row]


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # reading the state must not rewrite the index
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=_GIT_TIMEOUT_S, env=env,
            check=False,
        )
    except FileNotFoundError:
        raise EnvironmentLoadError(f"MCP store {repo} is a git repository but `git` is not installed") from None
    except subprocess.TimeoutExpired:
        raise EnvironmentLoadError(f"git {' '.join(args)} in {repo} did not finish in {_GIT_TIMEOUT_S:g}s") from None
    return done.stdout if done.returncode == 0 else ""


def _git_state(repo: Path) -> dict[str, Any]:
    """HEAD (a branch name, or a commit when detached), branches, tags, the commits they reach
    (sha and subject) and the index entries."""
    head = _git(repo, "symbolic-ref", "-q", "--short", "HEAD").strip() or _git(repo, "rev-parse", "HEAD").strip()
    branches, tags, other = [], [], []
    for line in _git(repo, "for-each-ref", "--format=%(objectname) %(refname)").splitlines():
        sha, _, ref = line.partition(" ")
        if ref.startswith("refs/heads/"):
            branches.append({"name": ref[len("refs/heads/"):], "commit": sha})
        elif ref.startswith("refs/tags/"):
            tags.append({"name": ref[len("refs/tags/"):], "commit": sha})
        elif ref:
            other.append({"ref": ref, "commit": sha})
    commits = [
        {"commit": sha, "message": subject}
        for sha, _, subject in (
            line.partition(" ") for line in _git(repo, "log", "--all", "--format=%H %s").splitlines()
        )
    ]
    return {"head": head, "branches": branches, "tags": tags, "other_refs": other, "commits": commits,
            "index": _git(repo, "ls-files", "--stage").splitlines()}


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "HardGen",
    "GIT_AUTHOR_EMAIL": "hardgen@localhost",
    "GIT_COMMITTER_NAME": "HardGen",
    "GIT_COMMITTER_EMAIL": "hardgen@localhost",
    "GIT_AUTHOR_DATE": "946684800 +0000",
    "GIT_COMMITTER_DATE": "946684800 +0000",
}
"""Set for servers on a store: a commit made in generation and the same commit replayed by the
verifier must get the same sha (a clock in the author date would make every commit a new state)."""


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
