"""Golden-file tests: every format's output for the fixture samples, byte for byte.

A change to an exporter that changes its output fails here; when the change is intended, rewrite
the golden files with

    HARDGEN_UPDATE_GOLDEN=1 pytest tests/export/test_export_golden.py

and review the diff of tests/export/golden/ like code. Parquet files are compared through their
rows (as JSON), since the bytes carry the pyarrow version.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from hardgen.export import export_samples

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("HARDGEN_UPDATE_GOLDEN") == "1"

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "openai-default": ("openai", {}),
    "openai-turns-inline": ("openai", {"split_turns": True, "reasoning": "inline"}),
    "openai-no-reasoning": ("openai", {"reasoning": "none"}),
    "trl-default": ("trl", {}),
    "trl-turns-inline": ("trl", {"split_turns": True, "reasoning": "inline"}),
    "llamafactory-default": ("llamafactory", {}),
    "llamafactory-turns": ("llamafactory", {"split_turns": True}),
    "llamafactory-no-reasoning": ("llamafactory", {"reasoning": "none"}),
    "bfcl-default": ("bfcl", {}),
    "hf-default": ("hf", {"rejected": 5}),
    "hf-split": ("hf", {"test_fraction": 0.34, "seed": 0, "name": "hardgen-demo", "license": "cc-by-4.0"}),
}


def _comparable(path: Path) -> tuple[str, str]:
    """(golden file name, text) for an output file."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        return path.name + ".rows.json", json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    return path.name, path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", sorted(CASES))
def test_export_matches_golden_files(case: str, samples, tmp_path: Path) -> None:
    fmt, options = CASES[case]
    out = tmp_path / case
    written = export_samples(samples, fmt, out, **options)
    produced: dict[str, str] = {}
    for path in written:
        name, text = _comparable(path)
        rel = path.relative_to(out).with_name(name).as_posix()
        produced[rel] = text

    golden_dir = GOLDEN / case
    if UPDATE:
        for rel, text in produced.items():
            target = golden_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = {p.relative_to(golden_dir).as_posix() for p in golden_dir.rglob("*") if p.is_file()}
    assert set(produced) == expected, f"{case}: files differ from golden (HARDGEN_UPDATE_GOLDEN=1 rewrites them)"
    for rel, text in produced.items():
        golden_text = (golden_dir / rel).read_text(encoding="utf-8")
        assert text == golden_text, f"{case}/{rel} differs from golden (HARDGEN_UPDATE_GOLDEN=1 rewrites it)"
