"""Tool classes whose prerequisites discovery has to find by varying arguments as a tester
would: an enabler that works only at its schema's boundary, a chain of two enablers, and a
call whose output another needs, which is data, not state.

Importable by reference (`graph_fixture_enablers:Ignition`) because environments are rebuilt from one.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field


class Ignition:
    """The engine starts only with the brake pressed fully; cruise control needs the engine."""

    def __init__(self) -> None:
        self.brake = 0.0
        self.engine = "off"
        self.cruise_speed = 0

    def press_brake_pedal(self, position: Annotated[float, Field(ge=0, le=1)]) -> dict[str, Any]:
        """Press the brake pedal.

        Args:
            position: How far, from 0 (not pressed) to 1 (fully pressed).
        """
        if not 0 <= position <= 1:
            return {"error": "Pedal position must be between 0 and 1."}
        self.brake = position
        return {"brake_position": position}

    def start_engine(self) -> dict[str, Any]:
        if self.brake != 1.0:
            return {"error": "The brake must be pressed fully before starting the engine."}
        self.engine = "running"
        return {"engine": self.engine}

    def set_cruise_control(self, speed: Annotated[int, Field(ge=0, le=120)]) -> dict[str, Any]:
        """Hold a speed.

        Args:
            speed: The speed to hold.
        """
        if self.engine != "running":
            return {"error": "Start the engine before activating the cruise control."}
        self.cruise_speed = speed
        return {"cruise_speed": speed}

    def get_outside_temperature(self) -> dict[str, float]:
        return {"temperature": 21.5}


class Notes:
    """`delete_note` of a note `add_note` made: the new note's id is data `add_note` returns, not
    a state `delete_note` needs whatever it deletes (the note of the initial state goes without)."""

    def __init__(self) -> None:
        self.notes = {"note-0001": "buy milk"}
        self.next_id = 1002

    def add_note(self, text: str) -> dict[str, Any]:
        """Write a note.

        Args:
            text: What the note says.
        """
        note_id = f"note-{self.next_id}"
        self.next_id += 1
        self.notes[note_id] = text
        return {"note_id": note_id}

    def delete_note(self, note_id: str) -> dict[str, Any]:
        """Delete a note.

        Args:
            note_id: The note's id.
        """
        if note_id not in self.notes:
            return {"error": f"No note {note_id}"}
        del self.notes[note_id]
        return {"deleted": note_id}


class Flights:
    """`book` wants airport codes where the state has city names; only its errors say so, and
    the last one lists the seats it takes."""

    def __init__(self) -> None:
        self.cities = [{"city_name": "New York"}, {"city_name": "Rome"}]
        self.airports = ["JFK", "FCO", "LHR"]
        self.bookings: list[dict[str, str]] = []

    def list_airports(self) -> dict[str, Any]:
        return {"airports": list(self.airports)}

    def book(self, origin: str, destination: str, seat: str) -> dict[str, Any]:
        """Book a flight.

        Args:
            origin: Where the flight leaves from.
            destination: Where it goes.
            seat: Which seat.
        """
        if origin not in self.airports:
            return {"error": f"Invalid departure airport code: {origin}"}
        if destination not in self.airports or destination == origin:
            return {"error": f"Invalid destination airport code: {destination}"}
        if seat not in ("aisle", "window"):
            return {"error": "Invalid seat. Must be one of {'aisle', 'window'}"}
        self.bookings.append({"origin": origin, "destination": destination, "seat": seat})
        return {"booking_id": f"BK-{len(self.bookings)}"}


class Following:
    """`unfollow` answers only `{"unfollow_status": false}` for someone not followed: an error that
    says nothing of what to pass, where only the listing of those followed has the value."""

    def __init__(self) -> None:
        self.accounts = [{"user_name": "dana"}, {"user_name": "eli"}, {"user_name": "fay"}]
        self.followed = ["eli"]

    def list_followed(self) -> dict[str, Any]:
        return {"followed": list(self.followed)}

    def unfollow(self, user_name: str) -> dict[str, Any]:
        """Stop following someone.

        Args:
            user_name: Who to stop following.
        """
        if user_name not in self.followed:
            return {"unfollow_status": False}
        self.followed.remove(user_name)
        return {"unfollow_status": True}
