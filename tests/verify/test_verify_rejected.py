"""The verifier replays only offered calls that ran: a call to a tool that was not offered, output
that could not be read as a call, and a skipped call are never replayed and fail the turn, in a
stored sample (`hardgen verify`) and in a live attempt alike."""

from __future__ import annotations

import asyncio
from typing import Any

from verify_fixture_store import gold_turn, store_spec

from hardgen.agents import run_agent
from hardgen.llm import ChatRequest, ChatResponse
from hardgen.schema import Message, Observation, RejectedCall, Sample, ToolCall, ToolSpec, VerificationRecord
from hardgen.synth import LLMReasoner
from hardgen.synth._reasoner import ReasonerTask
from hardgen.tools import Session
from hardgen.verify import CandidateTurn, candidate_from_messages, verify_candidate, verify_sample, verify_turn

LOGIN = ("login", {"username": "ada", "password": "lamp-42"})
FIND = ("find_user", {"name": "Ada Lovelace"})
LIST = ("list_orders", {"user_id": "U-101"})
CANCEL = ("cancel_order", {"order_id": "O-5001"})
CANCEL_ONLY = gold_turn([LOGIN, FIND, LIST, CANCEL], required=[1, 2], answer_values=[35.0])


def _call(pair: tuple[str, dict[str, Any]]) -> ToolCall:
    return ToolCall(name=pair[0], arguments=dict(pair[1]))


def _tools(without: str | None = None) -> list[ToolSpec]:
    session = Session.from_specs([store_spec()])
    try:
        return [t for t in session.tools() if t.name != without]
    finally:
        session.close()


def _sample(rounds: list[tuple[ToolCall, str]], tools: list[ToolSpec]) -> Sample:
    messages: list[Message] = [Message.system("s"), Message.user(CANCEL_ONLY.query)]
    for call, result in rounds:
        messages += [Message.assistant(tool_calls=[call]), Message.tool(call, result)]
    messages.append(Message.assistant(content="Cancelled; 35.0 was refunded."))
    return Sample(id="t", tools=tools, messages=messages, environments=[store_spec()], gold=[CANCEL_ONLY],
                  verification=VerificationRecord(verdict="passed"))


def test_a_stored_call_to_a_tool_that_was_not_offered_is_not_replayed_and_fails() -> None:
    rounds = [(_call(step), "{}") for step in (LOGIN, FIND, LIST, CANCEL)]
    offered_all = _sample(rounds, _tools())
    assert verify_sample(offered_all, gold_check=False).passed
    # The same transcript where cancel_order was never offered: before, the verifier replayed it on
    # an environment that has it, reached the gold state and passed.
    sample = _sample(rounds, _tools(without="cancel_order"))
    verdict = verify_sample(sample, gold_check=False)
    assert not verdict.passed
    turn = verdict.turns[0]
    assert turn.actual_state_hash != CANCEL_ONLY.final_state_hash  # the cancellation never ran
    assert any("not offered: cancel_order" in r for r in verdict.reasons)
    assert turn.failure == "malformed_call"


def test_a_stand_in_for_malformed_output_in_an_old_file_is_not_replayed() -> None:
    # Files written before rejected calls were recorded hold a stand-in call answered with a
    # MalformedCallError. Had it been replayed, this one would have made the cancellation.
    stand_in = _call(CANCEL)
    malformed = Observation.failure("MalformedCallError", "<tool_call> block #0 is not a valid JSON tool call")
    rounds = [(_call(step), "{}") for step in (LOGIN, FIND, LIST)] + [(stand_in, malformed.to_text())]
    sample = _sample(rounds, _tools())
    turns = candidate_from_messages(sample.messages, offered={t.name for t in sample.tools})
    assert [c.name for c in turns[0].calls] == ["login", "find_user", "list_orders"]
    assert [(r.kind, r.call.id if r.call else None) for r in turns[0].rejected] == [("malformed", stand_in.id)]
    verdict = verify_sample(sample, gold_check=False)
    assert not verdict.passed and verdict.turns[0].actual_state_hash != CANCEL_ONLY.final_state_hash
    assert any("could not be read" in r for r in verdict.reasons)


def test_a_skipped_call_is_not_replayed() -> None:
    skipped = Observation.failure("SkippedCallError", "not executed: the episode stopped on a repeated failing call")
    rounds = [(_call(step), "{}") for step in (LOGIN, FIND, LIST)] + [(_call(CANCEL), skipped.to_text())]
    turns = candidate_from_messages(_sample(rounds, _tools()).messages)
    assert [r.kind for r in turns[0].rejected] == ["skipped"]
    assert "cancel_order" not in [c.name for c in turns[0].calls]


def test_rejected_calls_fail_an_otherwise_perfect_turn() -> None:
    perfect = [_call(step) for step in (LOGIN, FIND, LIST, CANCEL)]
    envs = [store_spec()]
    assert verify_candidate(envs, [CANCEL_ONLY], [CandidateTurn(calls=perfect, answer="refund 35.0")]).passed
    for rejected in (RejectedCall(kind="unoffered", call=ToolCall(name="delete_account")),
                     RejectedCall(kind="malformed", reason="<tool_call> block #0 is not a valid JSON tool call")):
        verdict = verify_candidate(envs, [CANCEL_ONLY],
                                   [CandidateTurn(calls=perfect, answer="refund 35.0", rejected=[rejected])])
        assert not verdict.passed and verdict.failure == "malformed_call"
        # The state was right: only the rejected call fails the turn.
        assert verdict.turns[0].actual_state_hash == CANCEL_ONLY.final_state_hash


class _Scripted:
    name = "scripted"
    model = "s"

    def __init__(self, replies: list[ChatResponse]) -> None:
        self.replies = replies

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return self.replies.pop(0)


def test_a_live_attempt_that_called_an_unoffered_tool_fails_and_the_tool_never_ran() -> None:
    tools = _tools(without="cancel_order")
    session = Session.from_specs([store_spec()])
    start = session.state_hash()
    backend = _Scripted([
        ChatResponse(message=Message.assistant(tool_calls=[_call(LOGIN), _call(FIND), _call(LIST)])),
        ChatResponse(message=Message.assistant(tool_calls=[_call(CANCEL)])),
        ChatResponse(message=Message.assistant("Cancelled; 35.0 was refunded.")),
    ])
    try:
        run = asyncio.run(run_agent(backend, [Message.user(CANCEL_ONLY.query)], tools, session))
        assert [s.call.name for s in run.steps] == ["login", "find_user", "list_orders"]
        assert [r.kind for r in run.rejected] == ["unoffered"]
        login_only = Session.from_specs([store_spec()])
        login_only.call(*LOGIN)
        assert session.state_hash() in (start, login_only.state_hash())  # nothing was cancelled
        login_only.close()
    finally:
        session.close()
    candidate = CandidateTurn(calls=run.calls, answer=run.final_answer, rejected=run.rejected)
    verdict = verify_candidate([store_spec()], [CANCEL_ONLY], [candidate])
    assert not verdict.passed and any("not offered" in r for r in verdict.reasons)
    # And the transcript, stored as a sample, fails `hardgen verify` the same way.
    sample = Sample(id="live", tools=tools, messages=[Message.user(CANCEL_ONLY.query), *run.messages],
                    environments=[store_spec()], gold=[CANCEL_ONLY], verification=VerificationRecord(verdict="passed"))
    assert not verify_sample(sample, gold_check=False).passed


def test_an_llm_reasoner_attempt_carries_its_rejected_calls_into_verification() -> None:
    tools = _tools(without="cancel_order")
    backend = _Scripted([
        ChatResponse(message=Message.assistant(tool_calls=[_call(LOGIN), _call(FIND), _call(LIST)])),
        ChatResponse(message=Message.assistant(tool_calls=[_call(CANCEL)])),
        ChatResponse(message=Message.assistant("Cancelled; 35.0 was refunded.")),
    ])
    live = Session.from_specs([store_spec()])
    replay = Session.from_specs([store_spec()])
    try:
        task = ReasonerTask(query=CANCEL_ONLY.query, tools=tools, turn=0)
        attempt = asyncio.run(LLMReasoner(backend).solve(task, live, []))
        assert [r.kind for r in attempt.rejected] == ["unoffered"]
        assert "cancel_order" not in [s.call.name for s in attempt.steps]
        # What the synthesizer hands the verifier.
        verdict, _ = verify_turn(replay, 0, CANCEL_ONLY, CandidateTurn(
            calls=[s.call for s in attempt.steps], answer=attempt.answer, rejected=attempt.rejected))
        assert not verdict.passed and verdict.failure == "malformed_call"
    finally:
        live.close()
        replay.close()
