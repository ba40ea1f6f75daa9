"""`hardgen loop`: the closed loop, generate -> training hook -> evaluate -> update, R rounds."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from hardgen.cli._options import (
    BASE_URL,
    CONFIG,
    EXECUTOR,
    MODEL,
    RAY_ADDRESS,
    RAY_WORKERS,
    ROLES_OPTION,
    SETS,
    build_config,
    make_executor,
)
from hardgen.cli._output import JSON_OPTION, console, emit, err_console, fail
from hardgen.cli._progress import RichProgress
from hardgen.cli.cmd_eval import REFERENCE_AGENT, TARGET_AGENT, agent_overrides
from hardgen.errors import HardGenError


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def render_loop(report: Any) -> None:
    # One column per round: metrics read down, rounds compare across (fits narrow terminals).
    table = Table(title=f"hardgen loop: {report.out}")
    table.add_column("per round", style="bold")
    for r in report.rounds:
        table.add_column(f"round {r.round}", justify="right")

    def row(label: str, cell: Any) -> None:
        table.add_row(label, *[cell(r) for r in report.rounds])

    def update(r: Any, text: Any) -> str:
        return "-" if r.update is None else text(r.update)

    row("samples (yield)", lambda r: f"{r.samples} ({_pct(r.yield_rate)})")
    if report.train:
        row("target agent", lambda r: f"{r.agent}{' (mined afresh)' if r.remined else ''}")
    row("failure set sampled from", lambda r: str(r.failure_set))
    row("targets in failure set", lambda r: _pct(r.target_share_failure_set))
    row("targets in steered tools", lambda r: _pct(r.target_share_steered))
    row("target agent success", lambda r: _pct(r.success_rate))
    row("mean calls / implicit deps", lambda r: f"{r.mean_calls:.2f} / {r.mean_implicit_dependencies:.2f}")
    row("tools found failing", lambda r: str(len(r.eval_failing_tools)) if r.success_rate is not None else "-")
    row("failure set after (+/-)", lambda r: update(
        r, lambda u: f"{u.failure_set_after} (+{len(u.added)}/-{len(u.removed)})"))
    row("weight on failing tools", lambda r: update(
        r, lambda u: f"{_pct(u.weight_share_before)} -> {_pct(u.weight_share_after)}"))
    if any(r.model_training for r in report.rounds):
        row("training (hardgen train)", lambda r: "-" if r.model_training is None else
            f"{r.model_training.steps} steps, loss {r.model_training.first_loss or 0:.3f} -> "
            f"{r.model_training.last_loss or 0:.3f}")
        row("checkpoint evaluated", lambda r: "-" if r.model_training is None else r.model_training.checkpoint)
    if report.train:
        row("training: moved to", lambda r: "-" if r.training is None else
            f"{r.training.after}{'' if r.training.moved else ' (stayed)'}")
    console.print(table)
    console.print("targets steered: share of sampled targets among the tools the previous round's evaluation found "
                  "failing (round 1: its own evaluation's, before any steering)")
    for r in report.rounds:
        top = ", ".join(f"{t} {n}" for t, n in list(r.targets.items())[:6])
        console.print(f"round {r.round} most drawn targets: {top}")
        if r.hook is not None:
            console.print(f"round {r.round} training hook: exit {r.hook.returncode} in {r.hook.seconds:.1f} s "
                          f"(log {r.hook.log})")
    console.print(f"report: {report.out}/loop.json")


def register(app: typer.Typer) -> None:
    @app.command("loop")
    def loop_command(
        rounds: int = typer.Option(2, "--rounds", "-r", help="Rounds of generate -> train -> eval -> update."),
        config: str | None = CONFIG,
        out: str | None = typer.Option(None, "--out", "-o", help="Loop directory; round r goes to OUT/round-r."),
        samples: int | None = typer.Option(None, "--samples", "-n", help="Verified samples per round."),
        seed: int | None = typer.Option(None, "--seed", help="Seed of round 1 (round r uses seed + r - 1)."),
        domains: str | None = typer.Option(None, "--domains", help="Built-in domains to use, comma-separated."),
        train_hook: str | None = typer.Option(
            None, "--train-hook",
            help="Shell command run after each round's generation, before its evaluation. {data}, {round}, {run} "
                 "are replaced by the samples path, round number and run directory; also in the environment as "
                 "HARDGEN_DATA, HARDGEN_ROUND, HARDGEN_RUN_DIR. A failing hook stops the loop."),
        hook_timeout: float | None = typer.Option(None, "--hook-timeout", help="Seconds the hook may run."),
        explore: float = typer.Option(
            0.25, "--explore", help="Weight share kept by failure-set tools the last evaluation did not find failing."),
        train: str | None = typer.Option(
            None, "--train",
            help="Training step: 'sft' runs hardgen train on each round's samples (from --base-model, then the last "
                 "round's checkpoint) and evaluates the checkpoint; 'ladder' (offline) moves the model-free target up "
                 "the agent ladder after each round, to the lowest rung that passes at least 10% of the samples it "
                 "failed (see README)."),
        base_model: str | None = typer.Option(None, "--base-model", help="With --train sft: the model round 1 trains."),
        train_config: str | None = typer.Option(None, "--train-config", help="With --train sft: hardgen train's config."),
        lora: bool = typer.Option(False, "--lora", help="With --train sft: train a LoRA adapter."),
        eval_base_url: str | None = typer.Option(
            None, "--eval-base-url",
            help="With --train sft --lora: a vLLM server (started with --enable-lora) that loads each round's adapter "
                 "to be evaluated; default: evaluate in-process with transformers."),
        agent: str | None = TARGET_AGENT,
        reference_agent: str | None = REFERENCE_AGENT,
        base_url: str | None = BASE_URL,
        model: str | None = MODEL,
        role: list[str] | None = ROLES_OPTION,
        set_: list[str] | None = SETS,
        executor: str = EXECUTOR,
        ray_address: str | None = RAY_ADDRESS,
        ray_workers: int | None = RAY_WORKERS,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Closed loop: generate -> training hook -> evaluate the target -> update failures and graph, R rounds.

        Each round after the first samples its targets from what the previous evaluation found failing.
        """
        from hardgen.evaluate import run_loop

        if rounds < 1:
            raise fail("--rounds must be at least 1")
        if not 0.0 <= explore <= 1.0:
            raise fail(f"--explore must be in [0, 1], got {explore}")
        if train not in (None, "ladder", "sft"):
            raise fail(f"--train must be 'sft' or 'ladder', got {train!r}")
        step = None
        if train == "sft":
            if not base_model:
                raise fail("--train sft needs --base-model (the model round 1 fine-tunes)")
            from hardgen.train import SftLoopStep, load_train_config

            step = SftLoopStep(base_model, load_train_config(train_config, {"lora": lora or None}),
                               base_url=eval_base_url)
        overrides: dict[str, Any] = {"out": out or "runs/hardgen-loop", "synthesis.samples": samples, "seed": seed,
                                     **agent_overrides(agent, reference_agent)}
        if domains:
            overrides["sources"] = [{"kind": "world", "domains": [d.strip() for d in domains.split(",") if d.strip()]}]
        run_config = build_config(config, overrides, set_, base_url, model, role)
        units = make_executor(executor, ray_address, ray_workers)
        try:
            # hardgen train's Trainer prints its logs: to stderr, so that stdout holds only the report.
            with contextlib.redirect_stdout(sys.stderr) if step is not None else contextlib.nullcontext(), \
                    RichProgress(err_console, enabled=not as_json) as progress:
                report = asyncio.run(run_loop(run_config, rounds, train_hook=train_hook, hook_timeout=hook_timeout,
                                              explore=explore, train="ladder" if train == "ladder" else None,
                                              train_step=step, progress=progress, executor=units,
                                              log=None if as_json else lambda m: err_console.print(f"[dim]{escape(m)}[/]")))
        except (HardGenError, ValueError) as exc:
            raise fail(str(exc)) from None
        finally:
            units.close()
        emit(report, as_json, render_loop)
        if report.stopped:
            err_console.print(f"[bold red]error:[/] {escape(str(report.stopped))}")
            last = report.rounds[-1].hook if report.rounds else None
            if last is not None and last.output_tail.strip():
                err_console.print(last.output_tail.rstrip()[-1500:], markup=False, highlight=False)
            raise typer.Exit(1)
