"""`hardgen eval`: score an agent (model-free, or any OpenAI-compatible endpoint) on samples.

Also home of the agent options and the evaluation tables that `calibrate`, `loop` and `baselines`
share.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from hardgen.cli._options import EXECUTOR, RAY_ADDRESS, RAY_WORKERS, make_executor
from hardgen.cli._output import JSON_OPTION, console, emit, err_console, fail
from hardgen.cli._progress import RichProgress
from hardgen.cli._trust import TRUST_CONFIG, TRUST_SOURCES, reading, refuse_untrusted
from hardgen.errors import HardGenError, MissingDependencyError
from hardgen.evaluate import (
    AccuracyBucket,
    AgentRecipe,
    Evaluation,
    evaluate_samples,
    load_samples,
    write_evaluation_plot,
)
from hardgen.llm import Backend
from hardgen.pipeline import BackendConfig, build_backend
from hardgen.schema import Sample
from hardgen.tools import DEFAULT_TIMEOUT_S

AGENT = typer.Option(
    "model-free", "--agent",
    help="Agent to evaluate: a rung of the model-free ladder (single-call, lookup-1, chain, chain-budget, "
         "noisy-planner, planner; model-free = single-call), or openai (with --base-url/--model).")
TARGET_AGENT = typer.Option(
    None, "--agent", help="Model-free target agent: a rung of the ladder (single-call, lookup-1, chain, chain-budget, "
                          "noisy-planner, planner); sets roles.target.agent.")
REFERENCE_AGENT = typer.Option(
    None, "--reference-agent", help="Model-free reference agent: a rung of the ladder; sets roles.reference.agent.")
BASE_URL = typer.Option(None, "--base-url", help="OpenAI-compatible server of the agent, e.g. http://localhost:8000/v1.")
MODEL = typer.Option(None, "--model", help="Model name on that server.")
API_KEY_ENV = typer.Option(None, "--api-key-env", help="Environment variable holding the API key.")
TEMPERATURE = typer.Option(None, "--temperature", help="Sampling temperature of the agent (server default if unset).")
_TOP_TOOLS = 15


def agent_config(agent: str, base_url: str | None, model: str | None, *, api_key_env: str | None = None,
                 temperature: float | None = None) -> BackendConfig:
    """The agent's backend config from the command-line options (raises a clean CLI error on bad
    ones). `temperature` is the default of requests that set none (the agent loop sets none)."""
    from hardgen.agents import AGENT_NAMES

    if base_url or model:
        agent = "openai"
    if agent not in ("model-free", "openai", *AGENT_NAMES):
        raise fail(f"--agent must be model-free, openai or a rung of the ladder ({', '.join(AGENT_NAMES)}), "
                   f"got {agent!r}")
    if agent == "openai" and not (base_url and model):
        raise fail("an openai agent needs both --base-url and --model")
    if agent == "openai":
        return BackendConfig(kind="openai", base_url=base_url, model=model, api_key_env=api_key_env,
                             temperature=temperature)
    return BackendConfig(kind="model-free", agent=None if agent == "model-free" else agent, temperature=temperature)


def make_agent(agent: str, base_url: str | None, model: str | None, *, seed: int = 0, api_key_env: str | None = None,
               temperature: float | None = None) -> Backend:
    """The agent backend from the command-line options (raises a clean CLI error on bad ones)."""
    config = agent_config(agent, base_url, model, api_key_env=api_key_env, temperature=temperature)
    return build_backend(config, seed=seed, cache=None)


def agent_overrides(target: str | None, reference: str | None) -> dict[str, Any]:
    """Config overrides that pick model-free rungs for the target and reference roles."""
    from hardgen.agents import AGENT_NAMES

    overrides: dict[str, Any] = {}
    for role, name in (("target", target), ("reference", reference)):
        if name is None:
            continue
        if name not in AGENT_NAMES:
            raise fail(f"unknown agent {name!r}; choose from {', '.join(AGENT_NAMES)}")
        overrides[f"roles.{role}.agent"] = name
    return overrides


def read_eval_samples(path: Path, limit: int | None) -> list[Sample]:
    """The samples to score, refused (one line, nothing run) when one names an untrusted source.
    Call inside `reading()`, which says what is trusted."""
    try:
        samples = load_samples(path, limit=limit)
    except (HardGenError, OSError) as exc:
        raise fail(str(exc)) from None
    if not samples:
        raise fail(f"{path} holds no samples")
    refuse_untrusted(samples, path)
    return samples


def default_out(path: Path, name: str) -> Path:
    """Where results go without --out: `<run dir>/<name>`, or `<file dir>/<file stem>-<name>`."""
    return path / name if path.is_dir() else path.parent / f"{path.stem}-{name}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _bucket_table(title: str, key: str, buckets: dict[str, AccuracyBucket]) -> Table:
    table = Table(title=title)
    table.add_column(key)
    for col in ("samples", "passed", "accuracy", "turn accuracy"):
        table.add_column(col, justify="right")
    for name, b in buckets.items():
        table.add_row(name, str(b.samples), str(b.passed), _pct(b.accuracy), _pct(b.turn_accuracy))
    return table


def render_evaluation(evaluation: Evaluation) -> None:
    """The evaluation as rich tables: overall, by domain, chain length, implicit deps, per tool."""
    overview = Table(title=f"hardgen eval: {evaluation.model or evaluation.agent} on {evaluation.source}",
                     show_header=False)
    overview.add_column("figure", style="bold")
    overview.add_column("value", justify="right")
    rows = [
        ("samples (scored / errors)", f"{evaluation.scored} / {evaluation.errors}"),
        ("sample accuracy", f"{_pct(evaluation.accuracy)} ({evaluation.passed}/{evaluation.scored})"),
        ("turn accuracy", f"{_pct(evaluation.turn_accuracy)} ({evaluation.turns_passed}/{evaluation.turns})"),
        ("mean agent calls / gold calls", f"{evaluation.mean_agent_calls:.2f} / {evaluation.mean_gold_calls:.2f}"),
        ("mean implicit dependencies", f"{evaluation.mean_implicit_dependencies:.2f}"),
        ("failures by kind", ", ".join(f"{k} {v}" for k, v in evaluation.taxonomy.items()) or "-"),
        ("tokens (prompt / completion)", f"{evaluation.prompt_tokens} / {evaluation.completion_tokens}"),
        ("seconds", f"{evaluation.seconds:.1f}"),
    ]
    for label, value in rows:
        overview.add_row(label, value)
    console.print(overview)
    console.print(_bucket_table("By domain", "domain", evaluation.by_domain))
    if set(evaluation.by_family) - {"base"}:  # a set of samples with families: accuracy per family
        console.print(_bucket_table("By family", "family", evaluation.by_family))
    console.print(_bucket_table("By gold chain length", "calls", evaluation.by_chain_length))
    console.print(_bucket_table("By implicit dependencies", "implicit deps", evaluation.by_implicit_dependencies))
    tools = Table(title=f"Per tool (top {min(_TOP_TOOLS, len(evaluation.tools))} of {len(evaluation.tools)} by failures)")
    tools.add_column("tool", no_wrap=True)
    for col in ("attempts", "failures", "failure rate"):
        tools.add_column(col, justify="right")
    tools.add_column("taxonomy")
    for name, s in list(evaluation.tools.items())[:_TOP_TOOLS]:
        tools.add_row(name, str(s.attempts), str(s.failures), _pct(s.failure_rate),
                      ", ".join(f"{k} {v}" for k, v in s.taxonomy.items()))
    console.print(tools)
    for r in evaluation.results:
        if r.error:
            err_console.print(f"[yellow]not scored[/] {r.sample_id}: {escape(str(r.error))}")


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        path: Path = typer.Argument(..., help="A run directory, a samples .jsonl (e.g. a held-out split) or an "
                                             "HF-export .parquet file."),
        agent: str = AGENT,
        base_url: str | None = BASE_URL,
        model: str | None = MODEL,
        api_key_env: str | None = API_KEY_ENV,
        temperature: float | None = TEMPERATURE,
        limit: int | None = typer.Option(None, "--limit", "-n", help="Evaluate only the first N samples."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Write eval.json and eval.png here "
                                                                  "(default: <run dir>/eval)."),
        concurrency: int = typer.Option(8, "--concurrency", help="Samples attempted at once."),
        max_steps: int = typer.Option(12, "--max-steps", help="Model turns per user turn."),
        seed: int = typer.Option(0, "--seed", help="Seed passed to the agent."),
        timeout: float = typer.Option(DEFAULT_TIMEOUT_S, "--tool-timeout", help="Seconds a tool call may take."),
        executor: str = EXECUTOR,
        ray_address: str | None = RAY_ADDRESS,
        ray_workers: int | None = RAY_WORKERS,
        trust: list[str] | None = TRUST_SOURCES,
        config: Path | None = TRUST_CONFIG,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Score an agent on samples by re-execution, per turn and per sample.

        Accuracy overall, by domain, chain length, implicit dependencies and per tool: tables, eval.json, eval.png.
        Only tool sources of the built-in world, your --config or --trust-sources are run.
        """
        if concurrency < 1 or max_steps < 1:
            raise fail("--concurrency and --max-steps must be at least 1")
        units = make_executor(executor, ray_address, ray_workers)
        with reading(path, trust, config):
            samples = read_eval_samples(path, limit)
            chosen = agent_config(agent, base_url, model, api_key_env=api_key_env, temperature=temperature)
            backend = build_backend(chosen, seed=seed, cache=None)
            try:
                with RichProgress(err_console, enabled=not as_json) as progress:
                    progress.start("eval", len(samples))
                    evaluation = asyncio.run(evaluate_samples(
                        backend, samples, concurrency=concurrency, max_steps=max_steps, seed=seed, timeout=timeout,
                        source=str(path), progress=progress.advance, executor=units,
                        remote=AgentRecipe(chosen, seed)))
                    progress.finish()
            finally:
                units.close()
        target = out or default_out(path, "eval")
        target.mkdir(parents=True, exist_ok=True)
        (target / "eval.json").write_text(evaluation.model_dump_json(indent=2) + "\n", encoding="utf-8")
        files = [str(target / "eval.json")]
        try:
            files.append(str(write_evaluation_plot(evaluation, target / "eval.png")))
        except MissingDependencyError as exc:
            err_console.print(f"[yellow]no plot:[/] {escape(str(exc))}")

        def render(_: object) -> None:
            render_evaluation(evaluation)
            for f in files:
                console.print(f"  wrote {f}")

        emit(evaluation.model_dump(mode="json") | {"files": files}, as_json, render)
