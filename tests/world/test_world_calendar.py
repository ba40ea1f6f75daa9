"""The calendar domain: attendees by email, free-slot search, rooms, RSVPs, and conflicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from world_helpers import error_type, ok

from hardgen.tools import Session
from hardgen.world import default_world, get_domain

DOMAIN = get_domain("calendar")


@pytest.fixture
def cal() -> Session:
    return default_world(0, domains=["calendar"], timeout=None)


def api(session: Session) -> Any:
    return session.environment_of("create_calendar_event").instance


def colleague(session: Session) -> dict[str, Any]:
    state = api(session)
    email = next(e["organizer_email"] for e in state.events.values() if e["organizer_email"] != state.owner_email)
    return state.people[email]


def weekday_after(session: Session, days: int) -> str:
    day = dt.date.fromisoformat(api(session).today) + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


def organised(session: Session) -> dict[str, Any]:
    """An upcoming event the owner organises, with attendees and no room, that its title finds first."""
    state = api(session)
    for event in sorted(state.events.values(), key=lambda e: e["start"]):
        if (event["organizer_email"] == state.owner_email and event["attendees"] and event["room_id"] is None
                and event["status"] == "confirmed" and event["start"] >= state.today):
            found = ok(session, "search_calendar_events", query=event["title"])["events"]
            if found[0]["event_id"] == event["event_id"]:
                return event
    raise AssertionError("seed 0 has no suitable organised event")


def test_chain_meet_a_colleague(cal: Session) -> None:
    person = colleague(cal)
    email = ok(cal, "find_calendar_person", name=person["name"])["people"][0]["email"]
    assert email == person["email"]
    day = weekday_after(cal, 3)
    slots = ok(cal, "find_free_slots", date=day, duration_minutes=60, attendee_emails=[email])["slots"]
    assert slots
    for slot in slots:  # every proposed slot really is free for the colleague
        assert ok(cal, "check_person_availability", email=email, **slot)["available"] is True
    event = ok(cal, "create_calendar_event", title="Catch-up", attendee_emails=[email], **slots[0])
    assert event["event_id"].startswith("EV-") and event["attendee_emails"] == [email]
    assert event["attendees"][0]["response"] == "needs_action"
    assert error_type(cal, "create_calendar_event", title="Clash", **slots[0]) == "ConflictError"
    after = ok(cal, "find_free_slots", date=day, duration_minutes=60, attendee_emails=[email])["slots"]
    assert slots[0] not in after


def test_chain_move_a_meeting(cal: Session) -> None:
    event = organised(cal)
    event_id = ok(cal, "search_calendar_events", query=event["title"])["events"][0]["event_id"]
    details = ok(cal, "get_calendar_event", event_id=event_id)
    day = weekday_after(cal, 5)
    slot = ok(cal, "find_free_slots", date=day, duration_minutes=30,
              attendee_emails=details["attendee_emails"])["slots"][-1]
    moved = ok(cal, "reschedule_calendar_event", event_id=event_id, **slot)
    assert (moved["start"], moved["end"]) == (slot["start"], slot["end"])
    assert {a["response"] for a in moved["attendees"]} == {"needs_action"}
    listed = ok(cal, "list_calendar_events", start_date=day, end_date=day)["events"]
    assert event_id in [e["event_id"] for e in listed]


def test_chain_book_room_with_reminder(cal: Session) -> None:
    day = weekday_after(cal, 4)
    slot = ok(cal, "find_free_slots", date=day, duration_minutes=60)["slots"][0]
    room = ok(cal, "find_available_rooms", min_capacity=4, **slot)["rooms"][0]
    assert room["capacity"] >= 4
    event = ok(cal, "create_calendar_event", title="Workshop", room_id=room["room_id"], **slot)
    assert event["room_id"] == room["room_id"] and event["location"] == room["name"]
    assert ok(cal, "add_event_reminder", event_id=event["event_id"], minutes_before=15)["reminders"] == [15]
    assert error_type(cal, "add_event_reminder", event_id=event["event_id"], minutes_before=15) == "ConflictError"
    free_rooms = ok(cal, "find_available_rooms", min_capacity=1, **slot)["rooms"]
    assert room["room_id"] not in [r["room_id"] for r in free_rooms]


def test_a_room_booked_by_someone_else_is_a_conflict(cal: Session) -> None:
    state = api(cal)
    for event in state.events.values():
        if (event["room_id"] and event["status"] == "confirmed" and event["start"] > state.today
                and state.owner_email not in (event["organizer_email"], *event["attendees"])):
            slot = {"start": event["start"], "end": event["end"]}
            if ok(cal, "check_person_availability", email=state.owner_email, **slot)["available"]:
                break
    else:
        raise AssertionError("seed 0 has no room booked by others at a time the owner is free")
    assert error_type(cal, "create_calendar_event", title="Mine", room_id=event["room_id"], **slot) == "ConflictError"


def test_chain_invite_by_name(cal: Session) -> None:
    event = organised(cal)
    event_id = ok(cal, "search_calendar_events", query=event["title"])["events"][0]["event_id"]
    state = api(cal)
    outsider = next(p for e, p in state.people.items() if e not in event["attendees"] and e != state.owner_email)
    email = ok(cal, "find_calendar_person", name=outsider["name"])["people"][0]["email"]
    invited = ok(cal, "invite_to_calendar_event", event_id=event_id, email=email)
    assert email in invited["attendee_emails"]
    assert error_type(cal, "invite_to_calendar_event", event_id=event_id, email=email) == "ConflictError"
    removed = ok(cal, "remove_event_attendee", event_id=event_id, email=email)
    assert email not in removed["attendee_emails"]


def test_chain_answer_invitation_and_conflicting_accept(cal: Session) -> None:
    pending = ok(cal, "list_pending_invitations")["events"]
    assert len(pending) >= 2
    outcomes = {}
    for invitation in pending:
        day = invitation["start"][:10]
        others = [e for e in ok(cal, "list_calendar_events", start_date=day, end_date=day)["events"]
                  if e["event_id"] != invitation["event_id"] and e["my_response"] != "declined"]
        overlaps = any(e["start"] < invitation["end"] and invitation["start"] < e["end"] for e in others)
        obs = cal.call("rsvp_calendar_event", {"event_id": invitation["event_id"], "response": "accepted"})
        outcomes[invitation["event_id"]] = (overlaps, obs.ok)
        # Accepting fails exactly when the day already has an overlapping event.
        assert obs.ok is not overlaps, (invitation, obs)
        if not obs.ok:
            assert obs.error is not None and obs.error.type == "ConflictError"
            assert ok(cal, "rsvp_calendar_event", event_id=invitation["event_id"],
                      response="declined")["my_response"] == "declined"
    assert any(o for o, _ in outcomes.values()) and any(not o for o, _ in outcomes.values())
    assert ok(cal, "list_pending_invitations")["events"] == []


def test_cross_domain_invite_and_notify() -> None:
    session = default_world(0, domains=["calendar", "messaging"], timeout=None)
    person = colleague(session)
    user = ok(session, "find_user_by_name", name=person["name"])["users"][0]
    day = weekday_after(session, 6)
    slot = ok(session, "find_free_slots", date=day, duration_minutes=30, attendee_emails=[user["email"]])["slots"][0]
    event = ok(session, "create_calendar_event", title="Quick sync", attendee_emails=[user["email"]], **slot)
    chat = session.environment_of("login_messaging").instance
    ok(session, "login_messaging", username=chat.owner_username, password=chat.passwords[chat.owner_username])
    text = f"Invited you to Quick sync at {event['start']}"
    sent = ok(session, "send_chat_message", recipient_id=user["user_id"], text=text)
    assert chat.messages[sent["message_id"]]["recipient_id"] == user["user_id"]


def test_only_the_organizer_changes_an_event(cal: Session) -> None:
    invitation = ok(cal, "list_pending_invitations")["events"][0]
    event_id = invitation["event_id"]
    assert error_type(cal, "cancel_calendar_event", event_id=event_id) == "PermissionDeniedError"
    assert error_type(cal, "reschedule_calendar_event", event_id=event_id, start=invitation["start"],
                      end=invitation["end"]) == "PermissionDeniedError"
    own = organised(cal)
    assert error_type(cal, "rsvp_calendar_event", event_id=own["event_id"], response="accepted") == "InvalidStateError"
    ok(cal, "cancel_calendar_event", event_id=own["event_id"])
    assert error_type(cal, "cancel_calendar_event", event_id=own["event_id"]) == "InvalidStateError"
    listed = ok(cal, "list_calendar_events", start_date=own["start"][:10], end_date=own["start"][:10],
                include_cancelled=True)["events"]
    assert next(e for e in listed if e["event_id"] == own["event_id"])["status"] == "cancelled"


def test_someone_elses_private_event_is_hidden(cal: Session) -> None:
    state = api(cal)
    private = next(e for e in state.events.values()
                   if state.owner_email not in (e["organizer_email"], *e["attendees"]))
    assert error_type(cal, "get_calendar_event", event_id=private["event_id"]) == "PermissionDeniedError"


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("get_calendar_event", {"event_id": "EV-1"}, "NotFoundError"),
        ("find_calendar_person", {"name": "Zzyzx"}, "NotFoundError"),
        ("create_calendar_event", {"title": "x", "start": "tomorrow 9am", "end": "2030-01-01T10:00"},
         "InvalidArgumentError"),
        ("create_calendar_event", {"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T09:00"},
         "InvalidArgumentError"),
        ("create_calendar_event", {"title": "x", "start": "2020-01-01T10:00", "end": "2020-01-01T11:00"},
         "InvalidArgumentError"),
        ("create_calendar_event", {"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
                                   "attendee_emails": ["nobody@nowhere.test"]}, "NotFoundError"),
        ("create_calendar_event", {"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
                                   "room_id": "RM-000"}, "NotFoundError"),
        ("find_free_slots", {"date": "2030-01-01", "duration_minutes": 5}, "InvalidArgumentError"),
        ("list_calendar_events", {"start_date": "2030-02-01", "end_date": "2030-01-01"}, "InvalidArgumentError"),
        ("check_person_availability", {"email": "nobody@nowhere.test", "start": "2030-01-01T10:00",
                                       "end": "2030-01-01T11:00"}, "NotFoundError"),
    ],
)
def test_errors_are_typed_observations(cal: Session, tool: str, arguments: dict[str, Any], expected: str) -> None:
    before = cal.state_hash()
    assert error_type(cal, tool, **arguments) == expected
    assert cal.state_hash() == before


def test_generate_state_is_seeded() -> None:
    assert DOMAIN.generate_state(2) == DOMAIN.generate_state(2)
    assert DOMAIN.generate_state(2) != DOMAIN.generate_state(3)
    for seed in range(4):  # every world has invitations to answer, one of them clashing
        session = default_world(seed, domains=["calendar"], timeout=None)
        assert len(ok(session, "list_pending_invitations")["events"]) >= 2
