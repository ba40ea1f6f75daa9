"""`hardgen generate`: the main job."""

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
from hardgen.errors import HardGenError
from hardgen.pipeline import BudgetConfig, Manifest, generate


def render_manifest(manifest: Manifest, out: str) -> None:
    table = Table(title=f"HardGen run: {out}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    tried = manifest.samples + manifest.rejected
    table.add_row("verified samples", str(manifest.samples))
    table.add_row("candidates tried", str(tried))
    table.add_row("yield", f"{manifest.yield_rate:.1%}")
    table.add_row("mean calls / sample", f"{manifest.mean_calls:.2f}")
    table.add_row("mean implicit deps / sample", f"{manifest.mean_implicit_dependencies:.2f}")
    table.add_row("samples with >= 3 calls", f"{manifest.share_calls_ge_3:.1%}")
    table.add_row("samples with >= 1 implicit dep", f"{manifest.share_implicit_ge_1:.1%}")
    v = manifest.validity
    if v:
        defects = sum(v.get(k, 0) for k in ("implicit_writes", "create_then_destroy", "duplicate_new_entities",
                                            "repeated_creations", "unused_calls", "undetermined_arguments", "ambiguous_queries",
                                            "multiple_identities"))
        table.add_row("mean calls / turn, turns >= 3 calls",
                      f"{v.get('mean_calls_per_turn', 0):.2f}, {v.get('share_turns_ge_3_calls', 0):.1%}")
        table.add_row("gold defects (validity report)", f"{defects}  (details: hardgen stats)")
        if v.get("short_conversations"):
            reasons = "; ".join(f"{n} {escape(r)}" for r, n in v.get("short_reasons", {}).items())
            table.add_row("samples with fewer turns than asked", f"{v['short_conversations']} ({reasons})")
    table.add_row("failure set (probe)", str(manifest.failure_set))
    table.add_row("traces / advanced tools", f"{manifest.traces} / {manifest.advanced_tools}")
    tokens = sum(b.get("prompt_tokens", 0) + b.get("completion_tokens", 0) for b in manifest.backends.values())
    requests = sum(b.get("requests", 0) for b in manifest.backends.values())
    table.add_row("model requests / tokens", f"{requests} / {tokens}")
    if manifest.per_sample:
        per = manifest.per_sample
        table.add_row("per verified sample", f"{per.get('requests', 0)} requests, {per.get('tokens', 0):.0f} tokens, "
                                             f"{per.get('reasoner_attempts', 0)} reasoner attempts")
    if manifest.role_fallbacks:
        table.add_row("role fallbacks (model-free used)", "; ".join(
            f"{role} {sum(r.values())}" for role, r in manifest.role_fallbacks.items()))
    table.add_row("seconds by phase", ", ".join(f"{k} {v:.1f}" for k, v in manifest.phase_seconds.items()))
    console.print(table)
    if manifest.families:  # a run mixing sample families: each one's share, and any shortfall
        families = Table(title="Sample families")
        for column in ("family", "target", "written", "short", "fit rate", "why units did not fit"):
            families.add_column(column, justify="left" if column in ("family", "why units did not fit") else "right")
        for family, entry in manifest.families.items():
            why = "; ".join(f"{n}x {r}" for r, n in entry.get("why_unfit", {}).items()) if entry["short"] else ""
            rate = f"{entry['fit_rate']:.1%}" if "fit_rate" in entry else ""
            families.add_row(family, str(entry["target"]), str(entry["written"]),
                             f"[red]{entry['short']}[/]" if entry["short"] else "0", rate, escape(why))
        console.print(families)
    if manifest.rejections_by_reason:
        rejections = Table(title="Rejections by reason")
        rejections.add_column("count", justify="right")
        rejections.add_column("reason")
        for reason, count in manifest.rejections_by_reason.items():
            rejections.add_row(str(count), reason)
        console.print(rejections)
    console.print(f"samples: {out}/samples.jsonl  rejected: {out}/rejected.jsonl  manifest: {out}/manifest.json")
    for warning in manifest.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}")
    if manifest.stopped:
        err_console.print(f"[yellow]stopped early:[/] {escape(manifest.stopped)}")


def register(app: typer.Typer) -> None:
    @app.command("generate")
    def generate_command(
        config: str | None = CONFIG,
        out: str | None = typer.Option(None, "--out", "-o", help="Run directory (default runs/hardgen)."),
        samples: int | None = typer.Option(None, "--samples", "-n", help="How many verified samples to write."),
        seed: int | None = typer.Option(None, "--seed", help="Seed of the run (same seed, same samples)."),
        turns: int | None = typer.Option(None, "--turns", help="User turns per sample."),
        domains: str | None = typer.Option(None, "--domains", help="Built-in domains to use, comma-separated."),
        mode: str | None = typer.Option(None, "--mode", help="Sampling: legality (default), uniform, random_walk."),
        concurrency: int | None = typer.Option(None, "--concurrency", help="Units of work in flight."),
        resume: bool = typer.Option(False, "--resume", help="Continue the run in --out (with its saved config)."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace the run in --out (deleting it) with a new one."),
        base_url: str | None = BASE_URL,
        model: str | None = MODEL,
        role: list[str] | None = ROLES_OPTION,
        set_: list[str] | None = SETS,
        max_requests: int | None = typer.Option(None, "--max-requests", min=0,
                                                help="Stop cleanly after this many model requests (this invocation)."),
        max_tokens: int | None = typer.Option(None, "--max-tokens", min=0,
                                              help="Stop cleanly after this many model tokens (this invocation)."),
        executor: str = EXECUTOR,
        ray_address: str | None = RAY_ADDRESS,
        ray_workers: int | None = RAY_WORKERS,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Probe -> graph -> sample -> synthesise -> reason and verify -> write samples.jsonl."""
        overrides: dict[str, Any] = {"out": out, "synthesis.samples": samples, "seed": seed, "synthesis.turns": turns,
                                     "sampling.mode": mode, "concurrency": concurrency}
        if domains:
            overrides["sources"] = [{"kind": "world", "domains": [d.strip() for d in domains.split(",") if d.strip()]}]
        run_config = build_config(config, overrides, set_, base_url, model, role)
        budget = (BudgetConfig(max_requests=max_requests, max_tokens=max_tokens)
                  if max_requests is not None or max_tokens is not None else None)
        units = make_executor(executor, ray_address, ray_workers)
        try:
            try:
                with RichProgress(err_console, enabled=not as_json) as progress:
                    manifest = asyncio.run(generate(run_config, resume=resume, overwrite=overwrite, progress=progress,
                                                    log=lambda m: err_console.print(f"[dim]{escape(m)}[/]"),
                                                    budget=budget, executor=units))
            finally:
                units.close()
        except HardGenError as exc:
            raise fail(str(exc)) from None
        emit(manifest, as_json, lambda m: render_manifest(m, run_config.out))
