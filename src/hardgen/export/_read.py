"""Reading samples from JSONL: one canonical Sample per line.

A run directory holds its samples in `samples.jsonl`; a path to a `.jsonl` file is read as is. A
malformed line never silently disappears: either reading fails with how many lines are bad and
where the first ones are, or (`skip_invalid=True`) the bad lines are skipped and reported.

Reading imports nothing: a sample's tool sources are references. Code that goes on to run them
(verify, evaluate) on a file it did not make should pass `trust_sources` (the references it
trusts besides the built-in world and those already trusted in the process) to refuse the rest
here, or run inside `hardgen.tools.strict_sources()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from hardgen.export._errors import SampleFileError
from hardgen.schema import Sample
from hardgen.tools import refusal, trusted_sources, untrusted_references

SAMPLES_FILE = "samples.jsonl"
"""Name of the samples file inside a run directory."""
REJECTED_FILE = "rejected.jsonl"
"""Name of the rejected-candidates file inside a run directory (one JSON object per line)."""

_SHOWN_ERRORS = 5


@dataclass(frozen=True)
class InvalidLine:
    """A line of a samples file that is not a valid Sample."""

    path: Path
    line: int
    """1-based line number."""
    error: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.error}"


@dataclass
class SampleFile:
    """What was read from a samples file."""

    path: Path
    samples: list[Sample] = field(default_factory=list)
    invalid: list[InvalidLine] = field(default_factory=list)
    """Lines skipped because they are not valid samples (only with `skip_invalid=True`)."""


def resolve_samples_path(path: str | Path) -> Path:
    """The samples file for `path`: `path/samples.jsonl` for a run directory, else `path` itself."""
    p = Path(path)
    if p.is_dir():
        p = p / SAMPLES_FILE
        if not p.is_file():
            raise SampleFileError(f"run directory {path} has no {SAMPLES_FILE}")
        return p
    if not p.is_file():
        raise SampleFileError(f"samples file {path} does not exist")
    return p


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "(root)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return f"not a valid Sample: {where}: {first.get('msg', '')}{more}"
    return f"not a valid Sample: {exc}"


def check_trusted(samples: Sequence[Sample], path: str | Path, trust_sources: Sequence[str]) -> None:
    """Raise SampleFileError naming the first sample whose tool source is neither built in, nor
    trusted in the process, nor in `trust_sources` (nothing is imported)."""
    with trusted_sources(*trust_sources):
        for sample in samples:
            bad = untrusted_references(sample.environments)
            if bad:
                raise SampleFileError(refusal(bad[0], f"sample {sample.id!r} of {path}"))


def read_samples(
    path: str | Path, *, skip_invalid: bool = False, trust_sources: Sequence[str] | None = None
) -> SampleFile:
    """Read the samples of a run directory or a `.jsonl` file.

    Blank lines are ignored. Raises SampleFileError naming the file, how many lines are invalid
    and where the first ones are, unless `skip_invalid`, in which case they are listed in
    `SampleFile.invalid`. With `trust_sources` (even empty), also when a sample names a tool source
    that is not trusted (see the module docstring).
    """
    p = resolve_samples_path(path)
    result = SampleFile(path=p)
    with p.open("r", encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                result.samples.append(Sample.model_validate_json(line))
            except (ValidationError, ValueError) as exc:
                result.invalid.append(InvalidLine(p, number, _describe(exc)))
    if trust_sources is not None:
        check_trusted(result.samples, p, trust_sources)
    if result.invalid and not skip_invalid:
        shown = "; ".join(str(x) for x in result.invalid[:_SHOWN_ERRORS])
        total = len(result.samples) + len(result.invalid)
        raise SampleFileError(
            f"{len(result.invalid)} of {total} lines in {p} are not valid samples: {shown}"
            + (" ..." if len(result.invalid) > _SHOWN_ERRORS else "")
            + " (skip them with --skip-invalid / skip_invalid=True)"
        )
    return result


def count_rejected(run_dir: str | Path) -> int | None:
    """Candidates a run rejected: the non-blank lines of `run_dir/rejected.jsonl`, or None when the
    path is not a run directory or it has no such file (then the yield is unknown)."""
    p = Path(run_dir)
    if not p.is_dir() or not (p / REJECTED_FILE).is_file():
        return None
    with (p / REJECTED_FILE).open("r", encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())
