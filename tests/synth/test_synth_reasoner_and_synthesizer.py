"""The model-free Reasoner (backward chaining, executing as it goes, acting on critic hints) and the
Synthesizer that turns a unit into a verified Sample or a Rejection with a reason (issue 6, Build
3-5)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

import pytest
from synth_fixture_chain import ADA, ALAN, StoreDependencies, atoms, cancel_tool, store_tools
from verify_fixture_store import execute_trace, store_spec

from hardgen.schema import ArgumentSource, GoldTurn, Sample, Step
from hardgen.synth import (
    AdvancedTool,
    CriticHint,
    HardQuery,
    ModelFreeCritic,
    ModelFreeQueryWriter,
    ModelFreeReasoner,
    ReasonerAttempt,
    ReasonerTask,
    Rejection,
    SynthesisConfig,
    SynthesisUnit,
    Synthesizer,
    build_advanced_tool,
    execute_advanced,
)
from hardgen.tools import Session
from hardgen.verify import CandidateTurn, TurnVerdict, verify_sample, verify_turn


def balance_tool() -> AdvancedTool:
    """find_user -> get_balance: "what is Ada's store credit?"."""
    trace = execute_trace([("find_user", {"name": "Ada Lovelace"}), ("get_balance", {"user_id": "U-101"})],
                          sources={1: [ArgumentSource(parameter="user_id", step=0, path=["user_id"])]})
    return build_advanced_tool(trace, store_tools(), {cancel_tool().name})


class RecordingCritic:
    """The model-free critic, keeping every (gold, hint) pair it produced."""

    def __init__(self) -> None:
        self.inner = ModelFreeCritic()
        self.seen: list[tuple[GoldTurn, CriticHint]] = []

    async def critique(self, gold: GoldTurn, attempt: Sequence[Step], verdict: TurnVerdict,
                       answer_fields: Sequence[str] = ()) -> CriticHint:
        hint = await self.inner.critique(gold, attempt, verdict, answer_fields)
        self.seen.append((gold, hint))
        return hint


class CountingReasoner:
    """Records the hints of every call; `blind` withholds the advanced tool's description (the
    Reasoner's hint), so that a crippled dependency index really fails."""

    def __init__(self, inner: Any, blind: bool = False) -> None:
        self.inner = inner
        self.blind = blind
        self.calls: list[list[CriticHint]] = []

    async def solve(self, task: ReasonerTask, environment: Any, hints: Sequence[CriticHint]) -> ReasonerAttempt:
        self.calls.append(list(hints))
        if self.blind:
            task = task.model_copy(update={"hint": ""})
        return await self.inner.solve(task, environment, hints)


def synthesizer(reasoner: Any = None, critic: Any = None, query_writer: Any = None,
                library: Sequence[AdvancedTool] | None = None, **config: Any) -> Synthesizer:
    tools = library if library is not None else [cancel_tool(), balance_tool()]
    return Synthesizer([store_spec()], store_tools(), {t.name: t for t in tools},
                       query_writer or ModelFreeQueryWriter(), reasoner or ModelFreeReasoner(StoreDependencies()),
                       critic or ModelFreeCritic(), SynthesisConfig(**config))


def unit(arguments: dict[str, Any] = ADA, turns: int = 1, seed: int = 7, tool: str | None = None) -> SynthesisUnit:
    return SynthesisUnit(unit_id="u-1", seed=seed, advanced_tool=tool or cancel_tool().name, arguments=arguments,
                         turns=turns)


# --- Reasoner ------------------------------------------------------------------------------------

def _task_and_gold(seed: int = 3) -> tuple[ReasonerTask, GoldTurn, list[str]]:
    tool, tools = cancel_tool(), store_tools()
    session = Session.from_specs([store_spec()])
    steps = execute_advanced(tool, ADA, session)
    query = ModelFreeQueryWriter().compose(tool, ADA, steps, tools, random.Random(seed))
    gold = GoldTurn(query=query.text, steps=steps, required_observations=[1, 2], answer_values=query.answer_values,
                    final_state_hash=session.state_hash())
    session.close()
    return ReasonerTask(query=query.text, tools=list(tools.values()), hint=tool.description), gold, query.answer_fields


def _solve_with_critic(reasoner: ModelFreeReasoner, task: ReasonerTask, gold: GoldTurn, fields: list[str],
                       tries: int = 3) -> tuple[bool, list[CriticHint], ReasonerAttempt, Session]:
    hints: list[CriticHint] = []
    for _ in range(tries):
        live, replay = Session.from_specs([store_spec()]), Session.from_specs([store_spec()])
        attempt = asyncio.run(reasoner.solve(task, live, hints))
        verdict, replayed = verify_turn(replay, 0, gold, CandidateTurn(calls=[s.call for s in attempt.steps],
                                                                         answer=attempt.answer))
        if verdict.passed:
            return True, hints, attempt, live
        hints.append(asyncio.run(ModelFreeCritic().critique(gold, replayed, verdict, fields)))
    return False, hints, attempt, live


def test_the_reasoner_chains_back_over_the_dependencies_and_passes_within_k_tries() -> None:
    task, gold, fields = _task_and_gold()
    passed, hints, attempt, live = _solve_with_critic(ModelFreeReasoner(StoreDependencies()), task, gold, fields)
    assert passed, [h.text for h in hints]
    assert [s.call.name for s in attempt.steps] == ["login", "find_user", "list_orders", "cancel_order"]
    assert attempt.steps[-1].call.arguments == {"order_id": "O-5002"}
    # It executed on the environment it was given, and recorded where looked-up values came from.
    assert live.state_hash() == gold.final_state_hash
    assert [(s.call.name, src.parameter) for s in attempt.steps for src in s.sources] == [
        ("list_orders", "user_id"), ("cancel_order", "order_id")]
    # Every call is narrated, and every call is answered by its observation.
    calls = [m for m in attempt.messages if m.role == "assistant" and m.tool_calls]
    assert len(calls) == len(attempt.steps) and all(m.reasoning for m in calls)
    answers = [m.tool_call_id for m in attempt.messages if m.role == "tool"]
    assert answers == [m.tool_calls[0].id for m in calls]
    assert attempt.messages[-1].content == attempt.answer and "O-5002" in attempt.answer


def test_a_crippled_dependency_index_fails_and_the_hints_reveal_no_gold_value() -> None:
    for seed in range(6):
        task, gold, fields = _task_and_gold(seed)
        task = task.model_copy(update={"hint": ""})
        passed, hints, _, _ = _solve_with_critic(ModelFreeReasoner(StoreDependencies(crippled=True)),
                                                       task, gold, fields)
        assert not passed
        assert len(hints) == 3
        gold_atoms = {str(a).lower() for s in gold.steps for a in atoms(s.call.arguments) if len(str(a)) >= 3}
        for hint in hints:
            assert not any(a in hint.text.lower() for a in gold_atoms), hint.text


def test_the_reasoner_gives_up_cleanly_when_no_tool_fits() -> None:
    task = ReasonerTask(query="Sing me a song about the sea.", tools=[])
    attempt = asyncio.run(ModelFreeReasoner(StoreDependencies()).solve(task, Session.from_specs([store_spec()]), []))
    assert attempt.steps == [] and attempt.answer and attempt.messages[-1].role == "assistant"


def test_hints_steer_the_reasoner() -> None:
    task, gold, _ = _task_and_gold()
    reasoner = ModelFreeReasoner(StoreDependencies())
    banned = asyncio.run(reasoner.solve(task, Session.from_specs([store_spec()]),
                                        [CriticHint(kind="extra_change", tool="login", text="stop logging in")]))
    assert "login" not in [s.call.name for s in banned.steps]
    passed, hints, _, _ = _solve_with_critic(reasoner, task, gold, [])
    assert passed
    more = [*hints, CriticHint(kind="answer_missing", fields=["refund"], text="report it")]
    reported = asyncio.run(reasoner.solve(task, Session.from_specs([store_spec()]), more))
    answer = reported.answer or ""
    assert "refund" in answer.lower() and "210.00" in answer  # the field the critic named, in words


# --- Synthesizer ---------------------------------------------------------------------------------

def test_a_unit_becomes_a_sample_that_re_verifies_from_scratch() -> None:
    sample = asyncio.run(synthesizer().synthesize(unit()))
    assert isinstance(sample, Sample), sample
    assert verify_sample(sample).passed
    assert sample.verification.verdict == "passed" and sample.verification.attempts <= 3
    assert len(sample.verification.hints) == sample.verification.attempts - 1
    assert sample.metadata.advanced_tools == [cancel_tool().name]
    assert sample.metadata.chain_length == 4 and sample.metadata.implicit_dependencies == 2
    assert sample.metadata.turns == 1 and sample.metadata.provenance.seed == 7
    offered = {t.name for t in sample.tools}
    assert {"login", "find_user", "list_orders", "cancel_order"} <= offered
    assert sample.messages[0].role == "system" and sample.messages[1].role == "user"
    assert "O-5002" not in sample.messages[1].content and "Oak Bookshelf" in sample.messages[1].content
    # Same unit, same seed: the same sample, byte for byte (call ids included).
    assert asyncio.run(synthesizer().synthesize(unit())).model_dump_json() == sample.model_dump_json()


def test_other_values_make_another_verified_sample() -> None:
    sample = asyncio.run(synthesizer().synthesize(unit(ALAN)))
    assert isinstance(sample, Sample), sample
    assert verify_sample(sample).passed
    assert sample.gold[0].steps[-1].call.arguments == {"order_id": "O-5004"}


def test_turns_chain_on_one_evolving_state() -> None:
    sample = asyncio.run(synthesizer().synthesize(unit(turns=2)))
    assert isinstance(sample, Sample), sample
    assert sample.metadata.turns == 2 and len(sample.gold) == 2
    assert [m.role for m in sample.messages].count("user") == 2
    assert sample.metadata.advanced_tools == [cancel_tool().name, balance_tool().name]
    # The second turn saw the refund of the first: Ada's balance is 1234.5 + 210.
    assert sample.gold[1].steps[-1].observation.result == {"user_id": "U-101", "balance": 1444.5}
    assert verify_sample(sample).passed


def test_k_tries_then_a_rejection_with_the_hints() -> None:
    reasoner = CountingReasoner(ModelFreeReasoner(StoreDependencies(crippled=True)), blind=True)
    critic = RecordingCritic()
    result = asyncio.run(synthesizer(reasoner, critic, max_attempts=3).synthesize(unit()))
    assert isinstance(result, Rejection)
    assert result.stage == "reason" and result.attempts == 3
    assert len(reasoner.calls) == 3 and [len(h) for h in reasoner.calls] == [0, 1, 2]
    assert result.hints == [h.text for _, h in critic.seen] and len(result.hints) == 2
    assert result.details and result.reason == result.details[-1]


@pytest.mark.parametrize(("the_unit", "stage", "words"), [
    (unit(tool="no_such_adv"), "bind", "unknown advanced tool"),
    (unit({**ADA, "order_item": "Purple Sofa"}), "execute", "Purple Sofa"),
    (unit({**ADA, "password": "nope"}), "execute", "PermissionDeniedError"),
])
def test_a_unit_that_cannot_be_executed_is_rejected_with_its_stage(the_unit: SynthesisUnit, stage: str,
                                                                   words: str) -> None:
    result = asyncio.run(synthesizer().synthesize(the_unit))
    assert isinstance(result, Rejection) and result.stage == stage and words in result.reason


class LeakyQueryWriter:
    """Adds the looked-up customer id to a good query."""

    async def write(self, tool: AdvancedTool, arguments: Any, steps: Any, tools: Any, rng: random.Random,
                    references: Any = ()) -> HardQuery:
        query = ModelFreeQueryWriter().compose(tool, arguments, steps, tools, rng, references)
        return query.model_copy(update={"text": query.text + " (customer U-101)"})


def test_a_leaky_query_is_rejected_before_any_reasoning() -> None:
    reasoner = CountingReasoner(ModelFreeReasoner(StoreDependencies()))
    result = asyncio.run(synthesizer(reasoner, query_writer=LeakyQueryWriter()).synthesize(unit()))
    assert isinstance(result, Rejection) and result.stage == "query"
    assert "intermediate" in result.reason and reasoner.calls == []


class BrokenReasoner:
    async def solve(self, task: Any, environment: Any, hints: Any) -> ReasonerAttempt:
        raise RuntimeError("the model server went away")


def test_a_broken_role_is_a_recorded_rejection_not_a_crash() -> None:
    result = asyncio.run(synthesizer(BrokenReasoner()).synthesize(unit()))
    assert isinstance(result, Rejection) and result.stage == "error"
    assert "RuntimeError: the model server went away" in result.reason


def test_a_gold_write_that_changes_nothing_must_be_seen_to_be_made() -> None:
    # The status already is "available": the state hash cannot show whether the call was made, so
    # its result becomes a required observation and skipping it fails verification.
    trace = execute_trace([("set_status", {"status": "available"})])
    tool = build_advanced_tool(trace, store_tools(), set())
    result = asyncio.run(synthesizer(library=[tool]).synthesize(
        SynthesisUnit(unit_id="u-noop", seed=1, advanced_tool=tool.name, arguments=tool.example_arguments)))
    assert isinstance(result, Sample), result
    assert result.gold[0].required_observations == [0]
    assert verify_sample(result).passed
    skipped = result.model_copy(deep=True)
    skipped.messages = [m for m in skipped.messages
                        if not (m.tool_calls and m.tool_calls[0].name == "set_status") and m.name != "set_status"]
    assert not verify_sample(skipped).passed
