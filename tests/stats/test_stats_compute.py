"""Statistics of a set of samples, and `hardgen stats`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hardgen.cli._app import app
from hardgen.schema import (
    GoldTurn,
    Message,
    Observation,
    Sample,
    SampleMetadata,
    Step,
    ToolCall,
    ToolSpec,
    VerificationRecord,
)
from hardgen.stats import Distribution, compute_stats


def _sample(
    sid: str,
    query: str,
    turns_of_calls: list[list[str]],
    *,
    domains: list[str],
    implicit: int = 0,
    attempts: int = 1,
    error_on: str | None = None,
) -> Sample:
    """A sample whose assistant turns call the named tools (several names: parallel calls)."""
    names = sorted({n for turn in turns_of_calls for n in turn})
    messages = [Message.user(query)]
    steps = []
    for k, turn in enumerate(turns_of_calls):
        calls = [ToolCall(id=f"{sid}-{k}-{i}", name=n, arguments={"x": i}) for i, n in enumerate(turn)]
        messages.append(Message.assistant(tool_calls=calls))
        for call in calls:
            obs = Observation.failure("NotFoundError", "no such x") if call.name == error_on else Observation.success(1)
            messages.append(Message.tool(call, obs.to_text()))
            steps.append(Step(call=call, observation=obs))
    messages.append(Message.assistant("done"))
    return Sample(
        id=sid,
        tools=[ToolSpec(name=n) for n in [*names, "distractor"]],
        messages=messages,
        environments=[],
        gold=[GoldTurn(query=query, steps=steps)],
        verification=VerificationRecord(verdict="passed", attempts=attempts),
        metadata=SampleMetadata(domains=domains, implicit_dependencies=implicit, advanced_tools=[f"adv_{sid}"]),
    )


def _samples() -> list[Sample]:
    return [
        _sample("a", "Book a flight from Rivermist to Stonebrook for Alice.", [["zip", "zip"], ["search"], ["book"]], domains=["travel"], implicit=3),
        _sample("b", "Book a flight from Rivermist to Stonebrook for Alice!", [["zip", "zip"], ["search"], ["book"]], domains=["travel"], implicit=3, attempts=2),
        _sample("c", "Move 250 euros from checking to savings.", [["get_account"], ["list"], ["transfer"]], domains=["banking"], implicit=2, error_on="get_account"),
        _sample("d", "Email Dana the Q3 report.", [["find"], ["send"]], domains=["crm", "mail"], implicit=1, attempts=3),
    ]  # fmt: skip


def test_counts_distributions_and_diversity() -> None:
    stats = compute_stats(_samples(), rejected=4)
    assert stats.samples == 4 and stats.rejected == 4 and stats.yield_rate == 0.5
    assert stats.first_try_rate == 0.5
    assert stats.calls_per_sample.histogram == {2: 1, 3: 1, 4: 2}
    assert stats.chain_length.max == 4 and stats.turns.histogram == {1: 4}
    assert stats.implicit_dependencies.mean == 2.25
    assert stats.parallel_call_messages == 2 and stats.error_observations == 1
    assert stats.domains == {"travel": 2, "banking": 1, "crm": 1, "mail": 1}
    assert stats.tool_calls["zip"] == 4 and stats.tools_called == 8 and stats.tools_offered == 9
    assert stats.advanced_tools == 4
    # a and b call the same tools in the same order
    assert stats.distinct_tool_sequences == 3 and stats.distinct_tool_sequence_ratio == 0.75
    near = stats.near_duplicates
    assert near.samples_with_duplicate == 2 and near.rate == 0.5 and near.examples == [["a", "b"]]


def test_distribution_summary() -> None:
    d = Distribution.of([1, 2, 2, 3, 10, 1, 1, 1, 1, 1])
    assert (d.count, d.min, d.max, d.median) == (10, 1, 10, 1.0)
    assert d.p90 == 3.0 and d.mean == 2.3


def test_empty_and_unknown_yield() -> None:
    stats = compute_stats([])
    assert stats.samples == 0 and stats.yield_rate is None and stats.distinct_tool_sequence_ratio == 0.0
    assert compute_stats(_samples()).yield_rate is None


def test_stats_command_json_and_plots(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "samples.jsonl").write_text("".join(s.to_json() + "\n" for s in _samples()), encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["stats", str(run), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["stats"]["samples"] == 4 and report["stats"]["rejected"] is None
    assert json.loads((out / "stats.json").read_text())["distinct_tool_sequences"] == 3
    pngs = [Path(f) for f in report["files"] if f.endswith(".png")]
    assert {p.name for p in pngs} >= {"calls_per_sample.png", "domains.png", "implicit_dependencies.png"}
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)


def test_stats_command_table_for_people(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("".join(s.to_json() + "\n" for s in _samples()), encoding="utf-8")
    result = CliRunner().invoke(app, ["stats", str(path)])
    assert result.exit_code == 0, result.output
    assert "distinct tool-sequence ratio" in result.output and "travel" in result.output
    result = CliRunner().invoke(app, ["stats", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2 and "does not exist" in " ".join(result.output.split())
