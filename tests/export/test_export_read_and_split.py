"""Reading samples files (errors name the file and line; nothing silently lost) and the
train/test split by advanced tool."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hardgen.export import SampleFileError, count_rejected, read_samples, split_by_advanced_tool
from hardgen.schema import Message, Sample, SampleMetadata, VerificationRecord


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_reads_a_run_directory_and_a_file(samples, tmp_path: Path) -> None:
    _write(tmp_path / "samples.jsonl", [s.to_json() for s in samples] + [""])
    assert read_samples(tmp_path).samples == samples
    assert read_samples(tmp_path / "samples.jsonl").samples == samples


def test_malformed_lines_fail_with_file_line_and_count(samples, tmp_path: Path) -> None:
    path = _write(tmp_path / "s.jsonl", [samples[0].to_json(), "{not json", samples[1].to_json(), '{"id": "x"}'])
    with pytest.raises(SampleFileError) as info:
        read_samples(path)
    message = str(info.value)
    assert "2 of 4 lines" in message
    assert f"{path}:2:" in message and f"{path}:4:" in message
    assert "skip-invalid" in message


def test_skip_invalid_keeps_the_good_lines_and_reports_the_bad(samples, tmp_path: Path) -> None:
    path = _write(tmp_path / "s.jsonl", [samples[0].to_json(), "{not json", samples[1].to_json()])
    loaded = read_samples(path, skip_invalid=True)
    assert [s.id for s in loaded.samples] == [samples[0].id, samples[1].id]
    assert [(x.line, x.path) for x in loaded.invalid] == [(2, path)]


def test_missing_inputs_are_named(tmp_path: Path) -> None:
    with pytest.raises(SampleFileError, match=r"has no samples\.jsonl"):
        read_samples(tmp_path)
    with pytest.raises(SampleFileError, match="does not exist"):
        read_samples(tmp_path / "nope.jsonl")


def test_rejected_count_comes_from_the_run_directory(tmp_path: Path) -> None:
    assert count_rejected(tmp_path) is None
    _write(tmp_path / "rejected.jsonl", ['{"reason": "a"}', "", '{"reason": "b"}'])
    assert count_rejected(tmp_path) == 2
    assert count_rejected(tmp_path / "rejected.jsonl") is None


def _sample(i: int, advanced: list[str]) -> Sample:
    return Sample(
        id=f"s{i:04d}",
        tools=[],
        messages=[Message.user(f"task {i}"), Message.assistant("done")],
        environments=[],
        gold=[],
        verification=VerificationRecord(verdict="passed"),
        metadata=SampleMetadata(advanced_tools=advanced),
    )


def _population(n: int = 300, tools: int = 120, seed: int = 1) -> list[Sample]:
    rng = random.Random(seed)
    names = [f"adv_{k}" for k in range(tools)]
    return [_sample(i, rng.sample(names, rng.choice([0, 1, 1, 2, 3]))) for i in range(n)]


@pytest.mark.parametrize("fraction", [0.1, 0.2, 0.5])
def test_split_never_shares_an_advanced_tool(fraction: float) -> None:
    population = _population()
    split = split_by_advanced_tool(population, fraction, seed=7)
    train_tools = {t for s in split.train for t in s.metadata.advanced_tools}
    test_tools = {t for s in split.test for t in s.metadata.advanced_tools}
    assert not train_tools & test_tools
    assert sorted(s.id for s in split.train + split.test) == [s.id for s in population]
    assert split.test, "a test split was asked for and the groups allow one"
    assert len(split.test) <= round(fraction * len(population))
    assert split.report()["shared_advanced_tools"] == 0


def test_split_is_deterministic_for_a_seed_and_varies_with_it() -> None:
    population = _population()
    a = split_by_advanced_tool(population, 0.2, seed=3)
    b = split_by_advanced_tool(population, 0.2, seed=3)
    c = split_by_advanced_tool(population, 0.2, seed=4)
    assert [s.id for s in a.test] == [s.id for s in b.test]
    assert [s.id for s in a.test] != [s.id for s in c.test]


def test_split_keeps_one_big_group_whole() -> None:
    linked = [_sample(i, ["shared"]) for i in range(8)] + [_sample(8 + i, []) for i in range(2)]
    split = split_by_advanced_tool(linked, 0.3, seed=0)
    assert {s.id for s in split.test} <= {"s0008", "s0009"}
    assert split.largest_group == 8 and split.groups == 3
