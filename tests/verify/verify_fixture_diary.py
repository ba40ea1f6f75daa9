"""A diary whose tool takes a date and a number as they come (it validates neither), for the
error-recovery tests: only an injected validation fault refuses a value in the wrong format.

It lives in an importable module because environments are rebuilt from an import reference
(`verify_fixture_diary:Diary`)."""

from __future__ import annotations

import copy
from typing import Any

from hardgen.schema import EnvironmentSpec
from hardgen.tools import tool


def diary_spec() -> EnvironmentSpec:
    return EnvironmentSpec(name="diary", target="verify_fixture_diary:Diary", initial_state={"entries": []},
                           loader="_load_scenario")


class Diary:
    """Appointments by date."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def _load_scenario(self, scenario: dict[str, Any]) -> None:
        self.entries = copy.deepcopy(scenario.get("entries", []))

    @tool(mutates=True)
    def add_entry(self, date: str, text: str, hours: int = 1) -> dict[str, Any]:
        """Put an appointment in the diary.

        Args:
            date: The day, YYYY-MM-DD.
            text: What the appointment is.
            hours: How many hours it takes.
        """
        entry = {"entry_id": f"E-{len(self.entries) + 1}", "date": date, "text": text, "hours": hours}
        self.entries.append(entry)
        return entry
