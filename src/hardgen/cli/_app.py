"""The `hardgen` command. Sub-commands live in `cmd_*.py` modules, each with `register(app)`,
so that a new command is a new file."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import hardgen.cli as cli_package
from hardgen._version import __version__

app = typer.Typer(
    name="hardgen",
    help="Generate hard, execution-verified training samples for tool-using LLM agents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hardgen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """HardGen: hard, verified tool-use data from what your agent fails at."""


for module in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
    if module.name.startswith("cmd_"):
        importlib.import_module(f"hardgen.cli.{module.name}").register(app)


def main() -> None:
    app()
