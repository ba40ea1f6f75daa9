"""Where evaluation samples come from: a run directory, a canonical samples `.jsonl` (e.g. a held-out
split), or a parquet file of the Hugging Face export (`data/test.parquet`), which keeps every
canonical field. Other exported formats (OpenAI, TRL, ...) drop the gold trace and cannot be scored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hardgen.errors import require
from hardgen.export import SampleFileError, read_samples, sample_from_hf_row
from hardgen.export._read import check_trusted
from hardgen.schema import Sample


def load_samples(
    path: str | Path, *, limit: int | None = None, trust_sources: Sequence[str] | None = None
) -> list[Sample]:
    """The canonical samples at `path` (first `limit` of them). Raises SampleFileError naming the
    file and the problem; with `trust_sources` (even empty), also when a sample names a tool source
    that is neither built in nor trusted (nothing is imported; see `read_samples`)."""
    if limit is not None and limit < 1:
        raise SampleFileError(f"limit must be at least 1, got {limit}")
    p = Path(path)
    if p.suffix == ".parquet":
        if not p.is_file():
            raise SampleFileError(f"samples file {path} does not exist")
        pq: Any = require("pyarrow.parquet", "hf", "Reading samples from parquet")
        rows = pq.read_table(p).to_pylist()
        samples = []
        for number, row in enumerate(rows[:limit] if limit else rows, start=1):
            try:
                samples.append(sample_from_hf_row(row))
            except (KeyError, ValueError, json.JSONDecodeError) as exc:
                raise SampleFileError(f"{path}: row {number} is not a HardGen sample: {exc}") from None
    else:
        loaded = read_samples(p).samples
        samples = loaded[:limit] if limit else loaded
    if trust_sources is not None:
        check_trusted(samples, p, trust_sources)
    return samples


def write_samples(path: str | Path, samples: Sequence[Sample]) -> Path:
    """Write canonical samples as JSONL (via a temporary file, so no half-written file is left)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for sample in samples:
            fh.write(sample.model_dump_json() + "\n")
    tmp.replace(out)
    return out
