"""`run_loop`: the closed loop, round after round: generate -> train hook -> evaluate -> update.

Round r writes a whole run directory `OUT/round-r` with seed `seed + r - 1`: the pipeline's stages
(`generate`, with the carried graph and failure report as their inputs) and then the evaluation
stage (`eval.json`), every unit through one executor. Round 1 builds the graph and mines failures
as `generate` always does; every later round starts from the graph and the failure report left by
the round before, updated by that round's evaluation (`merge_evaluation`), so its legality sampler
draws targets by the steered weights. Between generating and evaluating,
an optional training hook (any shell command) gets the round's data: `{data}`, `{round}` and
`{run}` in the command are replaced by the shell-quoted samples path, round number and run
directory, and the same values are in the environment as HARDGEN_DATA, HARDGEN_ROUND and
HARDGEN_RUN_DIR. A hook that fails stops the loop; the report says which round, the exit status
and the end of its output (all of it is in `round-r/train_hook.log`). The target agent is then
evaluated on the round's samples; after a training hook that points the target's server at the new
checkpoint, this measures what the trained agent still fails.

Offline, with no model to train, `train="ladder"` is the training step: the target is a rung of the
model-free agent ladder (`hardgen.agents.LADDER`; `roles.target.agent`, default `single-call`),
and after each round's evaluation it is upgraded along the ladder where its failures lie: to the
lowest higher rung that passes at least `LADDER_MIN_GAIN` (10%, and at least one) of the round's
samples the current target failed (the round's samples are the training data: the smallest upgrade
they show to pay, so the target learns one skill at a time and skips a skill the data barely
exercises; it stays put when no higher rung gains that much). A round whose target moved
mines its failures afresh with the new target, so the failure set is the new target's, not the old
one's with new counts added; it does so on the very probe tasks of round 1 (the graph as round 1
built it before probing, round 1's seed), so the failure-set sizes of the rounds compare like with
like. Generation then goes on from the carried graph; each round is evaluated on its own, new samples.

The report (loop.json, rewritten after every round) shows per round how the failure set changes,
where the sampled targets went (the share in the failure set, and in the tools the previous round's
evaluation found failing: the ones the update steered toward; for round 1, its own evaluation's,
as the unsteered baseline), and how hard the new samples are for the target agent.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr

from hardgen.evaluate._evaluation import AgentRecipe, Evaluation, evaluate_samples
from hardgen.evaluate._feedback import DEFAULT_EXPLORE, FailureUpdate, merge_evaluation, steering_stats
from hardgen.evaluate._samples import load_samples
from hardgen.evaluate._stage import evaluate_run
from hardgen.graph import ApiGraph
from hardgen.llm import Backend
from hardgen.pipeline import (
    GENERATE_STAGES,
    BackendConfig,
    Executor,
    FailureReport,
    GenerateState,
    LocalExecutor,
    Manifest,
    Progress,
    RunConfig,
    RunDirectory,
    SilentProgress,
    build_backend,
    generate,
    iter_jsonl,
    resolve_sources,
    run_stages,
    write_json_atomic,
)
from hardgen.schema import Record
from hardgen.tools import Session

_OUTPUT_TAIL = 4000
_TOP_TARGETS = 15


class SteeredFailureReport(FailureReport):
    """A failure report whose graph statistics carry the loop's steered target weights.

    It has exactly the fields of a FailureReport (so the failures.json a round writes reads back as
    one); only `graph_stats`, which `generate` applies to the graph, differs.
    """

    _weights: dict[str, float] = PrivateAttr(default_factory=dict)

    @classmethod
    def steer(cls, report: FailureReport, weights: Mapping[str, float]) -> SteeredFailureReport:
        steered = cls.model_validate(report.model_dump())
        steered._weights = dict(weights)
        return steered

    def graph_stats(self) -> dict[str, dict[str, Any]]:
        return steering_stats(self, self._weights)


class TrainHookResult(Record):
    """What the training hook did in one round."""

    command: str
    """The command as run (placeholders filled in)."""
    returncode: int
    ok: bool
    seconds: float = 0.0
    log: str | None = None
    """File holding the hook's whole output."""
    output_tail: str = ""


TrainMode = Literal["ladder"]


class ModelTraining(Record):
    """What a model training step (`hardgen train`, see `hardgen.train.SftLoopStep`) did in one round."""

    model: str
    """The model the round trained from (the base model, then the previous round's checkpoint)."""
    checkpoint: str
    steps: int = 0
    first_loss: float | None = None
    last_loss: float | None = None
    seconds: float = 0.0


ModelTrainStep = Callable[[int, Path, Path], Awaitable[tuple[ModelTraining, Backend]]]
"""A training step run after each round's generation: (round, samples path, run directory) -> what it
did and the trained model as the backend to evaluate in that round."""


class LadderCandidate(Record):
    """A higher rung tried by the ladder training step on the target's failed samples."""

    agent: str
    fixed: int
    """Failed samples of the current target this rung passes."""


class LadderTraining(Record):
    """What the ladder training step did after one round."""

    before: str
    after: str
    failed_samples: int
    """Samples of the round the target failed (what the training step works on)."""
    candidates: list[LadderCandidate] = Field(default_factory=list)

    @property
    def moved(self) -> bool:
        return self.before != self.after


class LoopRound(Record):
    """One round of the loop."""

    round: int
    seed: int
    run_dir: str
    samples: int = 0
    rejected: int = 0
    yield_rate: float = 0.0
    failure_set: int = 0
    """Size of the failure set this round's targets were drawn from."""
    traces: int = 0
    targets: dict[str, int] = Field(default_factory=dict)
    """Sampled target tools (of the round's traces), most drawn first (top 15)."""
    target_share_failure_set: float = 0.0
    """Share of the round's traces whose target is in the failure set."""
    steered_toward: list[str] = Field(default_factory=list)
    """Tools the previous round's evaluation found failing (round 1: its own evaluation's)."""
    target_share_steered: float = 0.0
    """Share of the round's traces whose target is in `steered_toward`."""
    mean_calls: float = 0.0
    mean_implicit_dependencies: float = 0.0
    hook: TrainHookResult | None = None
    agent: str | None = None
    """The target agent evaluated this round (for ladder training: its rung)."""
    remined: bool = False
    """Failures were mined afresh this round (the target moved along the ladder)."""
    training: LadderTraining | None = None
    """The ladder training step after this round's evaluation."""
    model_training: ModelTraining | None = None
    """The model training step (`train_step`) of this round, before its evaluation."""
    success_rate: float | None = None
    """The target agent's pass rate on the round's samples (None when it was not evaluated)."""
    turn_success_rate: float | None = None
    mean_agent_calls: float | None = None
    eval_errors: int = 0
    eval_failing_tools: list[str] = Field(default_factory=list)
    update: FailureUpdate | None = None
    seconds: float = 0.0


class LoopReport(Record):
    """The whole loop (loop.json)."""

    out: str
    rounds_asked: int
    seed: int
    samples_per_round: int
    explore: float
    train_hook: str | None = None
    train: TrainMode | None = None
    agent: str | None = None
    rounds: list[LoopRound] = Field(default_factory=list)
    stopped: str | None = None
    """Why the loop ended early (a failing training hook), else None."""

    @property
    def ok(self) -> bool:
        return self.stopped is None


_PLACEHOLDER = re.compile(r"\{(data|round|run)\}")


def run_train_hook(command: str, *, data: Path, round_number: int, run_dir: Path,
                   timeout: float | None = None) -> TrainHookResult:
    """Run the user's training command for one round (module docstring); never raises for a failing
    or missing command: the result says what happened."""
    values = {"data": shlex.quote(str(data)), "round": str(round_number), "run": shlex.quote(str(run_dir))}
    # One pass over the command: a placeholder's value is never searched again, so a `{run}` inside
    # the quoted data path stays part of that path.
    filled = _PLACEHOLDER.sub(lambda m: values[m.group(1)], command)
    env = dict(os.environ, HARDGEN_DATA=str(data), HARDGEN_ROUND=str(round_number), HARDGEN_RUN_DIR=str(run_dir))
    log = run_dir / "train_hook.log"
    clock = time.perf_counter()
    try:
        with open(log, "wb") as out:
            done = subprocess.run(filled, shell=True, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout, check=False)
        code = done.returncode
    except subprocess.TimeoutExpired:
        code = -1
        with open(log, "ab") as out:
            out.write(f"\n[hardgen] the training hook ran past {timeout} s and was stopped\n".encode())
    tail = log.read_bytes()[-_OUTPUT_TAIL:].decode("utf-8", errors="replace")
    return TrainHookResult(command=filled, returncode=code, ok=code == 0, seconds=round(time.perf_counter() - clock, 3),
                           log=str(log), output_tail=tail)


LADDER_MIN_GAIN = 0.1
"""Share of the target's failed samples a higher rung must pass for the ladder training step to move there."""


async def train_on_ladder(current: str, samples: list[Any], evaluation: Evaluation, *, seed: int,
                          concurrency: int = 8, timeout: float | None = None,
                          min_gain: float = LADDER_MIN_GAIN, executor: Executor | None = None) -> LadderTraining:
    """The ladder training step (module docstring): the lowest rung above `current` that passes at
    least `min_gain` of the `samples` that `evaluation` (the current target's) failed, and at least
    one; `current` if none does."""
    if not 0.0 <= min_gain <= 1.0:
        raise ValueError(f"min_gain must be in [0, 1], got {min_gain}")
    from hardgen.agents import LADDER, build_agent, rung

    failed_ids = {r.sample_id for r in evaluation.results if r.error is None and not r.passed}
    failed = [s for s in samples if s.id in failed_ids]
    step = LadderTraining(before=current, after=current, failed_samples=len(failed))
    if not failed:
        return step
    for higher in [r for r in LADDER if r.level > rung(current).level]:
        tried = await evaluate_samples(build_agent(higher.name, seed), failed, concurrency=concurrency, seed=seed,
                                       timeout=timeout, executor=executor, remote=_rung_recipe(higher.name, seed))
        step.candidates.append(LadderCandidate(agent=higher.name, fixed=tried.passed))
        if tried.passed and tried.passed >= min_gain * len(failed):
            step.after = higher.name
            break
    return step


def _rung_recipe(name: str, seed: int) -> AgentRecipe:
    return AgentRecipe(BackendConfig(kind="model-free", agent=name), seed)


async def _mine_on_first_probe(config: RunConfig, target: str, progress: Progress,
                               executor: Executor | None) -> FailureReport:
    """Failure mining of rung `target` on round 1's probe tasks: the pipeline's probe stage with
    round 1's config but that target (so the graph round 1 built before probing, rebuilt: it is
    deterministic; round 1's seed; the reference agent as configured), in a scratch run directory."""
    probe = GENERATE_STAGES[0]
    mining = config.model_copy(deep=True)
    mining.roles.target.agent = target
    mining.probe.enabled = True
    specs = resolve_sources(mining)
    with tempfile.TemporaryDirectory(prefix="hardgen-mine-") as scratch:
        session = Session.from_specs(specs, timeout=mining.tool_timeout_s)
        state = GenerateState(config=mining, run=RunDirectory(Path(scratch) / "probe").create(), specs=list(specs),
                              session=session, executor=executor or LocalExecutor(), progress=progress,
                              say=lambda _m: None, manifest=Manifest(seed=mining.seed))
        try:
            await run_stages([probe], state)
        finally:
            session.close()
    assert state.report is not None
    return state.report


def _share(counts: Mapping[str, int], tools: set[str]) -> float:
    total = sum(counts.values())
    return sum(n for t, n in counts.items() if t in tools) / total if total else 0.0


async def run_loop(
    config: RunConfig,
    rounds: int,
    *,
    train_hook: str | None = None,
    hook_timeout: float | None = None,
    agent: Backend | Callable[[int], Backend] | None = None,
    explore: float = DEFAULT_EXPLORE,
    train: TrainMode | None = None,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
    train_step: ModelTrainStep | None = None,
    executor: Executor | None = None,
) -> LoopReport:
    """Run `rounds` rounds into `config.out` (module docstring) and return the report.

    `agent`: the target agent to evaluate, or a function of the round's seed that makes it (default:
    the config's target role, built afresh each round so a retrained model behind the same server
    is what gets evaluated). `train="ladder"`: the offline training step (module docstring); the
    target is then the config's model-free target rung and moves along the ladder. `train_step`:
    a model training step run on each round's samples (after the hook, if any); the model it returns
    is what that round evaluates (`hardgen.train.SftLoopStep`: `hardgen train`, round after round).
    `executor` runs the units of every stage (probe tasks, synthesis units, evaluation samples;
    default: the local pool); an agent given as an object or trained here is evaluated locally only.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    if not 0.0 <= explore <= 1.0:
        raise ValueError(f"explore must be in [0, 1], got {explore}")
    rung_name: str | None = None
    if train is not None:
        from hardgen.agents import DEFAULT_AGENT, build_agent

        if train != "ladder":
            raise ValueError(f"unknown training step {train!r}; the offline one is 'ladder'")
        if agent is not None or config.roles.target.kind != "model-free":
            raise ValueError("ladder training moves a model-free target along the ladder: give no other agent")
        rung_name = config.roles.target.agent or DEFAULT_AGENT
    if train_step is not None and (train is not None or agent is not None):
        raise ValueError("a model training step evaluates the model it trains: give no other agent or training step")
    progress = progress or SilentProgress()
    say = log or (lambda _m: None)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    report = LoopReport(out=str(out), rounds_asked=rounds, seed=config.seed, samples_per_round=config.synthesis.samples,
                        explore=explore, train_hook=train_hook, train=train)
    graph: ApiGraph | None = None
    failures: FailureReport | None = None
    previous_failing: list[str] | None = None
    remine = False
    for number in range(1, rounds + 1):
        clock = time.perf_counter()
        seed = config.seed + number - 1
        round_config = config.model_copy(update={"seed": seed, "out": str(out / f"round-{number}")}, deep=True)
        if rung_name is not None:
            round_config.roles.target.agent = rung_name
            if remine:
                # A new target: mine its failures afresh, on round 1's probe tasks.
                say(f"round {number}: mining the failures of {rung_name} on round 1's probe tasks")
                failures = await _mine_on_first_probe(config, rung_name, progress, executor)
        say(f"round {number}/{rounds}: generating into {round_config.out}"
            + (f" (target {rung_name}{', failures mined afresh' if remine and number > 1 else ''})"
               if rung_name else ""))
        manifest: Manifest = await generate(round_config, progress=progress, log=log, graph=graph, failures=failures,
                                            executor=executor)
        run = RunDirectory(round_config.out)
        used = (FailureReport.model_validate_json(run.failures.read_text(encoding="utf-8"))
                if run.failures.exists() else FailureReport())
        targets = Counter(str(r["target_tool"]) for r in iter_jsonl(run.traces) if r.get("target_tool"))
        record = LoopRound(round=number, seed=seed, run_dir=str(run.path), samples=manifest.samples,
                           rejected=manifest.rejected, yield_rate=manifest.yield_rate, failure_set=len(used.failure_set),
                           traces=manifest.traces, targets=dict(targets.most_common(_TOP_TARGETS)),
                           target_share_failure_set=round(_share(targets, set(used.failure_set)), 4),
                           mean_calls=manifest.mean_calls, mean_implicit_dependencies=manifest.mean_implicit_dependencies,
                           remined=remine and number > 1)
        report.rounds.append(record)

        if train_hook:
            say(f"round {number}: training hook")
            hook = run_train_hook(train_hook, data=run.samples, round_number=number, run_dir=run.path,
                                  timeout=hook_timeout)
            record.hook = hook
            if not hook.ok:
                report.stopped = (f"the training hook failed in round {number} (exit status {hook.returncode}); "
                                  f"its output is in {hook.log}")
                record.seconds = round(time.perf_counter() - clock, 3)
                write_json_atomic(out / "loop.json", report)
                return report

        trained: Backend | None = None
        if train_step is not None:
            say(f"round {number}: training the model on {run.samples}")
            record.model_training, trained = await train_step(number, run.samples, run.path)

        backend = agent(seed) if callable(agent) and not isinstance(agent, Backend) else agent
        remote: AgentRecipe | None = None  # how a worker elsewhere builds the agent, where it can
        if trained is not None:
            backend = trained
        if rung_name is not None:
            backend, remote = build_agent(rung_name, seed), _rung_recipe(rung_name, seed)
        if backend is None:
            backend = build_backend(config.roles.target, seed=seed, cache=None)
            remote = AgentRecipe(config.roles.target, seed)
        report.agent = getattr(backend, "model", None) or getattr(backend, "name", None)
        record.agent = rung_name or report.agent
        # The round's evaluation is one more stage of its run (eval.json, its units through the executor).
        evaluation = await evaluate_run(run, backend, config, seed=seed, remote=remote, executor=executor,
                                        progress=progress)
        record.success_rate = evaluation.accuracy
        record.turn_success_rate = evaluation.turn_accuracy
        record.mean_agent_calls = evaluation.mean_agent_calls
        record.eval_errors = evaluation.errors
        record.eval_failing_tools = evaluation.failing_tools(used.threshold)

        steered = set(previous_failing if previous_failing is not None else record.eval_failing_tools)
        record.steered_toward = sorted(steered)
        record.target_share_steered = round(_share(targets, steered), 4)

        graph = ApiGraph.load(run.graph)
        merged, update = merge_evaluation(used, evaluation, graph=graph, explore=explore)
        record.update = update
        failures = SteeredFailureReport.steer(merged, update.weights)
        previous_failing = record.eval_failing_tools
        remine = False
        if rung_name is not None:
            samples = load_samples(run.samples) if run.samples.exists() else []
            record.training = await train_on_ladder(rung_name, samples, evaluation, seed=seed,
                                                    concurrency=max(1, config.concurrency), timeout=config.tool_timeout_s,
                                                    executor=executor)
            remine = record.training.moved
            say(f"round {number}: training on the ladder: {record.training.before} -> {record.training.after}")
            rung_name = record.training.after
        record.seconds = round(time.perf_counter() - clock, 3)
        write_json_atomic(out / "loop.json", report)
        say(f"round {number}: success {evaluation.accuracy:.1%}, failure set {update.failure_set_before} -> "
            f"{update.failure_set_after}")
    return report
