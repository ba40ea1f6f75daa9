"""A small file system in the style of BFCL's GorillaFileSystem, for adapter and replay tests.

Like the original: state is loaded by `_load_scenario(scenario: dict)`, directories know their
parent (a cycle in the object graph), errors are returned as `{"error": ...}` dicts, and the tool
schemas come from a JSON docs file (tests/tools/data/gorilla_fs_docs.json), not from the
signatures.
"""

from __future__ import annotations

from typing import Any


class File:
    def __init__(self, name: str, content: str = "") -> None:
        self.name = name
        self.content = content


class Directory:
    def __init__(self, name: str, parent: Directory | None = None) -> None:
        self.name = name
        self.parent = parent
        self.contents: dict[str, File | Directory] = {}


class GorillaFileSystem:
    def __init__(self) -> None:
        self.root = Directory("workspace")
        self._current_dir = self.root
        self.cwd: list[str] = []

    def _load_scenario(self, scenario: dict) -> None:
        root_name, tree = next(iter(scenario.get("root", {"workspace": {"type": "directory"}}).items()))
        self.root = self._build(root_name, tree, None)
        self._current_dir = self.root
        self.cwd = []

    def _build(self, name: str, node: dict[str, Any], parent: Directory | None) -> Directory:
        if node.get("type") != "directory":
            raise ValueError(f"{name!r} must be a directory node")
        directory = Directory(name, parent)
        for child, sub in node.get("contents", {}).items():
            if sub.get("type") == "file":
                directory.contents[child] = File(child, sub.get("content", ""))
            else:
                directory.contents[child] = self._build(child, sub, directory)
        return directory

    def _here(self) -> Directory:
        node = self.root
        for part in self.cwd:
            node = node.contents[part]  # type: ignore[assignment]
        return node

    def pwd(self) -> dict[str, str]:
        return {"current_working_directory": "/" + "/".join([self.root.name, *self.cwd])}

    def ls(self, a: bool = False) -> dict[str, list[str]]:
        names = sorted(self._here().contents)
        return {"current_directory_content": names if a else [n for n in names if not n.startswith(".")]}

    def cd(self, folder: str) -> dict[str, str]:
        if folder == "..":
            if self.cwd:
                self.cwd.pop()
            return {"current_working_directory": self.pwd()["current_working_directory"]}
        target = self._here().contents.get(folder)
        if not isinstance(target, Directory):
            return {"error": f"cd: {folder}: No such directory. You cannot use path to change directory."}
        self.cwd.append(folder)
        return {"current_working_directory": self.pwd()["current_working_directory"]}

    def mkdir(self, dir_name: str) -> dict[str, str] | None:
        here = self._here()
        if dir_name in here.contents:
            return {"error": f"mkdir: cannot create directory '{dir_name}': File exists"}
        here.contents[dir_name] = Directory(dir_name, here)
        return None

    def touch(self, file_name: str) -> dict[str, str] | None:
        here = self._here()
        if file_name in here.contents:
            return {"error": f"touch: cannot touch '{file_name}': File exists"}
        here.contents[file_name] = File(file_name)
        return None

    def echo(self, content: str, file_name: str | None = None) -> dict[str, str] | None:
        if file_name is None:
            return {"terminal_output": content}
        here = self._here()
        if not isinstance(here.contents.get(file_name), File):
            here.contents[file_name] = File(file_name)
        here.contents[file_name].content = content  # type: ignore[union-attr]
        return None

    def cat(self, file_name: str) -> dict[str, str]:
        target = self._here().contents.get(file_name)
        if not isinstance(target, File):
            return {"error": f"cat: {file_name}: No such file"}
        return {"file_content": target.content}

    def du(self, human_readable: bool = False) -> dict[str, str]:  # public but undocumented: not a tool
        return {"disk_usage": "0B"}


SCENARIO: dict[str, Any] = {
    "root": {
        "alex": {
            "type": "directory",
            "contents": {
                "documents": {
                    "type": "directory",
                    "contents": {"notes.txt": {"type": "file", "content": "buy milk"}},
                },
                "temp": {"type": "directory", "contents": {}},
            },
        }
    }
}
