"""Baselines side by side: the same budget per sampler, one shared failure mining, one table."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from hardgen.evaluate import BaselineComparison, compare_baselines
from hardgen.pipeline import iter_jsonl


def test_samplers_share_seed_budget_and_failure_set(small_config: Any, tmp_path: Path) -> None:
    config = small_config(tmp_path / "cmp", **{"synthesis.samples": 4, "sampling.traces": 20})
    table = asyncio.run(compare_baselines(config, modes=("legality", "random_walk")))
    assert [r.mode for r in table.rows] == ["legality", "random_walk"]
    assert table.samples_asked == 4 and table.agent
    failure_sets = []
    for row in table.rows:
        run = Path(row.run_dir)
        assert 0 < row.samples <= 4 and 0.0 <= row.success_rate <= 1.0
        # HardGen keeps only multi-call tasks; the plain random-walk baseline keeps single calls too.
        assert row.mean_calls >= (2 if row.mode == "legality" else 1)
        modes = {r["metadata"]["sampling_mode"] for r in iter_jsonl(run / "samples.jsonl")}
        assert modes == {row.mode}
        failure_sets.append((run / "failures.json").read_text())
        assert (run / "eval.json").exists()
    assert failure_sets[0] == failure_sets[1]  # probed once, handed to the other sampler
    saved = BaselineComparison.model_validate_json((tmp_path / "cmp" / "baselines.json").read_text())
    assert saved == table


def test_unknown_sampler_is_refused(small_config: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown sampling mode"):
        asyncio.run(compare_baselines(small_config(tmp_path), modes=("legality", "bfs")))
