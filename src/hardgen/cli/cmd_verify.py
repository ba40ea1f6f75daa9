"""`hardgen verify PATH`: re-verify every sample from scratch."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from hardgen.cli._output import JSON_OPTION, console, emit, fail
from hardgen.cli._trust import TRUST_CONFIG, TRUST_SOURCES, reading, refuse_untrusted
from hardgen.schema import Sample
from hardgen.verify import verify_sample


def _samples_file(path: Path) -> Path:
    if path.is_dir():
        path = path / "samples.jsonl"
    if not path.exists():
        raise fail(f"no samples file at {path}")
    return path


def verify_file(path: Path) -> dict[str, Any]:
    """Re-verify each sample of a JSONL file (replay from the initial state, DESIGN.md §4).

    Every line is read and every tool source checked first (`refuse_untrusted`), so a file naming
    a source that is not trusted runs nothing, not even the samples before that line."""
    passed = failed = invalid = 0
    reasons: Counter[str] = Counter()
    failures: list[dict[str, Any]] = []
    samples: list[tuple[int, Sample]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                samples.append((lineno, Sample.model_validate_json(line)))
            except ValueError as exc:
                invalid += 1
                first = str(exc).splitlines()[0]
                failures.append({"line": lineno, "id": None, "reasons": [f"not a valid sample: {first}"]})
                reasons["not a valid sample"] += 1
    refuse_untrusted([sample for _, sample in samples], path)
    for lineno, sample in samples:
        try:
            verdict = verify_sample(sample)
        except Exception as exc:  # an environment that no longer loads, for instance
            failed += 1
            failures.append({"line": lineno, "id": sample.id, "reasons": [f"{type(exc).__name__}: {exc}"]})
            reasons[type(exc).__name__] += 1
            continue
        if verdict.passed:
            passed += 1
        else:
            failed += 1
            failures.append({"line": lineno, "id": sample.id, "reasons": verdict.reasons})
            for r in verdict.reasons:
                reasons[r.split(": ", 1)[-1][:100]] += 1
    failures.sort(key=lambda f: f["line"])
    return {"file": str(path), "passed": passed, "failed": failed, "invalid": invalid,
            "reasons": dict(reasons.most_common()), "failures": failures[:200]}


def _render(report: dict[str, Any]) -> None:
    table = Table(title=f"verify {report['file']}")
    table.add_column("passed", justify="right", style="green")
    table.add_column("failed", justify="right", style="red")
    table.add_column("invalid", justify="right", style="red")
    table.add_row(str(report["passed"]), str(report["failed"]), str(report["invalid"]))
    console.print(table)
    if report["reasons"]:
        reasons = Table(title="Failure reasons")
        reasons.add_column("count", justify="right")
        reasons.add_column("reason")
        for reason, count in report["reasons"].items():
            reasons.add_row(str(count), reason)
        console.print(reasons)
        for item in report["failures"][:10]:
            console.print(f"line {item['line']} ({item['id']}): " + escape('; '.join(item['reasons'])[:300]))


def register(app: typer.Typer) -> None:
    @app.command("verify")
    def verify_command(
        path: Path = typer.Argument(..., help="A run directory or a samples .jsonl file (ours or anyone's)."),
        trust: list[str] | None = TRUST_SOURCES,
        config: Path | None = TRUST_CONFIG,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Re-verify every sample by replaying it from its initial state; exit 1 if any fails.

        Only tool sources of the built-in world, your --config or --trust-sources are run."""
        samples_file = _samples_file(path)
        with reading(path, trust, config):
            report = verify_file(samples_file)
        emit(report, as_json, _render)
        if report["failed"] or report["invalid"]:
            raise typer.Exit(1)


