"""`hardgen baselines`: HardGen sampling beside random-walk and uniform-target sampling, same budget."""

from __future__ import annotations

import asyncio
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


def render_baselines(table_data: Any) -> None:
    table = Table(title=f"Target agent {table_data.agent} on {table_data.samples_asked} samples per sampler "
                        f"(seed {table_data.seed})")
    for col in ("sampler", "samples", "target success", "turn success", "mean calls", "mean implicit deps",
                "with >= 1 implicit dep", "yield"):
        table.add_column(col, justify="left" if col == "sampler" else "right")
    for r in table_data.rows:
        table.add_row(r.label, str(r.samples), f"{r.success_rate:.1%} [{r.success_low:.0%}, {r.success_high:.0%}]", f"{r.turn_success_rate:.1%}",
                      f"{r.mean_calls:.2f}", f"{r.mean_implicit_dependencies:.2f}", f"{r.share_implicit_ge_1:.1%}",
                      f"{r.yield_rate:.1%}")
    console.print(table)
    console.print(f"report: {table_data.out}/baselines.json")


_SETS = {"legality": "HardGen", "uniform": "uniform target", "random_walk": "random walk"}


def render_ladder(table_data: Any) -> None:
    table = Table(title=f"The agent ladder on {table_data.samples_asked} samples per set (seed {table_data.seed}): "
                        "success, 95% interval")
    modes = [m for m in ("legality", "uniform", "random_walk") if m in table_data.modes]
    table.add_column("agent")
    table.add_column("failure set", justify="right")
    for mode in modes:
        table.add_column(_SETS[mode], justify="right")
    for row in table_data.rows:
        table.add_row(row.agent + (" (stochastic)" if row.stochastic else ""),
                      "-" if row.failure_set is None else str(row.failure_set),
                      *[f"{c.success_rate:.0%} [{c.low:.0%}, {c.high:.0%}] n={c.samples}"
                        for c in (row.cells[m] for m in modes)])
    console.print(table)
    console.print("HardGen: samples mined against that agent; uniform target and random walk: one shared set each.")
    console.print(f"report: {table_data.out}/ladder.json")


def register(app: typer.Typer) -> None:
    @app.command("baselines")
    def baselines_command(
        config: str | None = CONFIG,
        out: str | None = typer.Option(None, "--out", "-o", help="Directory; each sampler's run goes to OUT/<mode>."),
        samples: int | None = typer.Option(None, "--samples", "-n", help="Verified samples per sampler."),
        seed: int | None = typer.Option(None, "--seed", help="Seed shared by every sampler."),
        domains: str | None = typer.Option(None, "--domains", help="Built-in domains to use, comma-separated."),
        modes: str = typer.Option("legality,random_walk,uniform", "--modes", help="Samplers to compare."),
        agent: str | None = TARGET_AGENT,
        reference_agent: str | None = REFERENCE_AGENT,
        agents: str | None = typer.Option(
            None, "--agents",
            help="Compare rungs of the model-free agent ladder, comma-separated, or 'all': each on HardGen samples "
                 "mined against it and on shared uniform-target and random-walk sets (OUT/ladder.json)."),
        base_url: str | None = BASE_URL,
        model: str | None = MODEL,
        role: list[str] | None = ROLES_OPTION,
        set_: list[str] | None = SETS,
        executor: str = EXECUTOR,
        ray_address: str | None = RAY_ADDRESS,
        ray_workers: int | None = RAY_WORKERS,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Compare HardGen sampling with random-walk and uniform-target sampling at the same budget.

        Evaluates the target agent on each: success rate, mean calls, implicit dependencies, yield.
        With --agents, does so for each rung of the model-free agent ladder, with 95% intervals.
        """
        from hardgen.evaluate import compare_baselines, compare_ladder

        overrides: dict[str, Any] = {"out": out or "runs/hardgen-baselines", "synthesis.samples": samples, "seed": seed,
                                     **agent_overrides(agent, reference_agent)}
        if domains:
            overrides["sources"] = [{"kind": "world", "domains": [d.strip() for d in domains.split(",") if d.strip()]}]
        run_config = build_config(config, overrides, set_, base_url, model, role)
        chosen = [m.strip() for m in modes.split(",") if m.strip()]
        rungs = None if agents in (None, "all") else [a.strip() for a in (agents or "").split(",") if a.strip()]
        say = None if as_json else lambda m: err_console.print(f"[dim]{escape(m)}[/]")
        units = make_executor(executor, ray_address, ray_workers)
        try:
            with RichProgress(err_console, enabled=not as_json) as progress:
                if agents is not None:
                    ladder = asyncio.run(compare_ladder(run_config, rungs, modes=chosen, progress=progress, log=say,
                                                        executor=units))
                else:
                    table_data = asyncio.run(compare_baselines(run_config, modes=chosen, progress=progress, log=say,
                                                               executor=units))
        except (HardGenError, ValueError) as exc:
            raise fail(str(exc)) from None
        finally:
            units.close()
        if agents is not None:
            emit(ladder, as_json, render_ladder)
        else:
            emit(table_data, as_json, render_baselines)
