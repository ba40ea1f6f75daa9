"""`hardgen import SOURCE`: recorded call sequences as verified samples.

    hardgen import bfcl --out bfcl_base.jsonl                       # BFCL multi_turn_base ground truth
    hardgen import calls.jsonl --config hardgen.yaml --out gold.jsonl

A calls file has one record per line: `{"id": "...", "initial_state": {ENV: {...}}, "turns":
[{"query": "...", "calls": [{"name": "f", "arguments": {...}} or "f(a=1)", ...]}]}`; its tool
sources are the config's (the file only names initial states, never code to import).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from hardgen.cli._output import JSON_OPTION, console, emit, fail
from hardgen.errors import HardGenError
from hardgen.schema import Sample, ToolCall


def _bfcl_records(category: str, bfcl_path: str | None, limit: int | None) -> list[tuple[str, list[Any], list[Any]]]:
    from hardgen.pipeline._bfcl import bfcl_specs, read_bfcl_tasks
    from hardgen.tools import trust_sources

    trust_sources("bfcl_eval.*")  # named by the user on the command line
    records = []
    for task in read_bfcl_tasks(category, path=bfcl_path)[:limit]:
        if not task.ground_truth:
            raise HardGenError(f"{task.id}: the possible-answer file has no ground truth for it")
        specs = bfcl_specs(task.involved_classes, task.initial_config, path=bfcl_path)
        records.append((task.id, specs, list(zip(task.queries, task.ground_truth, strict=False))))
    return records


def _calls_records(path: Path, config: Path | None, limit: int | None) -> list[tuple[str, list[Any], list[Any]]]:
    from hardgen.pipeline import load_config, resolve_sources

    if config is None:
        raise HardGenError("a calls file needs --config naming its tool sources (the file holds only states and calls)")
    specs = resolve_sources(load_config(config))
    by_name = {s.name: s for s in specs}
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise HardGenError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            states = row.get("initial_state", {})
            unknown = sorted(set(states) - set(by_name))
            if unknown:
                raise HardGenError(f"{path}:{number}: initial_state names {unknown}, not sources of the config "
                                   f"({', '.join(by_name)})")
            line_specs = [s.model_copy(update={"initial_state": states[s.name]}) if s.name in states else s
                          for s in specs]
            turns = [(t["query"], [c if isinstance(c, str) else ToolCall(name=c["name"], arguments=c.get("arguments", {}))
                                   for c in t.get("calls", [])]) for t in row["turns"]]
            records.append((str(row.get("id", f"import-{number}")), line_specs, turns))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise HardGenError(f"{path}:{number}: not a calls record ({type(exc).__name__}: {exc})") from None
    return records[:limit]


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_command(
        source: str = typer.Argument(..., help="`bfcl` (BFCL's task files) or a JSONL file of recorded calls."),
        out: Path = typer.Option(..., "--out", "-o", help="Samples file to write (JSONL)."),
        config: Path | None = typer.Option(None, "--config", "-c", help="Run config naming the tool sources (calls files)."),
        category: str = typer.Option("multi_turn_base", "--category", help="BFCL category (with `bfcl`)."),
        bfcl_path: str | None = typer.Option(None, "--bfcl-path", help="A folder holding bfcl_eval/ (default: installed)."),
        limit: int | None = typer.Option(None, "--limit", min=1, help="Import at most this many records."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Turn recorded call sequences into samples that verify by re-execution; report the ones that do not."""
        from hardgen.pipeline._import import ImportFailure, gold_sample
        from hardgen.pipeline._rundir import write_jsonl_atomic

        try:
            records = (_bfcl_records(category, bfcl_path, limit) if source == "bfcl"
                       else _calls_records(Path(source), config, limit))
        except HardGenError as exc:
            raise fail(str(exc)) from None
        samples: list[Sample] = []
        failures: dict[str, str] = {}
        for record_id, specs, turns in records:
            try:
                samples.append(gold_sample(record_id, specs, turns, source=f"import:{source}"))
            except ImportFailure as exc:
                failures[record_id] = str(exc)
            except HardGenError as exc:  # a source that does not load: that record, not the import
                failures[record_id] = f"{type(exc).__name__}: {exc}"
        try:
            write_jsonl_atomic(out, samples)
        except OSError as exc:
            raise fail(f"cannot write {out}: {exc}") from None
        report = {"records": len(records), "verified": len(samples), "failed": len(failures), "out": str(out),
                  "failures": failures}
        emit(report, as_json, _render)


def _render(report: dict[str, Any]) -> None:
    console.print(f"{report['verified']} of {report['records']} records verified -> {escape(report['out'])}")
    if report["failures"]:
        table = Table(title="Records that did not become samples")
        table.add_column("record")
        table.add_column("why")
        for record_id, reason in report["failures"].items():
            table.add_row(record_id, escape(reason[:200]))
        console.print(table)
