"""The export registry: format name -> writer, and `export_samples`, the one entry point.

Every format writes, per split (`train`, plus `test` when `test_fraction > 0`):

| format         | files                                                                 |
|----------------|-----------------------------------------------------------------------|
| `openai`       | `openai_<split>.jsonl`                                                |
| `trl`          | `trl_<split>.jsonl`                                                   |
| `llamafactory` | `<name>_<split>.json` and `dataset_info.json`                         |
| `bfcl`         | `BFCL_v4_<category>.json` (JSON Lines, as BFCL) and `possible_answer/BFCL_v4_<category>.json` |
| `hf`           | `data/<split>.parquet` and the dataset card `README.md`               |
| `verl`         | `verl_<split>.parquet`: one RL row per user turn (see `_verl`)        |

plus `split.json` (sizes, advanced tools per side) when there is a test split. An export writes all
its files under temporary names first (fsync'd) and renames them into place only when every one is
complete, so a crash or an error mid-export leaves the previous export as it was, never half a file
or a mix of old and new splits.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from hardgen.export._bfcl import bfcl_answers, bfcl_rows
from hardgen.export._card import dataset_card
from hardgen.export._errors import ExportError
from hardgen.export._hf import COLUMN_DOCS, hf_rows, write_parquet
from hardgen.export._llamafactory import llamafactory_dataset_info, llamafactory_rows
from hardgen.export._openai import openai_rows
from hardgen.export._options import ExportOptions
from hardgen.export._split import split_by_advanced_tool
from hardgen.export._trl import trl_rows
from hardgen.export._verl import verl_rows, write_verl_parquet
from hardgen.schema import Sample
from hardgen.stats import compute_stats


class _Staged:
    """The files of one export, written aside; `publish` renames them all into place."""

    def __init__(self) -> None:
        self._moves: list[tuple[Path, Path]] = []

    def aside(self, path: Path) -> Path:
        """The temporary name to write `path` under (a hidden file beside it, so that a loader
        globbing the directory never picks it up)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        self._moves.append((tmp, path))
        return tmp

    def write_text(self, path: Path, text: str) -> Path:
        with open(self.aside(path), "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        return path

    def publish(self) -> None:
        for tmp, path in self._moves:
            os.replace(tmp, path)

    def discard(self) -> None:
        for tmp, _ in self._moves:
            tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Job:
    samples: Sequence[Sample]
    splits: dict[str, list[Sample]]
    out: Path
    options: ExportOptions
    split_report: dict[str, Any] | None
    staged: _Staged


class ExportReport(BaseModel):
    """What an export wrote."""

    format: str
    out_dir: str
    files: list[str]
    samples: dict[str, int]
    """Samples per split."""
    rows: dict[str, int]
    """Rows written per split (more than samples with `split_turns`)."""
    split: dict[str, Any] | None = None
    """The train/test split report, when there is a test split."""


def _jsonl_text(rows: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


Writer = Callable[[_Job], tuple[list[Path], dict[str, int]]]


def _jsonl_writer(prefix: str, build: Callable[[Sequence[Sample], ExportOptions], list[dict[str, Any]]]) -> Writer:
    def write(job: _Job) -> tuple[list[Path], dict[str, int]]:
        files, rows = [], {}
        for split, samples in job.splits.items():
            data = build(samples, job.options)
            files.append(job.staged.write_text(job.out / f"{prefix}_{split}.jsonl", _jsonl_text(data)))
            rows[split] = len(data)
        return files, rows

    return write


def _write_llamafactory(job: _Job) -> tuple[list[Path], dict[str, int]]:
    files, rows, names = [], {}, {}
    for split, samples in job.splits.items():
        data = llamafactory_rows(samples, job.options)
        file_name = f"{job.options.name}_{split}.json"
        files.append(job.staged.write_text(job.out / file_name, _json_text(data)))
        rows[split] = len(data)
        names[f"{job.options.name}_{split}"] = file_name
    files.append(job.staged.write_text(job.out / "dataset_info.json", _json_text(llamafactory_dataset_info(names))))
    return files, rows


def _write_bfcl(job: _Job) -> tuple[list[Path], dict[str, int]]:
    files, rows = [], {}
    for split, samples in job.splits.items():
        # BFCL's runner finds a category by its file name, so each split is a category of its own.
        category = job.options.bfcl_category + ("" if split == "train" else f"_{split}")
        options = job.options.model_copy(update={"bfcl_category": category})
        data = bfcl_rows(samples, options)
        name = f"BFCL_v4_{category}.json"
        files.append(job.staged.write_text(job.out / name, _jsonl_text(data)))
        answers = job.out / "possible_answer" / name
        files.append(job.staged.write_text(answers, _jsonl_text(bfcl_answers(data))))
        rows[split] = len(data)
    return files, rows


def _write_hf(job: _Job) -> tuple[list[Path], dict[str, int]]:
    files, rows, split_files = [], {}, {}
    for split, samples in job.splits.items():
        data = hf_rows(samples, job.options)
        rel = f"data/{split}.parquet"
        write_parquet(data, job.staged.aside(job.out / rel))
        files.append(job.out / rel)
        rows[split] = len(data)
        split_files[split] = rel
    stats = compute_stats(job.samples, rejected=job.options.rejected)
    card = dataset_card(job.samples, stats, rows, split_files, job.options, COLUMN_DOCS, job.split_report)
    files.append(job.staged.write_text(job.out / "README.md", card))
    return files, rows


def _write_verl(job: _Job) -> tuple[list[Path], dict[str, int]]:
    files, rows = [], {}
    for split, samples in job.splits.items():
        data = verl_rows(samples, job.options, split=split)
        write_verl_parquet(data, job.staged.aside(job.out / f"verl_{split}.parquet"))
        files.append(job.out / f"verl_{split}.parquet")
        rows[split] = len(data)
    return files, rows


_WRITERS: dict[str, Writer] = {
    "openai": _jsonl_writer("openai", openai_rows),
    "trl": _jsonl_writer("trl", trl_rows),
    "llamafactory": _write_llamafactory,
    "bfcl": _write_bfcl,
    "hf": _write_hf,
    "verl": _write_verl,
}

EXPORT_FORMATS: tuple[str, ...] = tuple(_WRITERS)
"""Names of the export formats."""


def _options(options: ExportOptions | None, overrides: dict[str, Any]) -> ExportOptions:
    try:
        base = options.model_dump() if options is not None else {}
        return ExportOptions(**{**base, **overrides})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'options'}: {e['msg']}" for e in exc.errors())
        raise ExportError(f"invalid export options: {problems}") from exc


def export_with_report(
    samples: Sequence[Sample],
    format: str,
    out_dir: str | Path,
    options: ExportOptions | None = None,
    **overrides: Any,
) -> ExportReport:
    """Export `samples` in `format` into `out_dir` and report what was written.

    Options come from `options` and/or keyword overrides (see ExportOptions). Raises ExportError
    for an unknown format or option, or a sample the format cannot represent.
    """
    if format not in _WRITERS:
        close = get_close_matches(format, EXPORT_FORMATS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ExportError(f"unknown export format {format!r}{hint}; formats: {', '.join(EXPORT_FORMATS)}")
    opts = _options(options, overrides)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file, not a directory to export into")
    out.mkdir(parents=True, exist_ok=True)

    if opts.exclude_families:
        samples = [s for s in samples if s.metadata.family not in opts.exclude_families]
    split_report = None
    if opts.test_fraction > 0:
        split = split_by_advanced_tool(samples, opts.test_fraction, opts.seed)
        splits = {"train": split.train, "test": split.test}
        split_report = split.report()
    else:
        splits = {"train": list(samples)}

    job = _Job(samples=samples, splits=splits, out=out, options=opts, split_report=split_report, staged=_Staged())
    try:
        files, rows = _WRITERS[format](job)
        if split_report is not None:
            files.append(job.staged.write_text(out / "split.json", _json_text(split_report)))
        job.staged.publish()
    except BaseException:
        job.staged.discard()
        raise
    return ExportReport(
        format=format,
        out_dir=str(out),
        files=[str(f) for f in files],
        samples={k: len(v) for k, v in splits.items()},
        rows=rows,
        split=split_report,
    )


def export_samples(samples: Sequence[Sample], format: str, out_dir: str | Path, **options: Any) -> list[Path]:
    """Export `samples` in `format` (one of EXPORT_FORMATS) into `out_dir`; return the files written.

    Options: see ExportOptions (`reasoning`, `split_turns`, `test_fraction`, `seed`, `name`,
    `license`, `rejected`).
    """
    return [Path(f) for f in export_with_report(samples, format, out_dir, **options).files]
