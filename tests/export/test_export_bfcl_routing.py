"""The bfcl export is what BFCL's runner routes: the file name and every id name the category, and
each row involves only the classes its gold calls, loaded the way BFCL loads them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from hardgen.export import export_samples
from hardgen.pipeline._import import gold_sample


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.skipif(importlib.util.find_spec("bfcl_eval") is None, reason="bfcl-eval is not installed")
def test_bfcl_rows_are_routed_by_bfcls_own_helpers_and_involve_only_used_classes(tmp_path: Path) -> None:
    from bfcl_eval.utils import extract_test_category, extract_test_category_from_id

    from hardgen.pipeline._bfcl import bfcl_specs, read_bfcl_tasks
    from hardgen.tools import trust_sources

    trust_sources("bfcl_eval.*")
    task = read_bfcl_tasks()[0]  # GorillaFileSystem and TwitterAPI; the gold calls the file system only
    specs = bfcl_specs(task.involved_classes, task.initial_config)
    turns = list(zip(task.queries[:1], task.ground_truth[:1], strict=True))
    sample = gold_sample(task.id, specs, turns)
    called = {s.call.name for turn in sample.gold for s in turn.steps}
    sample = sample.model_copy(update={"tools": [t for t in sample.tools if t.name in called]})  # offer only those
    files = export_samples([sample], "bfcl", tmp_path, bfcl_category="multi_turn_hardgen")
    data = tmp_path / "BFCL_v4_multi_turn_hardgen.json"
    assert data in files and (tmp_path / "possible_answer" / data.name) in files
    assert extract_test_category(data.name) == "multi_turn_hardgen"
    [row] = _rows(data)
    assert extract_test_category_from_id(row["id"]) == "multi_turn_hardgen" and row["hardgen_id"] == task.id
    assert row["involved_classes"] == ["GorillaFileSystem"] and list(row["initial_config"]) == ["GorillaFileSystem"]
    offered = {f["name"] for f in row["function"]}
    assert offered == called and "rm" in row["excluded_function"] and not offered & set(row["excluded_function"])
    [answer] = _rows(tmp_path / "possible_answer" / data.name)
    assert answer == {"id": row["id"], "ground_truth": row["ground_truth"]}
