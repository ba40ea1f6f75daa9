"""A small web shop for the verifier, synthesis and reasoner tests.

It lives in an importable module because environments are rebuilt from an import reference
(`verify_fixture_store:Store`), as they would be from a stored sample.

Ground truth the tests rely on:
- state prerequisite: `login` before `cancel_order` (only the logged-in user's orders);
- data flow: `find_user` -> `user_id` of `list_orders` / `get_balance`; `list_orders` ->
  `order_id` of `cancel_order` / `get_order`;
- independent writes: `add_note` and `set_status` commute (any order gives the same state);
- reads change nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from hardgen.schema import ArgumentSource, EnvironmentSpec, GoldTurn, Step, ToolCall, Trace
from hardgen.tools import Session, tool


class NotFoundError(Exception):
    pass


class NotLoggedInError(Exception):
    pass


class PermissionDeniedError(Exception):
    pass


SCENARIO: dict[str, Any] = {
    "users": {
        "U-101": {"name": "Ada Lovelace", "email": "ada@example.com", "balance": 1234.5},
        "U-102": {"name": "Alan Turing", "email": "alan@example.com", "balance": 120.0},
    },
    "accounts": {"ada": {"password": "lamp-42", "user_id": "U-101"},
                 "alan": {"password": "enigma-7", "user_id": "U-102"}},
    "orders": {
        "O-5001": {"user_id": "U-101", "item": "Brass Desk Lamp", "status": "open", "total": 35.0},
        "O-5002": {"user_id": "U-101", "item": "Oak Bookshelf", "status": "open", "total": 210.0},
        "O-5003": {"user_id": "U-102", "item": "Green Kettle", "status": "open", "total": 48.0},
        "O-5004": {"user_id": "U-102", "item": "Walnut Chair", "status": "open", "total": 99.0},
    },
}


def store_spec(state: dict[str, Any] | None = None) -> EnvironmentSpec:
    """How to rebuild the shop with `state` (default: SCENARIO)."""
    return EnvironmentSpec(name="store", target="verify_fixture_store:Store",
                           initial_state=copy.deepcopy(state or SCENARIO), loader="_load_scenario")


class Store:
    """A shop with users, orders, a login, notes and an availability status."""

    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, str]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.session_user: str | None = None
        self.notes: list[str] = []
        self.status = "available"

    def _load_scenario(self, scenario: dict[str, Any]) -> None:
        self.users = copy.deepcopy(scenario.get("users", {}))
        self.accounts = copy.deepcopy(scenario.get("accounts", {}))
        self.orders = copy.deepcopy(scenario.get("orders", {}))

    @tool(mutates=True)
    def login(self, username: str, password: str) -> dict[str, Any]:
        """Log in to the shop; needed before changing an order.

        Args:
            username: The account's username.
            password: The account's password.
        """
        account = self.accounts.get(username)
        if account is None or account["password"] != password:
            raise PermissionDeniedError("wrong username or password")
        self.session_user = account["user_id"]
        return {"logged_in": True, "username": username}

    @tool
    def find_user(self, name: str) -> dict[str, Any]:
        """Find a customer by full name.

        Args:
            name: The customer's full name.
        """
        for user_id, user in sorted(self.users.items()):
            if user["name"].lower() == name.strip().lower():
                return {"user_id": user_id, "name": user["name"], "email": user["email"]}
        raise NotFoundError(f"no customer named {name!r}")

    @tool
    def list_orders(self, user_id: str) -> dict[str, Any]:
        """List a customer's orders.

        Args:
            user_id: The customer's id.
        """
        if user_id not in self.users:
            raise NotFoundError(f"no customer {user_id!r}")
        return {"orders": [{"order_id": oid, "item": o["item"], "status": o["status"], "total": o["total"]}
                           for oid, o in sorted(self.orders.items()) if o["user_id"] == user_id]}

    @tool
    def get_order(self, order_id: str) -> dict[str, Any]:
        """Show one order.

        Args:
            order_id: The order's id.
        """
        if order_id not in self.orders:
            raise NotFoundError(f"no order {order_id!r}")
        return {"order_id": order_id, **self.orders[order_id]}

    @tool(mutates=True, requires=["login"])
    def cancel_order(self, order_id: str) -> dict[str, Any]:
        """Cancel an open order and refund its total to the customer's balance.

        Args:
            order_id: The order's id.
        """
        if self.session_user is None:
            raise NotLoggedInError("log in first")
        order = self.orders.get(order_id)
        if order is None:
            raise NotFoundError(f"no order {order_id!r}")
        if order["user_id"] != self.session_user:
            raise PermissionDeniedError("not your order")
        if order["status"] != "open":
            raise PermissionDeniedError(f"order is {order['status']}")
        order["status"] = "cancelled"
        self.users[order["user_id"]]["balance"] += order["total"]
        return {"order_id": order_id, "status": "cancelled", "refund": order["total"]}

    @tool
    def get_balance(self, user_id: str) -> dict[str, Any]:
        """Show a customer's store-credit balance.

        Args:
            user_id: The customer's id.
        """
        if user_id not in self.users:
            raise NotFoundError(f"no customer {user_id!r}")
        return {"user_id": user_id, "balance": self.users[user_id]["balance"]}

    @tool(mutates=True)
    def add_note(self, text: str) -> dict[str, Any]:
        """Add a note to the shop's notebook.

        Args:
            text: The note.
        """
        self.notes.append(text)
        self.notes.sort()  # a set of notes: the order they were added in does not matter
        return {"notes": len(self.notes)}

    @tool(mutates=True)
    def set_status(self, status: str) -> dict[str, Any]:
        """Set the shop's availability status.

        Args:
            status: The new status, e.g. 'away'.
        """
        self.status = status
        return {"status": status}


Call = tuple[str, dict[str, Any]]


def execute_trace(calls: list[Call], sources: dict[int, list[ArgumentSource]] | None = None,
                  target_tool: str | None = None, state: dict[str, Any] | None = None) -> Trace:
    """Execute `calls` on a fresh shop and record them as a trace (with the data-flow `sources` of
    each step index), as the trace sampler would."""
    spec = store_spec(state)
    session = Session.from_specs([spec])
    try:
        steps = []
        for i, (name, arguments) in enumerate(calls):
            observation = session.call(name, arguments)
            steps.append(Step(call=ToolCall(name=name, arguments=arguments), observation=observation,
                              sources=(sources or {}).get(i, []), state_hash=session.state_hash()))
        return Trace(environments=[spec], steps=steps, final_state_hash=session.state_hash(),
                     target_tool=target_tool or calls[-1][0], mode="legality")
    finally:
        session.close()


def gold_turn(calls: list[Call], *, required: list[int] | None = None, answer_values: list[Any] | None = None,
              query: str = "test request") -> GoldTurn:
    """A single gold turn from executed calls; every call must succeed."""
    trace = execute_trace(calls)
    assert all(s.observation.ok for s in trace.steps), [s.observation for s in trace.steps]
    return GoldTurn(query=query, steps=trace.steps, required_observations=required or [],
                    answer_values=answer_values or [], final_state_hash=trace.final_state_hash)
