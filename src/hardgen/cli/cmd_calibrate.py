"""`hardgen calibrate`: keep the samples whose pass rate for the target agent lies in a band."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.table import Table

from hardgen.cli._output import JSON_OPTION, console, emit, err_console, fail
from hardgen.cli._progress import RichProgress
from hardgen.cli._trust import TRUST_CONFIG, TRUST_SOURCES, reading
from hardgen.cli.cmd_eval import (
    AGENT,
    API_KEY_ENV,
    BASE_URL,
    MODEL,
    TEMPERATURE,
    default_out,
    make_agent,
    read_eval_samples,
)
from hardgen.evaluate import CalibrationBand, calibrate, write_samples
from hardgen.tools import DEFAULT_TIMEOUT_S


def register(app: typer.Typer) -> None:
    @app.command("calibrate")
    def calibrate_command(
        path: Path = typer.Argument(..., help="A run directory, a samples .jsonl or an HF-export .parquet file."),
        attempts: int = typer.Option(4, "--attempts", "-k", help="Attempts per sample (seeds seed .. seed+k-1)."),
        min_pass_rate: float = typer.Option(0.0, "--min-pass-rate", help="Keep samples passed at least this often."),
        max_pass_rate: float | None = typer.Option(
            None, "--max-pass-rate", help="Keep samples passed at most this often (default: below 1, i.e. the target "
                                          "fails at least once)."),
        agent: str = AGENT,
        base_url: str | None = BASE_URL,
        model: str | None = MODEL,
        api_key_env: str | None = API_KEY_ENV,
        temperature: float | None = TEMPERATURE,
        limit: int | None = typer.Option(None, "--limit", "-n", help="Calibrate only the first N samples."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Write calibrated.jsonl and calibration.json here "
                                                                  "(default: <run dir>/calibrated)."),
        concurrency: int = typer.Option(8, "--concurrency", help="Attempts run at once."),
        max_steps: int = typer.Option(12, "--max-steps", help="Model turns per user turn."),
        seed: int = typer.Option(0, "--seed", help="Seed of the first attempt."),
        timeout: float = typer.Option(DEFAULT_TIMEOUT_S, "--tool-timeout", help="Seconds a tool call may take."),
        trust: list[str] | None = TRUST_SOURCES,
        config: Path | None = TRUST_CONFIG,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Keep the samples whose pass rate for the target agent over k attempts lies in a band.

        Default band: the target fails at least once (every stored sample already passed the reasoner).
        Only tool sources of the built-in world, your --config or --trust-sources are run.
        """
        if attempts < 1 or concurrency < 1:
            raise fail("--attempts and --concurrency must be at least 1")
        try:
            band = CalibrationBand(min_pass_rate=min_pass_rate, max_pass_rate=max_pass_rate)
        except ValidationError as exc:
            raise fail(exc.errors()[0]["msg"]) from None
        from hardgen.agents import RUNGS

        deterministic = (not (base_url or model) and agent != "openai"
                         and not RUNGS.get(agent if agent != "model-free" else "single-call", RUNGS["single-call"]).stochastic)
        with reading(path, trust, config):
            samples = read_eval_samples(path, limit)
            backend = make_agent(agent, base_url, model, seed=seed, api_key_env=api_key_env, temperature=temperature)
            with RichProgress(err_console, enabled=not as_json) as progress:
                progress.start("calibrate", len(samples) * attempts)
                report, kept = asyncio.run(calibrate(backend, samples, attempts=attempts, band=band, seed=seed,
                                                     concurrency=concurrency, max_steps=max_steps, timeout=timeout,
                                                     progress=progress.advance))
                progress.finish()
        target = out or default_out(path, "calibrated")
        target.mkdir(parents=True, exist_ok=True)
        kept_file = write_samples(target / "calibrated.jsonl", kept)
        (target / "calibration.json").write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
        files = [str(kept_file), str(target / "calibration.json")]

        def render(_: object) -> None:
            table = Table(title=f"Pass-rate distribution over {attempts} attempts ({report.samples} samples)")
            table.add_column("passes", justify="right")
            table.add_column("samples", justify="right")
            table.add_column("kept", justify="right")
            for passes, n in report.distribution.items():
                keeps = passes != "errors" and band.keeps(int(passes) / attempts)
                table.add_row(passes, str(n), "yes" if keeps else "no")
            console.print(table)
            console.print(f"band: {band.describe()}; kept {report.kept} of {report.samples}")
            if deterministic and attempts > 1:
                console.print(f"[yellow]note:[/] agent {agent} is deterministic, so every pass rate is 0 or 1; "
                              "a stochastic rung (--agent noisy-planner) or a model sampled above temperature 0 "
                              "spreads over the band")
            for f in files:
                console.print(f"  wrote {f}")

        emit(report.model_dump(mode="json") | {"files": files}, as_json, render)
