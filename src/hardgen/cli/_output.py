"""The CLI output convention: every command can print its report as JSON (`--json`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)

JSON_OPTION = typer.Option(False, "--json", help="Print the report as JSON instead of tables.")


def emit(report: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `report` as JSON (for scripts and CI) or through `render` (rich, for people)."""
    if as_json:
        data = report.model_dump(mode="json") if hasattr(report, "model_dump") else report
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        render(report)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a clear error, on one line however long (no wrapping), and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)
