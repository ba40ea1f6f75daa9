"""Command-line interface (`hardgen ...`)."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the `hardgen` command. An error HardGen raises on purpose (a missing optional
    dependency, a bad config, an unreadable file) ends the command with its message and exit
    status 2, not a traceback; anything else is a bug and keeps its traceback."""
    from rich.markup import escape

    from hardgen.cli._app import main as _main
    from hardgen.cli._output import err_console
    from hardgen.errors import HardGenError

    try:
        _main()
    except HardGenError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}")
        sys.exit(2)


__all__ = ["main"]
