"""Undecorated tool classes (no `@tool`, no docs): their read/write kinds are guesses from names
that execution has to settle, and their prerequisites hide in private state or need two enablers.

Importable by reference (`graph_fixture_evidence:Shell`) because environments are rebuilt from one.
"""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any


class Calculator:
    """Stateless: `add` and `multiply` sound like writes, and change nothing."""

    def add(self, a: float, b: float) -> dict[str, float]:
        return {"result": a + b}

    def multiply(self, a: float, b: float) -> dict[str, float]:
        return {"result": a * b}


class Counter:
    """Stateful: `bump` writes; `touch_base` sounds like a write and here changes nothing."""

    def __init__(self) -> None:
        self.total = 0

    def bump(self, by: int) -> dict[str, int]:
        self.total += by
        return {"total": self.total}

    def touch_base(self) -> dict[str, str]:
        return {"status": "ok"}


class Shell:
    """Files live in folders; `cat` reads only in the current folder, which is private state."""

    def __init__(self) -> None:
        self.folders = [{"name": "notes", "files": [{"name": "todo.txt", "content": "buy milk"}]},
                        {"name": "logs", "files": [{"name": "app.log", "content": "ok"}]}]
        self._cwd = ""
        self._opened_at = datetime.datetime.now()  # a clock reading: never state
        self._rng = random.Random(7)  # where randomness comes from: never state

    def cd(self, folder: str) -> dict[str, Any]:
        """Enter a folder.

        Args:
            folder: The name of the folder to enter.
        """
        if folder not in [f["name"] for f in self.folders]:
            return {"error": f"cd: no such folder: {folder}"}
        self._cwd = folder
        return {"current_folder": folder}

    def cat(self, file_name: str) -> dict[str, Any]:
        """Show a file of the current folder.

        Args:
            file_name: The name of the file.
        """
        files = {f["name"]: f["content"] for d in self.folders if d["name"] == self._cwd for f in d["files"]}
        if file_name not in files:
            return {"error": f"cat: {file_name}: no such file in the current folder"}
        return {"content": files[file_name]}

    def ls(self) -> dict[str, Any]:
        here = [f["name"] for d in self.folders if d["name"] == self._cwd for f in d["files"]]
        return {"folders": [d["name"] for d in self.folders], "files": here}

    def get_dice_roll(self) -> dict[str, int]:
        return {"roll": self._rng.randint(1, 6)}


class Car:
    """The engine starts only with the doors locked *and* the brake pressed, in either order."""

    def __init__(self) -> None:
        self.doors_locked = False
        self.brake_pressed = False
        self.engine = "off"

    def lock_doors(self) -> dict[str, str]:
        self.doors_locked = True
        return {"doors": "locked"}

    def press_brake_pedal(self) -> dict[str, str]:
        self.brake_pressed = True
        return {"brake": "pressed"}

    def turn_on_radio(self) -> dict[str, str]:
        return {"radio": "on"}

    def start_engine(self) -> dict[str, str]:
        if not self.doors_locked:
            return {"error": "All doors must be locked before starting the engine."}
        if not self.brake_pressed:
            return {"error": "The brake pedal must be pressed to start the engine."}
        self.engine = "running"
        return {"engine": self.engine}


class Session:
    """A token drawn at load (uuid4): two loads of the same state disagree on it."""

    def __init__(self) -> None:
        self._token = uuid.uuid4().hex
        self.user = "ana"

    def whoami(self) -> dict[str, str]:
        return {"user": self.user}


class Drive:
    """A listing whose field name says nothing of what it holds (`entries`, read by `read_file`'s
    `file_name`); a user table kept as a name -> id map; calls that say how they went in words."""

    def __init__(self) -> None:
        self.files = {"plan.txt": "ship it", "budget.csv": "a,b"}
        self.user_map = {"Alice": "USR001", "Bob": "USR002"}
        self.log: list[str] = []

    def list_entries(self) -> dict[str, Any]:
        return {"entries": sorted(self.files)}

    def read_file(self, file_name: str) -> dict[str, Any]:
        if file_name not in self.files:
            return {"error": f"no such file: {file_name}"}
        return {"text": self.files[file_name]}

    def share_file(self, file_name: str, user_id: str) -> dict[str, Any]:
        if user_id not in self.user_map.values():
            return {"shared": False, "message": f"User ID '{user_id}' not found."}
        self.log.append(f"{file_name}:{user_id}")
        return {"shared": True, "message": f"File '{file_name}' shared successfully."}
