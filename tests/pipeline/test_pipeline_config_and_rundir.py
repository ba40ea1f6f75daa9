"""Run configuration errors, the append-only run files, unit planning and failure mining."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from hardgen.agents import ModelFreeAgent
from hardgen.errors import ConfigError
from hardgen.graph import ApiGraph
from hardgen.pipeline import (
    FailureReport,
    JsonlAppender,
    Manifest,
    RunDirectory,
    generate,
    iter_jsonl,
    load_config,
    mine_failures,
    plan_units,
    repair_jsonl,
    resolve_sources,
)
from hardgen.synth import AdvancedTool
from hardgen.tools import Session
from hardgen.world import world_specs

# --- config --------------------------------------------------------------------------------------


def test_a_yaml_file_and_overrides_are_merged_and_validated(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("seed: 3\nsynthesis:\n  samples: 12\n  turns: 2\n", encoding="utf-8")
    config = load_config(path, overrides={"synthesis.samples": 5, "out": None}, sets=["probe.tasks_per_tool=1"])
    assert (config.seed, config.synthesis.samples, config.synthesis.turns) == (3, 5, 2)
    assert config.probe.tasks_per_tool == 1 and config.out == "runs/hardgen"


@pytest.mark.parametrize(("text", "words"), [
    ("synthesis: [unclosed", "is not valid YAML"),
    ("- just\n- a list\n", "must be a mapping"),
    ("synthesis:\n  samples: many\n", "synthesis.samples"),
    ("sampling:\n  mode: sideways\n", "sampling.mode"),
    ("synthesis:\n  sampels: 3\n", "synthesis.sampels"),
    ("sources:\n  - kind: class\n", "needs a target"),
    ("roles:\n  reasoner:\n    kind: openai\n", "base_url and model"),
])
def test_a_bad_config_file_is_a_config_error_naming_the_problem(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=words.replace(".", r"\.").replace("[", r"\[")):
        load_config(path)


def test_bad_overrides_and_missing_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"synthesis\.samples"):
        load_config(overrides={"synthesis.samples": "lots"})
    with pytest.raises(ConfigError, match="key=value"):
        load_config(sets=["synthesis.samples"])
    with pytest.raises(ConfigError, match="is not a section"):
        load_config(overrides={"seed": 1, "seed.inner": 2})
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.yaml")


def test_an_unknown_domain_is_a_config_error_before_any_work(tmp_path: Path) -> None:
    config = load_config(overrides={"out": str(tmp_path / "run"),
                                    "sources": [{"kind": "world", "domains": ["banking", "astrology"]}]})
    with pytest.raises(ConfigError, match="astrology"):
        resolve_sources(config)
    with pytest.raises(ConfigError, match="astrology"):
        asyncio.run(generate(config))
    assert not (tmp_path / "run" / "samples.jsonl").exists()


def test_a_tool_source_that_cannot_be_imported_is_a_config_error() -> None:
    config = load_config(overrides={"sources": [{"kind": "class", "target": "no_such_module:Thing"}]})
    with pytest.raises(ConfigError, match="no_such_module"):
        resolve_sources(config)


def test_two_sources_with_one_name_are_a_config_error() -> None:
    config = load_config(overrides={"sources": [{"kind": "world", "domains": ["banking"]},
                                                {"kind": "world", "domains": ["banking"]}]})
    with pytest.raises(ConfigError, match="same name"):
        resolve_sources(config)


# --- run files -----------------------------------------------------------------------------------


def test_repair_drops_only_a_partial_trailing_line(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    path.write_bytes(b'{"id": 1}\n{"id": 2}\n{"id": 3, "tr')
    assert repair_jsonl(path) == len(b'{"id": 3, "tr')
    assert path.read_bytes() == b'{"id": 1}\n{"id": 2}\n'
    assert repair_jsonl(path) == 0 and path.read_bytes() == b'{"id": 1}\n{"id": 2}\n'
    path.write_bytes(b'{"only": "part')
    assert repair_jsonl(path) == 14 and path.read_bytes() == b""
    assert repair_jsonl(tmp_path / "absent.jsonl") == 0


def test_the_appender_repairs_then_appends_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "rejected.jsonl"
    path.write_bytes(b'{"unit_id": "a"}\n{"unit_id": "b", "rea')
    with JsonlAppender(path) as out:
        out.append({"unit_id": "c"})
        out.append(Manifest(samples=2))
    records = list(iter_jsonl(path))
    assert [r.get("unit_id") for r in records] == ["a", "c", None]
    assert records[2]["samples"] == 2


def test_done_units_are_those_written_as_a_sample_or_a_rejection(tmp_path: Path) -> None:
    run = RunDirectory(tmp_path / "run").create()
    run.samples.write_text('{"id": "s0-000000"}\n{"id": "s0-000002"}\n{"id": "s0-0000', encoding="utf-8")
    run.rejected.write_text('{"unit_id": "s0-000001"}\n', encoding="utf-8")
    assert run.done_units() == {"s0-000000", "s0-000001", "s0-000002"}
    assert run.samples.read_text().endswith("}\n")  # the torn line is gone


# --- units and failure mining --------------------------------------------------------------------


def test_units_are_deterministic_longest_first_and_start_from_the_source_values(small_run: tuple[Path, Any]) -> None:
    run, _ = small_run
    library = [AdvancedTool.model_validate(r) for r in iter_jsonl(run / "advanced_tools.jsonl")]
    graph = ApiGraph.load(run / "graph.json")
    saved = [json.loads(line) for line in (run / "units.jsonl").read_text().splitlines()]
    # Tools a top-up round added come after the first round's tools in the library.
    later = {u["advanced_tool"] for u in saved if u["round"] > 0}
    library = library[:min((i for i, t in enumerate(library) if t.name in later), default=len(library))]
    units = plan_units(library, graph, seed=0, variants=3, turns=1, limit=60)
    assert units == plan_units(library, graph, seed=0, variants=3, turns=1, limit=60)
    assert len(units) <= 60
    first_round = [u for u in saved if u["round"] == 0]
    assert [u.model_dump() for u in units][:len(first_round)] == first_round[:len(units)]
    assert len({u.unit_id for u in units}) == len(units) and len({u.seed for u in units}) == len(units)
    # The tools of three or more calls come first with their own values, so a run capped at N
    # samples keeps its chains long: longest first within each set of environments, taken from
    # each set in turn, so that no domain with long chains takes every place. Every tool gets its
    # own values before any two-call tool gets other ones.
    long = [t for t in library if len(t.steps) >= 3]
    by_name = {t.name: t for t in library}
    first = units[:len(long)]
    assert sorted(u.advanced_tool for u in first) == sorted(t.name for t in long)
    assert all(u.arguments == by_name[u.advanced_tool].example_arguments for u in first)
    groups: dict[tuple[str, ...], list[int]] = {}
    for u in first:
        groups.setdefault(tuple(sorted(by_name[u.advanced_tool].environments)), []).append(
            len(by_name[u.advanced_tool].steps))
    assert all(lengths == sorted(lengths, reverse=True) for lengths in groups.values())
    opening = [tuple(sorted(by_name[u.advanced_tool].environments)) for u in first[:len(groups)]]
    assert len(set(opening)) == len(groups)  # one from each set of environments before a second from any
    own = [i for i, u in enumerate(units) if u.arguments == next(t for t in library
                                                                 if t.name == u.advanced_tool).example_arguments]
    short_variants = [i for i, u in enumerate(units) if i not in own
                      and len(next(t for t in library if t.name == u.advanced_tool).steps) < 3]
    assert not short_variants or max(own) < min(short_variants)
    assert len({(u.advanced_tool, json.dumps(u.arguments, sort_keys=True)) for u in units}) == len(units)
    assert plan_units(library, graph, seed=0, variants=3, turns=1, limit=5) == units[:5]
    other = plan_units(library, graph, seed=1, variants=3, turns=1, limit=60)
    assert [u.seed for u in other] != [u.seed for u in units]


def test_the_failure_set_follows_the_joint_failure_rate(small_run: tuple[Path, Any]) -> None:
    run, manifest = small_run
    report = FailureReport.model_validate_json((run / "failures.json").read_text())
    assert report.tasks > 0 and manifest.failure_set == len(report.failure_set)
    for tool, result in report.tools.items():
        failing = result.joint.attempts > 0 and result.joint.failure_rate >= report.threshold
        assert (tool in report.failure_set) == failing, tool
        # Joint: a task fails jointly only when both agents failed it.
        assert result.joint.failures <= min(result.target.failures, result.reference.failures)
    assert 0.0 <= report.target_success_rate <= 1.0


def test_mining_is_deterministic_and_consistent() -> None:
    specs = world_specs(0, ["banking"])

    def mine() -> FailureReport:
        session = Session.from_specs(specs)
        graph = ApiGraph.from_session(session)
        session.close()
        return asyncio.run(mine_failures(graph, specs, ModelFreeAgent(seed=0), ModelFreeAgent(seed=1),
                                         tasks_per_tool=1, max_tools=6, seed=0))

    report = mine()
    assert report.tasks >= 1 and len(report.tools) + len(report.unprobeable) >= 1
    assert set(report.failure_set) <= set(report.tools)
    assert sum(report.target_taxonomy.values()) == round(report.tasks * (1 - report.target_success_rate))
    assert mine().model_dump() == report.model_dump()
