"""Hard queries (every lifted value present, no intermediate value shown) and critic hints (the kind
of mistake, never a gold value) — issue 6, Build 2 and 3."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Sequence
from typing import Any

import pytest
from synth_fixture_chain import ADA, GOLD, STEPS, cancel_tool, leaked_values, store_tools
from verify_fixture_store import store_spec

from hardgen.schema import ToolCall
from hardgen.synth import (
    CriticHint,
    ModelFreeCritic,
    ModelFreeQueryWriter,
    check_query,
    gold_values,
    intermediate_values,
    sanitize_hint,
)
from hardgen.tools import Session
from hardgen.verify import CandidateTurn, TurnVerdict, verify_turn

# --- Query Writer --------------------------------------------------------------------------------

def test_the_model_free_query_states_every_lifted_value_and_no_intermediate_one() -> None:
    tool, tools = cancel_tool(), store_tools()
    assert intermediate_values(STEPS, ADA) == ["U-101", "O-5002"]
    for seed in range(40):
        query = ModelFreeQueryWriter().compose(tool, ADA, STEPS, tools, random.Random(seed))
        assert check_query(query.text, ADA, STEPS) == [], query.text
        for value in ADA.values():
            assert value in query.text
        assert "U-101" not in query.text and "O-5002" not in query.text
        assert query.lifted_values == ADA
        assert len(query.answer_values) == len(query.answer_fields)


def test_the_query_is_a_function_of_the_seed_and_varies_across_seeds() -> None:
    tool, tools = cancel_tool(), store_tools()
    texts = [ModelFreeQueryWriter().compose(tool, ADA, STEPS, tools, random.Random(s)).text for s in range(12)]
    again = [ModelFreeQueryWriter().compose(tool, ADA, STEPS, tools, random.Random(s)).text for s in range(12)]
    assert texts == again
    assert len(set(texts)) >= 4


def test_a_query_that_shows_an_intermediate_value_is_rejected() -> None:
    good = ModelFreeQueryWriter().compose(cancel_tool(), ADA, STEPS, store_tools(), random.Random(0)).text
    for leak in ("My customer id is U-101.", "It is order o-5002."):
        problems = check_query(f"{good} {leak}", ADA, STEPS)
        assert problems == ["leaks an intermediate value that the agent must look up itself"]


def test_a_query_that_misses_a_lifted_value_is_rejected() -> None:
    good = ModelFreeQueryWriter().compose(cancel_tool(), ADA, STEPS, store_tools(), random.Random(0)).text
    problems = check_query(good.replace("Oak Bookshelf", "bookshelf"), ADA, STEPS)
    assert problems == ["unanswerable: the value of 'order_item' is not in the query"]


def test_a_value_the_user_states_is_not_an_intermediate_one() -> None:
    # The user who gives her customer id herself may say it; the order id is still looked up.
    assert intermediate_values(STEPS, {**ADA, "customer": "U-101"}) == ["O-5002"]


# --- Critic --------------------------------------------------------------------------------------

def _critique(calls: Sequence[tuple[str, dict[str, Any]]], answer: str = "cancelled O-5002") -> tuple[CriticHint, TurnVerdict]:
    session = Session.from_specs([store_spec()])
    try:
        verdict, replayed = verify_turn(session, 0, GOLD, CandidateTurn(
            calls=[ToolCall(name=n, arguments=a) for n, a in calls], answer=answer))
    finally:
        session.close()
    assert not verdict.passed
    hint = asyncio.run(ModelFreeCritic().critique(GOLD, replayed, verdict, ["order_id", "status"]))
    return hint, verdict


LOGIN = ("login", {"username": "ada", "password": "lamp-42"})
FIND = ("find_user", {"name": "Ada Lovelace"})
LIST = ("list_orders", {"user_id": "U-101"})


@pytest.mark.parametrize(("calls", "answer", "kind", "tool"), [
    ([], "I can't.", "no_calls", None),
    ([LOGIN, ("cancel_order", {"order_id": "O-5002"})], "cancelled O-5002", "missing_step", "find_user"),
    ([LOGIN, FIND, LIST, ("cancel_order", {"order_id": "O-5001"})], "cancelled O-5002", "wrong_argument",
     "cancel_order"),
    ([LOGIN, FIND, LIST, ("cancel_order", {"order_id": "O-5002"}), ("set_status", {"status": "away"})],
     "cancelled O-5002", "extra_change", "set_status"),
    ([LOGIN, FIND, LIST, ("cancel_order", {"order_id": "O-5002"})], "Done!", "answer_missing", None),
])
def test_the_model_free_critic_names_the_kind_of_mistake_without_gold_values(
        calls: list[Any], answer: str, kind: str, tool: str | None) -> None:
    hint, _ = _critique(calls, answer)
    assert hint.kind == kind
    assert hint.tool == tool
    assert leaked_values(hint.text, GOLD) == [], hint.text
    if kind == "wrong_argument":
        assert hint.parameter == "order_id" and hint.producer == "list_orders"
    if kind == "answer_missing":
        assert hint.fields == ["order_id", "status"]


@pytest.mark.parametrize("text", [
    "Call cancel_order with order_id='O-5002'.",
    "The customer id is u-101, use it for list_orders.",
    "Log in as ada first.",
    "The password is lamp-42.",
    "You should pick the Oak Bookshelf from the list.",
    "The refund you should report is 210.",
    "The refund is 210.00 dollars.",
    "Ask for ADA LOVELACE.",
])
def test_a_hint_that_reveals_a_gold_value_is_replaced_by_a_generic_one(text: str) -> None:
    hint = CriticHint(kind="wrong_argument", text=text, tool="cancel_order", parameter="order_id")
    clean = sanitize_hint(hint, GOLD)
    assert clean.text != text
    assert clean.kind == "wrong_argument" and clean.tool == "cancel_order"
    assert leaked_values(clean.text, GOLD) == []
    assert not any(re.search(rf"\b{re.escape(str(v).lower())}\b", clean.text.lower()) for v in gold_values(GOLD))


def test_a_hint_without_gold_values_is_kept() -> None:
    hint = CriticHint(kind="missing_step", text="Look the customer up before you list the orders.", tool="find_user")
    assert sanitize_hint(hint, GOLD) == hint


def test_gold_values_cover_arguments_results_and_answers() -> None:
    values = gold_values(GOLD)
    for expected in ("ada", "lamp-42", "Ada Lovelace", "U-101", "O-5002", "Oak Bookshelf", 210.0, "cancelled"):
        assert expected in values
