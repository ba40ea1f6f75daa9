"""Typed stages with artifacts: what a pipeline is made of, and what resume means.

A `Stage` names the files of the run directory it writes (its artifact) and those it reads. Running
a sequence of stages runs each one whose artifact is not complete and skips the others; either way
the stage then *loads* its artifact from disk into the state, so what later stages see is exactly
what a fresh run saw. That is all resume is: no stage has a resume branch of its own.

A stage whose artifact is written in one step (a file renamed into place, a multi-file commit) is
complete when the artifact exists. An append-only artifact (samples, rejections) is continued: its
stage says when it is complete and, until then, runs and skips the units already written. A stage
without `complete` (a summary derived from everything else) always runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from hardgen.pipeline._rundir import RunDirectory

S = TypeVar("S")
"""The state the stages of one pipeline share (for `generate`: `GenerateState`)."""


@dataclass(frozen=True)
class Stage(Generic[S]):
    name: str
    writes: Callable[[RunDirectory], Sequence[Path]]
    """The files of its artifact."""
    reads: Callable[[RunDirectory], Sequence[Path]]
    """The files it starts from (written by earlier stages, or the run's config)."""
    run: Callable[[S], Awaitable[None]]
    """Make the artifact (write it to the run directory)."""
    load: Callable[[S], None] | None = None
    """Read the artifact into the state (after `run`, or instead of it when it is complete)."""
    complete: Callable[[S], bool] | None = None
    """Whether the artifact is complete; None: the stage always runs."""


def stage_files(run: RunDirectory, stage: Stage[S]) -> tuple[list[str], list[str]]:
    """The names of what a stage reads and writes (for docs and tests)."""
    return [p.name for p in stage.reads(run)], [p.name for p in stage.writes(run)]


async def run_stages(stages: Sequence[Stage[S]], state: S, *,
                     on_skip: Callable[[Stage[S]], None] | None = None) -> list[str]:
    """Run `stages` in order over `state`, skipping those whose artifact is complete; returns the
    names of the stages that ran."""
    ran = []
    for stage in stages:
        if stage.complete is not None and stage.complete(state):
            if on_skip is not None:
                on_skip(stage)
        else:
            await stage.run(state)
            ran.append(stage.name)
        if stage.load is not None:
            stage.load(state)
    return ran
