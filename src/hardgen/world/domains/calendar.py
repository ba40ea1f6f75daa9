"""The `calendar` domain: the world user's calendar, a directory of colleagues, meeting rooms.

Events have ids (`EV-5012`); attendees are identified by email (the same people and emails as
`messaging`, from the shared pool), rooms by id (`RM-204`). Creating, rescheduling or accepting
an event that overlaps one the user already attends raises ConflictError, and so does booking a
taken room. Times are local, `YYYY-MM-DDTHH:MM`; "today" is fixed in the state.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Literal

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import email_of, person_name
from hardgen.world._domain import Chain, Domain
from hardgen.world._errors import (
    ConflictError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)

_described = with_config(ConfigDict(use_attribute_docstrings=True))

PEOPLE = 200
TIME_FORMAT = "%Y-%m-%dT%H:%M"
WORKDAY = (9, 17)  # free-slot search stays within these hours
SLOT_STEP = dt.timedelta(minutes=30)
Response = Literal["accepted", "declined", "tentative"]


@_described
class Person(TypedDict):
    name: str
    email: str
    """Email address; what create_calendar_event and invite_to_calendar_event take as attendee."""


@_described
class PersonList(TypedDict):
    people: list[Person]


@_described
class EventSummary(TypedDict):
    event_id: str
    """Event id, e.g. 'EV-5012'."""
    title: str
    start: str
    """Start, YYYY-MM-DDTHH:MM."""
    end: str
    """End, YYYY-MM-DDTHH:MM."""
    location: str | None
    room_id: str | None
    """Booked meeting room id, e.g. 'RM-204', or null."""
    organizer_email: str
    status: Literal["confirmed", "cancelled"]
    my_response: Literal["organizer", "needs_action", "accepted", "declined", "tentative"]
    """The calendar owner's role or answer for this event."""


@_described
class EventList(TypedDict):
    events: list[EventSummary]


@_described
class Attendee(TypedDict):
    email: str
    name: str
    response: Literal["needs_action", "accepted", "declined", "tentative"]


@_described
class EventDetails(EventSummary):
    attendees: list[Attendee]
    """Invited people (the organizer is not listed)."""
    attendee_emails: list[str]
    """The attendees' emails, ready to pass to find_free_slots."""
    reminders: list[int]
    """Reminder offsets in minutes before the start."""


@_described
class TimeSlot(TypedDict):
    start: str
    """Start, YYYY-MM-DDTHH:MM."""
    end: str
    """End, YYYY-MM-DDTHH:MM."""


@_described
class FreeSlots(TypedDict):
    date: str
    slots: list[TimeSlot]
    """Candidate slots of the requested length when everyone is free, earliest first."""


@_described
class Availability(TypedDict):
    email: str
    available: bool
    """True when the person has nothing in the interval."""
    busy: list[TimeSlot]
    """Their busy intervals overlapping the requested one (titles are private)."""


@_described
class Room(TypedDict):
    room_id: str
    """Meeting room id, e.g. 'RM-204'; pass it to create_calendar_event."""
    name: str
    capacity: int
    floor: int


@_described
class RoomList(TypedDict):
    rooms: list[Room]


@_described
class ReminderResult(TypedDict):
    event_id: str
    reminders: list[int]


def _parse(value: str, what: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(value.strip(), TIME_FORMAT)
    except ValueError:
        raise InvalidArgumentError(f"{what} {value!r} is not a time like '2024-05-14T09:30'") from None


def _parse_date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidArgumentError(f"{what} {value!r} is not a date like '2024-05-14'") from None


def _fmt(moment: dt.datetime) -> str:
    return moment.strftime(TIME_FORMAT)


class CalendarAPI:
    """The calendar of one person (the owner) inside an organisation's shared calendar system."""

    def __init__(self) -> None:
        self.owner_email: str = ""
        self.today: str = "2024-01-01"
        self.people: dict[str, dict[str, Any]] = {}
        self.rooms: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.next_event_number: int = 5001

    def load_state(self, state: dict[str, Any]) -> None:
        """Load the state made by `generate_state`."""
        self.owner_email = state["owner_email"]
        self.today = state["today"]
        self.people = state["people"]
        self.rooms = state.get("rooms", {})
        self.events = state.get("events", {})
        self.next_event_number = state.get("next_event_number", 5001)

    # -- helpers ---------------------------------------------------------------------------------
    def _event(self, event_id: str) -> dict[str, Any]:
        event = self.events.get(event_id)
        if event is None:
            raise NotFoundError(
                f"no event {event_id!r}; use search_calendar_events or list_calendar_events to find event ids"
            )
        return event

    def _visible_event(self, event_id: str) -> dict[str, Any]:
        event = self._event(event_id)
        if event["organizer_email"] != self.owner_email and self.owner_email not in event["attendees"]:
            raise PermissionDeniedError(f"event {event_id!r} is on someone else's calendar and you are not invited")
        return event

    def _organized(self, event_id: str) -> dict[str, Any]:
        event = self._visible_event(event_id)
        if event["organizer_email"] != self.owner_email:
            raise PermissionDeniedError(
                f"only the organizer ({event['organizer_email']}) can change event {event_id!r}"
            )
        if event["status"] == "cancelled":
            raise InvalidStateError(f"event {event_id!r} is cancelled")
        return event

    def _person(self, email: str) -> dict[str, Any]:
        person = self.people.get(email.strip().lower())
        if person is None:
            raise NotFoundError(f"no person with email {email!r} in the directory; use find_calendar_person")
        return person

    @staticmethod
    def _attends(event: dict[str, Any], email: str) -> bool:
        if event["status"] != "confirmed":
            return False
        if event["organizer_email"] == email:
            return True
        return event["attendees"].get(email) not in (None, "declined")

    def _busy(self, email: str, start: dt.datetime, end: dt.datetime, skip: str | None = None) -> list[dict[str, Any]]:
        """Events `email` attends that overlap [start, end), in time order."""
        # Stored times are fixed-width 'YYYY-MM-DDTHH:MM' text, which orders like the times themselves.
        start_text, end_text = _fmt(start), _fmt(end)
        out = [
            e
            for e in self.events.values()
            if e["event_id"] != skip
            and self._attends(e, email)
            and e["start"] < end_text
            and start_text < e["end"]
        ]
        return sorted(out, key=lambda e: (e["start"], e["event_id"]))

    def _interval(self, start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
        begin, finish = _parse(start, "start"), _parse(end, "end")
        if finish <= begin:
            raise InvalidArgumentError(f"end {end!r} must be after start {start!r}")
        if finish - begin > dt.timedelta(hours=12):
            raise InvalidArgumentError("an event may last at most 12 hours")
        return begin, finish

    def _check_future(self, begin: dt.datetime) -> None:
        if begin.date() < dt.date.fromisoformat(self.today):
            raise InvalidArgumentError(f"{_fmt(begin)} is in the past (today is {self.today})")

    def _check_free(self, begin: dt.datetime, finish: dt.datetime, room_id: str | None, skip: str | None) -> None:
        clash = self._busy(self.owner_email, begin, finish, skip)
        if clash:
            raise ConflictError(
                f"you already have '{clash[0]['title']}' ({clash[0]['event_id']}) from {clash[0]['start']} to "
                f"{clash[0]['end']}; use find_free_slots to pick another time"
            )
        if room_id is not None:
            taken = [
                e for e in self.events.values()
                if e["room_id"] == room_id and e["status"] == "confirmed" and e["event_id"] != skip
                and e["start"] < _fmt(finish) and _fmt(begin) < e["end"]
            ]
            if taken:
                raise ConflictError(f"room {room_id} is booked then; use find_available_rooms")

    def _room(self, room_id: str) -> dict[str, Any]:
        room = self.rooms.get(room_id)
        if room is None:
            raise NotFoundError(f"no room {room_id!r}; use find_available_rooms to get room ids")
        return room

    def _summary(self, event: dict[str, Any]) -> EventSummary:
        mine: Literal["organizer", "needs_action"] | Response
        if event["organizer_email"] == self.owner_email:
            mine = "organizer"
        else:
            mine = event["attendees"].get(self.owner_email, "needs_action")
        return {
            "event_id": event["event_id"],
            "title": event["title"],
            "start": event["start"],
            "end": event["end"],
            "location": event["location"],
            "room_id": event["room_id"],
            "organizer_email": event["organizer_email"],
            "status": event["status"],
            "my_response": mine,
        }

    def _details(self, event: dict[str, Any]) -> EventDetails:
        attendees: list[Attendee] = [
            {"email": email, "name": self.people[email]["name"], "response": response}
            for email, response in sorted(event["attendees"].items())
        ]
        return {
            **self._summary(event),
            "attendees": attendees,
            "attendee_emails": [a["email"] for a in attendees],
            "reminders": sorted(event["reminders"]),
        }

    def _mine(self) -> list[dict[str, Any]]:
        return sorted(
            (e for e in self.events.values()
             if e["organizer_email"] == self.owner_email or self.owner_email in e["attendees"]),
            key=lambda e: (e["start"], e["event_id"]),
        )

    # -- reading ---------------------------------------------------------------------------------
    @tool
    def find_calendar_person(self, name: str) -> PersonList:
        """Look up colleagues in the directory by (part of) their name, to get the email invitations need.

        Args:
            name: Full name or part of it, case-insensitive, e.g. 'Grace Ito'.

        Returns:
            Matching people with their emails.
        """
        needle = " ".join(name.split()).lower()
        if len(needle) < 2:
            raise InvalidArgumentError("name must have at least 2 characters")
        found: list[Person] = [
            {"name": p["name"], "email": p["email"]} for p in self.people.values() if needle in p["name"].lower()
        ]
        if not found:
            raise NotFoundError(f"nobody in the directory has a name containing {name!r}")
        return {"people": sorted(found, key=lambda p: (p["name"], p["email"]))}

    @tool
    def list_calendar_events(self, start_date: str, end_date: str, include_cancelled: bool = False) -> EventList:
        """List the events on your calendar between two dates (inclusive), earliest first.

        Args:
            start_date: First day, YYYY-MM-DD.
            end_date: Last day, YYYY-MM-DD (at most 62 days after start_date).
            include_cancelled: Also list cancelled events.

        Returns:
            Events you organise or are invited to, with ids, times, room and your response.
        """
        first, last = _parse_date(start_date, "start_date"), _parse_date(end_date, "end_date")
        if last < first:
            raise InvalidArgumentError(f"end_date {end_date} is before start_date {start_date}")
        if (last - first).days > 62:
            raise InvalidArgumentError("the date range may span at most 62 days")
        begin = dt.datetime.combine(first, dt.time())
        finish = dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
        events = [
            self._summary(e) for e in self._mine()
            if (include_cancelled or e["status"] == "confirmed")
            and e["start"] < _fmt(finish) and _fmt(begin) < e["end"]
        ]
        return {"events": events}

    @tool
    def search_calendar_events(self, query: str, include_past: bool = False) -> EventList:
        """Find events on your calendar whose title contains a word or phrase.

        Args:
            query: Text to look for in titles, case-insensitive, e.g. 'budget review'.
            include_past: Also return events that ended before today.

        Returns:
            Matching confirmed events, earliest first.
        """
        needle = query.strip().lower()
        if len(needle) < 2:
            raise InvalidArgumentError("query must have at least 2 characters")
        today = dt.datetime.fromisoformat(self.today)
        events = [
            self._summary(e) for e in self._mine()
            if e["status"] == "confirmed" and needle in e["title"].lower()
            and (include_past or e["end"] >= _fmt(today))
        ]
        return {"events": events}

    @tool
    def get_calendar_event(self, event_id: str) -> EventDetails:
        """Show an event in full: attendees and their responses, room, reminders.

        Args:
            event_id: Event id, e.g. 'EV-5012' (from list_calendar_events or search_calendar_events).

        Returns:
            The event's details.
        """
        return self._details(self._visible_event(event_id))

    @tool
    def list_pending_invitations(self) -> EventList:
        """List upcoming events you are invited to but have not answered yet.

        Returns:
            Events awaiting your RSVP, earliest first.
        """
        today = dt.datetime.fromisoformat(self.today)
        events = [
            self._summary(e) for e in self._mine()
            if e["status"] == "confirmed" and e["attendees"].get(self.owner_email) == "needs_action"
            and e["start"] >= _fmt(today)
        ]
        return {"events": events}

    @tool
    def find_free_slots(self, date: str, duration_minutes: int, attendee_emails: list[str] | None = None) -> FreeSlots:
        """Find times on a day when you and the given people are all free, within working hours (09:00-17:00).

        Args:
            date: The day, YYYY-MM-DD.
            duration_minutes: Length of the meeting, 15 to 480 minutes.
            attendee_emails: Emails of the other people who must be free (from find_calendar_person or get_calendar_event).

        Returns:
            Candidate slots, every 30 minutes, earliest first.
        """
        day = _parse_date(date, "date")
        if not 15 <= duration_minutes <= 480:
            raise InvalidArgumentError(f"duration_minutes must be between 15 and 480, got {duration_minutes}")
        emails = [self._person(e)["email"] for e in attendee_emails or []]
        length = dt.timedelta(minutes=duration_minutes)
        moment = dt.datetime.combine(day, dt.time(WORKDAY[0]))
        close = dt.datetime.combine(day, dt.time(WORKDAY[1]))
        slots: list[TimeSlot] = []
        while moment + length <= close:
            if all(not self._busy(email, moment, moment + length) for email in [self.owner_email, *emails]):
                slots.append({"start": _fmt(moment), "end": _fmt(moment + length)})
            moment += SLOT_STEP
        return {"date": day.isoformat(), "slots": slots}

    @tool
    def check_person_availability(self, email: str, start: str, end: str) -> Availability:
        """Check whether a colleague is free during an interval.

        Args:
            email: The person's email (from find_calendar_person).
            start: Interval start, YYYY-MM-DDTHH:MM.
            end: Interval end, YYYY-MM-DDTHH:MM.

        Returns:
            Whether they are free and their busy intervals in that time.
        """
        person = self._person(email)
        begin, finish = self._interval(start, end)
        busy: list[TimeSlot] = [{"start": e["start"], "end": e["end"]} for e in self._busy(person["email"], begin, finish)]
        return {"email": person["email"], "available": not busy, "busy": busy}

    @tool
    def find_available_rooms(self, start: str, end: str, min_capacity: int = 1) -> RoomList:
        """Find meeting rooms that are free for an interval and seat enough people.

        Args:
            start: Interval start, YYYY-MM-DDTHH:MM.
            end: Interval end, YYYY-MM-DDTHH:MM.
            min_capacity: Seats needed, including you.

        Returns:
            Free rooms with their ids, smallest first.
        """
        begin, finish = self._interval(start, end)
        if min_capacity < 1:
            raise InvalidArgumentError("min_capacity must be at least 1")
        taken = {
            e["room_id"] for e in self.events.values()
            if e["room_id"] and e["status"] == "confirmed"
            and e["start"] < _fmt(finish) and _fmt(begin) < e["end"]
        }
        rooms: list[Room] = [
            {"room_id": r["room_id"], "name": r["name"], "capacity": r["capacity"], "floor": r["floor"]}
            for r in self.rooms.values() if r["room_id"] not in taken and r["capacity"] >= min_capacity
        ]
        return {"rooms": sorted(rooms, key=lambda r: (r["capacity"], r["room_id"]))}

    # -- writing ---------------------------------------------------------------------------------
    @tool(mutates=True)
    def create_calendar_event(
        self,
        title: str,
        start: str,
        end: str,
        attendee_emails: list[str] | None = None,
        room_id: str | None = None,
        location: str | None = None,
    ) -> EventDetails:
        """Create an event on your calendar and invite people to it.

        Attendees are given by email (look names up with find_calendar_person); a room by its id
        (from find_available_rooms). Fails with a conflict when you are already busy then or the
        room is taken.

        Args:
            title: Event title, e.g. 'Budget review'.
            start: Start, YYYY-MM-DDTHH:MM, today or later.
            end: End, YYYY-MM-DDTHH:MM, after start.
            attendee_emails: Emails of the people to invite.
            room_id: Meeting room id to book, e.g. 'RM-204'.
            location: Free-form location when no room is booked (an address, a video link).

        Returns:
            The new event with its id and attendees.
        """
        if not title.strip() or len(title) > 200:
            raise InvalidArgumentError("title must have 1 to 200 characters")
        begin, finish = self._interval(start, end)
        self._check_future(begin)
        emails: list[str] = []
        for email in attendee_emails or []:
            person = self._person(email)
            if person["email"] == self.owner_email:
                raise InvalidArgumentError("you are the organizer; do not list yourself as an attendee")
            if person["email"] not in emails:
                emails.append(person["email"])
        if room_id is not None:
            room = self._room(room_id)
            if room["capacity"] < len(emails) + 1:
                raise InvalidArgumentError(
                    f"room {room_id} seats {room['capacity']}, the event has {len(emails) + 1} people"
                )
        self._check_free(begin, finish, room_id, None)
        event_id = f"EV-{self.next_event_number}"
        self.next_event_number += 1
        event: dict[str, Any] = {
            "event_id": event_id,
            "title": title.strip(),
            "start": _fmt(begin),
            "end": _fmt(finish),
            "location": location if room_id is None else self.rooms[room_id]["name"],
            "room_id": room_id,
            "organizer_email": self.owner_email,
            "attendees": dict.fromkeys(emails, "needs_action"),
            "status": "confirmed",
            "reminders": [],
        }
        self.events[event_id] = event
        return self._details(event)

    @tool(mutates=True)
    def reschedule_calendar_event(self, event_id: str, start: str, end: str) -> EventDetails:
        """Move an event you organise to a new time; attendees are asked to answer again.

        Args:
            event_id: Event id, e.g. 'EV-5012'.
            start: New start, YYYY-MM-DDTHH:MM, today or later.
            end: New end, YYYY-MM-DDTHH:MM.

        Returns:
            The updated event.
        """
        event = self._organized(event_id)
        begin, finish = self._interval(start, end)
        self._check_future(begin)
        self._check_free(begin, finish, event["room_id"], event_id)
        event["start"], event["end"] = _fmt(begin), _fmt(finish)
        event["attendees"] = dict.fromkeys(event["attendees"], "needs_action")
        return self._details(event)

    @tool(mutates=True)
    def cancel_calendar_event(self, event_id: str) -> EventSummary:
        """Cancel an upcoming event you organise (attendees are notified; the room is released).

        Args:
            event_id: Event id, e.g. 'EV-5012'.

        Returns:
            The event, now with status 'cancelled'.
        """
        event = self._organized(event_id)
        if _parse(event["end"], "end") < dt.datetime.fromisoformat(self.today):
            raise InvalidStateError(f"event {event_id!r} is already over and cannot be cancelled")
        event["status"] = "cancelled"
        return self._summary(event)

    @tool(mutates=True)
    def invite_to_calendar_event(self, event_id: str, email: str) -> EventDetails:
        """Invite one more person to an event you organise.

        Args:
            event_id: Event id, e.g. 'EV-5012'.
            email: Email of the person to invite (from find_calendar_person).

        Returns:
            The updated event with its attendees.
        """
        event = self._organized(event_id)
        person = self._person(email)
        if person["email"] == self.owner_email or person["email"] in event["attendees"]:
            raise ConflictError(f"{person['name']} is already on event {event_id!r}")
        if event["room_id"] and self.rooms[event["room_id"]]["capacity"] < len(event["attendees"]) + 2:
            raise InvalidArgumentError(f"room {event['room_id']} is full; book a bigger room first")
        event["attendees"][person["email"]] = "needs_action"
        return self._details(event)

    @tool(mutates=True)
    def remove_event_attendee(self, event_id: str, email: str) -> EventDetails:
        """Remove a person from an event you organise.

        Args:
            event_id: Event id, e.g. 'EV-5012'.
            email: Email of the attendee to remove.

        Returns:
            The updated event with its attendees.
        """
        event = self._organized(event_id)
        wanted = email.strip().lower()
        if wanted not in event["attendees"]:
            raise NotFoundError(f"{email!r} is not an attendee of {event_id!r}; see get_calendar_event")
        del event["attendees"][wanted]
        return self._details(event)

    @tool(mutates=True)
    def rsvp_calendar_event(self, event_id: str, response: Response) -> EventSummary:
        """Answer an invitation: accept, decline or mark tentative.

        Accepting fails with a conflict when you already attend another event at that time.

        Args:
            event_id: Event id of an invitation, e.g. 'EV-5012' (from list_pending_invitations).
            response: Your answer.

        Returns:
            The event with your new response.
        """
        event = self._visible_event(event_id)
        if event["organizer_email"] == self.owner_email:
            raise InvalidStateError(f"you organise {event_id!r}; there is nothing to answer")
        if event["status"] == "cancelled":
            raise InvalidStateError(f"event {event_id!r} was cancelled by its organizer")
        if response == "accepted":
            begin, finish = _parse(event["start"], "start"), _parse(event["end"], "end")
            clash = self._busy(self.owner_email, begin, finish, skip=event_id)
            if clash:
                raise ConflictError(
                    f"it overlaps '{clash[0]['title']}' ({clash[0]['event_id']}) that you attend; "
                    "decline one of them or reschedule"
                )
        event["attendees"][self.owner_email] = response
        return self._summary(event)

    @tool(mutates=True)
    def set_event_location(self, event_id: str, location: str) -> EventSummary:
        """Set the free-form location of an event you organise (releases a booked room).

        Args:
            event_id: Event id, e.g. 'EV-5012'.
            location: New location, e.g. an address or a video-call link.

        Returns:
            The updated event.
        """
        event = self._organized(event_id)
        if not location.strip():
            raise InvalidArgumentError("location must not be empty")
        event["location"] = location.strip()
        event["room_id"] = None
        return self._summary(event)

    @tool(mutates=True)
    def add_event_reminder(self, event_id: str, minutes_before: int) -> ReminderResult:
        """Add a reminder to an event on your calendar.

        Args:
            event_id: Event id, e.g. 'EV-5012'.
            minutes_before: How long before the start to remind you, 5 to 10080 minutes (one week).

        Returns:
            The event id and all its reminders.
        """
        event = self._visible_event(event_id)
        if event["status"] == "cancelled":
            raise InvalidStateError(f"event {event_id!r} is cancelled")
        if not 5 <= minutes_before <= 10080:
            raise InvalidArgumentError(f"minutes_before must be between 5 and 10080, got {minutes_before}")
        if minutes_before in event["reminders"]:
            raise ConflictError(f"event {event_id!r} already has a reminder {minutes_before} minutes before")
        event["reminders"].append(minutes_before)
        return {"event_id": event_id, "reminders": sorted(event["reminders"])}


# -- generated worlds ----------------------------------------------------------------------------
_TOPICS = ("Budget", "Roadmap", "Hiring", "Launch", "Security", "Design", "Pricing", "Customer", "Quarterly")
_KINDS = ("review", "sync", "planning", "workshop", "retro", "kickoff")
_ROOMS = ("Aurora", "Baltic", "Cedar", "Dune", "Everest", "Fjord", "Granite", "Harbor")


def generate_state(seed: int) -> dict[str, Any]:
    """A directory of the people pool, rooms, and a month of meetings around a fixed today."""
    rng = random.Random(seed)
    today = dt.date(2024, 3, 4) + dt.timedelta(days=rng.randrange(220))
    people = {email_of(person_name(i)): {"name": person_name(i), "email": email_of(person_name(i))}
              for i in range(PEOPLE)}
    owner_email = email_of(person_name(seed % PEOPLE))
    others = [e for e in people if e != owner_email]
    rooms = {}
    for i, name in enumerate(_ROOMS):
        floor = 1 + i // 3
        room_id = f"RM-{floor}{rng.randrange(10, 99)}"
        while room_id in rooms:
            room_id = f"RM-{floor}{rng.randrange(10, 99)}"
        rooms[room_id] = {"room_id": room_id, "name": name, "capacity": rng.choice((4, 6, 8, 12, 20)), "floor": floor}
    room_ids = list(rooms)
    colleagues = rng.sample(others, 40)

    events: dict[str, dict[str, Any]] = {}
    number = 5001
    owner_busy: list[tuple[dt.datetime, dt.datetime]] = []

    def add(organizer: str, attendees: dict[str, str], begin: dt.datetime, minutes: int) -> None:
        nonlocal number
        event_id = f"EV-{number}"
        number += 1
        finish = begin + dt.timedelta(minutes=minutes)
        room = rng.choice(room_ids) if rng.random() < 0.4 else None
        if room and any(
            e["room_id"] == room and e["start"] < _fmt(finish) and _fmt(begin) < e["end"]
            for e in events.values()
        ):
            room = None
        title = f"{rng.choice(_TOPICS)} {rng.choice(_KINDS)}"
        events[event_id] = {
            "event_id": event_id,
            "title": title,
            "start": _fmt(begin),
            "end": _fmt(finish),
            "location": rooms[room]["name"] if room else rng.choice((None, "Video call", "Cafe Lumen")),
            "room_id": room,
            "organizer_email": organizer,
            "attendees": attendees,
            "status": "confirmed" if rng.random() < 0.93 else "cancelled",
            "reminders": sorted(rng.sample((10, 15, 30, 60), rng.randrange(0, 2))),
        }

    for offset in range(-7, 22):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for _ in range(rng.randrange(0, 4)):
            begin = dt.datetime.combine(day, dt.time(rng.randrange(9, 16), rng.choice((0, 30))))
            minutes = rng.choice((30, 60, 60, 90))
            finish = begin + dt.timedelta(minutes=minutes)
            if any(b < finish and begin < f for b, f in owner_busy):
                continue
            owner_busy.append((begin, finish))
            guests = rng.sample(colleagues, rng.randrange(1, 5))
            if rng.random() < 0.55:
                add(owner_email, {g: rng.choice(("accepted", "accepted", "tentative", "needs_action", "declined"))
                                  for g in guests}, begin, minutes)
            else:
                answer = "needs_action" if offset > 0 and rng.random() < 0.35 else rng.choice(("accepted", "tentative"))
                add(guests[0], {owner_email: answer, **{g: "accepted" for g in guests[1:]}}, begin, minutes)
    # Colleagues' own meetings, so their availability is not trivially free.
    for colleague in colleagues:
        for _ in range(rng.randrange(2, 7)):
            day = today + dt.timedelta(days=rng.randrange(0, 21))
            if day.weekday() >= 5:
                continue
            begin = dt.datetime.combine(day, dt.time(rng.randrange(9, 16), rng.choice((0, 30))))
            add(colleague, {rng.choice(colleagues): "accepted"} if rng.random() < 0.5 else {},
                begin, rng.choice((30, 60, 120)))
    # Two unanswered invitations: one at a free time, one clashing with a meeting the owner attends,
    # so accepting it is a conflict an agent must notice.
    future = sorted((b, f) for b, f in owner_busy if b.date() > today)
    for offset in range(1, 30):
        day = today + dt.timedelta(days=offset)
        begin = dt.datetime.combine(day, dt.time(16))
        if day.weekday() < 5 and not any(b < begin + dt.timedelta(hours=1) and begin < f for b, f in owner_busy):
            add(rng.choice(colleagues), {owner_email: "needs_action"}, begin, 60)
            break
    if future:
        clash_start = future[len(future) // 2][0]
        add(rng.choice(colleagues), {owner_email: "needs_action"}, clash_start, 30)
    for event in events.values():
        event["attendees"].pop(event["organizer_email"], None)
        if owner_email in event["attendees"] and event["attendees"][owner_email] == "needs_action":
            event["status"] = "confirmed"
    return {
        "owner_email": owner_email,
        "today": today.isoformat(),
        "people": people,
        "rooms": rooms,
        "events": events,
        "next_event_number": number,
    }



def crowd_state(state: dict[str, Any], seed: int) -> dict[str, Any]:
    """`state` with a busier inbox: 12 to 18 more invitations the owner has not answered, from
    colleagues, on workdays of the next four weeks (video calls just before or after the working
    day, no room), and a month of past
    meetings the owner attended. Their ids sort below the first event; the next event number is
    unchanged."""
    rng = random.Random(f"calendar-crowd:{seed}")
    owner = state["owner_email"]
    today = dt.date.fromisoformat(state["today"])
    colleagues = sorted({e["organizer_email"] for e in state["events"].values()} - {owner}) or \
        sorted(set(state["people"]) - {owner})
    added: list[dict[str, Any]] = []

    def meeting(day: dt.date, attendees: dict[str, str], organizer: str, early_or_late: bool) -> None:
        # Invitations sit before or after the working day (calls across time zones), so the
        # owner's free slots, and every meeting already planned, stay as they were.
        hour = (rng.choice((dt.time(8, 0), dt.time(8, 15), dt.time(17, 30), dt.time(18, 0))) if early_or_late
                else dt.time(rng.randrange(9, 17), rng.choice((0, 30))))
        begin = dt.datetime.combine(day, hour)
        added.append({"title": f"{rng.choice(_TOPICS)} {rng.choice(_KINDS)}", "start": _fmt(begin),
                      "end": _fmt(begin + dt.timedelta(minutes=30 if early_or_late else rng.choice((30, 45, 60)))),
                      "location": "Video call", "room_id": None, "organizer_email": organizer,
                      "attendees": attendees, "status": "confirmed", "reminders": []})

    workdays = [d for d in (today + dt.timedelta(days=k) for k in range(1, 29)) if d.weekday() < 5]
    for day in sorted(rng.sample(workdays, min(len(workdays), rng.randrange(12, 19)))):
        guests = rng.sample(colleagues, min(len(colleagues), rng.randrange(1, 4)))
        meeting(day, {owner: "needs_action", **{g: "accepted" for g in guests[1:]}}, guests[0], True)
    past = [d for d in (today - dt.timedelta(days=k) for k in range(8, 40)) if d.weekday() < 5]
    for day in sorted(rng.sample(past, min(len(past), rng.randrange(10, 16)))):
        guests = rng.sample(colleagues, min(len(colleagues), rng.randrange(1, 4)))
        meeting(day, {owner: "accepted", **{g: "accepted" for g in guests[1:]}}, guests[0], False)
    lowest = min(int(e.split("-")[1]) for e in state["events"]) if state["events"] else 5001
    events = {}
    for n, record in enumerate(sorted(added, key=lambda e: e["start"])):
        event_id = f"EV-{lowest - len(added) + n}"
        events[event_id] = {"event_id": event_id, **record}
    state["events"] = {**events, **state["events"]}
    return state

def _facts(seed: int = 0) -> dict[str, Any]:
    """Values from the seed-0 world the examples need: a colleague, a free day, an organised event."""
    state = generate_state(seed)
    api = CalendarAPI()
    api.load_state(state)
    today = dt.date.fromisoformat(state["today"])
    free_day = next(
        d for d in (today + dt.timedelta(days=k) for k in range(1, 30))
        if d.weekday() < 5 and not api._busy(state["owner_email"], dt.datetime.combine(d, dt.time(13)),
                                             dt.datetime.combine(d, dt.time(15)))
    )
    upcoming = [e for e in api._mine() if e["status"] == "confirmed" and e["start"] >= state["today"]]
    # An event the owner organises, with attendees and no room, that its title finds first.
    organised = next(
        e for e in upcoming
        if e["organizer_email"] == state["owner_email"] and e["attendees"] and e["room_id"] is None
        and api.search_calendar_events(e["title"])["events"][0]["event_id"] == e["event_id"]
    )
    colleague = next(iter(organised["attendees"]))
    return {
        "today": state["today"],
        "free_day": free_day.isoformat(),
        "organised_title": organised["title"],
        "colleague_name": state["people"][colleague]["name"],
        "outsider_name": next(p["name"] for e, p in state["people"].items()
                              if e not in organised["attendees"] and e != state["owner_email"]),
    }


_F = _facts(0)
_SLOT = {"start": f"{_F['free_day']}T13:00", "end": f"{_F['free_day']}T14:00"}

DOMAIN = Domain(
    name="calendar",
    description="A work calendar: events with attendees by email, free-slot search, rooms, invitations and RSVPs.",
    environment_class=CalendarAPI,
    generate_state=generate_state,
    crowd=crowd_state,
    chains=(
        Chain(
            "meet_a_colleague",
            "Resolve a colleague's name to an email, find a common free slot, create the meeting.",
            ("find_calendar_person", "find_free_slots", "create_calendar_event"),
        ),
        Chain(
            "move_a_meeting",
            "Find a meeting by title, read its attendees, find a slot they all have, reschedule it.",
            ("search_calendar_events", "get_calendar_event", "find_free_slots", "reschedule_calendar_event"),
        ),
        Chain(
            "book_room_with_reminder",
            "Find a free room, create the meeting in it, add a reminder to the new event.",
            ("find_available_rooms", "create_calendar_event", "add_event_reminder"),
        ),
        Chain(
            "invite_by_name",
            "Find a meeting by title, resolve a person's name to an email, invite them.",
            ("search_calendar_events", "find_calendar_person", "invite_to_calendar_event"),
        ),
        Chain(
            "answer_invitation",
            "List unanswered invitations, check that day's calendar for overlaps, then RSVP.",
            ("list_pending_invitations", "list_calendar_events", "rsvp_calendar_event"),
        ),
        Chain(
            "invite_and_notify",
            "Look up a chat user, create a meeting with their email, log in to chat and tell them its time.",
            ("messaging.find_user_by_name", "create_calendar_event", "messaging.login_messaging",
             "messaging.send_chat_message"),
        ),
    ),
    examples={
        "find_calendar_person": [("find_calendar_person", {"name": _F["colleague_name"]})],
        "list_calendar_events": [("list_calendar_events", {"start_date": _F["today"], "end_date": _F["free_day"]})],
        "search_calendar_events": [("search_calendar_events", {"query": _F["organised_title"]})],
        "get_calendar_event": [
            ("search_calendar_events", {"query": _F["organised_title"]}),
            ("get_calendar_event", {"event_id": "$0.events.0.event_id"}),
        ],
        "list_pending_invitations": [("list_pending_invitations", {})],
        "find_free_slots": [
            ("find_calendar_person", {"name": _F["colleague_name"]}),
            ("find_free_slots", {"date": _F["free_day"], "duration_minutes": 30,
                                 "attendee_emails": ["$0.people.0.email"]}),
        ],
        "check_person_availability": [
            ("find_calendar_person", {"name": _F["colleague_name"]}),
            ("check_person_availability", {"email": "$0.people.0.email", **_SLOT}),
        ],
        "find_available_rooms": [("find_available_rooms", {**_SLOT, "min_capacity": 4})],
        "create_calendar_event": [
            ("find_calendar_person", {"name": _F["colleague_name"]}),
            ("create_calendar_event", {"title": "Project catch-up", **_SLOT,
                                       "attendee_emails": ["$0.people.0.email"]}),
        ],
        "reschedule_calendar_event": [
            ("search_calendar_events", {"query": _F["organised_title"]}),
            ("reschedule_calendar_event", {"event_id": "$0.events.0.event_id", **_SLOT}),
        ],
        "cancel_calendar_event": [
            ("create_calendar_event", {"title": "Tentative planning", **_SLOT}),
            ("cancel_calendar_event", {"event_id": "$0.event_id"}),
        ],
        "invite_to_calendar_event": [
            ("search_calendar_events", {"query": _F["organised_title"]}),
            ("find_calendar_person", {"name": _F["outsider_name"]}),
            ("invite_to_calendar_event", {"event_id": "$0.events.0.event_id", "email": "$1.people.0.email"}),
        ],
        "remove_event_attendee": [
            ("search_calendar_events", {"query": _F["organised_title"]}),
            ("get_calendar_event", {"event_id": "$0.events.0.event_id"}),
            ("remove_event_attendee", {"event_id": "$0.events.0.event_id", "email": "$1.attendee_emails.0"}),
        ],
        "rsvp_calendar_event": [
            ("list_pending_invitations", {}),
            ("rsvp_calendar_event", {"event_id": "$0.events.0.event_id", "response": "tentative"}),
        ],
        "set_event_location": [
            ("create_calendar_event", {"title": "Design review", **_SLOT}),
            ("set_event_location", {"event_id": "$0.event_id", "location": "Cafe Lumen, 2nd floor"}),
        ],
        "add_event_reminder": [
            ("find_available_rooms", {**_SLOT, "min_capacity": 2}),
            ("create_calendar_event", {"title": "Interview", **_SLOT, "room_id": "$0.rooms.0.room_id"}),
            ("add_event_reminder", {"event_id": "$1.event_id", "minutes_before": 20}),
        ],
    },
)
