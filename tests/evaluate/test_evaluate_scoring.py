"""evaluate_samples: per-sample and per-turn scoring, breakdowns, per-tool failures, backend errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

from evaluate_fixture_agents import FailingBackend, GoldReplayAgent

from hardgen.agents import ModelFreeAgent
from hardgen.evaluate import Evaluation, evaluate_samples, load_samples, merge_evaluation
from hardgen.graph import ApiGraph
from hardgen.pipeline import FailureReport, RunDirectory


def test_gold_replay_passes_every_sample(small_run: Path) -> None:
    samples = load_samples(small_run)
    evaluation = asyncio.run(evaluate_samples(GoldReplayAgent(samples), samples, concurrency=3))
    assert evaluation.accuracy == 1.0 and evaluation.turn_accuracy == 1.0
    assert evaluation.passed == evaluation.scored == len(samples)
    assert all(s.failures == 0 for s in evaluation.tools.values())
    assert evaluation.failing_tools() == []
    assert [r.sample_id for r in evaluation.results] == [s.id for s in samples]  # input order kept


def test_model_free_fails_implicit_dependencies_and_the_failures_move_the_weights(small_run: Path) -> None:
    samples = load_samples(small_run)
    evaluation = asyncio.run(evaluate_samples(ModelFreeAgent(seed=0), samples))
    # The model-free agent does not chain: samples whose arguments come from earlier outputs fail.
    with_deps = [r for r in evaluation.results if r.implicit_dependencies >= 1]
    assert with_deps and not any(r.passed for r in with_deps)
    assert evaluation.accuracy < 0.5
    assert "missing_prerequisite" in evaluation.taxonomy
    failing = evaluation.failing_tools()
    assert failing
    for tool in failing:
        stats = evaluation.tools[tool]
        assert stats.failures >= 1 and sum(stats.taxonomy.values()) == stats.failures

    run = RunDirectory(small_run)
    report = FailureReport.model_validate_json(run.failures.read_text(encoding="utf-8"))
    graph = ApiGraph.load(run.graph)
    weights_before = {t: graph.target_weight(t) for t in graph.tools}
    merged, update = merge_evaluation(report, evaluation, graph=graph)
    weights_after = {t: graph.target_weight(t) for t in graph.tools}
    assert weights_after != weights_before
    assert update.weight_share_after > update.weight_share_before
    # Membership follows the pooled evidence (probe + evaluation): a failing tool the probe saw
    # passing often enough may stay out; every tool whose pooled rate reaches the threshold is in.
    pooled_in = {t for t in merged.tools if merged.tools[t].joint.attempts
                 and merged.tools[t].joint.failure_rate >= merged.threshold}
    assert pooled_in == set(merged.failure_set)
    steered = [t for t in failing if t in merged.failure_set]
    assert steered
    others = [t for t in merged.failure_set if t not in failing]
    assert others, "the small world leaves failure-set tools the evaluation did not cover"
    assert min(weights_after[t] for t in steered) > max(weights_after[t] for t in others)
    # Evidence is kept in true counts: the probe's plus the evaluation's.
    tool = failing[0]
    before = report.tools[tool].joint.attempts if tool in report.tools else 0
    assert merged.tools[tool].joint.attempts == before + evaluation.tools[tool].attempts
    assert report.failure_set == FailureReport.model_validate_json(run.failures.read_text()).failure_set  # unchanged


def test_a_tool_the_agent_now_masters_leaves_the_failure_set(small_run: Path) -> None:
    samples = load_samples(small_run)
    run = RunDirectory(small_run)
    report = FailureReport.model_validate_json(run.failures.read_text(encoding="utf-8"))
    oracle = GoldReplayAgent(samples)
    merged = report
    for _ in range(3):  # three clean evaluations outweigh one failing probe per tool
        evaluation = asyncio.run(evaluate_samples(oracle, samples))
        merged, update = merge_evaluation(merged, evaluation)
    mastered = set(evaluation.tools) & set(report.failure_set)
    assert mastered
    assert not mastered & set(merged.failure_set)
    assert mastered <= set(update.removed) | (set(report.failure_set) - set(merged.failure_set))


def test_backend_errors_are_recorded_per_sample_not_raised(small_run: Path) -> None:
    samples = load_samples(small_run)
    broken = {samples[0].id}
    evaluation = asyncio.run(evaluate_samples(FailingBackend(broken), samples))
    assert evaluation.errors == 1 and evaluation.scored == len(samples) - 1
    first = evaluation.results[0]
    assert first.error and "server went away" in first.error and not first.passed
    assert all(r.error is None for r in evaluation.results[1:])
    everything = asyncio.run(evaluate_samples(FailingBackend(), samples))
    assert everything.errors == len(samples) and everything.scored == 0 and everything.tools == {}
    assert everything.accuracy == 0.0


def test_breakdowns_cover_every_scored_sample(small_run: Path) -> None:
    samples = load_samples(small_run)
    evaluation = asyncio.run(evaluate_samples(ModelFreeAgent(), samples))
    assert sum(b.samples for b in evaluation.by_chain_length.values()) == evaluation.scored
    assert sum(b.samples for b in evaluation.by_implicit_dependencies.values()) == evaluation.scored
    assert set(evaluation.by_domain) <= {"messaging", "banking"}
    assert list(evaluation.by_chain_length) == sorted(evaluation.by_chain_length, key=int)
    for key, bucket in evaluation.by_chain_length.items():
        assert bucket.samples == sum(r.chain_length == int(key) for r in evaluation.results if r.scored)
    for key, bucket in evaluation.by_implicit_dependencies.items():
        members = [r for r in evaluation.results if r.implicit_dependencies == int(key)]
        assert bucket.passed == sum(r.passed for r in members)
    round_trip = Evaluation.model_validate_json(evaluation.model_dump_json())
    assert round_trip == evaluation


def test_the_evaluation_stage_writes_its_file_and_a_complete_one_is_read_back_not_redone(
        small_run: Path, tmp_path: Path) -> None:
    import shutil

    from hardgen.evaluate._stage import evaluate_run, evaluation_stage
    from hardgen.pipeline import load_config
    from hardgen.pipeline._stages import stage_files

    run = RunDirectory(shutil.copytree(small_run, tmp_path / "run"))
    config = load_config(run.config)
    samples = load_samples(run.samples)
    assert stage_files(run, evaluation_stage("eval-oracle.json")) == (["samples.jsonl"], ["eval-oracle.json"])
    first = asyncio.run(evaluate_run(run, GoldReplayAgent(samples), config, seed=0, file="eval-oracle.json"))
    assert first.accuracy == 1.0 and (run.path / "eval-oracle.json").exists()
    # The artifact is complete: the stage is skipped (a broken agent is never asked) and its file read.
    again = asyncio.run(evaluate_run(run, FailingBackend(), config, seed=0, file="eval-oracle.json"))
    assert again == first
