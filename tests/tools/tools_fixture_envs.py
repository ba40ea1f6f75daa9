"""Small environment classes for the environment, session and replay tests.

They live in an importable module (not inside tests) because an environment is rebuilt from an
import reference (`module:Class`), as it would be from a sample on another machine.
"""

from __future__ import annotations

import asyncio
import functools
import random
import threading
import time
from typing import Any

from pydantic import BaseModel

from hardgen.tools import tool


class Inventory:
    """Stock of items, loaded by `_load_scenario` like BFCL classes."""

    def __init__(self) -> None:
        self.items: dict[str, int] = {}
        self.tags: set[str] = set()
        self.log: list[str] = []
        self._lookups = 0  # private bookkeeping: not state

    def _load_scenario(self, scenario: dict[str, Any]) -> None:
        self.items = dict(scenario.get("items", {}))
        self.tags = set(scenario.get("tags", []))

    @functools.cached_property
    def summary(self) -> str:  # a cache: not state
        return f"{len(self.items)} items"

    def get_item(self, name: str) -> dict[str, Any]:
        """Look up an item.

        Args:
            name: Item name.
        """
        self._lookups += 1
        if name not in self.items:
            raise KeyError(f"no item {name!r}")
        return {"name": name, "quantity": self.items[name]}

    def add_item(self, name: str, quantity: int = 1) -> dict[str, Any]:
        """Add stock.

        Args:
            name: Item name.
            quantity: How many to add.
        """
        if quantity < 1:
            raise ValueError("quantity must be positive")
        self.items[name] = self.items.get(name, 0) + quantity
        self.log.append(f"add {name} {quantity}")
        return {"name": name, "quantity": self.items[name]}

    def tag(self, label: str) -> list[str]:
        """Add a tag."""
        self.tags.add(label)
        return sorted(self.tags)

    def transfer(self, source: str, target: str, quantity: int) -> dict[str, int]:
        """Move stock; fails half-way when the target is `broken` (after taking it from the source)."""
        self.items[source] = self.items.get(source, 0) - quantity
        if target == "broken":
            raise RuntimeError("target shelf is broken")
        self.items[target] = self.items.get(target, 0) + quantity
        return {"source": self.items[source], "target": self.items[target]}

    def draw_lottery(self, count: int = 3) -> list[int]:
        """Random numbers, from the `random` module."""
        numbers = [random.randint(1, 1000) for _ in range(count)]
        self.log.append(f"lottery {numbers}")
        return numbers

    def draw_slowly(self) -> list[float]:
        """Two draws with a pause between them, during which other threads run."""
        first = random.random()
        time.sleep(0.02)
        return [first, random.random()]

    def opaque(self) -> Any:
        """Returns something that is not JSON."""
        return threading.Lock()

    def slow(self, seconds: float) -> str:
        """Sleeps."""
        time.sleep(seconds)
        self.log.append("slow done")
        return "done"

    def quit(self) -> None:
        """Calls sys.exit, which must not end the caller's run."""
        raise SystemExit(3)

    async def count_async(self) -> int:
        """An `async def` tool."""
        await asyncio.sleep(0)
        return len(self.items)


class Locked:
    """Holds a lock in its state: it cannot be deep-copied, so it cannot be snapshotted."""

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.value = 1

    def get_value(self) -> int:
        """The value."""
        return self.value


class Account:
    """Loaded from constructor keyword arguments."""

    def __init__(self, owner: str = "nobody", balance: int = 0) -> None:
        if not isinstance(balance, int):
            raise TypeError(f"balance must be an int, got {type(balance).__name__}")
        self.owner = owner
        self.balance = balance

    def get_balance(self) -> int:
        """The balance."""
        return self.balance

    def deposit(self, amount: int) -> int:
        """Deposit money.

        Args:
            amount: Amount to add.
        """
        self.balance += amount
        return self.balance


class Vault:
    """Loaded by an explicitly named loader (`loader="load_state"`)."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}

    def load_state(self, state: dict[str, Any]) -> None:
        self.secrets = dict(state["secrets"])

    def reveal(self, key: str) -> str:
        """A secret."""
        return self.secrets[key]


class Garden:
    """Declares its loader with `__hardgen_loader__`; only its `@tool` methods are tools."""

    __hardgen_loader__ = "plant_all"

    def __init__(self) -> None:
        self.plants: list[str] = []

    def plant_all(self, state: dict[str, Any]) -> None:
        self.plants = list(state.get("plants", []))

    @tool(mutates=True, requires=["get_plants"])
    def plant(self, name: str) -> list[str]:
        """Plant something."""
        self.plants.append(name)
        return self.plants

    @tool(name="get_plants")
    def list_plants(self) -> list[str]:
        """The plants."""
        return list(self.plants)

    def water(self) -> str:  # public, unmarked: not a tool because others are marked
        return "wet"


class Ledger(BaseModel):
    """A pydantic model as environment: its own methods are tools, BaseModel's are not."""

    entries: list[int] = []

    def append_entry(self, value: int) -> int:
        """Append a value."""
        self.entries.append(value)
        return len(self.entries)

    def total(self) -> int:
        """Sum of the entries."""
        return sum(self.entries)


class Roster(dict):  # type: ignore[type-arg]
    """A dict subclass as environment: `enroll` is a tool, dict's `items`, `get`, `pop`... are not."""

    def _load_scenario(self, scenario: dict[str, Any]) -> None:
        self.update(scenario)

    def enroll(self, name: str) -> int:
        """Enroll someone."""
        self[name] = len(self)
        return self[name]


class Clock:
    """Two environments of the same class share tool names: a session must namespace them."""

    def __init__(self, hour: int = 0) -> None:
        self.hour = hour

    def get_time(self) -> int:
        """The hour."""
        return self.hour

    def advance(self, hours: int = 1) -> int:
        """Advance the clock."""
        self.hour = (self.hour + hours) % 24
        return self.hour


class Weather:
    """A second class with one tool name in common with Clock (`get_time`)."""

    def __init__(self, city: str = "Paris") -> None:
        self.city = city
        self.forecasts: dict[str, str] = {}

    def get_time(self) -> str:
        """Time of the last forecast."""
        return "noon"

    def forecast(self, day: str) -> str:
        """A forecast, random but replayable."""
        value = random.choice(["sun", "rain", "snow", "fog"])
        self.forecasts[day] = value
        return value


class Guestbook:
    """Keeps its entries in a class attribute: every instance (every environment) shares them."""

    entries: list[str] = []

    def sign(self, name: str) -> dict[str, int]:
        """Sign the guest book.

        Args:
            name: The name to write.
        """
        self.entries.append(name)
        return {"count": len(self.entries)}
