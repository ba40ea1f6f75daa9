"""The run directory: resolved config, graph, failure report, advanced tool library, samples,
rejections with reasons and a manifest. JSONL files are append-only; each record is written as one
whole line with a single write and fsync'd, and a line cut short by a kill is dropped on resume, so
a run killed at any moment resumes without losing or duplicating a record."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to `path` via a temporary file and a rename (never a half-written file)."""
    tmp = path.with_name(path.name + ".tmp")
    text = data.model_dump_json(indent=2) if isinstance(data, BaseModel) else json.dumps(data, indent=2, default=str)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_jsonl_atomic(path: Path, records: Iterable[BaseModel]) -> None:
    """Write a whole JSONL file via a temporary file and a rename (for files rewritten whole, like
    the library and the units, unlike the append-only samples)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(record.model_dump_json() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def repair_jsonl(path: Path) -> int:
    """Drop a trailing partial line (a write cut short by a kill). Returns the bytes removed."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with open(path, "rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) == b"\n":
            return 0
        data = path.read_bytes()
        keep = data.rfind(b"\n") + 1
        fh.truncate(keep)
        return size - keep


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


class JsonlAppender:
    """Append-only JSONL: one `os.write` of a whole line per record, then fsync."""

    def __init__(self, path: Path, fsync: bool = True) -> None:
        self.path = path
        self.fsync = fsync
        repair_jsonl(path)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, record: BaseModel | dict[str, Any]) -> None:
        text = record.model_dump_json() if isinstance(record, BaseModel) else json.dumps(record, default=str)
        os.write(self._fd, (text + "\n").encode("utf-8"))
        if self.fsync:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RunDirectory:
    """Paths of one run's outputs."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def create(self) -> RunDirectory:
        self.path.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def config(self) -> Path:
        return self.path / "config.yaml"

    @property
    def graph(self) -> Path:
        return self.path / "graph.json"

    @property
    def probed_graph(self) -> Path:
        """The graph as failure mining left it: what trace sampling starts from (kept for resume)."""
        return self.path / "graph.probed.json"

    @property
    def graph_picture(self) -> Path:
        return self.path / "graph.png"

    @property
    def failures(self) -> Path:
        return self.path / "failures.json"

    @property
    def traces(self) -> Path:
        return self.path / "traces.jsonl"

    @property
    def library(self) -> Path:
        return self.path / "advanced_tools.jsonl"

    @property
    def units(self) -> Path:
        return self.path / "units.jsonl"

    @property
    def samples(self) -> Path:
        return self.path / "samples.jsonl"

    @property
    def rejected(self) -> Path:
        return self.path / "rejected.jsonl"

    @property
    def manifest(self) -> Path:
        return self.path / "manifest.json"

    @property
    def cache(self) -> Path:
        return self.path / "cache.sqlite"

    def done_units(self) -> set[str]:
        """Unit ids already written as a sample or a rejection."""
        done: set[str] = set()
        for path, key in ((self.samples, "id"), (self.rejected, "unit_id")):
            repair_jsonl(path)
            done.update(str(r[key]) for r in iter_jsonl(path))
        return done
