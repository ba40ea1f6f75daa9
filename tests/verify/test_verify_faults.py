"""An agent under evaluation meets an error-recovery sample's injected fault by the fault's own
condition: a transient fault answers the same call once; a validation fault answers every call whose
argument is in a wrong format, whatever its other arguments and whatever wrong value it holds."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from verify_fixture_diary import diary_spec

from hardgen.evaluate import evaluate_samples
from hardgen.llm import ChatResponse
from hardgen.schema import GoldTurn, InjectedFault, Message, Sample, Step, ToolCall, VerificationRecord
from hardgen.synth._families import derive_error_recovery
from hardgen.tools import Session
from hardgen.verify import FaultInjector, FormatRule, format_rule, verify_sample, without_faults

QUERY = "Put the dentist in my diary for 2025-03-21, two hours."
ARGUMENTS = {"date": "2025-03-21", "text": "Dentist", "hours": 2}


def diary_sample() -> Sample:
    """A verified base sample: one call adding the entry, then the answer."""
    specs = [diary_spec()]
    session = Session.from_specs(specs)
    try:
        tools = session.tools()
        call = ToolCall(id="call_0", name="add_entry", arguments=dict(ARGUMENTS))
        observation = session.call(call.name, call.arguments)
        final = session.state_hash()
    finally:
        session.close()
    messages = [Message.system("You are a helpful assistant."), Message.user(QUERY),
                Message.assistant(tool_calls=[call], reasoning="I'll add it."), Message.tool(call, observation.to_text()),
                Message.assistant(content="The dentist is in your diary for 2025-03-21.")]
    gold = GoldTurn(query=QUERY, steps=[Step(call=call, observation=observation)], final_state_hash=final)
    sample = Sample(id="d-1", tools=tools, messages=messages, environments=specs, gold=[gold],
                    verification=VerificationRecord(verdict="passed"))
    assert verify_sample(sample).passed
    return sample


@pytest.fixture(scope="module")
def date_fault() -> Sample:
    """The error-recovery sample whose fault is the date written day first."""
    for seed in range(40):
        derived = derive_error_recovery(diary_sample(), random.Random(seed))
        assert isinstance(derived, Sample), derived
        fault = derived.gold[0].faults[0]
        if fault.kind == "validation" and fault.arguments["date"] == "21/03/2025":
            return derived
    raise AssertionError("no seed drew the date fault")


class Scripted:
    """A model that sends the given assistant messages in order, then a final answer."""

    name = "scripted"
    model = "script-1"

    def __init__(self, *replies: Message) -> None:
        self.replies = list(replies)
        self.seen: list[Message] = []

    async def complete(self, request: Any) -> ChatResponse:
        self.seen = list(request.messages)
        return ChatResponse(message=self.replies.pop(0) if self.replies else Message.assistant("Done."))


def call(**changes: Any) -> Message:
    return Message.assistant(tool_calls=[ToolCall(name="add_entry", arguments={**ARGUMENTS, **changes})])


def evaluated(sample: Sample, agent: Scripted) -> Any:
    return asyncio.run(evaluate_samples(agent, [sample], concurrency=1)).results[0]


def test_the_gold_sends_the_date_day_first_then_fixes_it_and_re_verifies(date_fault: Sample) -> None:
    fault = date_fault.gold[0].faults[0]
    assert fault.message == "Invalid value for 'date': expected YYYY-MM-DD, got '21/03/2025'."
    assert format_rule(fault) == FormatRule("date", "date", "YYYY-MM-DD")
    calls = [c.arguments["date"] for m in date_fault.messages for c in m.tool_calls or []]
    assert calls == ["21/03/2025", "2025-03-21"] and verify_sample(date_fault).passed


def test_a_wrongly_formatted_call_meets_the_fault_whatever_else_it_says(date_fault: Sample) -> None:
    # Not the gold's faulted call: another wrong shape of the date, and other text.
    agent = Scripted(call(date="03/21/2025", text="dentist appointment"), call())
    result = evaluated(date_fault, agent)
    error = next(m for m in agent.seen if m.role == "tool")
    assert "Invalid value for 'date': expected YYYY-MM-DD, got '03/21/2025'." in (error.content or "")
    assert result.passed, result  # it fixed the format: the fixed call is the one that counts


def test_the_right_format_from_the_start_passes_and_meets_no_fault(date_fault: Sample) -> None:
    agent = Scripted(call())
    result = evaluated(date_fault, agent)
    assert result.passed and result.agent_calls == 1
    assert "Invalid" not in (next(m for m in agent.seen if m.role == "tool").content or "")


def test_giving_up_or_keeping_the_wrong_format_after_the_fault_fails(date_fault: Sample) -> None:
    gave_up = evaluated(date_fault, Scripted(call(date="21/03/2025"), Message.assistant("The diary refused it.")))
    assert not gave_up.passed and gave_up.failure == "gave_up"
    # The same wrong value sent again meets the fault again: nothing reaches the diary.
    stubborn = evaluated(date_fault, Scripted(call(date="21/03/2025"), call(date="21/03/2025")))
    assert not stubborn.passed and stubborn.failure == "gave_up"


def test_a_number_sent_as_text_is_refused_by_type_and_a_transient_fault_answers_once() -> None:
    number = InjectedFault(call_id="c_fault", tool="add_entry", arguments={**ARGUMENTS, "hours": "2"},
                           kind="validation", error_type="ValidationError",
                           message="Invalid type for 'hours': expected a number, got the string '2'.")
    timeout = InjectedFault(call_id="t_fault", tool="add_entry", arguments=dict(ARGUMENTS), kind="timeout",
                            error_type="TimeoutError", message="The request timed out after 30 seconds.")
    session = Session.from_specs([diary_spec()])
    try:
        injector = FaultInjector(session, [number, timeout])
        texts = injector.call("add_entry", {**ARGUMENTS, "hours": "two"})
        first, second = (injector.call("add_entry", dict(ARGUMENTS)) for _ in range(2))
        assert texts.error is not None and texts.error.message.endswith("got the string 'two'.")
        assert first.error is not None and first.error.type == "TimeoutError" and second.ok
        steps = [Step(call=ToolCall(name="add_entry", arguments=a), observation=o)
                 for a, o in (({**ARGUMENTS, "hours": "two"}, texts), (ARGUMENTS, first), (ARGUMENTS, second))]
        assert without_faults(steps, injector.injected) == steps[2:]
        assert len(session.state()["diary"]["entries"]) == 1  # only the call that got through ran
    finally:
        session.close()
