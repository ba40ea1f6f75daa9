"""Every sample a run emits re-verifies from scratch; tampered samples fail for the right reason; no
critic hint over many provoked failures reveals a gold argument value (issue 6, Show)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hardgen.graph import ApiGraph
from hardgen.pipeline import Manifest, iter_jsonl, load_config, resolve_sources
from hardgen.schema import SAMPLE_SCHEMA_VERSION, GoldTurn, Message, Sample, Step
from hardgen.synth import (
    AdvancedTool,
    CriticHint,
    ModelFreeCritic,
    ModelFreeQueryWriter,
    ModelFreeReasoner,
    Producer,
    ReasonerAttempt,
    ReasonerTask,
    Rejection,
    SynthesisConfig,
    SynthesisUnit,
    Synthesizer,
    check_query,
    execute_advanced,
)
from hardgen.synth._graph_dependencies import GraphDependencies
from hardgen.tools import Session
from hardgen.verify import TurnVerdict, value_in_text, verify_sample


def _samples(run: Path) -> list[Sample]:
    return [Sample.model_validate_json(line) for line in (run / "samples.jsonl").read_text().splitlines()]


def _replay_independently(sample: Sample) -> list[str]:
    """The check of DESIGN.md §4 written out here, apart from the library's verifier: replay the
    assistant's calls turn by turn from the initial state; the state must match, the answer carry
    the requested values, and each of them be in a result the candidate obtained (a read goal
    need not be repeated when another call gave its values)."""
    problems: list[str] = []
    session = Session.from_specs(sample.environments)
    try:
        turns: list[tuple[list[Any], str]] = []
        for message in sample.messages:
            if message.role == "user":
                turns.append(([], ""))
            elif message.role == "assistant" and turns:
                turns[-1][0].extend(message.tool_calls or [])
                if message.content:
                    turns[-1] = (turns[-1][0], message.content)
        obtained: list[str] = []  # the results the candidate itself got, all turns so far
        if len(turns) != len(sample.gold):
            return [f"{len(turns)} user turns for {len(sample.gold)} gold turns"]
        for t, ((calls, answer), gold) in enumerate(zip(turns, sample.gold, strict=True)):
            observed = [(c.name, session.call(c.name, c.arguments)) for c in calls]
            if session.state_hash() != gold.final_state_hash:
                problems.append(f"turn {t}: state hash")
            obtained.extend(str(obs.result) for _, obs in observed if obs.ok)
            for j in gold.required_observations:
                want = gold.steps[j]
                if not session.tool(want.call.name).mutates and gold.answer_values:
                    continue  # a read goal with values to report: the values must be obtained (below)
                if not any(name == want.call.name and obs.ok and obs.result == want.observation.result
                           for name, obs in observed):
                    problems.append(f"turn {t}: observation of {want.call.name}")
            problems += [f"turn {t}: answer lacks {v!r}" for v in gold.answer_values if not value_in_text(v, answer)]
            problems += [f"turn {t}: {v!r} was never obtained" for v in gold.answer_values
                         if not any(value_in_text(v, r) for r in obtained)]
    finally:
        session.close()
    return problems


def test_every_emitted_sample_re_verifies_from_scratch(small_run: tuple[Path, Manifest]) -> None:
    run, manifest = small_run
    samples = _samples(run)
    assert len(samples) == manifest.samples == 30
    for sample in samples:
        assert verify_sample(sample).passed, (sample.id, verify_sample(sample).reasons)
        assert _replay_independently(sample) == [], sample.id
        assert sample.verification.verdict == "passed"
        assert sample.metadata.chain_length >= 2 and sample.metadata.chain_length == sum(len(g.steps) for g in sample.gold)


def test_no_first_query_shows_an_intermediate_value_or_misses_a_stated_one(small_run: tuple[Path, Manifest]) -> None:
    run, _ = small_run
    units = {u["unit_id"]: SynthesisUnit.model_validate(u) for u in iter_jsonl(run / "units.jsonl")}
    for sample in _samples(run):
        gold = sample.gold[0]
        assert check_query(gold.query, units[sample.id].arguments, gold.steps) == [], (sample.id, gold.query)
        assert sample.messages[1] == Message.user(gold.query)


def test_the_manifest_counts_what_is_on_disk(small_run: tuple[Path, Manifest]) -> None:
    run, manifest = small_run
    rejected = list(iter_jsonl(run / "rejected.jsonl"))
    assert manifest.rejected == len(rejected)
    assert manifest.yield_rate == pytest.approx(manifest.samples / (manifest.samples + manifest.rejected))
    assert sum(manifest.rejections_by_stage.values()) == len(rejected)
    assert all(r["reason"] and r["stage"] in ("bind", "execute", "query", "reason", "error") for r in rejected)
    assert (run / "config.yaml").exists() and (run / "graph.json").exists() and (run / "failures.json").exists()
    assert manifest.mean_calls >= 2 and manifest.advanced_tools == sum(1 for _ in iter_jsonl(run / "advanced_tools.jsonl"))


def test_every_library_tool_replays_with_its_own_values(small_run: tuple[Path, Manifest]) -> None:
    run, _ = small_run
    specs = resolve_sources(load_config(run / "config.yaml"))
    library = [AdvancedTool.model_validate(r) for r in iter_jsonl(run / "advanced_tools.jsonl")]
    for tool in library:
        session = Session.from_specs(specs)
        try:
            steps = execute_advanced(tool, tool.example_arguments, session, {t.name: t for t in library})
        finally:
            session.close()
        assert len(steps) >= 2 and all(s.observation.ok for s in steps), tool.name


# --- tampering -----------------------------------------------------------------------------------

def _first_turn_calls(sample: Sample) -> list[tuple[int, Any]]:
    users = [i for i, m in enumerate(sample.messages) if m.role == "user"]
    end = users[1] if len(users) > 1 else len(sample.messages)
    return [(i, m) for i, m in enumerate(sample.messages[:end]) if m.role == "assistant" and m.tool_calls]


def _unfixed_malformed_call(sample: Sample) -> bool:
    """A malformed call to a tool that never succeeded in the transcript (a sample can still pass
    then, when the gold call to that tool changed nothing)."""
    ok = {m.name for m in sample.messages if m.role == "tool" and not (m.content or "").startswith('{"error"')}
    return any(m.role == "tool" and m.name not in ok and any(f'"type": "{kind}"' in (m.content or "")
                                                             for kind in ("ArgumentError", "UnknownToolError"))
               for m in sample.messages)


def _without_calls_to(sample: Sample, tool: str) -> Sample:
    dropped = {c.id for m in sample.messages for c in (m.tool_calls or []) if c.name == tool}
    messages = [m for m in sample.messages if not (m.tool_calls and {c.id for c in m.tool_calls} <= dropped)
                and m.tool_call_id not in dropped]
    return sample.model_copy(update={"messages": messages})


def test_a_changed_argument_fails_as_a_wrong_argument(small_run: tuple[Path, Manifest]) -> None:
    run, _ = small_run
    checked = 0
    for sample in _samples(run):
        gold = sample.gold[0]
        goal = gold.steps[-1]
        if _unfixed_malformed_call(sample):
            continue  # then malformed_call is the classification, by design
        strings = [k for k, v in goal.call.arguments.items() if isinstance(v, str)
                   and "enum" not in next(t for t in sample.tools if t.name == goal.call.name).parameters[
                       "properties"].get(k, {})]
        if not strings:
            continue
        goal_spec = next(t for t in sample.tools if t.name == goal.call.name)
        others = [str(s.observation.result) for s in gold.steps[:-1]]
        if not goal_spec.mutates and gold.answer_values and all(
                any(value_in_text(v, r) for r in others) for v in gold.answer_values):
            continue  # the answer's values are in an earlier result too: the goal's own read is not needed
        tampered = sample.model_copy(deep=True)
        for _, message in _first_turn_calls(tampered):
            for call in message.tool_calls:
                if call.name == goal.call.name:
                    call.arguments[strings[0]] = "ZZ-tampered-404"
        verdict = verify_sample(tampered)
        assert not verdict.passed, sample.id
        assert verdict.failure == "wrong_argument", (sample.id, verdict.failure, verdict.reasons)
        assert goal.call.name in verdict.failed_tools
        checked += 1
    assert checked >= 5


def test_a_removed_call_fails_as_a_missing_prerequisite(small_run: tuple[Path, Manifest]) -> None:
    run, _ = small_run
    checked = 0
    for sample in _samples(run):
        gold = sample.gold[0]
        first, goal = gold.steps[0].call.name, gold.steps[-1].call.name
        if first == goal or len(sample.gold) > 1:
            continue
        verdict = verify_sample(_without_calls_to(sample, first))
        assert not verdict.passed, sample.id
        assert verdict.failure == "missing_prerequisite", (sample.id, verdict.failure, verdict.reasons)
        assert first in verdict.failed_tools
        checked += 1
    assert checked >= 5


def test_a_changed_answer_fails_as_a_missing_answer(small_run: tuple[Path, Manifest]) -> None:
    run, _ = small_run
    checked = 0
    for sample in _samples(run):
        if not sample.gold[-1].answer_values:
            continue
        tampered = sample.model_copy(deep=True)
        tampered.messages[-1].content = "All done, have a nice day."
        verdict = verify_sample(tampered)
        assert not verdict.passed
        # Only the answer is wrong: the state and every needed observation still match.
        assert verdict.reasons == [f"turn {len(sample.gold)}: the final answer lacks "
                                   f"{len(verdict.turns[-1].missing_answer_values)} requested value(s)"]
        assert verdict.turns[-1].missing_answer_values
        assert verdict.failure == "answer_missing", (sample.id, verdict.failure)
        checked += 1
    assert checked >= 5


def test_a_tampered_gold_fails_the_gold_check(small_run: tuple[Path, Manifest]) -> None:
    run, _ = small_run
    sample = _samples(run)[0]
    tampered = sample.model_copy(deep=True)
    tampered.gold[0].final_state_hash = "0" * 64
    verdict = verify_sample(tampered)
    assert not verdict.passed and any("state" in r for r in verdict.reasons)


# --- critic hints over many provoked failures ----------------------------------------------------

class NoDependencies:
    def producers(self, tool: str, parameter: str) -> list[Producer]:
        return []

    def prerequisites(self, tool: str) -> list[str]:
        return []


class SabotagingReasoner:
    """A real reasoner whose attempts are spoiled in turn: a wrong argument, no answer, a dropped
    first call, or (blind: no hint, no dependency index) whatever the planner manages alone."""

    def __init__(self, graph: ApiGraph) -> None:
        self.good = ModelFreeReasoner(GraphDependencies(graph))
        self.blind = ModelFreeReasoner(NoDependencies())
        self.count = 0

    async def solve(self, task: ReasonerTask, environment: Any, hints: Sequence[CriticHint]) -> ReasonerAttempt:
        self.count += 1
        mode = self.count % 4
        if mode == 0:
            return await self.blind.solve(task.model_copy(update={"hint": ""}), environment, hints)
        attempt = await self.good.solve(task, environment, hints)
        steps = [s.model_copy(deep=True) for s in attempt.steps]
        if mode == 1 and steps:
            call = steps[-1].call
            key = next((k for k, v in call.arguments.items() if isinstance(v, str)), None)
            if key:
                call.arguments[key] = "ZZ-wrong"
        elif mode == 2:
            return attempt.model_copy(update={"answer": "Done."})
        elif mode == 3 and steps:
            steps = steps[1:]
        return attempt.model_copy(update={"steps": steps})


class RecordingCritic:
    def __init__(self) -> None:
        self.inner = ModelFreeCritic()
        self.seen: list[tuple[GoldTurn, CriticHint]] = []

    async def critique(self, gold: GoldTurn, attempt: Sequence[Step], verdict: TurnVerdict,
                       answer_fields: Sequence[str] = ()) -> CriticHint:
        hint = await self.inner.critique(gold, attempt, verdict, answer_fields)
        self.seen.append((gold, hint))
        return hint


def _argument_values(gold: GoldTurn) -> list[Any]:
    values: list[Any] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif (isinstance(v, str) and len(v) >= 3) or (
                isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= 10):
            values.append(v)

    for step in gold.steps:
        walk(step.call.arguments)
    return values


def _mentions(text: str, value: Any) -> bool:
    forms = [value] if isinstance(value, str) else [str(value), f"{value:.2f}", str(int(value))]
    return any(re.search(rf"(?<![\w.]){re.escape(str(f).lower())}(?!\w)", text.lower()) for f in forms)


@pytest.fixture(scope="module")
def run_parts(small_run: tuple[Path, Manifest]) -> dict[str, Any]:
    run, _ = small_run
    config = load_config(run / "config.yaml")
    graph = ApiGraph.load(run / "graph.json")
    library = [AdvancedTool.model_validate(r) for r in iter_jsonl(run / "advanced_tools.jsonl")]
    units = [SynthesisUnit.model_validate(r) for r in iter_jsonl(run / "units.jsonl")]
    return {"specs": resolve_sources(config), "graph": graph, "library": library, "units": units}


def test_no_critic_hint_reveals_a_gold_argument_value(run_parts: dict[str, Any]) -> None:
    graph = run_parts["graph"]
    critic = RecordingCritic()
    synthesizer = Synthesizer(run_parts["specs"], graph.specs(), {t.name: t for t in run_parts["library"]},
                              ModelFreeQueryWriter(), SabotagingReasoner(graph), critic, SynthesisConfig())
    results = [asyncio.run(synthesizer.synthesize(u)) for u in run_parts["units"][:24]]
    assert len(critic.seen) >= 15
    assert {h.kind for _, h in critic.seen} >= {"wrong_argument", "answer_missing", "missing_step"}
    for gold, hint in critic.seen:
        leaked = [v for v in _argument_values(gold) if _mentions(hint.text, v)]
        assert leaked == [], (hint.kind, hint.text, leaked)
    # What was stored (in rejections and samples) is what the critic said.
    stored = [h for r in results for h in (r.hints if isinstance(r, Rejection) else r.verification.hints)]
    assert set(stored) <= {h.text for _, h in critic.seen}
    assert any(isinstance(r, Rejection) and r.stage == "reason" for r in results)


def test_units_with_several_turns_make_verified_multi_turn_samples(run_parts: dict[str, Any]) -> None:
    graph = run_parts["graph"]
    synthesizer = Synthesizer(run_parts["specs"], graph.specs(), {t.name: t for t in run_parts["library"]},
                              ModelFreeQueryWriter(), ModelFreeReasoner(GraphDependencies(graph)), ModelFreeCritic(),
                              SynthesisConfig())
    samples = []
    for unit in run_parts["units"][:12]:
        result = asyncio.run(synthesizer.synthesize(unit.model_copy(update={"turns": 3})))
        if isinstance(result, Sample):
            samples.append(result)
    multi = [s for s in samples if s.metadata.turns > 1]
    assert len(multi) >= 3
    for sample in multi:
        assert [m.role for m in sample.messages].count("user") == sample.metadata.turns == len(sample.gold)
        assert verify_sample(sample).passed, sample.id
        assert _replay_independently(sample) == []


def test_samples_carry_their_schema_version_and_older_files_still_read(small_run: tuple[Path, Manifest]) -> None:
    run, _ = small_run
    records = list(iter_jsonl(run / "samples.jsonl"))
    # Base samples stay version 1 (families write version 2, which this HardGen also reads).
    assert records and all(r["schema_version"] == 1 for r in records) and SAMPLE_SCHEMA_VERSION == 2
    assert next(iter((run / "samples.jsonl").read_text().splitlines())).startswith('{"schema_version":1,')
    # A sample written before versions were recorded is version 1 and reads as before.
    older = {k: v for k, v in records[0].items() if k != "schema_version"}
    assert Sample.model_validate(older) == Sample.model_validate(records[0])
    # One from a newer HardGen is refused with what to do, not misread.
    with pytest.raises(ValidationError, match="newer than this HardGen reads"):
        Sample.model_validate_json(json.dumps({**records[0], "schema_version": SAMPLE_SCHEMA_VERSION + 1}))
