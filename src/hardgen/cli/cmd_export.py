"""`hardgen export`: write a run's samples in a training or evaluation format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from hardgen.cli._output import JSON_OPTION, console, emit, err_console, fail
from hardgen.cli._trust import TRUST_CONFIG, TRUST_SOURCES, reading
from hardgen.export import (
    EXPORT_FORMATS,
    ExportError,
    SampleFileError,
    count_rejected,
    export_with_report,
    read_samples,
)
from hardgen.schema import Sample
from hardgen.tools import untrusted_references


def _render(report: dict[str, Any]) -> None:
    for line in report["invalid_lines"]:
        err_console.print(f"[yellow]skipped[/] {escape(str(line))}")
    table = Table(title=f"hardgen export --format {report['format']}")
    table.add_column("split")
    table.add_column("samples", justify="right")
    table.add_column("rows", justify="right")
    for split, n in report["samples"].items():
        table.add_row(split, str(n), str(report["rows"].get(split, 0)))
    console.print(table)
    split = report.get("split")
    if split:
        console.print(
            f"test split by advanced tool: {split['test']} of {split['train'] + split['test']} samples "
            f"({100 * split['test_fraction_actual']:.1f}%, asked {100 * split['test_fraction_asked']:.1f}%), "
            f"{split['shared_advanced_tools']} advanced tools shared"
        )
    for f in report["files"]:
        console.print(f"  wrote {f}")


def _note_untrusted(samples: list[Sample], path: Path) -> None:
    """Say which sources the exported samples name that could not be re-verified here. Export does
    not refuse them, unlike the commands that run tools: it copies references as text and never
    imports them, and refusing would stop converting any shared dataset."""
    refs = untrusted_references(env for sample in samples for env in sample.environments)
    if refs:
        shown = ", ".join(repr(r) for r in refs[:5]) + (" ..." if len(refs) > 5 else "")
        err_console.print(
            f"[yellow]note:[/] {escape(str(path))} names tool sources that are not trusted here: {escape(shown)}; "
            "they are exported as data and nothing of them was run"
        )


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_command(
        source: Path = typer.Argument(..., help="A run directory (holding samples.jsonl) or a samples .jsonl file."),
        format: str = typer.Option(..., "--format", "-f", help=f"Output format: {', '.join(EXPORT_FORMATS)}."),
        out: Path | None = typer.Option(
            None, "--out", "-o", help="Output directory (default: <run directory>/export/<format>)."
        ),
        split_turns: bool = typer.Option(
            False, "--split-turns", help="One example per assistant turn, the conversation before it as context."
        ),
        test_fraction: float = typer.Option(
            0.0, "--test-fraction", help="Hold out this share of samples as a test split, by advanced tool."
        ),
        seed: int = typer.Option(0, "--seed", help="Seed of the train/test split."),
        no_reasoning: bool = typer.Option(False, "--no-reasoning", help="Drop assistant reasoning."),
        reasoning_inline: bool = typer.Option(
            False, "--reasoning-inline", help="Write reasoning as <think>...</think> in the content."
        ),
        name: str = typer.Option("hardgen", "--name", help="Dataset name (LLaMA-Factory entries, dataset card)."),
        license: str = typer.Option("apache-2.0", "--license", help="License id for the dataset card."),
        skip_invalid: bool = typer.Option(
            False, "--skip-invalid", help="Skip (and report) lines that are not valid samples instead of failing."
        ),
        exclude_family: list[str] | None = typer.Option(
            None, "--exclude-family", help="Leave out samples of this family (repeatable), e.g. error_recovery."
        ),
        trust: list[str] | None = TRUST_SOURCES,
        config: Path | None = TRUST_CONFIG,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Export samples as OpenAI JSONL, TRL, LLaMA-Factory sharegpt, BFCL multi-turn or HF parquet.

        Exporting copies the samples as data: no tool source is imported or run."""
        if no_reasoning and reasoning_inline:
            raise fail("--no-reasoning and --reasoning-inline exclude each other")
        try:
            with reading(source, trust, config):
                loaded = read_samples(source, skip_invalid=skip_invalid)
                _note_untrusted(loaded.samples, loaded.path)
            base = source if source.is_dir() else source.parent
            report = export_with_report(
                loaded.samples,
                format,
                out if out is not None else base / "export" / format,
                reasoning="none" if no_reasoning else "inline" if reasoning_inline else "field",
                split_turns=split_turns,
                test_fraction=test_fraction,
                seed=seed,
                name=name,
                license=license,
                rejected=count_rejected(source),
                exclude_families=tuple(exclude_family or ()),
            )
        except (SampleFileError, ExportError) as exc:
            raise fail(str(exc)) from exc
        data = report.model_dump(mode="json")
        data["source"] = str(loaded.path)
        data["invalid_lines"] = [str(x) for x in loaded.invalid]
        emit(data, as_json, _render)
