"""The executed trace and advanced tool the synthesis tests build on (the shop of
tests/verify/verify_fixture_store.py): log in, look the customer up, list her orders, cancel the one
she names. An unrelated read in the middle is what `focus_trace` must drop."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from verify_fixture_store import execute_trace, store_spec

from hardgen.schema import ArgumentSource, GoldTurn, Step, ToolSpec, Trace
from hardgen.synth import AdvancedTool, Producer, build_advanced_tool, execute_advanced
from hardgen.tools import Session

ADA = {"username": "ada", "password": "lamp-42", "name": "Ada Lovelace", "order_item": "Oak Bookshelf"}
ALAN = {"username": "alan", "password": "enigma-7", "name": "Alan Turing", "order_item": "Walnut Chair"}


def is_prerequisite(before: str, after: str) -> bool:
    return (before, after) == ("login", "cancel_order")


def cancel_trace() -> Trace:
    """login -> find_user -> (unrelated get_balance) -> list_orders -> cancel_order(2nd order)."""
    return execute_trace(
        [("login", {"username": "ada", "password": "lamp-42"}), ("find_user", {"name": "Ada Lovelace"}),
         ("get_balance", {"user_id": "U-102"}), ("list_orders", {"user_id": "U-101"}),
         ("cancel_order", {"order_id": "O-5002"})],
        sources={3: [ArgumentSource(parameter="user_id", step=1, path=["user_id"])],
                 4: [ArgumentSource(parameter="order_id", step=3, path=["orders", 1, "order_id"])]},
        target_tool="cancel_order")


def store_tools() -> dict[str, ToolSpec]:
    session = Session.from_specs([store_spec()])
    try:
        return {t.name: t for t in session.tools()}
    finally:
        session.close()


def cancel_tool() -> AdvancedTool:
    return build_advanced_tool(cancel_trace(), store_tools(), set(), is_prerequisite)


class StoreDependencies:
    """The shop's true dependency graph, as the Reasoner's DependencyIndex (or, `crippled`, none)."""

    _PRODUCERS: dict[tuple[str, str], list[Producer]] = {
        ("list_orders", "user_id"): [Producer("find_user", ("user_id",))],
        ("get_balance", "user_id"): [Producer("find_user", ("user_id",))],
        ("cancel_order", "order_id"): [Producer("list_orders", ("orders", "*", "order_id"))],
        ("get_order", "order_id"): [Producer("list_orders", ("orders", "*", "order_id"))],
    }

    def __init__(self, crippled: bool = False) -> None:
        self.crippled = crippled

    def producers(self, tool: str, parameter: str) -> list[Producer]:
        return [] if self.crippled else list(self._PRODUCERS.get((tool, parameter), []))

    def prerequisites(self, tool: str) -> list[str]:
        return [] if self.crippled or tool != "cancel_order" else ["login"]


def atoms(value: Any) -> Sequence[Any]:
    """Every scalar inside a value (the test's own flattening, independent of the library's)."""
    if isinstance(value, dict):
        return [a for v in value.values() for a in atoms(v)]
    if isinstance(value, list):
        return [a for v in value for a in atoms(v)]
    return [] if value is None or isinstance(value, bool) else [value]


def _gold_steps(arguments: dict[str, Any] = ADA) -> tuple[list[Step], str]:
    session = Session.from_specs([store_spec()])
    try:
        steps = execute_advanced(cancel_tool(), arguments, session)
        return steps, session.state_hash()
    finally:
        session.close()


STEPS, FINAL_HASH = _gold_steps()
GOLD = GoldTurn(query="Cancel my Oak Bookshelf order.", steps=STEPS, required_observations=[1, 2],
                answer_values=["O-5002", "cancelled"], final_state_hash=FINAL_HASH)


def leaked_values(text: str, gold: GoldTurn) -> list[Any]:
    """Gold argument values found in `text` as whole words (the test's own check: every argument
    atom of 3+ characters, every number of 10 or more, in its plain and its 2-decimal form)."""
    found = []
    for step in gold.steps:
        for value in atoms(step.call.arguments):
            if isinstance(value, str) and len(value) >= 3:
                forms = [value]
            elif isinstance(value, (int, float)) and abs(value) >= 10:
                forms = [str(value), f"{value:.2f}", str(int(value))]
            else:
                continue
            if any(re.search(rf"(?<![\w.]){re.escape(f.lower())}(?![\w])", text.lower()) for f in forms):
                found.append(value)
    return found
