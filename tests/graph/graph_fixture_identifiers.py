"""A tool whose parameter nothing names (`show(revision)`: no field, state or schema says
`revision`), fed only by the identifiers another call prints. Importable by reference
(`graph_fixture_identifiers:Repo`) because environments are rebuilt from one."""

from __future__ import annotations

from typing import Any


class Repo:
    """Two commits; `show` takes a sha, `tag` (a write) a label nothing names either."""

    def __init__(self) -> None:
        self.commits = {"9f1c2ab7e4d0": "Start the notes", "3b7e9d01c6aa": "Add a todo list"}
        self.tags: dict[str, str] = {}

    def log(self) -> dict[str, Any]:
        """Shows the commit logs."""
        return {"history": [{"commit": sha, "message": m} for sha, m in self.commits.items()]}

    def show(self, revision: str) -> dict[str, Any]:
        """Shows the contents of a commit."""
        if revision not in self.commits:
            raise ValueError(f"unknown revision {revision!r}")
        return {"message": self.commits[revision], "files": ["todo.txt"]}

    def tag(self, label: str) -> dict[str, Any]:
        """Tags the current commit."""
        self.tags[label] = next(iter(self.commits))
        return {"tagged": label}
