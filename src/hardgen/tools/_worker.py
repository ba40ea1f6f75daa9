"""Where tool calls run, so that no tool can end the run.

Two isolations, chosen per tool source (`isolation` of a source in the run config, or
`PythonEnvironment(isolation=...)`):

- `thread` (default): the call runs on a daemon worker thread of this process. Fast (the built-in
  world makes thousands of calls per run; see bench/bench_tool_isolation.py for the figures). Any
  exception, including BaseException subclasses such as KeyboardInterrupt, SystemExit and
  CancelledError raised by the tool, comes back as an outcome, never raised here. On a timeout the
  thread is stopped by raising `ToolTimedOut` inside it (between bytecodes: a pure-Python loop
  ends, a sleep ends when it wakes); a thread still burning CPU after a grace period (inside C code
  that released the GIL: hashing, numpy, an extension) is left behind, and `stop` reports it so
  that the environment moves that source to process isolation. What a thread cannot contain: C
  code that keeps the GIL (`sum(range(10**13))` freezes every thread of the process until it
  returns), `os._exit`, a segfault, and writes straight to file descriptors 1 and 2.
- `process`: the call runs in a child process holding the environment's state (spawned, so it
  shares no locks with our threads), which is killed on a timeout and respawned from the last good
  snapshot by the environment. `os._exit`, a segfault or an out-of-memory kill ends only the child.
  Each call is one round trip over a pipe (tens of microseconds on top of the tool).

A tool's prints never reach our stdout/stderr (which `--json` output and progress bars use): worker
threads write into a discarding stream selected per thread (`ToolOutputGuard`), and a worker
process has its file descriptors 1 and 2 pointed at /dev/null.
"""

from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

MAX_RESULT_BYTES = 1_000_000
"""Largest tool result kept, as serialised JSON (1 MB). A bigger one is recorded as an error
observation saying it was truncated, so one tool cannot bloat traces or exhaust memory."""
STOP_GRACE_S = 0.5
"""How long a timed-out worker thread gets to stop once told to."""


class ToolTimedOut(BaseException):  # noqa: N818 - raised inside a hung tool, a signal not an error
    """Raised inside a worker thread whose call timed out, to stop it."""


@dataclass(frozen=True)
class Outcome:
    """What a call gave: its value, or the type name and text of what it raised."""

    value: Any = None
    error_type: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.error_type is None


def error_message(exc: BaseException) -> str:
    """The text of a tool's exception, as the agent should read it."""
    if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]  # str(KeyError("x")) adds quotes around the message
    return str(exc) or repr(exc)


# -- output guard ------------------------------------------------------------------------------


_tool_thread = threading.local()


class ToolOutputGuard:
    """Stands in for sys.stdout/sys.stderr: writes from a thread running a tool are discarded,
    everything else goes to the stream it replaced. Every attribute the guard does not define
    (fileno, buffer, encoding, errors) is the replaced stream's; it does not derive from
    `io.TextIOBase`, whose defaults (`encoding` None) would hide the real stream's."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        if getattr(_tool_thread, "active", False):
            return len(text)
        return self.inner.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if not getattr(_tool_thread, "active", False):
            self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextmanager
def discard_output() -> Iterator[None]:
    """Discard what this thread writes to sys.stdout/sys.stderr inside the block (guards in place)."""
    previous = getattr(_tool_thread, "active", False)
    _tool_thread.active = True
    try:
        yield
    finally:
        _tool_thread.active = previous


_IN_WORKER_PROCESS = False


def in_worker_process() -> bool:
    """Whether this is a tool worker process (where a KeyboardInterrupt can only be a tool's)."""
    return _IN_WORKER_PROCESS


def guard_output() -> None:
    """Put the guards in place (again, if something replaced sys.stdout since, e.g. a test runner)."""
    if not isinstance(sys.stdout, ToolOutputGuard) and sys.stdout is not None:
        sys.stdout = ToolOutputGuard(sys.stdout)
    if not isinstance(sys.stderr, ToolOutputGuard) and sys.stderr is not None:
        sys.stderr = ToolOutputGuard(sys.stderr)


# -- thread worker -----------------------------------------------------------------------------


def _thread_stat(native_id: int | None) -> list[str] | None:
    """The /proc stat fields of one thread of this process after its name (Linux); None elsewhere."""
    if native_id is None:
        return None
    try:
        with open(f"/proc/self/task/{native_id}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _thread_cpu_seconds(native_id: int | None) -> float | None:
    """CPU time of one thread of this process, from /proc (Linux); None elsewhere."""
    fields = _thread_stat(native_id)
    if fields is None:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _thread_runnable(native_id: int | None) -> bool:
    """Whether the thread is running or waiting for a CPU (`R`): on a crowded machine a spinning
    thread can get almost no CPU time for a while and still be spinning, not asleep."""
    fields = _thread_stat(native_id)
    return fields is not None and fields[0] == "R"


class CallWorker:
    """A daemon thread that runs one environment's calls, one at a time.

    A daemon thread lets the interpreter exit even while a call still hangs (a pool thread would be
    joined at exit and hang the whole run)."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Outcome]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=f"hardgen-tool-{name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                fn, future = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    with discard_output():
                        outcome = Outcome(value=fn())
                except ToolTimedOut:
                    return  # stopped after a timeout: nobody waits for this call any more
                except BaseException as exc:  # noqa: BLE001 - whatever a tool raises is an observation
                    outcome = Outcome(error_type=type(exc).__name__, message=error_message(exc))
                future.set_result(outcome)
        except ToolTimedOut:  # the stop arrived between jobs
            return

    def run(self, fn: Callable[[], Any], timeout: float | None) -> Outcome | None:
        """Run `fn` on the thread; its outcome, or None when it did not finish within `timeout`."""
        future: Future[Outcome] = Future()
        self._jobs.put((fn, future))
        try:
            return future.result(timeout=timeout)
        except FuturesTimeout:
            return None

    def stop(self) -> bool:
        """Stop the thread (a hung call is interrupted); whether it ended within the grace period
        or is at least not using CPU (asleep in C code, it ends when it wakes)."""
        self._jobs.put(None)
        ident = self._thread.ident
        if ident is not None and self._thread.is_alive():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(ToolTimedOut))
        deadline = time.monotonic() + STOP_GRACE_S
        while True:
            self._thread.join(0.05)
            if not self._thread.is_alive():
                return True
            before = _thread_cpu_seconds(self._thread.native_id)
            time.sleep(0.05)
            after = _thread_cpu_seconds(self._thread.native_id)
            if before is not None and after is not None and after - before < 0.01 \
                    and not _thread_runnable(self._thread.native_id):
                return True  # asleep (in time.sleep or a lock), not spinning: it ends when it wakes
            if time.monotonic() > deadline:
                return False

    def close(self) -> None:
        self._jobs.put(None)


# -- process worker ----------------------------------------------------------------------------


class WorkerDied(Exception):  # noqa: N818 - a state of the worker, reported as an observation
    """The worker process ended (os._exit, a crash, killed for memory) during a request."""


def serve(fd: int) -> None:
    """The worker process's main: one environment, driven by requests over the socket `fd`.

    Started as `python -c` rather than by multiprocessing's spawn, which would import the parent's
    main module again in the child (a user script's top level would run twice)."""
    global _IN_WORKER_PROCESS
    _IN_WORKER_PROCESS = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops us
    conn = multiprocessing.connection.Connection(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # a tool's output, even from C code, reaches nobody
    os.dup2(devnull, 2)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stderr = sys.stdout
    parent = os.getppid()

    def orphaned() -> None:  # a parent that died cannot kill us: end rather than spin on forever
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=orphaned, name="hardgen-orphan-watch", daemon=True).start()
    sys_path, spec_json = conn.recv()
    sys.path[:] = sys_path
    from hardgen.schema import EnvironmentSpec
    from hardgen.tools._environment import PythonEnvironment

    try:
        env = PythonEnvironment(EnvironmentSpec.model_validate_json(spec_json), timeout=None, isolation="inline")
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it there
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        op, args = request
        if op == "close":
            return
        try:
            reply: Any = None
            if op == "call":
                reply = env.call(*args).model_dump_json()
            elif op == "snapshot":
                reply = env.snapshot_bytes()
            elif op == "restore":
                env.restore_bytes(*args)
            elif op == "reset":
                env.reset()
            elif op == "state":
                reply = env.state()
            elif op == "state_hash":
                reply = env.state_hash()
            elif op == "load":  # reused from the idle pool for another environment of this source
                env.close()
                env = PythonEnvironment(EnvironmentSpec.model_validate_json(args[0]), timeout=None, isolation="inline")
            else:
                raise ValueError(f"unknown request {op!r}")
            conn.send(("ok", reply))
        except BaseException as exc:  # noqa: BLE001 - the parent decides what it means
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


POOL_SIZE = 4
"""Idle worker processes kept per tool source for reuse."""
_IDLE: dict[str, list[ProcessWorker]] = {}
_STARTING: set[str] = set()
_POOL_LOCK = threading.Lock()


def close_idle_workers() -> None:
    """End the pooled idle worker processes (they are daemons of a session anyway)."""
    with _POOL_LOCK:
        workers = [w for idle in _IDLE.values() for w in idle]
        _IDLE.clear()
    for worker in workers:
        worker.close()


atexit.register(close_idle_workers)

_SERVE = "import sys; from hardgen.tools._worker import serve; serve(int(sys.argv[1]))"


class ProcessWorker:
    """A child process holding one environment (built from its spec there).

    Starting one costs an interpreter, the imports and deriving the source's schemas (about a
    second or more); the pipeline builds fresh environments for every candidate, so a closed
    environment's healthy worker waits in a small pool per source (`acquire`/`release`) and is
    loaded with the next spec instead of a new process being started."""

    def __init__(self, spec_json: str, *, start_timeout: float = 60.0) -> None:
        ours, theirs = socket.socketpair()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a terminal's Ctrl-C reaches us, not each worker
            )
        finally:
            theirs.close()
        self._conn = multiprocessing.connection.Connection(ours.detach())
        self._conn.send((list(sys.path), spec_json))
        status, detail = self._receive(start_timeout)
        if status != "ready":
            self.kill()
            raise RuntimeError(detail)

    def _receive(self, timeout: float | None) -> tuple[str, Any]:
        if not self._conn.poll(timeout):
            raise TimeoutError
        try:
            reply: tuple[str, Any] = self._conn.recv()
            return reply
        except (EOFError, OSError):
            raise WorkerDied(f"the worker process ended (exit code {self._exit_code()})") from None

    def request(self, op: str, *args: Any, timeout: float | None = None) -> Any:
        """Send one request; its reply. Raises TimeoutError (the worker is then killed),
        WorkerDied, or RuntimeError for an error the worker reported."""
        try:
            self._conn.send((op, args))
        except OSError:
            raise WorkerDied(f"the worker process ended (exit code {self._exit_code()})") from None
        try:
            status, reply = self._receive(timeout)
        except TimeoutError:
            self.kill()
            raise
        if status == "error":
            raise RuntimeError(reply)
        return reply

    @classmethod
    def acquire(cls, source_key: str, spec_json: str, *, start_timeout: float = 60.0) -> ProcessWorker:
        """A worker holding a fresh environment for `spec_json`: an idle one of the same source
        loaded with it, else a new process."""
        with _POOL_LOCK:
            idle = _IDLE.get(source_key, [])
            worker = idle.pop() if idle else None
        if worker is not None:
            try:
                worker.request("load", spec_json, timeout=start_timeout)
                return worker
            except (RuntimeError, TimeoutError, WorkerDied):
                worker.kill()
        return cls(spec_json, start_timeout=start_timeout)

    @classmethod
    def prepare_spare(cls, source_key: str, spec_json: str) -> None:
        """Start a worker for the pool in the background, unless one is there or coming: after a
        kill, the rebuild that follows the next hang then costs a load, not a process start."""
        with _POOL_LOCK:
            if _IDLE.get(source_key) or source_key in _STARTING:
                return
            _STARTING.add(source_key)

        def start() -> None:
            try:
                cls(spec_json).release(source_key)
            except (RuntimeError, TimeoutError, WorkerDied, OSError):
                pass  # the next rebuild starts its own
            finally:
                with _POOL_LOCK:
                    _STARTING.discard(source_key)

        threading.Thread(target=start, name="hardgen-spare-worker", daemon=True).start()

    def release(self, source_key: str) -> None:
        """Give a healthy worker back to the pool (at most `POOL_SIZE` per source), else end it."""
        if self.alive:
            with _POOL_LOCK:
                idle = _IDLE.setdefault(source_key, [])
                if len(idle) < POOL_SIZE:
                    idle.append(self)
                    return
        self.close()

    def _exit_code(self) -> int | None:
        try:
            return self._process.wait(1.0)
        except subprocess.TimeoutExpired:
            return None

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        try:
            self._process.wait(5.0)
        except subprocess.TimeoutExpired:
            pass
        self._conn.close()

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                self._conn.send(("close", ()))
                self._process.wait(1.0)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
