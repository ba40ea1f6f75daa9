"""The `filesystem` domain: a user's hierarchical file system with a working directory.

State is a tree of directories and text files plus the current working directory (`cwd`).
Relative paths resolve against `cwd`, so a `cd` changes what every later relative-path call
means: the state prerequisite that agents most often forget. System folders (`/etc`, `/var`)
are read-only, so writes there fail with PermissionDeniedError.
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import posixpath
import random
from typing import Any, Literal

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import CITIES, person_name
from hardgen.world._domain import Chain, Domain
from hardgen.world._errors import (
    ConflictError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)

_described = with_config(ConfigDict(use_attribute_docstrings=True))

# Files larger than this are refused by write tools, as a real quota would.
MAX_FILE_BYTES = 100_000


@_described
class WorkingDirectory(TypedDict):
    cwd: str
    """Absolute path of the current working directory."""


@_described
class DirectoryEntry(TypedDict):
    name: str
    """Entry name inside the listed directory (not a path)."""
    path: str
    """Absolute path of the entry."""
    kind: Literal["file", "directory"]
    size: int
    """Size in bytes (files) or number of entries (directories)."""


@_described
class DirectoryListing(TypedDict):
    path: str
    """Absolute path of the listed directory."""
    entries: list[DirectoryEntry]


@_described
class PathResult(TypedDict):
    path: str
    """Absolute path of the file or directory acted on."""
    kind: Literal["file", "directory"]


@_described
class WriteResult(TypedDict):
    path: str
    """Absolute path of the written file."""
    size: int
    """File size in bytes after the write."""
    created: bool
    """True when the file did not exist before."""


@_described
class FileContent(TypedDict):
    path: str
    """Absolute path of the file."""
    content: str
    size: int


@_described
class FileLines(TypedDict):
    path: str
    """Absolute path of the file."""
    lines: list[str]
    total_lines: int
    """Number of lines in the whole file."""


@_described
class WordCount(TypedDict):
    path: str
    lines: int
    words: int
    characters: int


@_described
class DiskUsage(TypedDict):
    path: str
    size_bytes: int
    """Total size of all files under the path."""
    file_count: int
    directory_count: int


@_described
class FoundPath(TypedDict):
    path: str
    """Absolute path of a match; pass it to cat, cp, mv, rm..."""
    kind: Literal["file", "directory"]


@_described
class FindResult(TypedDict):
    matches: list[FoundPath]


@_described
class GrepMatch(TypedDict):
    path: str
    """Absolute path of the file containing the line."""
    line_number: int
    """1-based line number."""
    line: str


@_described
class GrepResult(TypedDict):
    matches: list[GrepMatch]


@_described
class MoveResult(TypedDict):
    source: str
    destination: str
    """Absolute path the item now has."""
    kind: Literal["file", "directory"]


@_described
class RemoveResult(TypedDict):
    path: str
    removed_files: int
    removed_directories: int


@_described
class DiffResult(TypedDict):
    identical: bool
    diff: list[str]
    """Unified diff lines (empty when identical)."""


@_described
class PathInfo(TypedDict):
    path: str
    kind: Literal["file", "directory"]
    size: int
    modified: str
    """Last modification date, YYYY-MM-DD."""
    read_only: bool


def _dir(modified: str, read_only: bool = False) -> dict[str, Any]:
    return {"kind": "directory", "children": {}, "modified": modified, "read_only": read_only}


def _file(content: str, modified: str, read_only: bool = False) -> dict[str, Any]:
    return {"kind": "file", "content": content, "modified": modified, "read_only": read_only}


def _size(node: dict[str, Any]) -> int:
    return len(node["content"].encode("utf-8")) if node["kind"] == "file" else len(node["children"])


class FileSystemAPI:
    """A POSIX-like file system of text files with a current working directory."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = _dir("2024-01-01")
        self.cwd: str = "/"
        self.home: str = "/"
        self.today: str = "2024-01-01"

    def load_state(self, state: dict[str, Any]) -> None:
        """Load `{"tree", "cwd", "home", "today"}` as made by `generate_state`."""
        self.tree = state["tree"]
        self.cwd = state.get("cwd", "/")
        self.home = state.get("home", "/")
        self.today = state.get("today", "2024-01-01")

    # -- path helpers ----------------------------------------------------------------------------
    def _absolute(self, path: str) -> str:
        if not isinstance(path, str) or not path.strip():
            raise InvalidArgumentError("path must be a non-empty string such as 'notes.txt' or '/home'")
        path = path.strip()
        if path == "~" or path.startswith("~/"):
            path = self.home + path[1:]
        joined = path if path.startswith("/") else posixpath.join(self.cwd, path)
        normal = posixpath.normpath(joined)
        return "/" if normal in ("", "//") else normal

    @staticmethod
    def _parts(absolute: str) -> list[str]:
        return [p for p in absolute.split("/") if p]

    def _lookup(self, absolute: str) -> dict[str, Any] | None:
        node = self.tree
        for part in self._parts(absolute):
            if node["kind"] != "directory" or part not in node["children"]:
                return None
            node = node["children"][part]
        return node

    def _get(self, path: str) -> tuple[str, dict[str, Any]]:
        absolute = self._absolute(path)
        node = self._lookup(absolute)
        if node is None:
            raise NotFoundError(
                f"no such file or directory: {absolute!r} (cwd is {self.cwd!r}); use ls or find to locate it"
            )
        return absolute, node

    def _get_file(self, path: str) -> tuple[str, dict[str, Any]]:
        absolute, node = self._get(path)
        if node["kind"] != "file":
            raise InvalidArgumentError(f"{absolute!r} is a directory, not a file; use ls to list it")
        return absolute, node

    def _parent_for_new(self, absolute: str) -> tuple[dict[str, Any], str]:
        if absolute == "/":
            raise InvalidArgumentError("'/' is the root directory and cannot be created or replaced")
        parent_path, name = posixpath.split(absolute)
        parent = self._lookup(parent_path)
        if parent is None:
            raise NotFoundError(f"parent directory {parent_path!r} does not exist; create it with mkdir first")
        if parent["kind"] != "directory":
            raise InvalidArgumentError(f"{parent_path!r} is a file, not a directory")
        return parent, name

    @staticmethod
    def _check_writable(node: dict[str, Any], absolute: str) -> None:
        if node.get("read_only"):
            raise PermissionDeniedError(f"{absolute!r} is read-only; work in your home directory instead")

    def _walk(self, absolute: str, node: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """(path, node) for `node` and everything below it, depth-first in name order."""
        out = [(absolute, node)]
        if node["kind"] == "directory":
            for name in sorted(node["children"]):
                out.extend(self._walk(posixpath.join(absolute, name), node["children"][name]))
        return out

    @staticmethod
    def _check_content(content: str) -> None:
        if len(content.encode("utf-8")) > MAX_FILE_BYTES:
            raise InvalidArgumentError(f"content is larger than the {MAX_FILE_BYTES}-byte file limit")

    # -- reading ---------------------------------------------------------------------------------
    @tool
    def pwd(self) -> WorkingDirectory:
        """Show the current working directory.

        Relative paths in every other tool resolve against it; change it with cd.

        Returns:
            The absolute path of the current working directory.
        """
        return {"cwd": self.cwd}

    @tool
    def ls(self, path: str = ".", show_hidden: bool = False) -> DirectoryListing:
        """List the entries of a directory.

        Use it to discover file names before reading or moving them.

        Args:
            path: Directory to list, absolute or relative to the working directory (default: the working directory).
            show_hidden: Also list entries whose names start with a dot.

        Returns:
            The directory's absolute path and its entries (name, absolute path, kind, size) in name order.
        """
        absolute, node = self._get(path)
        if node["kind"] != "directory":
            raise InvalidArgumentError(f"{absolute!r} is a file, not a directory; use cat to read it")
        entries: list[DirectoryEntry] = [
            {"name": name, "path": posixpath.join(absolute, name), "kind": child["kind"], "size": _size(child)}
            for name, child in sorted(node["children"].items())
            if show_hidden or not name.startswith(".")
        ]
        return {"path": absolute, "entries": entries}

    @tool
    def cat(self, path: str) -> FileContent:
        """Read the whole content of a text file.

        Args:
            path: File to read, absolute or relative to the working directory.

        Returns:
            The file's absolute path, its text content and size in bytes.
        """
        absolute, node = self._get_file(path)
        return {"path": absolute, "content": node["content"], "size": _size(node)}

    def _file_lines(self, path: str, lines: int) -> tuple[str, list[str]]:
        """A file's absolute path and its lines, for head and tail (which check the same count)."""
        absolute, node = self._get_file(path)
        if not 1 <= lines <= 1000:
            raise InvalidArgumentError(f"lines must be between 1 and 1000, got {lines}")
        return absolute, node["content"].splitlines()

    @tool
    def head(self, path: str, lines: int = 10) -> FileLines:
        """Read the first lines of a text file.

        Args:
            path: File to read, absolute or relative to the working directory.
            lines: How many lines to return, 1 to 1000.

        Returns:
            The first lines of the file and the file's total line count.
        """
        absolute, all_lines = self._file_lines(path, lines)
        return {"path": absolute, "lines": all_lines[:lines], "total_lines": len(all_lines)}

    @tool
    def tail(self, path: str, lines: int = 10) -> FileLines:
        """Read the last lines of a text file (e.g. the latest entries of a log).

        Args:
            path: File to read, absolute or relative to the working directory.
            lines: How many lines to return, 1 to 1000.

        Returns:
            The last lines of the file and the file's total line count.
        """
        absolute, all_lines = self._file_lines(path, lines)
        return {"path": absolute, "lines": all_lines[-lines:], "total_lines": len(all_lines)}

    @tool
    def wc(self, path: str) -> WordCount:
        """Count the lines, words and characters of a text file.

        Args:
            path: File to count, absolute or relative to the working directory.

        Returns:
            Line, word and character counts of the file.
        """
        absolute, node = self._get_file(path)
        content = node["content"]
        return {
            "path": absolute,
            "lines": len(content.splitlines()),
            "words": len(content.split()),
            "characters": len(content),
        }

    @tool
    def du(self, path: str = ".") -> DiskUsage:
        """Measure the disk usage of a file or of a directory and everything under it.

        Args:
            path: File or directory, absolute or relative to the working directory (default: the working directory).

        Returns:
            Total bytes of the files under the path, and how many files and sub-directories it holds.
        """
        absolute, node = self._get(path)
        walked = self._walk(absolute, node)
        files = [n for _, n in walked if n["kind"] == "file"]
        directories = [p for p, n in walked if n["kind"] == "directory" and p != absolute]
        return {
            "path": absolute,
            "size_bytes": sum(_size(n) for n in files),
            "file_count": len(files),
            "directory_count": len(directories),
        }

    @tool
    def find(self, name: str, path: str = ".", kind: Literal["any", "file", "directory"] = "any") -> FindResult:
        """Find files and directories by name below a directory (recursive).

        Use it to get the full path of a file the user names but whose folder is unknown.

        Args:
            name: Name or shell-style pattern to match against entry names, e.g. 'budget_2024.csv' or '*.log'.
            path: Directory to search under, absolute or relative to the working directory (default: the working directory).
            kind: Restrict matches to files or directories.

        Returns:
            Absolute paths (and kinds) of every matching entry, in path order.
        """
        if not name.strip():
            raise InvalidArgumentError("name must be a non-empty name or pattern such as '*.txt'")
        absolute, node = self._get(path)
        if node["kind"] != "directory":
            raise InvalidArgumentError(f"{absolute!r} is a file; find searches under a directory")
        matches: list[FoundPath] = []
        for found_path, found in self._walk(absolute, node)[1:]:
            if kind != "any" and found["kind"] != kind:
                continue
            if fnmatch.fnmatchcase(posixpath.basename(found_path), name):
                matches.append({"path": found_path, "kind": found["kind"]})
        return {"matches": matches}

    @tool
    def grep(self, pattern: str, path: str = ".", ignore_case: bool = False) -> GrepResult:
        """Search text files for lines containing a string.

        Searches one file, or every file under a directory recursively.

        Args:
            pattern: Text to look for (a plain substring, not a regular expression).
            path: File or directory to search, absolute or relative to the working directory.
            ignore_case: Match regardless of upper/lower case.

        Returns:
            Every matching line with its file's absolute path and 1-based line number.
        """
        if not pattern:
            raise InvalidArgumentError("pattern must be a non-empty string")
        absolute, node = self._get(path)
        needle = pattern.lower() if ignore_case else pattern
        matches: list[GrepMatch] = []
        for file_path, found in self._walk(absolute, node):
            if found["kind"] != "file":
                continue
            for number, line in enumerate(found["content"].splitlines(), start=1):
                if needle in (line.lower() if ignore_case else line):
                    matches.append({"path": file_path, "line_number": number, "line": line})
        return {"matches": matches}

    @tool
    def diff(self, path_a: str, path_b: str) -> DiffResult:
        """Compare two text files line by line.

        Args:
            path_a: First file (the 'old' side), absolute or relative to the working directory.
            path_b: Second file (the 'new' side), absolute or relative to the working directory.

        Returns:
            Whether the files are identical, and a unified diff when they are not.
        """
        a_path, a = self._get_file(path_a)
        b_path, b = self._get_file(path_b)
        lines = list(
            difflib.unified_diff(
                a["content"].splitlines(), b["content"].splitlines(), fromfile=a_path, tofile=b_path, lineterm=""
            )
        )
        return {"identical": not lines, "diff": lines}

    @tool
    def stat(self, path: str) -> PathInfo:
        """Show the kind, size, modification date and write protection of a file or directory.

        Args:
            path: File or directory, absolute or relative to the working directory.

        Returns:
            The entry's absolute path, kind, size, last modification date and whether it is read-only.
        """
        absolute, node = self._get(path)
        return {
            "path": absolute,
            "kind": node["kind"],
            "size": _size(node),
            "modified": node["modified"],
            "read_only": bool(node.get("read_only")),
        }

    # -- writing ---------------------------------------------------------------------------------
    @tool(mutates=True)
    def cd(self, path: str) -> WorkingDirectory:
        """Change the current working directory.

        Every later relative path (in ls, cat, touch, ...) resolves against the new directory.
        Accepts absolute paths, relative paths, '..' and '~' (the home directory).

        Args:
            path: Directory to enter.

        Returns:
            The new working directory.
        """
        absolute, node = self._get(path)
        if node["kind"] != "directory":
            raise InvalidArgumentError(f"{absolute!r} is a file, not a directory")
        self.cwd = absolute
        return {"cwd": absolute}

    @tool(mutates=True)
    def mkdir(self, path: str, parents: bool = False) -> PathResult:
        """Create a directory.

        Args:
            path: Directory to create, absolute or relative to the working directory.
            parents: Also create missing parent directories (like mkdir -p); an existing directory is then not an error.

        Returns:
            The absolute path of the directory.
        """
        absolute = self._absolute(path)
        existing = self._lookup(absolute)
        if existing is not None:
            if parents and existing["kind"] == "directory":
                return {"path": absolute, "kind": "directory"}
            raise ConflictError(f"{absolute!r} already exists")
        if parents:
            node = self.tree
            current = "/"
            for part in self._parts(absolute):
                current = posixpath.join(current, part)
                child = node["children"].get(part)
                if child is None:
                    self._check_writable(node, posixpath.dirname(current))
                    child = node["children"][part] = _dir(self.today)
                elif child["kind"] != "directory":
                    raise InvalidArgumentError(f"{current!r} is a file, not a directory")
                node = child
            return {"path": absolute, "kind": "directory"}
        parent, name = self._parent_for_new(absolute)
        self._check_writable(parent, posixpath.dirname(absolute))
        parent["children"][name] = _dir(self.today)
        parent["modified"] = self.today
        return {"path": absolute, "kind": "directory"}

    @tool(mutates=True)
    def touch(self, path: str) -> WriteResult:
        """Create an empty file, or mark an existing file as modified today.

        Args:
            path: File to create or touch, absolute or relative to the working directory.

        Returns:
            The file's absolute path, size, and whether it was newly created.
        """
        absolute = self._absolute(path)
        node = self._lookup(absolute)
        if node is not None:
            if node["kind"] != "file":
                raise InvalidArgumentError(f"{absolute!r} is a directory")
            self._check_writable(node, absolute)
            node["modified"] = self.today
            return {"path": absolute, "size": _size(node), "created": False}
        parent, name = self._parent_for_new(absolute)
        self._check_writable(parent, posixpath.dirname(absolute))
        parent["children"][name] = _file("", self.today)
        return {"path": absolute, "size": 0, "created": True}

    @tool(mutates=True)
    def write_file(self, path: str, content: str, overwrite: bool = False) -> WriteResult:
        """Write text to a file, creating it.

        An existing file is only replaced when overwrite is true; to add to a file use append_to_file.

        Args:
            path: File to write, absolute or relative to the working directory; its directory must exist.
            content: The full text to store.
            overwrite: Replace the file if it already exists.

        Returns:
            The file's absolute path, its new size and whether it was newly created.
        """
        self._check_content(content)
        absolute = self._absolute(path)
        node = self._lookup(absolute)
        if node is not None:
            if node["kind"] != "file":
                raise InvalidArgumentError(f"{absolute!r} is a directory")
            if not overwrite:
                raise ConflictError(f"{absolute!r} already exists; pass overwrite=true or use append_to_file")
            self._check_writable(node, absolute)
            node["content"] = content
            node["modified"] = self.today
            return {"path": absolute, "size": _size(node), "created": False}
        parent, name = self._parent_for_new(absolute)
        self._check_writable(parent, posixpath.dirname(absolute))
        parent["children"][name] = _file(content, self.today)
        return {"path": absolute, "size": len(content.encode("utf-8")), "created": True}

    @tool(mutates=True)
    def append_to_file(self, path: str, content: str) -> WriteResult:
        """Append text to the end of an existing file (a newline is added first if the file lacks one).

        Args:
            path: Existing file, absolute or relative to the working directory.
            content: Text to append.

        Returns:
            The file's absolute path and its new size.
        """
        absolute, node = self._get_file(path)
        self._check_writable(node, absolute)
        separator = "\n" if node["content"] and not node["content"].endswith("\n") else ""
        new_content = node["content"] + separator + content
        self._check_content(new_content)
        node["content"] = new_content
        node["modified"] = self.today
        return {"path": absolute, "size": _size(node), "created": False}

    @tool(mutates=True)
    def rm(self, path: str, recursive: bool = False) -> RemoveResult:
        """Delete a file, or a directory with recursive=true.

        Args:
            path: File or directory to delete, absolute or relative to the working directory.
            recursive: Required to delete a directory and everything in it.

        Returns:
            The deleted path and how many files and directories were removed.
        """
        absolute, node = self._get(path)
        if absolute == "/":
            raise PermissionDeniedError("refusing to delete the root directory")
        if node["kind"] == "directory" and not recursive:
            raise InvalidArgumentError(f"{absolute!r} is a directory; pass recursive=true to delete it")
        if self.cwd == absolute or self.cwd.startswith(absolute + "/"):
            raise InvalidStateError(f"{absolute!r} contains the working directory {self.cwd!r}; cd elsewhere first")
        parent_path, name = posixpath.split(absolute)
        parent = self._lookup(parent_path)
        assert parent is not None
        self._check_writable(parent, parent_path)
        walked = self._walk(absolute, node)
        del parent["children"][name]
        parent["modified"] = self.today
        return {
            "path": absolute,
            "removed_files": sum(1 for _, n in walked if n["kind"] == "file"),
            "removed_directories": sum(1 for _, n in walked if n["kind"] == "directory"),
        }

    def _place(self, source: str, destination: str) -> tuple[str, dict[str, Any], str, dict[str, Any], str]:
        """Resolve a mv/cp: (source path, source node, target path, target parent, target name)."""
        src_path, src = self._get(source)
        dest_path = self._absolute(destination)
        dest = self._lookup(dest_path)
        if dest is not None and dest["kind"] == "directory":
            # Into an existing directory, keeping the name (like mv/cp do).
            dest_path = posixpath.join(dest_path, posixpath.basename(src_path))
        if dest_path == src_path:
            raise InvalidArgumentError(f"source and destination are the same path {src_path!r}")
        if src["kind"] == "directory" and dest_path.startswith(src_path + "/"):
            raise InvalidArgumentError(f"cannot put directory {src_path!r} inside itself")
        if self._lookup(dest_path) is not None:
            raise ConflictError(f"{dest_path!r} already exists; remove it first or choose another name")
        parent, name = self._parent_for_new(dest_path)
        self._check_writable(parent, posixpath.dirname(dest_path))
        return src_path, src, dest_path, parent, name

    @tool(mutates=True)
    def mv(self, source: str, destination: str) -> MoveResult:
        """Move or rename a file or directory.

        If the destination is an existing directory the item is moved into it under its own name.

        Args:
            source: File or directory to move, absolute or relative to the working directory.
            destination: New path, or an existing directory to move into.

        Returns:
            The source path, the absolute path the item now has, and its kind.
        """
        src_path, src, dest_path, parent, name = self._place(source, destination)
        if self.cwd == src_path or self.cwd.startswith(src_path + "/"):
            raise InvalidStateError(f"{src_path!r} contains the working directory {self.cwd!r}; cd elsewhere first")
        old_parent_path, old_name = posixpath.split(src_path)
        old_parent = self._lookup(old_parent_path)
        assert old_parent is not None
        self._check_writable(old_parent, old_parent_path)
        del old_parent["children"][old_name]
        parent["children"][name] = src
        old_parent["modified"] = parent["modified"] = self.today
        return {"source": src_path, "destination": dest_path, "kind": src["kind"]}

    @tool(mutates=True)
    def cp(self, source: str, destination: str, recursive: bool = False) -> MoveResult:
        """Copy a file, or a directory with recursive=true.

        If the destination is an existing directory the copy goes into it under the source's name.

        Args:
            source: File or directory to copy, absolute or relative to the working directory.
            destination: Path of the copy, or an existing directory to copy into.
            recursive: Required to copy a directory and everything in it.

        Returns:
            The source path, the absolute path of the copy, and its kind.
        """
        src_path, src, dest_path, parent, name = self._place(source, destination)
        if src["kind"] == "directory" and not recursive:
            raise InvalidArgumentError(f"{src_path!r} is a directory; pass recursive=true to copy it")

        def clone(node: dict[str, Any]) -> dict[str, Any]:
            if node["kind"] == "file":
                return _file(node["content"], self.today)
            copied = _dir(self.today)
            copied["children"] = {k: clone(v) for k, v in node["children"].items()}
            return copied

        parent["children"][name] = clone(src)
        parent["modified"] = self.today
        return {"source": src_path, "destination": dest_path, "kind": src["kind"]}


# -- generated worlds ----------------------------------------------------------------------------
_PROJECTS = ("atlas", "beacon", "comet", "delta", "ember", "falcon", "glacier", "harbor", "iris", "juniper")
_TOPICS = ("pricing", "hiring", "roadmap", "budget", "onboarding", "security", "marketing", "migration")
_LOG_EVENTS = (
    ("INFO", "request served in {n} ms"),
    ("INFO", "user session started for id {n}"),
    ("WARN", "slow query took {n} ms"),
    ("WARN", "cache miss rate at {n} percent"),
    ("ERROR", "database connection timeout after {n} ms"),
    ("ERROR", "payment gateway returned status {n}"),
)


def _log(rng: random.Random, day: dt.date, count: int) -> str:
    lines = []
    for i in range(count):
        level, text = rng.choice(_LOG_EVENTS)
        stamp = f"{day.isoformat()} {8 + i * 10 // max(count, 1):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
        lines.append(f"{stamp} {level} {text.format(n=rng.randrange(10, 5000))}")
    return "\n".join(lines) + "\n"


def generate_state(seed: int) -> dict[str, Any]:
    """A home directory with documents, projects, logs and photos, plus read-only system folders."""
    rng = random.Random(seed)
    today = dt.date(2024, 3, 1) + dt.timedelta(days=rng.randrange(240))
    owner = person_name(seed % 200)
    user = owner.split()[0].lower()

    def day(back: int) -> str:
        return (today - dt.timedelta(days=back)).isoformat()

    root = _dir(day(400))
    etc = root["children"]["etc"] = _dir(day(400), read_only=True)
    etc["children"]["hostname"] = _file(f"{user}-laptop\n", day(400), read_only=True)
    etc["children"]["hosts"] = _file("127.0.0.1 localhost\n::1 localhost\n", day(400), read_only=True)
    city = rng.choice(CITIES)
    etc["children"]["timezone"] = _file(f"{city[1]}/{city[0]}\n", day(300), read_only=True)
    var = root["children"]["var"] = _dir(day(400), read_only=True)
    var_log = var["children"]["log"] = _dir(day(1), read_only=True)
    var_log["children"]["system.log"] = _file(_log(rng, today, rng.randrange(12, 25)), day(1), read_only=True)
    root["children"]["tmp"] = _dir(day(2))
    home_root = root["children"]["home"] = _dir(day(400), read_only=True)
    home = home_root["children"][user] = _dir(day(1))

    documents = home["children"]["documents"] = _dir(day(3))
    year = today.year
    for quarter in range(1, 5):
        if rng.random() < 0.8:
            revenue = rng.randrange(100, 900) * 1000
            documents["children"][f"q{quarter}_report_{year - 1}.txt"] = _file(
                f"Quarter {quarter} report {year - 1}\nRevenue: {revenue} USD\n"
                f"Costs: {int(revenue * rng.uniform(0.5, 0.9))} USD\nOwner: {owner}\n",
                day(rng.randrange(30, 300)),
            )
    rows = ["category,planned,spent"] + [
        f"{topic},{rng.randrange(5, 50) * 100},{rng.randrange(1, 60) * 100}"
        for topic in rng.sample(_TOPICS, rng.randrange(4, len(_TOPICS)))
    ]
    documents["children"][f"budget_{year}.csv"] = _file("\n".join(rows) + "\n", day(rng.randrange(1, 20)))
    notes = documents["children"]["meetings"] = _dir(day(2))
    for _ in range(rng.randrange(3, 7)):
        topic = rng.choice(_TOPICS)
        when = day(rng.randrange(1, 90))
        attendee = person_name(rng.randrange(200))
        notes["children"][f"{when}_{topic}.md"] = _file(
            f"# {topic.title()} meeting {when}\nAttendees: {owner}, {attendee}\n"
            f"- Decision: {rng.choice(('approve', 'postpone', 'revisit'))} the {topic} plan\n"
            f"- TODO: {attendee} to send the {topic} summary\n",
            when,
        )

    projects = home["children"]["projects"] = _dir(day(5))
    for name in rng.sample(_PROJECTS, rng.randrange(2, 5)):
        project = projects["children"][name] = _dir(day(rng.randrange(1, 60)))
        project["children"]["README.md"] = _file(
            f"# {name.title()}\n\nMaintainer: {owner}\nStatus: {rng.choice(('active', 'paused', 'archived'))}\n",
            day(rng.randrange(10, 200)),
        )
        todo = [f"- [ ] {rng.choice(('fix', 'document', 'test', 'refactor'))} {rng.choice(_TOPICS)} module"
                for _ in range(rng.randrange(2, 6))]
        project["children"]["TODO.md"] = _file("# TODO\n" + "\n".join(todo) + "\n", day(rng.randrange(1, 30)))
        src = project["children"]["src"] = _dir(day(rng.randrange(1, 60)))
        src["children"]["main.py"] = _file(
            f'"""{name} entry point."""\n\n\ndef main():\n    print("{name} v{rng.randrange(1, 5)}.{rng.randrange(10)}")\n'
            f"    # TODO: read settings from config\n",
            day(rng.randrange(1, 60)),
        )
        logs = project["children"]["logs"] = _dir(day(1))
        logs["children"]["app.log"] = _file(_log(rng, today - dt.timedelta(days=1), rng.randrange(8, 20)), day(1))

    downloads = home["children"]["downloads"] = _dir(day(1))
    for _ in range(rng.randrange(3, 8)):
        number = rng.randrange(1000, 9999)
        downloads["children"][f"invoice_{number}.txt"] = _file(
            f"Invoice {number}\nAmount due: {rng.randrange(20, 2000)}.{rng.randrange(100):02d} USD\n"
            f"Due date: {day(-rng.randrange(1, 40))}\n",
            day(rng.randrange(1, 60)),
        )
    photos = home["children"]["photos"] = _dir(day(10))
    for _ in range(rng.randrange(4, 10)):
        place = rng.choice(CITIES)[0].lower().replace(" ", "_")
        photos["children"][f"{place}_{rng.randrange(100, 999)}.jpg"] = _file(
            f"JPEG image data, {rng.choice((1920, 3024, 4032))}x{rng.choice((1080, 2268, 3024))}\n",
            day(rng.randrange(10, 300)),
        )
    config = home["children"][".config"] = _dir(day(50))
    config["children"]["settings.ini"] = _file(
        f"[user]\nname = {owner}\ntheme = {rng.choice(('dark', 'light'))}\n", day(50)
    )
    home["children"]["todo.txt"] = _file(
        "\n".join(f"{i + 1}. {rng.choice(('call', 'email', 'review'))} {person_name(rng.randrange(200))} "
                  f"about {rng.choice(_TOPICS)}" for i in range(rng.randrange(3, 7))) + "\n",
        day(1),
    )
    return {"tree": root, "cwd": f"/home/{user}", "home": f"/home/{user}", "today": today.isoformat()}


DOMAIN = Domain(
    name="filesystem",
    description="A user's file system: directories, text files, a working directory that relative paths depend on.",
    environment_class=FileSystemAPI,
    generate_state=generate_state,
    chains=(
        Chain(
            "enter_list_read",
            "Enter a directory, list it, then read a file by the relative name the listing gave.",
            ("cd", "ls", "cat"),
        ),
        Chain(
            "find_archive_move",
            "Find a file by name anywhere, create an archive folder, move the found file into it.",
            ("find", "mkdir", "mv"),
        ),
        Chain(
            "grep_tail_note",
            "Search logs for a term, read the end of the matching file, record what it says in a notes file.",
            ("grep", "tail", "append_to_file"),
        ),
        Chain(
            "backup_edit_compare",
            "Find a file, copy it as a backup, append to the original, then diff backup and original.",
            ("find", "cp", "append_to_file", "diff"),
        ),
        Chain(
            "relative_workspace",
            "Enter a folder, create a sub-folder and a file in it by relative paths, then list it.",
            ("cd", "mkdir", "touch", "ls"),
        ),
        Chain(
            "share_file_with_colleague",
            "Find a file, read it, look up a colleague, log in and send them the file's content.",
            ("find", "cat", "messaging.find_user_by_name", "messaging.login_messaging",
             "messaging.send_chat_message"),
        ),
    ),
    examples={
        "pwd": [("pwd", {})],
        "ls": [("ls", {"path": "documents"})],
        "cat": [("find", {"name": "budget_*.csv", "path": "/"}), ("cat", {"path": "$0.matches.0.path"})],
        "head": [("head", {"path": "todo.txt", "lines": 2})],
        "tail": [("find", {"name": "app.log", "path": "~"}), ("tail", {"path": "$0.matches.0.path", "lines": 3})],
        "wc": [("wc", {"path": "todo.txt"})],
        "du": [("du", {"path": "~/projects"})],
        "find": [("find", {"name": "*.md", "kind": "file"})],
        "grep": [("grep", {"pattern": "error", "path": "/var/log", "ignore_case": True})],
        "diff": [("cp", {"source": "todo.txt", "destination": "todo_backup.txt"}),
                 ("append_to_file", {"path": "todo.txt", "content": "8. water the plants"}),
                 ("diff", {"path_a": "todo_backup.txt", "path_b": "todo.txt"})],
        "stat": [("stat", {"path": "/etc/hosts"})],
        "cd": [("cd", {"path": "documents"})],
        "mkdir": [("mkdir", {"path": "archive/2024", "parents": True})],
        "touch": [("cd", {"path": "/tmp"}), ("touch", {"path": "scratch.txt"})],
        "write_file": [("write_file", {"path": "documents/summary.txt", "content": "Summary of the week\n"})],
        "append_to_file": [("append_to_file", {"path": "todo.txt", "content": "9. renew passport"})],
        "rm": [("find", {"name": "invoice_*.txt"}), ("rm", {"path": "$0.matches.0.path"})],
        "mv": [("mkdir", {"path": "archive"}), ("find", {"name": "*.jpg"}),
               ("mv", {"source": "$1.matches.0.path", "destination": "$0.path"})],
        "cp": [("cp", {"source": "projects", "destination": "/tmp/projects_backup", "recursive": True})],
    },
)
