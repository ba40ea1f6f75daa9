"""A small office toolkit for the agent tests: a directory (names -> ids), messages that need a
user id (so a request naming a person needs a lookup first), weather, currency, orders, meetings."""

from __future__ import annotations

from typing import Any, Literal

from hardgen.tools import class_environment, tool
from hardgen.tools._environment import PythonEnvironment

USERS = {"U-100": "Alice Baker", "U-200": "Bruno Costa", "U-300": "Chen Dubois"}
WEATHER = {"Paris": (21.5, "sunny"), "New York": (17.0, "rain"), "Rio de Janeiro": (29.0, "cloudy")}
RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}


class Office:
    """Directory, messaging, weather, currency, orders and meetings of a small office."""

    def __init__(self, orders: dict[str, Any] | None = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.meetings: list[dict[str, Any]] = []
        self.orders: dict[str, Any] = orders if orders is not None else {"O-1042": {"status": "shipped", "total": 35.5}}

    @tool
    def find_user(self, name: str) -> dict[str, Any]:
        """Find a user's id by their full name.

        Args:
            name: Full name of the person, e.g. 'Alice Baker'.
        """
        for uid, full in USERS.items():
            if full.lower() == name.lower():
                return {"user_id": uid, "name": full}
        raise LookupError(f"no user named {name!r}")

    @tool(mutates=True)
    def send_message(self, user_id: str, text: str) -> dict[str, Any]:
        """Send a chat message to a user.

        Args:
            user_id: Id of the recipient, e.g. 'U-100' (see find_user).
            text: The message text.
        """
        if user_id not in USERS:
            raise LookupError(f"no user with id {user_id!r}; use find_user to get ids by name")
        self.sent.append({"user_id": user_id, "text": text})
        return {"message_id": f"M-{len(self.sent)}", "delivered": True}

    @tool
    def get_weather(self, city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> dict[str, Any]:
        """Current weather of a city.

        Args:
            city: City name, e.g. 'Paris'.
            unit: Temperature unit.
        """
        if city not in WEATHER:
            raise LookupError(f"no weather for {city!r}")
        temp, sky = WEATHER[city]
        if unit == "fahrenheit":
            temp = round(temp * 9 / 5 + 32, 1)
        return {"city": city, "temperature": temp, "unit": unit, "conditions": sky}

    @tool
    def convert_currency(self, amount: float, from_currency: str, to_currency: str) -> dict[str, Any]:
        """Convert an amount of money between currencies.

        Args:
            amount: Amount in from_currency.
            from_currency: ISO code of the original currency, e.g. 'EUR'.
            to_currency: ISO code of the wanted currency, e.g. 'USD'.
        """
        for code in (from_currency, to_currency):
            if code not in RATES:
                raise ValueError(f"unknown currency {code!r}")
        value = round(amount / RATES[from_currency] * RATES[to_currency], 2)
        return {"amount": value, "currency": to_currency}

    @tool
    def get_order_status(self, order_id: str) -> dict[str, Any]:
        """Status and total of an order.

        Args:
            order_id: Order id, e.g. 'O-1042'.
        """
        if order_id not in self.orders:
            raise LookupError(f"no order {order_id!r}")
        return {"order_id": order_id, **self.orders[order_id]}

    @tool(mutates=True)
    def schedule_meeting(
        self, title: str, date: str, attendee_email: str, duration_minutes: int = 30
    ) -> dict[str, Any]:
        """Schedule a meeting with one attendee.

        Args:
            title: Meeting title.
            date: Day of the meeting, YYYY-MM-DD.
            attendee_email: E-mail address of the attendee.
            duration_minutes: Length of the meeting in minutes.
        """
        meeting = {"title": title, "date": date, "attendee_email": attendee_email, "duration_minutes": duration_minutes}
        self.meetings.append(meeting)
        return {"meeting_id": f"MT-{len(self.meetings)}", **meeting}

    @tool
    def list_files(self, include_hidden: bool = False) -> dict[str, Any]:
        """List the files in the shared drive.

        Args:
            include_hidden: Also list hidden files.
        """
        files = ["report.txt", "budget.xlsx"] + ([".secrets"] if include_hidden else [])
        return {"files": files}


def office_environment() -> PythonEnvironment:
    """A fresh office environment (no timeout thread: calls run inline)."""
    return class_environment(Office, timeout=None)
