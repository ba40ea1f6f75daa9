"""`hardgen train`: supervised fine-tuning on a run's samples or an export (TRL's SFTTrainer)."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import typer
from rich.table import Table

from hardgen.cli._output import JSON_OPTION, console, emit, err_console


def _render(result: Any) -> None:
    table = Table(title=f"hardgen train: {result.out}")
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_row("model", result.model + (" (LoRA adapter)" if result.lora else ""))
    table.add_row("data", f"{result.data.get('rows')} rows ({result.data.get('shape')}) from {result.data.get('source')}")
    if result.data.get("run_ids"):
        table.add_row("data run", ", ".join(result.data["run_ids"]))
    table.add_row("steps", str(result.steps) + (f" (resumed from {result.resumed_from})" if result.resumed_from else ""))
    if result.losses:
        table.add_row("loss", f"{result.losses[0]:.4f} -> {result.losses[-1]:.4f}")
    table.add_row("seconds", f"{result.seconds:.1f}")
    console.print(table)
    console.print(f"checkpoint: {result.out} (how it was trained: {result.out}/hardgen_train.json)")


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_command(
        data: str = typer.Argument(..., help="A run directory, a samples .jsonl, or a TRL export (directory or file)."),
        model: str = typer.Option(..., "--model", "-m", help="Model to fine-tune: a local directory, a hub name, or "
                                                                "a LoRA adapter directory to go on training."),
        out: str = typer.Option(..., "--out", "-o", help="Checkpoint directory (resumes from its last checkpoint)."),
        config: str | None = typer.Option(None, "--config", "-c", help="YAML training config merged over the "
                                                                        "defaults (hardgen/train/defaults.yaml)."),
        lora: bool | None = typer.Option(None, "--lora/--full", help="LoRA adapter or full fine-tuning "
                                                                     "(default: the config's, full)."),
        rows: str | None = typer.Option(None, "--rows", help="conversation (loss on every assistant turn of a "
                                                            "sample) or turns (one row per assistant turn)."),
        epochs: float | None = typer.Option(None, "--epochs", help="sft.num_train_epochs."),
        max_steps: int | None = typer.Option(None, "--max-steps", help="sft.max_steps (stop after this many steps)."),
        learning_rate: float | None = typer.Option(None, "--learning-rate", "--lr", help="sft.learning_rate."),
        resume: bool = typer.Option(True, "--resume/--no-resume", help="Go on from the last checkpoint in --out."),
        set_: list[str] | None = typer.Option(None, "--set", help="Any config key, e.g. --set sft.max_length=4096 "
                                                                  "(repeatable)."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Fine-tune a model on HardGen data: loss on assistant turns only, the model's own chat template with the
        tools passed as tools. Needs pip install 'hardgen\\[train]' (and torch; see the README)."""
        from hardgen.train import load_train_config, train_sft

        overrides: dict[str, Any] = {"lora": lora, "rows": rows, "sft.num_train_epochs": epochs,
                                     "sft.max_steps": max_steps, "sft.learning_rate": learning_rate}
        if learning_rate is not None and lora is not False:
            overrides["adapter.learning_rate"] = learning_rate
        train_config = load_train_config(config, overrides, set_)
        if not as_json:
            err_console.print(f"[dim]training {model} on {data} into {out}[/]")
        # The Trainer prints its progress and logs: to stderr, so that stdout holds only the report.
        with contextlib.redirect_stdout(sys.stderr):
            result = train_sft(data, model, out, train_config, resume=resume)
        emit(result, as_json, _render)
