"""Tool classes whose failing calls say which argument was wrong, the way real tools' errors do
(`Invalid card_id`, `Invalid access token`, a quoted value), and a lookup that answers a missing
name with a sentence in place of the value.

Importable by reference (`graph_fixture_blame:Travel`) because environments are rebuilt from one.
"""

from __future__ import annotations

from typing import Any


class Travel:
    """`book` needs the token `login` returned and a card that is still valid."""

    def __init__(self) -> None:
        self.cards = {"card-001": "valid", "card-999": "expired"}
        self.token: str | None = None
        self.bookings: list[str] = []

    def login(self, user_name: str) -> dict[str, Any]:
        """Log in.

        Args:
            user_name: Who logs in.
        """
        self.token = f"tok-{user_name}-4711"
        return {"access_token": self.token}

    def list_expired_cards(self) -> dict[str, Any]:
        return {"expired_cards": [{"card_id": c} for c, s in self.cards.items() if s == "expired"]}

    def book(self, access_token: str, card_id: str) -> dict[str, Any]:
        """Book a trip.

        Args:
            access_token: The token `login` gave.
            card_id: The card to pay with.
        """
        if access_token != self.token:
            return {"error": "Invalid access token"}
        if self.cards.get(card_id) != "valid":
            return {"error": "Invalid card_id"}
        if len(self.bookings) > 2:
            return {"error": "Service unavailable, try again later"}
        self.bookings.append(card_id)
        return {"booking_id": f"bk-{len(self.bookings)}"}


class Stocks:
    """`get_symbol_by_name` answers an unknown company with a sentence where the symbol goes."""

    def __init__(self) -> None:
        self.symbols = {"Apple": "AAPL"}

    def get_symbol_by_name(self, name: str) -> dict[str, str]:
        return {"symbol": self.symbols.get(name, "Stock not found")}
