"""The LLM roles with a scripted backend: a model names things but never supplies the executable
body, a query that fails the mechanical check is rewritten, and a critic's hint never carries a gold
value, however adversarial the model."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Sequence
from typing import Any

import pytest
from synth_fixture_chain import ADA, GOLD, STEPS, cancel_trace, is_prerequisite, leaked_values, store_tools
from verify_fixture_store import store_spec

from hardgen.llm import ChatRequest, ChatResponse
from hardgen.schema import Message, ToolCall
from hardgen.synth import (
    LLMCritic,
    LLMQueryWriter,
    LLMReasoner,
    LLMToolMaker,
    ReasonerTask,
    build_advanced_tool,
    check_query,
)
from hardgen.tools import Session
from hardgen.verify import CandidateTurn, verify_turn


class ScriptedBackend:
    """Answers with the given replies in turn (repeating the last one)."""

    name = "scripted"
    model = "script-1"

    def __init__(self, replies: Sequence[str | Message]) -> None:
        self.replies = list(replies)
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return ChatResponse(message=reply if isinstance(reply, Message) else Message.assistant(reply))


def make(reply: str) -> Any:
    maker = LLMToolMaker(ScriptedBackend([reply]), is_prerequisite)
    return asyncio.run(maker.make(cancel_trace(), store_tools(), {"taken_name"}))


MODEL_FREE = build_advanced_tool(cancel_trace(), store_tools(), {"taken_name"}, is_prerequisite)


def test_the_llm_tool_maker_renames_and_redescribes_but_keeps_the_body() -> None:
    tool = make('```json\n{"name": "cancel_named_order", "description": "Cancel the order a customer names."}\n```')
    assert tool.name == "cancel_named_order"
    assert tool.description.startswith("Cancel the order a customer names.")
    assert "Internally" in tool.description  # the part that names the sub-tools stays (the reasoner's hint)
    assert tool.steps == MODEL_FREE.steps and tool.parameters == MODEL_FREE.parameters
    assert tool.example_arguments == MODEL_FREE.example_arguments


@pytest.mark.parametrize("reply", [
    "no JSON here at all",
    '{"name": "taken_name", "description": "x"}',
    '{"name": "Drop Table; rm -rf /", "description": "short"}',
    '{"name": "login", "description": "clashes with a primitive tool"}',
])
def test_unusable_names_and_answers_fall_back_to_the_model_free_ones(reply: str) -> None:
    tool = make(reply)
    assert tool.name == MODEL_FREE.name
    assert tool.steps == MODEL_FREE.steps


def test_a_model_cannot_inject_steps_into_the_body() -> None:
    injected = json.dumps({"name": "cancel_everything", "description": "Cancel all orders of everyone.",
                           "steps": [{"tool": "set_status", "arguments": {}}], "example_arguments": {"x": 1}})
    tool = make(injected)
    assert tool.steps == MODEL_FREE.steps and tool.example_arguments == MODEL_FREE.example_arguments


def _write(replies: Sequence[str], rewrites: int = 2) -> tuple[Any, ScriptedBackend]:
    backend = ScriptedBackend(replies)
    writer = LLMQueryWriter(backend, rewrites=rewrites)
    query = asyncio.run(writer.write(MODEL_FREE, ADA, STEPS, store_tools(), random.Random(0)))
    return query, backend


GOOD = "As ada (password lamp-42), please cancel Ada Lovelace's Oak Bookshelf order and tell me its status."
LEAKY = GOOD + " Her customer id is U-101."


def test_a_leaky_query_is_rewritten_and_the_problem_is_named_in_the_next_prompt() -> None:
    query, backend = _write([json.dumps({"query": LEAKY}), json.dumps({"query": GOOD})])
    assert query.text == GOOD and check_query(query.text, ADA, STEPS) == []
    assert len(backend.requests) == 2
    second_prompt = backend.requests[1].messages[0].content or ""
    assert "intermediate" in second_prompt
    assert LEAKY in second_prompt  # the rejected draft is shown with the reason
    # What the model must not write is named by kind from the first prompt on, never by value: a
    # prompt that shows the id invites the model to copy it.
    first_prompt = backend.requests[0].messages[0].content or ""
    assert "U-101" not in first_prompt and "user id" in first_prompt


def test_a_query_that_stays_leaky_falls_back_to_the_model_free_query_and_is_counted() -> None:
    backend = ScriptedBackend([json.dumps({"query": LEAKY})])
    writer = LLMQueryWriter(backend, rewrites=2)
    query = asyncio.run(writer.write(MODEL_FREE, ADA, STEPS, store_tools(), random.Random(0)))
    assert len(backend.requests) == 3
    assert query.text != LEAKY and check_query(query.text, ADA, STEPS) == []
    assert sum(writer.fallbacks.values()) == 1


def test_garbage_every_time_falls_back_to_the_model_free_query() -> None:
    query, backend = _write(["I'd rather not."])
    assert len(backend.requests) == 3
    assert "I'd rather not" not in query.text  # the model-free writer's own request instead
    assert check_query(query.text, ADA, STEPS) == []


def _critic_hint(reply: str) -> Any:
    session = Session.from_specs([store_spec()])
    verdict, replayed = verify_turn(session, 0, GOLD, CandidateTurn(
        calls=[ToolCall(name="login", arguments={"username": "ada", "password": "lamp-42"}),
               ToolCall(name="cancel_order", arguments={"order_id": "O-5002"})], answer="cancelled"))
    session.close()
    return asyncio.run(LLMCritic(ScriptedBackend([reply])).critique(GOLD, replayed, verdict, ["order_id"]))


@pytest.mark.parametrize("text", [
    "Cancel order O-5002, not another one.",
    "Ada's customer id is U-101; list her orders with it.",
    "The refund must be 210.00.",
    "Pick the oak bookshelf.",
])
def test_an_adversarial_llm_critic_cannot_leak_a_gold_value_in_its_text(text: str) -> None:
    hint = _critic_hint(json.dumps({"kind": "missing_step", "tool": "find_user", "parameter": "", "text": text}))
    assert hint.kind == "missing_step" and hint.tool == "find_user"
    assert leaked_values(hint.text, GOLD) == [], hint.text


def test_an_unusable_critic_answer_becomes_the_model_free_hint() -> None:
    hint = _critic_hint('{"kind": "be_nicer", "text": "?"}')
    assert hint.kind == "missing_step" and hint.tool == "find_user"
    assert leaked_values(hint.text, GOLD) == []


def test_an_adversarial_llm_critic_cannot_leak_a_gold_value_in_its_fields() -> None:
    hint = _critic_hint(json.dumps({"kind": "wrong_argument", "tool": "cancel_order",
                                    "parameter": "order_id=O-5002", "text": "An argument is wrong."}))
    fields = " ".join(str(v) for v in (hint.tool, hint.parameter, hint.producer, hint.before) if v)
    assert leaked_values(fields, GOLD) == []


def test_the_llm_reasoner_runs_the_agent_loop_and_its_calls_verify() -> None:
    calls = [ToolCall(name="login", arguments={"username": "ada", "password": "lamp-42"}),
             ToolCall(name="find_user", arguments={"name": "Ada Lovelace"}),
             ToolCall(name="list_orders", arguments={"user_id": "U-101"}),
             ToolCall(name="cancel_order", arguments={"order_id": "O-5002"})]
    backend = ScriptedBackend([Message.assistant(tool_calls=[c], reasoning=f"step {i}") for i, c in enumerate(calls)]
                              + [Message.assistant("Order O-5002 is cancelled.")])
    task = ReasonerTask(query=GOLD.query, tools=list(store_tools().values()), hint=MODEL_FREE.description,
                        history=[Message.system("be helpful"), Message.user(GOLD.query)], turn=0)
    live = Session.from_specs([store_spec()])
    attempt = asyncio.run(LLMReasoner(backend).solve(task, live, []))
    assert [s.call.name for s in attempt.steps] == [c.name for c in calls]
    assert attempt.answer == "Order O-5002 is cancelled."
    assert live.state_hash() == GOLD.final_state_hash
    system = backend.requests[0].messages[0]
    assert system.role == "system" and "be helpful" in (system.content or "")
    replay = Session.from_specs([store_spec()])
    verdict, _ = verify_turn(replay, 0, GOLD, CandidateTurn(calls=[s.call for s in attempt.steps], answer=attempt.answer))
    assert verdict.passed, verdict.reasons


@pytest.mark.parametrize("text", [
    "First look up my customer id, then cancel the Oak Bookshelf order of Ada Lovelace.",
    "Use the find_user tool for Ada Lovelace and cancel her Oak Bookshelf order.",
    "Step 1: log in as ada with lamp-42. Step 2: cancel the Oak Bookshelf order of Ada Lovelace.",
])
def test_a_query_that_narrates_the_steps_or_names_a_tool_is_rejected(text: str) -> None:
    problems = check_query(text + " username ada, password lamp-42", ADA, STEPS)
    assert any("narrates" in p or "names the tool" in p for p in problems), problems


def test_the_reasoner_is_told_its_notes_are_private_and_reasoning_citing_them_is_scrubbed() -> None:
    from hardgen.synth._privileged import scrub_privileged

    reply = Message.assistant(None, reasoning="The hint says to look up the user first. I need Ada's id. "
                                              "As the feedback pointed out, the order comes next.",
                              tool_calls=[ToolCall(name="find_user", arguments={"name": "Ada Lovelace"})])
    answer = Message.assistant("The order is cancelled.")
    cleaned, removed, unusable = scrub_privileged([reply, answer])
    assert unusable is None and removed == 2
    assert cleaned[0].reasoning == "I need Ada's id."
    _, _, unusable = scrub_privileged([Message.assistant("Following the hint, I cancelled the order.")])
    assert unusable is not None


@pytest.mark.parametrize("reply", [
    'Thinking about {braces} first. {"kind": "missing_step", "tool": "", "parameter": "", "text": "Look it up."}',
    '<think>{"kind": "wrong"}</think>\n```json\n{"kind": "missing_step", "tool": "", "parameter": "", '
    '"text": "Look it up."}\n```\nDone {here}.',
])
def test_json_is_read_with_a_decoder_past_braces_in_prose_and_thinking(reply: str) -> None:
    hint = _critic_hint(reply)
    assert hint.kind == "missing_step" and hint.text == "Look it up."


def test_empty_values_are_not_stated_in_a_query() -> None:
    from hardgen.synth import ModelFreeQueryWriter

    arguments = {**ADA, "tags": [], "note": ""}
    query = ModelFreeQueryWriter(noise=False).compose(MODEL_FREE, arguments, STEPS, store_tools(), random.Random(0))
    assert "''" not in query.text and "[]" not in query.text and "tags" not in query.text
