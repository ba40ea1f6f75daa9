"""`hardgen stats`: statistics of a run's samples (tables for people, JSON for scripts, PNG plots)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from hardgen.cli._output import JSON_OPTION, console, emit, err_console, fail
from hardgen.cli._trust import TRUST_CONFIG, TRUST_SOURCES, reading, refuse_untrusted
from hardgen.errors import MissingDependencyError
from hardgen.export import SampleFileError, count_rejected, read_samples
from hardgen.stats import compute_stats, validity_report, write_stats_plots

_TOP = 10


def _pct(x: float | None) -> str:
    return "unknown" if x is None else f"{100 * x:.1f}%"


def _render(report: dict[str, Any]) -> None:
    for line in report["invalid_lines"]:
        err_console.print(f"[yellow]skipped[/] {escape(str(line))}")
    s = report["stats"]
    overview = Table(title=f"hardgen stats: {report['source']}", show_header=False)
    overview.add_column("figure")
    overview.add_column("value", justify="right")
    near = s["near_duplicates"]
    for label, value in [
        ("samples", s["samples"]),
        ("rejected candidates", "unknown" if s["rejected"] is None else s["rejected"]),
        ("yield", _pct(s["yield_rate"])),
        ("first-try pass rate", _pct(s["first_try_rate"])),
        ("assistant messages with parallel calls", s["parallel_call_messages"]),
        ("tool error observations", s["error_observations"]),
        ("distinct tools offered / called", f"{s['tools_offered']} / {s['tools_called']}"),
        ("advanced tools", s["advanced_tools"]),
        ("distinct tool-sequence ratio", f"{s['distinct_tool_sequence_ratio']:.3f}"),
        (
            f"near-duplicate queries (Jaccard ≥ {near['threshold']:g})",
            f"{_pct(near['rate'])} ({near['groups']} groups)",
        ),
    ]:
        overview.add_row(label, str(value))
    console.print(overview)

    dists = Table(title="Distributions per sample")
    for col in ("quantity", "mean", "median", "p90", "min", "max"):
        dists.add_column(col, justify="left" if col == "quantity" else "right")
    for key, label in [
        ("calls_per_sample", "tool calls"),
        ("chain_length", "gold chain length"),
        ("turns", "user turns"),
        ("implicit_dependencies", "implicit dependencies"),
        ("attempts", "reasoner attempts"),
    ]:
        d = s[key]
        dists.add_row(label, f"{d['mean']:g}", f"{d['median']:g}", f"{d['p90']:g}", str(d["min"]), str(d["max"]))
    console.print(dists)

    lang = s.get("language")
    if lang:
        language = Table(title="Language (values and recurring filler removed)", show_header=False)
        language.add_column("figure")
        language.add_column("value", justify="right")
        for label, value in [
            ("distinct query skeletons per 100 samples", f"{lang['skeletons_per_100_samples']:g}"),
            ("samples with an exact / near-duplicate skeleton",
             f"{lang['exact_duplicate_skeletons']} / {lang['near_duplicate_skeletons']}"),
            ("query sentences in the 20 most frequent frames", _pct(lang["top20_frame_share"])),
            ("query 4-grams copied from tool descriptions", _pct(lang["description_4gram_share"])),
            ("answers with dumps / index paths / Python literals",
             f"{lang['answers_with_dumps']} / {lang['answers_with_index_paths']} / "
             f"{lang['answers_with_python_literals']}"),
            ("most frequent reasoning frame", f"{_pct(lang['top_reasoning_frame_share'])} "
                                               f"({escape(lang['top_reasoning_frame'])!r})"),
        ]:
            language.add_row(label, str(value))
        console.print(language)

    v = report.get("validity")
    if v:
        _render_validity(v)

    for key, title in [("domains", "Samples per domain"), ("families", "Samples per family"),
                       ("tool_calls", "Most called tools")]:
        counts = list(s[key].items())
        if not counts:
            continue
        table = Table(title=title + (f" (top {_TOP} of {len(counts)})" if len(counts) > _TOP else ""))
        table.add_column({"families": "family"}.get(key, key.rstrip("s").replace("_", " ")))
        table.add_column("count", justify="right")
        for k, v in counts[:_TOP]:
            table.add_row(k, str(v))
        console.print(table)
    for group in near["examples"]:
        console.print(f"near-duplicate group: {', '.join(group[:8])}" + (" ..." if len(group) > 8 else ""))
    for path in report["files"]:
        console.print(f"  wrote {path}")


VALIDITY_ROWS = [
    ("implicit_writes", "implicit writes (a change nobody asked for)"),
    ("create_then_destroy", "create-then-destroy chains"),
    ("duplicate_new_entities", "new entities that duplicate an existing name"),
    ("repeated_creations", "creations made again with the same arguments"),
    ("unused_calls", "gold calls nothing depends on"),
    ("undetermined_arguments", "arguments not determined by query and results"),
    ("ambiguous_queries", "ambiguous queries"),
    ("multiple_identities", "conversations with more than one identity"),
]


def _render_validity(v: dict[str, Any]) -> None:
    table = Table(title="Validity of the golds (all should be 0)", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, label in VALIDITY_ROWS:
        examples = v.get("examples", {}).get(key, [])
        table.add_row(label, str(v[key]) + (f"  e.g. {', '.join(examples)}" if examples else ""))
    table.add_row("mean calls per turn", f"{v['mean_calls_per_turn']:.2f}")
    table.add_row("turns with >= 3 calls", _pct(v["share_turns_ge_3_calls"]))
    if v["short_conversations"]:
        reasons = "; ".join(f"{n} {escape(r)}" for r, n in v["short_reasons"].items())
        table.add_row("samples with fewer turns than asked", f"{v['short_conversations']} ({reasons})")
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("stats")
    def stats_command(
        path: Path = typer.Argument(..., help="A run directory (holding samples.jsonl) or a samples .jsonl file."),
        out: Path | None = typer.Option(
            None, "--out", "-o", help="Write stats.json and PNG plots into this directory."
        ),
        threshold: float = typer.Option(
            0.8, "--near-duplicate-threshold", help="Jaccard similarity of query shingles counted as near-duplicate."
        ),
        skip_invalid: bool = typer.Option(
            False, "--skip-invalid", help="Skip (and report) lines that are not valid samples instead of failing."
        ),
        trust: list[str] | None = TRUST_SOURCES,
        config: Path | None = TRUST_CONFIG,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Statistics of a run's samples: counts, distributions, tools, domains, diversity, near-duplicates.

        The validity report replays golds: only tool sources of the built-in world, your --config or
        --trust-sources are run."""
        if not 0.0 < threshold <= 1.0:
            raise fail(f"--near-duplicate-threshold must be in (0, 1], got {threshold}")
        with reading(path, trust, config):
            _stats(path, out, threshold, skip_invalid, as_json)


def _stats(path: Path, out: Path | None, threshold: float, skip_invalid: bool, as_json: bool) -> None:
    """The stats command inside its trust scope."""
    try:
        loaded = read_samples(path, skip_invalid=skip_invalid)
    except SampleFileError as exc:
        raise fail(str(exc)) from exc
    refuse_untrusted(loaded.samples, path)
    stats = compute_stats(loaded.samples, rejected=count_rejected(path), near_duplicate_threshold=threshold)
    files: list[str] = []
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        stats_file = out / "stats.json"
        stats_file.write_text(json.dumps(stats.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
        files.append(str(stats_file))
        try:
            files += [str(p) for p in write_stats_plots(stats, out)]
        except MissingDependencyError as exc:
            err_console.print(f"[yellow]no plots:[/] {escape(str(exc))}")
    validity = validity_report(loaded.samples)
    report = {
        "source": str(loaded.path),
        "stats": stats.model_dump(mode="json"),
        "validity": validity.model_dump(mode="json"),
        "files": files,
        "invalid_lines": [str(x) for x in loaded.invalid],
    }
    emit(report, as_json, _render)
