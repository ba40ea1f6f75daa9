"""The verifier of DESIGN.md §4 on a small shop: re-execution decides, order between independent
calls is free, order along dependencies is enforced by execution, extra writes and missing reads
fail, answers are checked in the number formats people write, and failures get the probe taxonomy."""

from __future__ import annotations

from typing import Any

import pytest
from verify_fixture_store import gold_turn, store_spec

from hardgen.schema import Message, Sample, ToolCall, ToolSpec, VerificationRecord
from hardgen.tools import Session
from hardgen.verify import (
    CandidateTurn,
    candidate_from_messages,
    check_gold,
    classify_failure,
    missing_answer_values,
    value_in_text,
    verify_candidate,
    verify_sample,
)

LOGIN = ("login", {"username": "ada", "password": "lamp-42"})
FIND = ("find_user", {"name": "Ada Lovelace"})
LIST = ("list_orders", {"user_id": "U-101"})
CANCEL = ("cancel_order", {"order_id": "O-5001"})
BALANCE = ("get_balance", {"user_id": "U-101"})

# "Cancel my Brass Desk Lamp order and tell me my balance": the lamp's id and Ada's id are looked up.
CANCEL_LAMP = gold_turn([LOGIN, FIND, LIST, CANCEL, BALANCE], required=[1, 2, 4], answer_values=[1269.5])
# The same without the balance read: the goal is the cancellation; the refund is the answer.
CANCEL_ONLY = gold_turn([LOGIN, FIND, LIST, CANCEL], required=[1, 2], answer_values=[35.0])


def calls(*pairs: tuple[str, dict[str, Any]]) -> list[ToolCall]:
    return [ToolCall(name=name, arguments=dict(arguments)) for name, arguments in pairs]


def verify(gold: Any, candidate_calls: list[ToolCall], answer: str | None = "done", malformed: int = 0) -> Any:
    verdict = verify_candidate([store_spec()], [gold],
                               [CandidateTurn(calls=candidate_calls, answer=answer, malformed_calls=malformed)])
    return verdict


def test_the_gold_calls_with_the_answer_pass_and_record_both_state_hashes() -> None:
    verdict = verify(CANCEL_LAMP, calls(LOGIN, FIND, LIST, CANCEL, BALANCE), "Done. Your balance is now 1,269.50.")
    assert verdict.passed, verdict.reasons
    turn = verdict.turns[0]
    assert turn.actual_state_hash == turn.expected_state_hash == CANCEL_LAMP.final_state_hash
    assert verdict.failure is None and turn.failed_tools == []


def test_independent_calls_may_come_in_any_order() -> None:
    notes = gold_turn([("add_note", {"text": "restock lamps"}), ("set_status", {"status": "away"})])
    swapped = verify(notes, calls(("set_status", {"status": "away"}), ("add_note", {"text": "restock lamps"})))
    assert swapped.passed, swapped.reasons
    # Reads before the login they do not need: still the same state and the same results.
    reordered = verify(CANCEL_LAMP, calls(FIND, LIST, LOGIN, CANCEL, BALANCE), "balance 1269.5")
    assert reordered.passed, reordered.reasons


def test_a_write_before_its_prerequisite_fails_by_execution() -> None:
    verdict = verify(CANCEL_LAMP, calls(FIND, LIST, CANCEL, LOGIN, BALANCE), "balance 1269.5")
    assert not verdict.passed
    turn = verdict.turns[0]
    assert turn.actual_state_hash != turn.expected_state_hash
    assert any("final state differs" in r for r in turn.reasons)
    # The balance read saw the un-refunded balance: the 1269.5 the answer states came from no result.
    assert turn.ungrounded_answer_values == ["1269.5"]
    assert "cancel_order" in turn.failed_tools  # it was called with the right id, but failed


def test_a_read_before_the_write_it_should_observe_misses_the_observation() -> None:
    gold = gold_turn([LOGIN, CANCEL, ("get_order", {"order_id": "O-5001"})], required=[2],
                     query="cancel order O-5001, then show it to me")
    verdict = verify(gold, calls(LOGIN, ("get_order", {"order_id": "O-5001"}), CANCEL))
    assert not verdict.passed
    turn = verdict.turns[0]
    assert turn.actual_state_hash == turn.expected_state_hash  # same writes, same final state
    assert turn.missing_observations == [2]
    assert turn.failure == "missing_observation"


def test_an_extra_write_fails_but_an_extra_read_does_not() -> None:
    extra_write = verify(CANCEL_LAMP, calls(LOGIN, FIND, LIST, CANCEL, BALANCE, ("set_status", {"status": "away"})),
                         "1269.5")
    assert not extra_write.passed
    assert extra_write.failure == "state_mismatch"
    assert any("final state differs" in r for r in extra_write.reasons)
    extra_read = verify(CANCEL_LAMP, calls(LOGIN, FIND, ("get_balance", {"user_id": "U-102"}), LIST, CANCEL, BALANCE),
                        "1269.5")
    assert extra_read.passed, extra_read.reasons


def test_a_read_goal_with_no_answer_values_must_be_obtained() -> None:
    # "Show me Ada's orders": the listing is the goal and there is no answer value to check it by,
    # so the result itself must be obtained; the find_user that fed it is intermediate.
    gold = gold_turn([FIND, LIST], required=[0, 1])
    verdict = verify(gold, calls(FIND), "Here they are.")
    assert not verdict.passed
    turn = verdict.turns[0]
    assert turn.actual_state_hash == turn.expected_state_hash
    assert turn.missing_observations == [1]
    assert any("list_orders" in r and "find_user" not in r for r in turn.reasons)
    assert turn.failure == "missing_observation"
    assert turn.failed_tools == ["list_orders"]
    # The user who gives her customer id herself needs no lookup; without it the id is a guess.
    told = gold.model_copy(update={"query": "show me the orders of customer U-101"})
    assert verify(told, calls(LIST), "Here they are.").passed
    assert verify(gold, calls(LIST), "Here they are.").failure == "missing_prerequisite"


def test_intermediate_reads_need_not_be_repeated_but_their_values_cannot_be_guessed() -> None:
    # Told the order id, the candidate need not look up the customer and her orders: the state and
    # the refund (in the cancellation's own result) are what the user asked for.
    told = CANCEL_ONLY.model_copy(update={"query": "cancel my order O-5001 and tell me the refund"})
    verdict = verify(told, calls(LOGIN, CANCEL), "Refunded 35.00")
    assert verdict.passed, verdict.reasons
    # Not told, the same calls reach the same state, but on an order id nobody gave it: a guess.
    guesser = verify(CANCEL_ONLY, calls(LOGIN, CANCEL), "Refunded 35.00")
    assert not guesser.passed
    turn = guesser.turns[0]
    assert turn.actual_state_hash == turn.expected_state_hash
    assert turn.reasons == ["calls used values no earlier result gave (guessed, not looked up): cancel_order(O-5001)"]
    assert turn.failure == "missing_prerequisite"
    assert turn.failed_tools == ["list_orders"]
    # A balance stated without any result giving it is a guessed answer.
    guessed = verify(CANCEL_LAMP, calls(LOGIN, FIND, LIST, CANCEL), "Your balance is 1269.5")
    assert not guessed.passed
    assert guessed.turns[0].ungrounded_answer_values == ["1269.5"]
    assert guessed.turns[0].reasons == ["the answer states values no tool result gave: 1269.5"]
    assert guessed.failure == "missing_observation"
    assert guessed.failed_tools == ["get_balance"]


def test_the_answer_must_carry_the_requested_values() -> None:
    verdict = verify(CANCEL_LAMP, calls(LOGIN, FIND, LIST, CANCEL, BALANCE), "All done!")
    assert not verdict.passed
    turn = verdict.turns[0]
    assert turn.missing_answer_values == ["1269.5"]
    assert turn.failure == "answer_missing"
    assert verify(CANCEL_LAMP, calls(LOGIN, FIND, LIST, CANCEL, BALANCE), None).failure == "answer_missing"


@pytest.mark.parametrize(("value", "text", "found"), [
    (1269.5, "Your balance is 1269.5.", True),
    (1269.5, "Your balance is $1,269.50.", True),
    (1269.5, "Your balance is 1269.50 USD", True),
    (1269.5, "Your balance is 1269", False),
    (1269.5, "Your balance is 11269.5", False),
    (1000.0, "limit 1000", True),
    (1000.0, "limit 1,000", True),
    (1000.0, "limit 1000.00", True),
    (1000.0, "limit 10000", False),
    (1500, "1,500 points", True),
    (12, "12 items", True),
    (12, "120 items", False),
    (12, "1.12 items", False),
    (-1186.0, "amount -1,186.00", True),
    ("Brass Desk Lamp", "cancelled the brass desk lamp", True),
    ("lamp", "cancelled the lamps", False),
    ("O-5001", "order O-5001 is cancelled", True),
    ("O-5001", "order O-50012 is cancelled", False),
])
def test_answer_values_are_found_in_the_formats_people_write(value: Any, text: str, found: bool) -> None:
    assert value_in_text(value, text) is found
    assert missing_answer_values([value], text) == ([] if found else [value])


def test_uncheckable_values_are_never_required() -> None:
    assert value_in_text(None, "") and value_in_text(True, "") and value_in_text("  ", "")
    assert missing_answer_values([None, False], None) == []


# The probe taxonomy: what kind of mistake a failed attempt made.
@pytest.mark.parametrize(("candidate", "malformed", "kind"), [
    ([], 0, "gave_up"),
    ([FIND, LIST, CANCEL], 0, "missing_prerequisite"),
    ([LOGIN, FIND, LIST, ("get_order", {"order_id": "O-5001"})], 0, "wrong_tool"),
    ([LOGIN, FIND, LIST, ("cancel_orders", {"order_id": "O-5001"})], 0, "malformed_call"),
    ([LOGIN, FIND, LIST, ("cancel_order", {"order_id": 5001})], 0, "malformed_call"),
    ([], 1, "malformed_call"),
    ([LOGIN, FIND, LIST, ("cancel_order", {"order_id": "O-5002"})], 0, "wrong_argument"),
    ([LOGIN, FIND, LIST, CANCEL, ("add_note", {"text": "x"})], 0, "state_mismatch"),
])
def test_failures_are_classified_by_the_probe_taxonomy(candidate: list[Any], malformed: int, kind: str) -> None:
    verdict = verify(CANCEL_ONLY, calls(*candidate), "refund 35.0", malformed=malformed)
    assert not verdict.passed
    assert verdict.failure == kind
    assert verdict.failed_tools  # per-tool failure statistics always name a tool


def test_a_wrong_argument_blames_the_tool_that_got_it() -> None:
    verdict = verify(CANCEL_ONLY, calls(LOGIN, FIND, LIST, ("cancel_order", {"order_id": "O-5002"})), "refund 35.0")
    assert verdict.failed_tools == ["cancel_order"]


def test_classify_failure_is_none_when_the_calls_match() -> None:
    assert classify_failure(CANCEL_ONLY.steps, CANCEL_ONLY.steps) is None
    assert classify_failure(CANCEL_ONLY.steps, []) == "gave_up"


def test_a_candidate_is_split_into_turns_at_user_messages() -> None:
    first, second = ToolCall(id="a", name="find_user", arguments={"name": "Ada Lovelace"}), ToolCall(
        id="b", name="get_balance", arguments={"user_id": "U-101"})
    messages = [
        Message.system("be helpful"),
        Message.user("who is Ada?"),
        Message.assistant(tool_calls=[first], reasoning="look her up"),
        Message.tool(first, "{}"),
        Message.assistant(content="thinking aloud"),
        Message.assistant(content="Ada is U-101."),
        Message.user("and her balance?"),
        Message.assistant(tool_calls=[second]),
        Message.tool(second, "{}"),
        Message.assistant(content="1234.5"),
    ]
    turns = candidate_from_messages(messages)
    assert [[c.name for c in t.calls] for t in turns] == [["find_user"], ["get_balance"]]
    assert [t.answer for t in turns] == ["Ada is U-101.", "1234.5"]


def test_turns_run_on_the_evolving_state_and_must_all_pass() -> None:
    first = gold_turn([LOGIN, FIND, LIST, CANCEL], required=[1, 2])
    # The second gold turn starts where the first left off: the refund is already on the balance.
    second = first.model_copy(update={"steps": [], "required_observations": [], "answer_values": []})
    envs = [store_spec()]
    turns = [CandidateTurn(calls=calls(LOGIN, FIND, LIST, CANCEL), answer="ok"), CandidateTurn(answer="nothing to do")]
    assert verify_candidate(envs, [first, second], turns).passed
    # A turn the candidate never answered counts as an empty one: fine only when nothing was asked.
    assert verify_candidate(envs, [first, second], turns[:1]).passed
    asks = gold_turn([FIND, BALANCE], answer_values=[1234.5])
    assert verify_candidate(envs, [first, asks], turns[:1]).failure == "gave_up"
    extra = verify_candidate(envs, [first], turns)
    assert not extra.passed and any("more turn" in r for r in extra.reasons)


def _store_tools() -> list[ToolSpec]:
    session = Session.from_specs([store_spec()])
    try:
        return session.tools()
    finally:
        session.close()


def _sample(gold: Any, candidate_calls: list[ToolCall], answer: str, tools: list[ToolSpec] | None = None) -> Sample:
    messages: list[Message] = [Message.system("s"), Message.user(gold.query)]
    for call in candidate_calls:
        messages += [Message.assistant(tool_calls=[call]), Message.tool(call, "{}")]
    messages.append(Message.assistant(content=answer))
    return Sample(id="t", tools=_store_tools() if tools is None else tools, messages=messages,
                  environments=[store_spec()], gold=[gold], verification=VerificationRecord(verdict="passed"))


def test_verify_sample_replays_the_messages_and_checks_the_gold_still_reproduces() -> None:
    good = _sample(CANCEL_LAMP, calls(LOGIN, FIND, LIST, CANCEL, BALANCE), "balance: 1269.5")
    assert verify_sample(good).passed
    assert check_gold(good) == []
    drifted_gold = CANCEL_LAMP.model_copy(deep=True)
    drifted_gold.steps[4].observation.result = {"user_id": "U-101", "balance": 9.0}
    drifted = _sample(drifted_gold, calls(LOGIN, FIND, LIST, CANCEL, BALANCE), "balance: 1269.5")
    problems = check_gold(drifted)
    assert problems and "get_balance" in problems[0]
    verdict = verify_sample(drifted)
    assert not verdict.passed and any("no longer gives its recorded result" in r for r in verdict.reasons)
    # Without the gold check the candidate is judged by the state and by its own results, not by
    # the gold's recorded reads: the balance it read and reported is the real one.
    assert verify_sample(drifted, gold_check=False).passed


def test_a_turn_whose_only_fault_is_the_answer_is_answer_missing() -> None:
    gold = gold_turn([FIND, BALANCE], required=[0, 1], answer_values=[1234.5])
    # Same reads, same results, same state: the name is written in lower case, which the tool
    # accepts all the same. Only the answer lacks the balance.
    verdict = verify(gold, calls(("find_user", {"name": "ada lovelace"}), BALANCE), "All done.")
    assert verdict.turns[0].reasons == ["the final answer lacks 1 requested value(s)"]
    assert verdict.failure == "answer_missing"


def test_a_corrected_malformed_call_does_not_hide_a_wrong_argument() -> None:
    candidate = calls(LOGIN, FIND, LIST, ("cancel_order", {"order_id": 5001}), ("cancel_order", {"order_id": "O-5002"}))
    verdict = verify(CANCEL_ONLY, candidate, "refund 35.0")
    assert not verdict.passed
    assert verdict.failure == "wrong_argument"
