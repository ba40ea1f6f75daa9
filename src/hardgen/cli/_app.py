"""The `hardgen` command. Sub-commands live in `cmd_*.py` modules, each with `register(app)`,
so that a new command is a new file."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import typer
from typer.core import TyperGroup

import hardgen.cli as cli_package
from hardgen._version import __version__
from hardgen.cli._output import fail
from hardgen.errors import HardGenError


class _Commands(TyperGroup):
    """The sub-commands, with one rule for input they cannot use: an error HardGen raises on
    purpose, a file that cannot be read or written (missing, a directory, read-only, a full disk)
    and a file that is not UTF-8 text end the command with one line and exit status 2, whichever
    command met them; anything else is a bug and keeps its traceback."""

    def invoke(self, ctx: Any) -> Any:  # Any: typer's click Context lives in a private module
        try:
            return super().invoke(ctx)
        except HardGenError as exc:
            raise fail(str(exc)) from None
        except UnicodeDecodeError as exc:
            raise fail(f"a file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise fail(f"{exc.strerror or exc}{where}") from None


app = typer.Typer(
    cls=_Commands,
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
