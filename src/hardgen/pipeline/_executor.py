"""One way to run units of work (probe tasks, synthesis units, evaluation samples): an executor.

A `Job` says what its units are run with: a *worker* (it holds the environments and the backends a
unit needs), built by `build(recipe)` wherever the executor runs it, or an already built `local`
worker that shares this process's backends, budget and accounting. An executor starts a job and
maps units through it; results always come back **in unit order**, whatever order they finish in,
so what a run writes does not depend on how it was executed.

- `LocalExecutor`: a sliding pool in this process. `concurrency` units are always in flight (a
  finished unit's slot takes the next unit in the same step, not when its whole window is done),
  results wait in a small reorder buffer until every earlier unit is out, and at most `ahead` units
  are started past the oldest one not yet handed out, so memory stays bounded when one unit is slow.
- `WindowExecutor`: the former loop (`concurrency` units at a time, each window waiting for its
  slowest unit); kept as the reference the pool is tested and benchmarked against.
- `hardgen.pipeline._ray.RayExecutor`: the same units on a Ray cluster (`hardgen[ray]`).

A unit that raises stops new units from starting; the results before it (in unit order) still come
out, then its exception is raised. Leaving the iteration early (enough samples) cancels the units
still in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
T_contra = TypeVar("T_contra", contravariant=True)
R_co = TypeVar("R_co", covariant=True)


class Worker(Protocol[T_contra, R_co]):
    """Runs units of one kind; holds what they need (environments, backends, roles)."""

    async def run(self, unit: T_contra) -> R_co:
        """The result of one unit; the same unit always gives the same result."""
        ...

    def report(self) -> dict[str, Any]:
        """What the worker spent (requests, tokens, fallbacks), for the run's manifest."""
        ...

    def close(self) -> None: ...


@dataclass
class Job(Generic[T, R]):
    """What a job's units run with. `build(recipe)` makes a worker where the executor runs (so
    both must pickle: a module-level function and plain data); `local` is a worker already built
    in this process, which a local executor uses instead (its backends are the run's own, so their
    budget and accounting need no merging)."""

    name: str
    build: Callable[[Any], Worker[T, R]]
    recipe: Any
    local: Worker[T, R] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "local": None}  # a local worker never leaves its process


class Execution(Protocol[T_contra, R_co]):
    """A started job."""

    def map(self, units: Iterable[T_contra]) -> AsyncGenerator[R_co, None]:
        """The results of `units`, in unit order."""
        ...

    async def reports(self) -> list[dict[str, Any]]:
        """The reports of the workers the executor built for this job (none for a `local` one)."""
        ...


class Executor(Protocol):
    """Starts jobs; `concurrency` is how many units are in flight at once."""

    name: str
    remote: bool
    """Whether workers run outside this process (then jobs need a recipe to build them from)."""

    def start(self, job: Job[T, R], concurrency: int) -> contextlib.AbstractAsyncContextManager[Execution[T, R]]: ...

    def close(self) -> None:
        """Release what the executor keeps between jobs (its caller's to call, once done)."""
        ...


_END = object()


async def ordered_pool(run: Callable[[T], Awaitable[R]], units: Iterable[T], *, concurrency: int,
                       ahead: int | None = None) -> AsyncGenerator[R, None]:
    """`run(unit)` for every unit with `concurrency` of them in flight, yielded in unit order.

    `ahead` (default 4 x concurrency) bounds how far past the oldest unit not yet handed out new
    ones start: the reorder buffer never holds more than that many results.

    Each of the `concurrency` slots is one task that runs its units one after the other: a slot
    goes on to its next unit in the very step its last one returned, so a freed slot is never
    left waiting behind the event loop's queue (with a task per unit, the next one would start
    only after everything already queued, which at high concurrency is much of a second)."""
    concurrency = max(1, concurrency)
    ahead = max(concurrency, ahead if ahead is not None else 4 * concurrency)
    source = iter(units)
    done: dict[int, R] = {}
    """The reorder buffer: results not yet handed out, by unit number."""
    failed: dict[int, BaseException] = {}
    started = head = 0
    stopping = False
    slots_left = concurrency
    handed = asyncio.Event()  # the head unit moved on: there is room to start more
    arrived = asyncio.Event()  # the head unit's outcome is in, or a slot ended

    async def slot() -> None:
        nonlocal started, stopping, slots_left
        try:
            while not stopping:
                if started - head >= ahead:
                    handed.clear()
                    await handed.wait()
                    continue
                index = started
                try:
                    unit = next(source, _END)
                    if unit is _END:
                        return
                    started += 1
                    result = await run(unit)  # type: ignore[arg-type]
                except Exception as exc:  # the unit's (or the units' iterator's): raised in its turn
                    failed[index] = exc
                    stopping = True  # no new units; those in flight still finish, earlier results still come out
                    arrived.set()
                    return
                done[index] = result
                if index == head:
                    arrived.set()
        finally:
            slots_left -= 1
            arrived.set()

    tasks = [asyncio.ensure_future(slot()) for _ in range(concurrency)]
    try:
        while True:
            if head in done:
                result = done.pop(head)
                head += 1
                handed.set()
                yield result
            elif head in failed:
                raise failed.pop(head)  # after every earlier result
            elif slots_left == 0:
                return
            else:
                arrived.clear()
                await arrived.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def windowed(run: Callable[[T], Awaitable[R]], units: Iterable[T], *, concurrency: int) -> AsyncGenerator[R, None]:
    """The former loop: `concurrency` units at a time, each window gathered whole (every unit of a
    window finishes, even after one failed), then its results in unit order."""
    pending = list(units)
    window = max(1, concurrency)
    for start in range(0, len(pending), window):
        results = await asyncio.gather(*(run(u) for u in pending[start:start + window]), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
            yield result


class _LocalExecution(Generic[T, R]):
    def __init__(self, worker: Worker[T, R], owned: bool, concurrency: int, ahead: int | None, window: bool) -> None:
        self.worker, self.owned, self.concurrency, self.ahead, self.window = worker, owned, concurrency, ahead, window

    def map(self, units: Iterable[T]) -> AsyncGenerator[R, None]:
        if self.window:
            return windowed(self.worker.run, units, concurrency=self.concurrency)
        return ordered_pool(self.worker.run, units, concurrency=self.concurrency, ahead=self.ahead)

    async def reports(self) -> list[dict[str, Any]]:
        return [self.worker.report()] if self.owned else []


class LocalExecutor:
    """The sliding pool in this process (module docstring)."""

    name = "local"
    remote = False
    _window = False

    def __init__(self, *, ahead: int | None = None) -> None:
        self.ahead = ahead

    @contextlib.asynccontextmanager
    async def start(self, job: Job[T, R], concurrency: int) -> AsyncIterator[Execution[T, R]]:
        worker = job.local if job.local is not None else job.build(job.recipe)
        try:
            yield _LocalExecution(worker, job.local is None, concurrency, self.ahead, self._window)
        finally:
            if job.local is None:
                worker.close()

    def close(self) -> None:
        """Nothing is kept between jobs."""


class WindowExecutor(LocalExecutor):
    """The former window loop (module docstring): the reference for tests and benchmarks."""

    name = "window"
    _window = True
