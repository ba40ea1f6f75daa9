"""Command-line interface (`hardgen ...`)."""


def main() -> None:
    from hardgen.cli._app import main as _main

    _main()


__all__ = ["main"]
