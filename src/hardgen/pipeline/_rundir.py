"""The run directory: resolved config, graph, failure report, advanced tool library, samples,
rejections with reasons and a manifest.

Nothing a kill leaves behind is ever read as a result:
- a file rewritten whole is written to a temporary name, fsync'd and renamed over the old one;
- the append-only JSONL files (samples, rejections) get one whole line per write, fsync'd, and a
  line cut short by a kill is dropped on resume;
- a change of several files that only make sense together (a top-up: traces, library, units) is
  one commit: the new files are written into `commit.staging/`, which is renamed to
  `commit.pending/` once complete (the commit point), and then moved into place. `recover()` (run
  before a resume reads anything) finishes a pending commit and drops a staging one, so the run
  directory holds either all of the change or none of it.

For fault-injection tests every completed write (file renamed into place, line appended) goes
through `_written`: `HARDGEN_FAULT_KILL_AFTER_WRITE=N` SIGKILLs the process right after the N-th
write, and `HARDGEN_FAULT_WRITE_LOG=path` appends one line per write (number, file) to `path`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from hardgen.errors import HardGenError

KILL_AFTER_WRITE_ENV = "HARDGEN_FAULT_KILL_AFTER_WRITE"
"""Environment variable: SIGKILL the process right after this many writes (fault-injection tests)."""
WRITE_LOG_ENV = "HARDGEN_FAULT_WRITE_LOG"
"""Environment variable: a file to which every write appends `number<TAB>file` (fault-injection tests)."""

_writes = [os.getpid(), 0]
"""(process, writes so far): a forked child counts its own writes from 0."""


class RunDirectoryError(HardGenError):
    """A run directory cannot be used as asked (it holds another run, it is a file, its saved
    config is unreadable)."""


def _written(path: Path) -> None:
    """Count one completed write; the fault-injection hooks of the module docstring."""
    if _writes[0] != os.getpid():
        _writes[:] = [os.getpid(), 0]
    _writes[1] += 1
    log = os.environ.get(WRITE_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{_writes[1]}\t{path.parent.name}/{path.name}\n")
    if os.environ.get(KILL_AFTER_WRITE_ENV) == str(_writes[1]):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def _fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable. Windows cannot open a directory: there the rename is
    all there is."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[IO[bytes]]:
    """A binary file handle whose contents replace `path` in one rename when the block ends
    without an error (else the temporary file is removed and `path` is untouched)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    _written(path)


def json_bytes(data: Any) -> bytes:
    """The bytes of a JSON file as the run directory writes it (two-space indent, final newline)."""
    text = data.model_dump_json(indent=2) if isinstance(data, BaseModel) else json.dumps(data, indent=2, default=str)
    return (text + "\n").encode("utf-8")


def jsonl_bytes(records: Iterable[BaseModel]) -> bytes:
    """The bytes of a JSONL file of `records`, one compact object per line."""
    return b"".join((record.model_dump_json() + "\n").encode("utf-8") for record in records)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` via a temporary file, fsync and a rename (never a half-written file)."""
    with _atomic(path) as fh:
        fh.write(data)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to `path` via a temporary file and a rename (never a half-written file)."""
    write_bytes_atomic(path, json_bytes(data))


def write_jsonl_atomic(path: Path, records: Iterable[BaseModel]) -> None:
    """Write a whole JSONL file via a temporary file and a rename (for files rewritten whole, like
    the units, unlike the append-only samples)."""
    with _atomic(path) as fh:
        for record in records:
            fh.write((record.model_dump_json() + "\n").encode("utf-8"))


def replace_atomic(tmp: Path, path: Path) -> None:
    """Move a file another writer finished at `tmp` (a picture, a parquet file) over `path`."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    _written(path)


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


def count_lines(path: Path) -> int:
    """Records in a JSONL file (0 when it does not exist)."""
    if not path.exists():
        return 0
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


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
        _written(self.path)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RunDirectory:
    """Paths of one run's outputs, and the commits that change several of them at once."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def create(self) -> RunDirectory:
        if self.path.exists() and not self.path.is_dir():
            raise RunDirectoryError(f"{self.path} is a file, not a run directory")
        self.path.mkdir(parents=True, exist_ok=True)
        return self

    def has_content(self) -> bool:
        """Whether the directory holds anything but temporary files a kill left (an empty or
        missing directory is a new run's)."""
        if not self.path.is_dir():
            return False
        return any(not entry.name.endswith(".tmp") for entry in self.path.iterdir())

    def is_run(self) -> bool:
        """Whether HardGen wrote this directory: a run (a config, a manifest) or what `hardgen
        probe` leaves (a failure report, a graph)."""
        return any(p.exists() for p in (self.config, self.manifest, self.failures, self.graph))

    def remove(self) -> None:
        """Delete the run, first renaming it aside, so that a kill mid-delete never leaves a half
        deleted run under the run's name. Refuses a directory that is not a HardGen run."""
        if not self.path.exists():
            return
        if not self.path.is_dir():
            raise RunDirectoryError(f"{self.path} is a file, not a run directory")
        if self.has_content() and not self.is_run():
            raise RunDirectoryError(f"{self.path} is not a HardGen run directory (no config.yaml, manifest.json, "
                                    "failures.json or graph.json); remove it yourself if it should go")
        aside = self.path.with_name(f".{self.path.name}.removed-{os.getpid()}")
        os.replace(self.path, aside)
        _fsync_dir(self.path.parent)
        shutil.rmtree(aside)

    # -- multi-file commits -----------------------------------------------------------------------
    @property
    def staging(self) -> Path:
        """Where a multi-file change is written before it is committed."""
        return self.path / "commit.staging"

    @property
    def pending(self) -> Path:
        """A committed multi-file change whose files are not all moved into place yet."""
        return self.path / "commit.pending"

    def commit(self, files: Mapping[Path, bytes]) -> None:
        """Replace several files of the run as one step (module docstring): after a kill, the run
        directory holds, once `recover()` ran, either all the new files or all the old ones."""
        for target in files:
            if target.parent != self.path:
                raise ValueError(f"{target} is not a file of the run directory {self.path}")
        if self.pending.exists():
            self.recover()  # an earlier commit must land before this one replaces its files
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir()
        for target, data in files.items():
            with open(self.staging / target.name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        _fsync_dir(self.staging)
        os.replace(self.staging, self.pending)  # the commit point
        _fsync_dir(self.path)
        _written(self.pending)
        self.recover()

    def recover(self) -> None:
        """Finish what a kill interrupted: move the files of a committed change into place (those
        still in `commit.pending/` are the ones not moved yet) and drop an uncommitted one."""
        if self.staging.exists():
            shutil.rmtree(self.staging)
        if not self.pending.exists():
            return
        for part in sorted(self.pending.iterdir()):
            os.replace(part, self.path / part.name)
            _fsync_dir(self.path)
            _written(self.path / part.name)
        self.pending.rmdir()
        _fsync_dir(self.path)

    # -- the files --------------------------------------------------------------------------------
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
    def library_dropped(self) -> Path:
        """Traces no advanced tool was made of, by reason (so far: kept for the resumed manifest)."""
        return self.path / "library_dropped.json"

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
