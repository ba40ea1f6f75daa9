"""What `hardgen train` trains on: a run's samples, a samples file, or a TRL export."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardgen.export import ExportOptions, SampleFileError, read_samples, trl_rows
from hardgen.schema import Sample
from hardgen.train._config import TrainConfig, TrainError

TRL_EXPORT_FILE = "trl_train.jsonl"
"""The TRL export's training file (`hardgen export --format trl`)."""


@dataclass
class TrainingData:
    """Rows in TRL's conversational shape, and where they came from."""

    source: str
    rows: list[dict[str, Any]]
    shape: str
    """`conversation` (`messages` + `tools`) or `turns` (`prompt` + `completion` + `tools`)."""
    sha256: str
    """Of the file read."""
    samples: list[Sample] = field(default_factory=list)
    """The canonical samples, when the data is a run or a samples file (empty for a TRL export)."""
    run_ids: list[str] = field(default_factory=list)
    """The runs the samples came from (their provenance)."""
    dropped: int = 0
    """Rows left out because they hold no assistant message."""

    def describe(self) -> dict[str, Any]:
        return {"source": self.source, "sha256": self.sha256, "shape": self.shape, "rows": len(self.rows),
                "samples": len(self.samples) or None, "run_ids": self.run_ids, "dropped_without_assistant": self.dropped}


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _first_record(path: Path) -> dict[str, Any]:
    with path.open("r", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise TrainError(f"{path} is not JSON Lines: {exc}") from None
                if not isinstance(record, dict):
                    raise TrainError(f"{path}: a line is not a JSON object")
                return record
    raise TrainError(f"{path} is empty: there is nothing to train on")


def _has_assistant(row: dict[str, Any]) -> bool:
    messages = row.get("completion") if "completion" in row else row.get("messages")
    return any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages or [])


def load_training_data(path: str | Path, config: TrainConfig) -> TrainingData:
    """Read `path`: a run directory, a samples `.jsonl`, a TRL export directory (`trl_train.jsonl`)
    or a TRL export file. Samples become rows as `config.rows` and `config.reasoning` ask; a TRL
    export is used as written (its shape decides how the loss is masked). Rows without an assistant
    message are dropped and counted; none left is an error."""
    p = Path(path)
    if not p.exists():
        raise TrainError(f"training data {p} does not exist (give a run directory, a samples .jsonl or a TRL export)")
    if p.is_dir():
        if (p / "samples.jsonl").is_file():
            p = p / "samples.jsonl"
        elif (p / TRL_EXPORT_FILE).is_file():
            p = p / TRL_EXPORT_FILE
        else:
            raise TrainError(f"{p} holds neither samples.jsonl (a run) nor {TRL_EXPORT_FILE} (a TRL export)")
    first = _first_record(p)
    samples: list[Sample] = []
    if "gold" in first and "environments" in first:
        try:
            samples = read_samples(p).samples
        except SampleFileError as exc:
            raise TrainError(str(exc)) from None
        options = ExportOptions(reasoning=config.reasoning, split_turns=config.rows == "turns")
        rows = trl_rows(samples, options)
        shape = config.rows
    elif "messages" in first or "prompt" in first:
        with p.open("r", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        shape = "turns" if "prompt" in first else "conversation"
    else:
        raise TrainError(f"{p} is neither HardGen samples nor a TRL export (its first record has keys "
                         f"{sorted(first)[:8]})")
    kept = [r for r in rows if _has_assistant(r)]
    if not kept:
        raise TrainError(f"{p} has no assistant turns to train on ({len(rows)} row(s), none with an assistant message)")
    run_ids = sorted({s.metadata.provenance.run_id for s in samples if s.metadata.provenance.run_id})
    return TrainingData(source=str(p), rows=kept, shape=shape, sha256=_digest(p), samples=samples, run_ids=run_ids,
                        dropped=len(rows) - len(kept))
