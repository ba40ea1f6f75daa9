"""The evaluation stage: an agent scored on a run's samples, as one more stage of the run.

The closed loop and the baselines make their runs with the pipeline's stages (with inputs of their
own: a carried graph and failure report, a sampling mode, a target rung) and then score the target
agent on each run with this stage. Its artifact is one evaluation file in the run directory
(`eval.json`, or `eval-<agent>.json` where several agents are scored on one run), written in one
step: like any stage's, a complete one is skipped and read back. The samples go through the
executor the run was made with (`attempt_all`).
"""

from __future__ import annotations

from dataclasses import dataclass

from hardgen.evaluate._evaluation import AgentRecipe, Evaluation, evaluate_samples
from hardgen.evaluate._samples import load_samples
from hardgen.llm import Backend
from hardgen.pipeline import (
    Executor,
    LocalExecutor,
    Progress,
    RunConfig,
    RunDirectory,
    SilentProgress,
    Stage,
    run_stages,
    write_json_atomic,
)


@dataclass
class EvaluationState:
    """What the evaluation stage reads (the run, the agent and how to run it) and loads."""

    run: RunDirectory
    agent: Backend
    remote: AgentRecipe | None
    """The agent as a worker elsewhere builds it (None: only a local executor can run it)."""
    executor: Executor
    concurrency: int
    seed: int
    timeout: float | None
    progress: Progress
    label: str = "eval"
    """The progress bar's name."""
    evaluation: Evaluation | None = None


def evaluation_stage(file: str = "eval.json") -> Stage[EvaluationState]:
    """The stage that scores `state.agent` on the run's samples into `file` of the run directory."""

    async def evaluate(state: EvaluationState) -> None:
        run = state.run
        samples = load_samples(run.samples) if run.samples.exists() else []
        state.progress.start(state.label, len(samples))
        evaluation = await evaluate_samples(
            state.agent, samples, concurrency=max(1, state.concurrency), seed=state.seed, timeout=state.timeout,
            source=str(run.samples), progress=state.progress.advance, executor=state.executor, remote=state.remote)
        state.progress.finish()
        write_json_atomic(run.path / file, evaluation)

    def load(state: EvaluationState) -> None:
        state.evaluation = Evaluation.model_validate_json((state.run.path / file).read_text(encoding="utf-8"))

    return Stage("evaluation", writes=lambda run: [run.path / file], reads=lambda run: [run.samples],
                 run=evaluate, load=load, complete=lambda state: (state.run.path / file).exists())


async def evaluate_run(run: RunDirectory, agent: Backend, config: RunConfig, *, seed: int,
                       remote: AgentRecipe | None = None, executor: Executor | None = None,
                       progress: Progress | None = None, file: str = "eval.json", label: str = "eval") -> Evaluation:
    """Run the evaluation stage over `run` (made with `config`: its concurrency and tool timeout)
    and return the evaluation (read back from its file, also when it was already there)."""
    state = EvaluationState(run=run, agent=agent, remote=remote, executor=executor or LocalExecutor(),
                            concurrency=config.concurrency, seed=seed, timeout=config.tool_timeout_s,
                            progress=progress or SilentProgress(), label=label)
    await run_stages([evaluation_stage(file)], state)
    assert state.evaluation is not None
    return state.evaluation
