"""Bring your own tools: a Python class and a BFCL-style class with JSON docs go through the whole
pipeline and come out as verified samples."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from hardgen.pipeline import generate as run_generate
from hardgen.pipeline import iter_jsonl, load_config
from hardgen.schema import Sample
from hardgen.verify import verify_sample

STATE = {
    "staff_pin": "4821",
    "books": {
        "978-0-14-118280-3": {"title": "Middlemarch", "author": "George Eliot", "copies": 2},
        "978-0-19-953556-9": {"title": "Persuasion", "author": "Jane Austen", "copies": 1},
        "978-0-14-243723-0": {"title": "Moby-Dick", "author": "Herman Melville", "copies": 3},
        "978-0-679-78328-1": {"title": "Beloved", "author": "Toni Morrison", "copies": 2},
    },
    "members": {
        "M-204": {"name": "Ada Okafor"},
        "M-317": {"name": "Bruno Lindqvist"},
        "M-452": {"name": "Chen Wei"},
    },
}


def test_a_users_own_class_becomes_verified_samples(tmp_path: Path) -> None:
    state_file = tmp_path / "library_state.json"
    state_file.write_text(json.dumps(STATE))
    config_file = tmp_path / "hardgen.yaml"
    config_file.write_text(f"""
seed: 3
out: {tmp_path / 'run'}
sources:
  - kind: class
    target: integration_fixture_library:CityLibrary
    name: library
    loader: load_state
    initial_state: {state_file}
synthesis: {{samples: 5, variants_per_tool: 4}}
probe: {{tasks_per_tool: 2}}
sampling: {{traces: 40}}
""")
    manifest = asyncio.run(run_generate(load_config(config_file)))
    samples = [Sample.model_validate(r) for r in iter_jsonl(tmp_path / "run" / "samples.jsonl")]
    assert samples, manifest.rejections_by_reason
    assert all(verify_sample(s).passed for s in samples)
    tools_used = {s.call.name for sample in samples for turn in sample.gold for s in turn.steps}
    assert "lend_book" in tools_used  # the write with a login prerequisite and two looked-up ids
    lend = [s for sample in samples for turn in sample.gold for s in turn.steps if s.call.name == "lend_book"]
    assert all(len(step.sources) >= 1 for step in lend)  # ids came from earlier results, not the query
    for sample in samples:
        assert sample.environments[0].target == "integration_fixture_library:CityLibrary"
        assert sample.environments[0].initial_state == STATE
        for turn in sample.gold:  # the looked-up ids stay out of the query
            for step in turn.steps:
                for source in step.sources:
                    assert str(step.call.arguments[source.parameter]) not in turn.query
    graph = json.loads((tmp_path / "run" / "graph.json").read_text())
    assert graph  # the graph was built over the user's tools


def test_a_bfcl_style_class_with_json_docs_becomes_verified_samples(tmp_path: Path) -> None:
    import sys

    tools_dir = Path(__file__).resolve().parents[1] / "tools"
    sys.path.insert(0, str(tools_dir))
    try:
        from tools_fixture_gorilla_fs import SCENARIO

        config_file = tmp_path / "hardgen.yaml"
        config_file.write_text(json.dumps({
            "out": str(tmp_path / "run"),
            "sources": [{"kind": "class", "target": "tools_fixture_gorilla_fs:GorillaFileSystem", "name": "fs",
                         "docs": str(tools_dir / "data" / "gorilla_fs_docs.json"), "initial_state": SCENARIO}],
            "synthesis": {"samples": 3, "min_calls": 1},
            "probe": {"tasks_per_tool": 1},
            "sampling": {"traces": 30},
        }))
        manifest = asyncio.run(run_generate(load_config(config_file)))
        samples = [Sample.model_validate(r) for r in iter_jsonl(tmp_path / "run" / "samples.jsonl")]
        assert samples, manifest.rejections_by_reason
        assert all(verify_sample(s).passed for s in samples)
        # The offered tools carry the schemas of the JSON docs (BFCL types normalised).
        offered = {t.name: t for s in samples for t in s.tools}
        assert all(t.parameters["type"] == "object" for t in offered.values())
        assert all(s.environments[0].docs for s in samples)
    finally:
        sys.path.remove(str(tools_dir))
