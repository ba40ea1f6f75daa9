"""Trust for the commands that read samples files (verify, export, eval, stats, calibrate).

A samples file or run directory is data: these commands run inside `strict_sources()`, so a tool
source a file names is rebuilt only when it is the built-in world, named in the user's own
`--config`, stated with `--trust-sources` or listed in `HARDGEN_TRUST_SOURCES`; anything else is
refused with one line naming it before anything is imported. Docs paths in a file must point into
the run directory (or the source's own package, or a trusted path).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer

from hardgen.cli._output import fail
from hardgen.errors import HardGenError
from hardgen.schema import Sample
from hardgen.tools import check_file_sources, strict_sources

TRUST_SOURCES = typer.Option(
    None,
    "--trust-sources",
    help="Tool sources the file may name and that may then run: module:Class, module, package.* or a "
    "directory for docs paths (repeatable or comma-separated; also HARDGEN_TRUST_SOURCES). The built-in "
    "world is always trusted.",
)
TRUST_CONFIG = typer.Option(
    None, "--config", "-c", help="Your run config: the tool sources it names are trusted (as by generate)."
)


def _config_entries(config: Path | None) -> list[str]:
    if config is None:
        return []
    from hardgen.pipeline import load_config
    from hardgen.pipeline._sources import trust_config_sources

    try:
        cfg = load_config(config)
        trust_config_sources(cfg)
    except HardGenError as exc:
        raise fail(str(exc)) from None
    return [s.target for s in cfg.sources if s.target]


@contextmanager
def reading(path: Path, trust: Sequence[str] | None, config: Path | None = None) -> Iterator[None]:
    """Run the block as a reading command over `path`: untrusted sources are refused."""
    root = path if path.is_dir() else path.parent
    with strict_sources(*(trust or []), *_config_entries(config), roots=[root]):
        yield


def refuse_untrusted(samples: Sequence[Sample], path: Path) -> None:
    """Fail the command with one line when a sample names a source that is not trusted (or a docs
    path outside the allowed places), before any of them is imported."""
    for sample in samples:
        try:
            check_file_sources(sample.environments, where=f"sample {sample.id!r} of {path}")
        except HardGenError as exc:
            raise fail(str(exc)) from None
