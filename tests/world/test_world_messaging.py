"""The messaging domain: login-gated chat addressed by user ids looked up from names or emails."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import error_type, ok

from hardgen.tools import Session
from hardgen.world import default_world, get_domain
from hardgen.world._data import email_of, person_name

DOMAIN = get_domain("messaging")


@pytest.fixture
def chat() -> Session:
    return default_world(0, domains=["messaging"], timeout=None)


def api(session: Session) -> Any:
    return session.environment_of("login_messaging").instance


def owner(session: Session) -> dict[str, Any]:
    state = api(session)
    return next(u for u in state.users.values() if u["username"] == state.owner_username)


def login(session: Session, username: str | None = None) -> dict[str, Any]:
    state = api(session)
    username = username or state.owner_username
    return ok(session, "login_messaging", username=username, password=state.passwords[username])


def contact(session: Session, index: int = 0) -> dict[str, Any]:
    state = api(session)
    return state.users[state.contacts[owner(session)["user_id"]][index]]


def stranger(session: Session) -> dict[str, Any]:
    """A user who is not a contact and with whom no block exists."""
    state = api(session)
    me = owner(session)["user_id"]
    return next(
        u for u in state.users.values()
        if u["user_id"] != me and u["user_id"] not in state.contacts[me]
        and u["user_id"] not in state.blocked.get(me, []) and me not in state.blocked.get(u["user_id"], [])
    )


def test_chain_message_by_name(chat: Session) -> None:
    person = contact(chat)
    found = ok(chat, "find_user_by_name", name=person["display_name"].lower())["users"]
    assert [u["user_id"] for u in found] == [person["user_id"]]
    login(chat)
    sent = ok(chat, "send_chat_message", recipient_id=found[0]["user_id"], text="Lunch on Friday?")
    assert sent["recipient_id"] == person["user_id"] and sent["message_id"].startswith("M-")
    conversation = ok(chat, "get_conversation", user_id=person["user_id"])["messages"]
    assert conversation[-1]["message_id"] == sent["message_id"]
    assert conversation[-1]["text"] == "Lunch on Friday?"


def test_chain_reply_to_latest_and_mark_read(chat: Session) -> None:
    unread_before = login(chat)["unread_count"]
    unread = ok(chat, "list_chat_inbox", unread_only=True)["messages"]
    assert len(unread) == unread_before > 0
    latest = unread[0]
    reply = ok(chat, "send_chat_message", recipient_id=latest["sender_id"], text="Got it, thanks!")
    assert reply["recipient_id"] == latest["sender_id"]
    receipt = ok(chat, "mark_message_read", message_id=latest["message_id"])
    assert receipt["read"] is True and receipt["read_at"] is not None
    remaining = ok(chat, "list_chat_inbox", unread_only=True)["messages"]
    assert latest["message_id"] not in [m["message_id"] for m in remaining]


def test_chain_check_receipt_follows_the_recipient_reading(chat: Session) -> None:
    person = contact(chat)
    login(chat)
    ok(chat, "send_chat_message", recipient_id=person["user_id"], text="Signed contract attached")
    found = ok(chat, "search_chat_messages", keyword="signed contract")["messages"]
    message_id = found[-1]["message_id"]
    assert ok(chat, "get_message_read_status", message_id=message_id)["read"] is False
    login(chat, person["username"])  # the recipient reads it
    assert error_type(chat, "get_message_read_status", message_id=message_id) == "PermissionDeniedError"
    read_at = ok(chat, "mark_message_read", message_id=message_id)["read_at"]
    login(chat)
    assert ok(chat, "get_message_read_status", message_id=message_id) == {
        "message_id": message_id, "read": True, "read_at": read_at,
    }


def test_chain_contact_from_email(chat: Session) -> None:
    person = stranger(chat)
    user_id = ok(chat, "find_user_by_email", email=person["email"].upper())["user_id"]
    assert user_id == person["user_id"]
    login(chat)
    before = len(ok(chat, "list_chat_contacts")["users"])
    assert ok(chat, "add_chat_contact", user_id=user_id)["contact_count"] == before + 1
    assert user_id in [u["user_id"] for u in ok(chat, "list_chat_contacts")["users"]]
    assert error_type(chat, "add_chat_contact", user_id=user_id) == "ConflictError"
    ok(chat, "remove_chat_contact", user_id=user_id)
    assert error_type(chat, "remove_chat_contact", user_id=user_id) == "NotFoundError"


def test_chain_fix_sent_message_only_while_unread(chat: Session) -> None:
    person = contact(chat)
    login(chat)
    ok(chat, "send_chat_message", recipient_id=person["user_id"], text="Meet at 3pn")
    message_id = ok(chat, "search_chat_messages", keyword="3pn")["messages"][0]["message_id"]
    assert ok(chat, "edit_chat_message", message_id=message_id, text="Meet at 3pm")["text"] == "Meet at 3pm"
    assert ok(chat, "search_chat_messages", keyword="3pn")["messages"] == []
    login(chat, person["username"])
    ok(chat, "mark_message_read", message_id=message_id)
    login(chat)
    assert error_type(chat, "edit_chat_message", message_id=message_id, text="x") == "InvalidStateError"


def test_chain_conversation_with_person(chat: Session) -> None:
    person = contact(chat, 1)
    user_id = ok(chat, "find_user_by_name", name=person["display_name"])["users"][0]["user_id"]
    login(chat)
    messages = ok(chat, "get_conversation", user_id=user_id, limit=100)["messages"]
    me = owner(chat)["user_id"]
    assert all({m["sender_id"], m["recipient_id"]} == {me, user_id} for m in messages)
    assert [m["sent_at"] for m in messages] == sorted(m["sent_at"] for m in messages)


def test_every_shared_pool_person_has_an_account_by_email(chat: Session) -> None:
    for index in (0, 57, 199):
        name = person_name(index)
        assert ok(chat, "find_user_by_email", email=email_of(name))["display_name"] == name


def test_delete_only_your_own_messages(chat: Session) -> None:
    login(chat)
    received = ok(chat, "list_chat_inbox", limit=1)["messages"][0]
    assert error_type(chat, "delete_chat_message", message_id=received["message_id"]) == "PermissionDeniedError"
    sent = ok(chat, "send_chat_message", recipient_id=received["sender_id"], text="oops")
    ok(chat, "delete_chat_message", message_id=sent["message_id"])
    assert error_type(chat, "get_message_read_status", message_id=sent["message_id"]) == "NotFoundError"


def test_blocks_in_both_directions(chat: Session) -> None:
    state = api(chat)
    me = owner(chat)["user_id"]
    blocked_by_me = state.blocked[me][0]
    blocking_me = next(u for u, blocked in state.blocked.items() if me in blocked)
    login(chat)
    assert error_type(chat, "send_chat_message", recipient_id=blocked_by_me, text="hi") == "InvalidStateError"
    assert error_type(chat, "send_chat_message", recipient_id=blocking_me, text="hi") == "PermissionDeniedError"
    ok(chat, "unblock_chat_user", user_id=blocked_by_me)
    ok(chat, "send_chat_message", recipient_id=blocked_by_me, text="hi")


def test_session_tools(chat: Session) -> None:
    assert ok(chat, "get_current_chat_user") == {"logged_in": False, "user_id": None, "username": None}
    me = login(chat)
    assert ok(chat, "get_current_chat_user")["user_id"] == me["user_id"]
    assert ok(chat, "set_chat_status", status="busy")["status"] == "busy"
    assert ok(chat, "get_chat_user_profile", user_id=me["user_id"])["status"] == "busy"
    ok(chat, "logout_messaging")
    assert error_type(chat, "logout_messaging") == "NotLoggedInError"


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("send_chat_message", {"recipient_id": "U-00000", "text": "hi"}, "NotLoggedInError"),
        ("list_chat_inbox", {}, "NotLoggedInError"),
        ("login_messaging", {"username": "nobody", "password": "x"}, "AuthenticationError"),
        ("find_user_by_email", {"email": "nobody@nowhere.test"}, "NotFoundError"),
        ("find_user_by_email", {"email": "not-an-email"}, "InvalidArgumentError"),
        ("find_user_by_name", {"name": "Zzyzx"}, "NotFoundError"),
        ("get_chat_user_profile", {"user_id": "Alice Anders"}, "NotFoundError"),
    ],
)
def test_errors_without_login(chat: Session, tool: str, arguments: dict[str, Any], expected: str) -> None:
    assert error_type(chat, tool, **arguments) == expected


def test_errors_when_logged_in(chat: Session) -> None:
    state = api(chat)
    assert error_type(chat, "login_messaging", username=state.owner_username, password="wrong") == "AuthenticationError"
    me = login(chat)
    person = contact(chat)
    # A name is not a user id: the agent must look the id up first.
    assert error_type(chat, "send_chat_message", recipient_id=person["display_name"], text="hi") == "NotFoundError"
    assert error_type(chat, "send_chat_message", recipient_id=me["user_id"], text="hi") == "InvalidArgumentError"
    assert error_type(chat, "send_chat_message", recipient_id=person["user_id"], text=" ") == "InvalidArgumentError"
    assert error_type(chat, "mark_message_read", message_id="M-1") == "NotFoundError"
    assert error_type(chat, "add_chat_contact", user_id=me["user_id"]) == "InvalidArgumentError"


def test_generate_state_is_seeded() -> None:
    assert DOMAIN.generate_state(3) == DOMAIN.generate_state(3)
    assert DOMAIN.generate_state(3) != DOMAIN.generate_state(4)
    state = DOMAIN.generate_state(3)
    assert state["owner_username"] in state["passwords"]
    assert len({u["username"] for u in state["users"].values()}) == len(state["users"]) == 200
