"""Hugging Face datasets export: parquet with fixed column types.

Every row is one canonical sample, lossless: the nested parts (messages, tools, environments,
gold, verification, metadata) are JSON strings, so each column has one type however the tool
schemas and arguments vary, and `Sample.model_validate({k: json.loads(row[k]) ...})` rebuilds the
sample (see `sample_from_hf_row`). Flat columns for filtering and the dataset viewer sit beside
them. pyarrow is imported lazily (extra `hf`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hardgen.errors import require
from hardgen.export._options import ExportOptions
from hardgen.export._transform import inline_reasoning, training_units
from hardgen.schema import Sample
from hardgen.stats import called_tools

JSON_COLUMNS = ("messages", "tools", "environments", "gold", "verification", "metadata")
"""Columns holding a JSON string of the canonical field of the same name."""

COLUMN_DOCS: dict[str, str] = {
    "id": "sample id",
    "messages": "JSON list of messages (system, user, assistant with reasoning and tool_calls, tool)",
    "tools": "JSON list of the offered tools (name, description, parameters and returns as JSON Schema)",
    "environments": "JSON list of environment specs: tool source by reference and the initial state in full",
    "gold": "JSON list of gold turns: query, executed calls with observations, required answer values",
    "verification": "JSON object: verdict, attempts, critic hints, state hashes",
    "metadata": "JSON object: target/failure/advanced tools, domains, chain length, provenance",
    "domains": "domains of the sample",
    "advanced_tools": "advanced tools the sample's turns were written from",
    "called_tools": "tools the assistant calls, in order",
    "turns": "user turns",
    "calls": "tool calls in the assistant messages",
    "chain_length": "gold calls over all turns",
    "implicit_dependencies": "arguments whose value came from an earlier output",
    "attempts": "reasoner attempts until verification passed",
}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def hf_row(sample: Sample) -> dict[str, Any]:
    """One parquet row for a sample (nested fields as JSON strings)."""
    data = sample.model_dump(mode="json")
    row: dict[str, Any] = {"id": sample.id}
    row.update({k: _dumps(data[k]) for k in JSON_COLUMNS})
    names = called_tools(sample)
    row.update(
        {
            "domains": list(sample.metadata.domains),
            "advanced_tools": list(sample.metadata.advanced_tools),
            "called_tools": names,
            "turns": sum(1 for m in sample.messages if m.role == "user"),
            "calls": len(names),
            "chain_length": sum(len(t.steps) for t in sample.gold),
            "implicit_dependencies": sample.metadata.implicit_dependencies,
            "attempts": sample.verification.attempts,
        }
    )
    return row


def hf_rows(samples: Sequence[Sample], options: ExportOptions | None = None) -> list[dict[str, Any]]:
    """Parquet rows for `samples` (per assistant turn with `split_turns`); with reasoning `inline`
    the reasoning moves into the assistant content as `<think>`."""
    options = options or ExportOptions()
    rows = []
    for unit in training_units(samples, options):
        if options.reasoning == "inline":
            unit = unit.model_copy(
                update={"messages": [inline_reasoning(m) if m.role == "assistant" else m for m in unit.messages]}
            )
        rows.append(hf_row(unit))
    return rows


def sample_from_hf_row(row: dict[str, Any]) -> Sample:
    """Rebuild the canonical sample from a parquet row."""
    return Sample.model_validate({"id": row["id"], **{k: json.loads(row[k]) for k in JSON_COLUMNS}})


def hf_schema() -> Any:
    """The pyarrow schema of the parquet files (fixed, whatever the samples hold)."""
    pa: Any = require("pyarrow", "hf", "The Hugging Face parquet export")
    fields = [pa.field("id", pa.string(), nullable=False)]
    fields += [pa.field(k, pa.string(), nullable=False) for k in JSON_COLUMNS]
    fields += [
        pa.field(k, pa.list_(pa.string()), nullable=False) for k in ("domains", "advanced_tools", "called_tools")
    ]
    fields += [
        pa.field(k, pa.int64(), nullable=False)
        for k in ("turns", "calls", "chain_length", "implicit_dependencies", "attempts")
    ]
    return pa.schema(fields)


def write_parquet(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write rows (from `hf_rows`) to a parquet file with the fixed schema. The file is written
    under a temporary name, fsync'd and renamed: a crash mid-write leaves the previous file whole."""
    pa: Any = require("pyarrow", "hf", "The Hugging Face parquet export")
    pq: Any = require("pyarrow.parquet", "hf", "The Hugging Face parquet export")
    schema = hf_schema()
    table = pa.Table.from_pylist(list(rows), schema=schema)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp")
    try:
        pq.write_table(table, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return p
