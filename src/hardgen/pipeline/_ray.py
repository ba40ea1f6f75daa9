"""The Ray executor: the run's units on a Ray cluster (`pip install 'hardgen[ray]'`).

The executor starts `workers` Ray actors; each is an async actor (many units at once on its event
loop) and builds each job's worker from the job's recipe, so it holds its own environments,
backends and roles. The run's process keeps `concurrency` units in flight over all actors (each new
unit goes to the actor with the fewest in flight) through the same sliding pool and reorder buffer
as the local executor, and writes the results itself, in unit order: a run on Ray writes the same
run directory, byte for byte, as a local one, and resumes the same way.

A worker that dies loses only its in-flight units: the actors are created with `max_restarts=-1`
and `max_task_retries=-1` (Ray's actor fault tolerance: the actor is restarted and the tasks it
had are retried on it; their job's worker is rebuilt from the recipe), and a unit gives the same result
wherever and however often it runs. What a worker has spent comes back with every result (its
report so far), so when one dies the manifest still counts what it spent on the units whose
results came back; only what it spent on the units it had in flight, which run again elsewhere,
is lost (or counted twice, for one it had finished whose result died with it).

Ray is imported when a job starts, not with this module. With no `address`, a local Ray is started
(or the one already initialised in this process is used); `address="auto"` or `ray://...` joins
a cluster, whose nodes must have HardGen installed, and the run directory on a shared file system
when the roles use the response cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from typing import Any, Generic, TypeVar

from hardgen.errors import ConfigError, MissingDependencyError
from hardgen.pipeline._executor import Execution, Job, Worker, ordered_pool

T = TypeVar("T")
R = TypeVar("R")
Spent = tuple[str, int, dict[str, Any]]
"""An actor incarnation's report so far: (incarnation, how many reports it made, the report)."""


def import_ray() -> Any:
    """The `ray` module, or an error that says what to install."""
    try:
        import ray
    except ImportError as exc:
        raise MissingDependencyError("the Ray executor needs Ray: pip install 'hardgen[ray]'") from exc
    return ray


class RemoteWorker:
    """The body of a Ray actor: it builds each job's worker from the job's recipe when the job's
    first unit reaches it (also after a restart, which rebuilds nothing else) and keeps the latest
    job's worker, so that one set of actor processes serves every job of a run."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.worker: Worker[Any, Any] | None = None
        self._building: asyncio.Lock | None = None
        self.life = uuid.uuid4().hex
        """This incarnation of the actor (a restarted one starts from nothing spent)."""
        self.reports = 0

    async def _worker(self, key: str, job: list[Any]) -> Worker[Any, Any]:
        if self._building is None:
            self._building = asyncio.Lock()
        async with self._building:
            if self.key != key or self.worker is None:
                if self.worker is not None:
                    self.worker.close()
                build, recipe_ref = job
                self.worker, self.key = build(await recipe_ref), key
        return self.worker

    async def run(self, key: str, job: list[Any], unit: Any) -> tuple[Any, Spent]:
        """One unit of job `key`, and what the job's worker here has spent so far; `job` is [build,
        a reference to the recipe] (a list, so that Ray does not fetch the recipe for every unit)."""
        worker = self.worker if self.key == key and self.worker is not None else await self._worker(key, job)
        result = await worker.run(unit)
        return result, self._spent(worker)

    async def report(self, key: str) -> Spent | None:
        return self._spent(self.worker) if self.key == key and self.worker is not None else None

    def _spent(self, worker: Worker[Any, Any]) -> Spent:
        self.reports += 1
        return self.life, self.reports, worker.report()


class RayExecution(Generic[T, R]):
    """A job started on Ray: the actors and the units each has in flight."""

    def __init__(self, ray: Any, actors: list[Any], key: str, job: list[Any], concurrency: int,
                 ahead: int | None) -> None:
        self.ray = ray
        self.actors = actors
        self.key = key
        self.job = job
        self.concurrency = concurrency
        self.ahead = ahead
        self.in_flight = [0] * len(actors)
        self.completed = 0
        """Units whose result came back (for tests and progress)."""
        self.spent: dict[str, tuple[int, dict[str, Any]]] = {}
        """The latest report of every actor incarnation that ran units of this job (of a dead one:
        the last it sent with a result)."""

    def _note(self, spent: Spent) -> None:
        life, number, report = spent
        if number > self.spent.get(life, (0, {}))[0]:  # results of one actor may come back out of order
            self.spent[life] = (number, report)

    async def _submit(self, unit: T) -> R:
        index = min(range(len(self.actors)), key=lambda i: (self.in_flight[i], i))
        self.in_flight[index] += 1
        ref = self.actors[index].run.remote(self.key, self.job, unit)
        try:
            result, spent = await ref
        except self.ray.exceptions.RayTaskError as exc:
            # The unit's own exception (a spent budget, an unusable server), as if it ran here.
            cause = getattr(exc, "cause", None)
            if isinstance(cause, Exception):
                raise cause from None
            raise
        except asyncio.CancelledError:
            self.ray.cancel(ref)  # a unit past the last one needed: stop it on its actor too
            raise
        finally:
            self.in_flight[index] -= 1
        self._note(spent)
        self.completed += 1
        return result

    def map(self, units: Iterable[T]) -> AsyncGenerator[R, None]:
        return ordered_pool(self._submit, units, concurrency=self.concurrency, ahead=self.ahead)

    async def reports(self) -> list[dict[str, Any]]:
        for actor in self.actors:
            try:
                spent = await actor.report.remote(self.key)
            except self.ray.exceptions.RayActorError:
                continue  # a worker gone for good: its last report came with its last result
            if spent is not None:
                self._note(spent)
        return [report for _, report in self.spent.values()]


class RayExecutor:
    """Runs jobs on Ray actors (module docstring).

    `address`: the cluster to join (None: this process's Ray, started locally if need be);
    `workers`: actors (None: one per `num_cpus` CPUs of the cluster, at most the first job's
    `concurrency`); `num_cpus`: CPUs each actor reserves; `init`: further `ray.init` arguments.
    The actors are made when the first job starts and serve every later one; `close()` ends them
    (they also end with this process).
    """

    name = "ray"
    remote = True

    def __init__(self, address: str | None = None, *, workers: int | None = None, num_cpus: float = 1.0,
                 ahead: int | None = None, init: dict[str, Any] | None = None) -> None:
        if workers is not None and workers < 1:
            raise ConfigError(f"the Ray executor needs at least one worker, not {workers}")
        self.address = address
        self.workers = workers
        self.num_cpus = num_cpus
        self.ahead = ahead
        self.init = dict(init or {})
        self.actors: list[Any] = []
        self.execution: RayExecution[Any, Any] | None = None
        """The job running now (None between jobs)."""
        self._jobs = 0

    def _ray(self) -> Any:
        ray = import_ray()
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False, **self.init)
        return ray

    def _actors(self, ray: Any, concurrency: int) -> list[Any]:
        if not self.actors:
            workers = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1) // max(self.num_cpus, 1e-9)))
            workers = min(workers, concurrency)
            actor_class = ray.remote(RemoteWorker)
            self.actors = [actor_class.options(max_restarts=-1, max_task_retries=-1, num_cpus=self.num_cpus,
                                               max_concurrency=max(1, math.ceil(concurrency / workers))).remote()
                           for _ in range(workers)]
        return self.actors

    @contextlib.asynccontextmanager
    async def start(self, job: Job[T, R], concurrency: int) -> AsyncIterator[Execution[T, R]]:
        if job.recipe is None:
            raise ConfigError(f"the {job.name} job has no recipe to build workers from, so it cannot run on Ray")
        ray = self._ray()
        concurrency = max(1, concurrency)
        actors = self._actors(ray, concurrency)
        self._jobs += 1
        recipe = ray.put(job.recipe)  # shipped once; each actor fetches it when the job's first unit comes
        execution: RayExecution[T, R] = RayExecution(ray, actors, f"{job.name}-{self._jobs}", [job.build, recipe],
                                                     concurrency, self.ahead)
        self.execution = execution
        try:
            yield execution
        finally:
            self.execution = None

    def close(self) -> None:
        """End the actors (a later job makes new ones)."""
        if self.actors:
            ray = import_ray()
            for actor in self.actors:
                ray.kill(actor, no_restart=True)
            self.actors = []
