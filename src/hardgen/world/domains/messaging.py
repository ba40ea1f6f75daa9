"""The `messaging` domain: a chat service with accounts, a user directory, messages and contacts.

Everyone in the shared people pool (`person_name(0..199)`, email `email_of(name)`) has a chat
account, so other domains (a CRM contact, a calendar attendee) can be resolved to a chat user id
with `find_user_by_email` or `find_user_by_name`. Sending and reading messages need
`login_messaging` first, with a username and password from the state (`owner_username` is the
world's user); messages are addressed by user id, never by name.
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
    AuthenticationError,
    ConflictError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
    NotLoggedInError,
    PermissionDeniedError,
)

_described = with_config(ConfigDict(use_attribute_docstrings=True))

PEOPLE = 200
MAX_MESSAGE_CHARS = 2000
ChatStatus = Literal["available", "away", "busy", "offline"]


@_described
class ChatUser(TypedDict):
    user_id: str
    """Chat user id, e.g. 'U-48213'; what send_chat_message and the contact tools need."""
    display_name: str
    """The person's full name."""
    username: str
    email: str


@_described
class ChatUserList(TypedDict):
    users: list[ChatUser]


@_described
class ChatProfile(TypedDict):
    user_id: str
    """Chat user id, e.g. 'U-48213'."""
    display_name: str
    username: str
    email: str
    status: ChatStatus
    last_seen: str
    """When the user was last active, YYYY-MM-DDTHH:MM."""


@_described
class ChatLogin(TypedDict):
    user_id: str
    """Chat user id of the logged-in account."""
    username: str
    display_name: str
    unread_count: int
    """Unread messages waiting in the inbox."""


@_described
class ChatSession(TypedDict):
    logged_in: bool
    user_id: str | None
    """Chat user id of the logged-in account, or null."""
    username: str | None


@_described
class LogoutResult(TypedDict):
    logged_out: bool
    username: str


@_described
class ChatMessage(TypedDict):
    message_id: str
    """Message id, e.g. 'M-10042'."""
    sender_id: str
    """Chat user id of the sender."""
    sender_name: str
    recipient_id: str
    """Chat user id of the recipient."""
    text: str
    sent_at: str
    """YYYY-MM-DDTHH:MM."""
    read: bool
    """Whether the recipient has read it."""


@_described
class ChatMessageList(TypedDict):
    messages: list[ChatMessage]


@_described
class SentMessage(TypedDict):
    message_id: str
    """Id of the new message, e.g. 'M-10042'."""
    recipient_id: str
    sent_at: str


@_described
class ReadReceipt(TypedDict):
    message_id: str
    read: bool
    read_at: str | None
    """When the recipient read it (YYYY-MM-DDTHH:MM), or null if unread."""


@_described
class DeletedMessage(TypedDict):
    message_id: str
    deleted: bool


@_described
class ContactChange(TypedDict):
    user_id: str
    """Chat user id of the affected user."""
    display_name: str
    contact_count: int
    """Contacts (or blocked users, for block tools) of the logged-in user after the change."""


@_described
class StatusChange(TypedDict):
    user_id: str
    status: ChatStatus


class MessagingAPI:
    """A chat service: directory lookups are public; everything else acts as the logged-in user."""

    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}
        self.owner_username: str = ""
        self.session_user_id: str | None = None
        self.messages: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, list[str]] = {}
        self.blocked: dict[str, list[str]] = {}
        self.now: str = "2024-06-01T09:00"
        self.next_message_number: int = 10001

    def load_state(self, state: dict[str, Any]) -> None:
        """Load the state made by `generate_state`."""
        self.users = state["users"]
        self.passwords = state["passwords"]
        self.owner_username = state.get("owner_username", "")
        self.session_user_id = state.get("session_user_id")
        self.messages = state.get("messages", {})
        self.contacts = state.get("contacts", {})
        self.blocked = state.get("blocked", {})
        self.now = state.get("now", self.now)
        self.next_message_number = state.get("next_message_number", 10001)

    # -- helpers ---------------------------------------------------------------------------------
    def _me(self) -> dict[str, Any]:
        if self.session_user_id is None:
            raise NotLoggedInError("not logged in to messaging; call login_messaging with a username and password")
        return self.users[self.session_user_id]

    def _user(self, user_id: str) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            raise NotFoundError(
                f"no chat user with id {user_id!r}; user ids look like 'U-48213': "
                "get one with find_user_by_name or find_user_by_email"
            )
        return user

    def _message(self, message_id: str) -> dict[str, Any]:
        message = self.messages.get(message_id)
        if message is None:
            raise NotFoundError(
                f"no message {message_id!r}; use list_chat_inbox or search_chat_messages to find message ids"
            )
        return message

    def _tick(self) -> str:
        """Advance the service clock by a minute (deterministic time for new events)."""
        moment = dt.datetime.fromisoformat(self.now) + dt.timedelta(minutes=1)
        self.now = moment.strftime("%Y-%m-%dT%H:%M")
        return self.now

    @staticmethod
    def _public(user: dict[str, Any]) -> ChatUser:
        return {
            "user_id": user["user_id"],
            "display_name": user["display_name"],
            "username": user["username"],
            "email": user["email"],
        }

    def _render(self, message: dict[str, Any]) -> ChatMessage:
        return {
            "message_id": message["message_id"],
            "sender_id": message["sender_id"],
            "sender_name": self.users[message["sender_id"]]["display_name"],
            "recipient_id": message["recipient_id"],
            "text": message["text"],
            "sent_at": message["sent_at"],
            "read": message["read_at"] is not None,
        }

    def _visible(self, me: str) -> list[dict[str, Any]]:
        return sorted(
            (m for m in self.messages.values() if me in (m["sender_id"], m["recipient_id"])),
            key=lambda m: (m["sent_at"], m["message_id"]),
        )

    # -- account ---------------------------------------------------------------------------------
    @tool(mutates=True)
    def login_messaging(self, username: str, password: str) -> ChatLogin:
        """Log in to the chat service; needed before sending or reading messages.

        Logging in as another account replaces the current session.

        Args:
            username: Chat username (not the display name or email), e.g. 'alicea42'.
            password: The account's password.

        Returns:
            The logged-in user's id, username, display name and number of unread messages.
        """
        expected = self.passwords.get(username)
        if expected is None or expected != password:
            raise AuthenticationError("wrong username or password for messaging; check both and try again")
        user = next(u for u in self.users.values() if u["username"] == username)
        self.session_user_id = user["user_id"]
        unread = sum(1 for m in self.messages.values() if m["recipient_id"] == user["user_id"] and not m["read_at"])
        return {
            "user_id": user["user_id"],
            "username": username,
            "display_name": user["display_name"],
            "unread_count": unread,
        }

    @tool(mutates=True)
    def logout_messaging(self) -> LogoutResult:
        """Log out of the chat service.

        Returns:
            Confirmation with the username that was logged out.
        """
        me = self._me()
        self.session_user_id = None
        return {"logged_out": True, "username": me["username"]}

    @tool
    def get_current_chat_user(self) -> ChatSession:
        """Say whether someone is logged in to the chat service, and who.

        Returns:
            Whether a session is open, and the logged-in user's id and username (null when logged out).
        """
        if self.session_user_id is None:
            return {"logged_in": False, "user_id": None, "username": None}
        me = self.users[self.session_user_id]
        return {"logged_in": True, "user_id": me["user_id"], "username": me["username"]}

    @tool(mutates=True, requires=["login_messaging"])
    def set_chat_status(self, status: ChatStatus) -> StatusChange:
        """Set the logged-in user's presence status. Requires login_messaging first.

        Args:
            status: New presence status.

        Returns:
            The user id and its new status.
        """
        me = self._me()
        me["status"] = status
        return {"user_id": me["user_id"], "status": status}

    # -- directory -------------------------------------------------------------------------------
    @tool
    def find_user_by_name(self, name: str) -> ChatUserList:
        """Look up chat users by (part of) their full name, to get the user id messages need.

        Does not require login.

        Args:
            name: Full name or part of it, case-insensitive, e.g. 'Grace Ito' or 'Grace'.

        Returns:
            Matching users with their user ids, usernames and emails (possibly several).
        """
        needle = " ".join(name.split()).lower()
        if len(needle) < 2:
            raise InvalidArgumentError("name must have at least 2 characters")
        found = [self._public(u) for u in self.users.values() if needle in u["display_name"].lower()]
        if not found:
            raise NotFoundError(f"no chat user whose name contains {name!r}")
        return {"users": sorted(found, key=lambda u: (u["display_name"], u["user_id"]))}

    @tool
    def find_user_by_email(self, email: str) -> ChatUser:
        """Look up the chat user who has an email address, to get the user id messages need.

        Does not require login. Useful with an email found in another system (a CRM contact, an
        invitation).

        Args:
            email: Email address, case-insensitive, e.g. 'grace.ito@example.com'.

        Returns:
            The user's id, display name, username and email.
        """
        wanted = email.strip().lower()
        if "@" not in wanted:
            raise InvalidArgumentError(f"{email!r} is not an email address")
        for user in self.users.values():
            if user["email"].lower() == wanted:
                return self._public(user)
        raise NotFoundError(f"no chat user with email {email!r}; try find_user_by_name")

    @tool
    def get_chat_user_profile(self, user_id: str) -> ChatProfile:
        """Show a chat user's profile, presence status and last activity. Does not require login.

        Args:
            user_id: Chat user id, e.g. 'U-48213' (from find_user_by_name or find_user_by_email).

        Returns:
            The user's profile with status and last-seen time.
        """
        user = self._user(user_id)
        return {**self._public(user), "status": user["status"], "last_seen": user["last_seen"]}

    # -- messages --------------------------------------------------------------------------------
    @tool(mutates=True, requires=["login_messaging"])
    def send_chat_message(self, recipient_id: str, text: str) -> SentMessage:
        """Send a chat message to another user. Requires login_messaging first.

        The recipient is a user id, not a name: look it up with find_user_by_name or find_user_by_email.

        Args:
            recipient_id: Chat user id of the recipient, e.g. 'U-48213'.
            text: Message text, 1 to 2000 characters.

        Returns:
            The new message's id, the recipient id and the time it was sent.
        """
        me = self._me()
        recipient = self._user(recipient_id)
        if recipient_id == me["user_id"]:
            raise InvalidArgumentError("cannot send a chat message to yourself")
        if not text.strip() or len(text) > MAX_MESSAGE_CHARS:
            raise InvalidArgumentError(f"text must have 1 to {MAX_MESSAGE_CHARS} characters")
        if recipient_id in self.blocked.get(me["user_id"], []):
            raise InvalidStateError(
                f"you have blocked {recipient['display_name']}; unblock_chat_user first to message them"
            )
        if me["user_id"] in self.blocked.get(recipient_id, []):
            raise PermissionDeniedError(f"{recipient['display_name']} does not accept messages from you")
        message_id = f"M-{self.next_message_number}"
        self.next_message_number += 1
        sent_at = self._tick()
        self.messages[message_id] = {
            "message_id": message_id,
            "sender_id": me["user_id"],
            "recipient_id": recipient_id,
            "text": text,
            "sent_at": sent_at,
            "read_at": None,
        }
        me["last_seen"] = sent_at
        return {"message_id": message_id, "recipient_id": recipient_id, "sent_at": sent_at}

    @tool(requires=["login_messaging"])
    def list_chat_inbox(self, unread_only: bool = False, limit: int = 20) -> ChatMessageList:
        """List messages received by the logged-in user, newest first. Requires login_messaging first.

        Args:
            unread_only: Only messages not yet read.
            limit: Most messages to return, 1 to 100.

        Returns:
            Received messages with ids, sender ids and names, text, time and read flag.
        """
        me = self._me()
        if not 1 <= limit <= 100:
            raise InvalidArgumentError(f"limit must be between 1 and 100, got {limit}")
        received = [m for m in self._visible(me["user_id"]) if m["recipient_id"] == me["user_id"]]
        if unread_only:
            received = [m for m in received if m["read_at"] is None]
        return {"messages": [self._render(m) for m in reversed(received)][:limit]}

    @tool(requires=["login_messaging"])
    def get_conversation(self, user_id: str, limit: int = 20) -> ChatMessageList:
        """Show the conversation between the logged-in user and another user, oldest first.

        Requires login_messaging first.

        Args:
            user_id: Chat user id of the other person, e.g. 'U-48213'.
            limit: Most recent messages to return, 1 to 100.

        Returns:
            Messages exchanged with that user, in time order (the last `limit` of them).
        """
        me = self._me()
        self._user(user_id)
        if not 1 <= limit <= 100:
            raise InvalidArgumentError(f"limit must be between 1 and 100, got {limit}")
        between = [m for m in self._visible(me["user_id"]) if user_id in (m["sender_id"], m["recipient_id"])]
        return {"messages": [self._render(m) for m in between[-limit:]]}

    @tool(requires=["login_messaging"])
    def search_chat_messages(self, keyword: str, user_id: str | None = None) -> ChatMessageList:
        """Search the logged-in user's sent and received messages for a word or phrase.

        Requires login_messaging first.

        Args:
            keyword: Text to look for, case-insensitive.
            user_id: Only messages exchanged with this chat user id.

        Returns:
            Matching messages, oldest first.
        """
        me = self._me()
        if len(keyword.strip()) < 2:
            raise InvalidArgumentError("keyword must have at least 2 characters")
        if user_id is not None:
            self._user(user_id)
        needle = keyword.strip().lower()
        found = [
            m
            for m in self._visible(me["user_id"])
            if needle in m["text"].lower() and (user_id is None or user_id in (m["sender_id"], m["recipient_id"]))
        ]
        return {"messages": [self._render(m) for m in found]}

    @tool(mutates=True, requires=["login_messaging"])
    def mark_message_read(self, message_id: str) -> ReadReceipt:
        """Mark a received message as read, which sends a read receipt to its sender.

        Requires login_messaging first; only the recipient can mark a message read.

        Args:
            message_id: Message id, e.g. 'M-10042' (from list_chat_inbox).

        Returns:
            The message's read receipt.
        """
        me = self._me()
        message = self._message(message_id)
        if message["recipient_id"] != me["user_id"]:
            raise PermissionDeniedError(f"message {message_id!r} was not sent to you; only its recipient can read it")
        if message["read_at"] is None:
            message["read_at"] = self._tick()
        return {"message_id": message_id, "read": True, "read_at": message["read_at"]}

    @tool(requires=["login_messaging"])
    def get_message_read_status(self, message_id: str) -> ReadReceipt:
        """Check whether a message you sent has been read (its read receipt).

        Requires login_messaging first; only the sender can see the receipt.

        Args:
            message_id: Id of a message you sent, e.g. 'M-10042'.

        Returns:
            Whether it was read and when.
        """
        me = self._me()
        message = self._message(message_id)
        if message["sender_id"] != me["user_id"]:
            raise PermissionDeniedError(f"message {message_id!r} was not sent by you; only its sender sees receipts")
        return {"message_id": message_id, "read": message["read_at"] is not None, "read_at": message["read_at"]}

    @tool(mutates=True, requires=["login_messaging"])
    def edit_chat_message(self, message_id: str, text: str) -> ChatMessage:
        """Change the text of a message you sent, as long as it has not been read yet.

        Requires login_messaging first.

        Args:
            message_id: Id of a message you sent, e.g. 'M-10042'.
            text: The corrected text, 1 to 2000 characters.

        Returns:
            The edited message.
        """
        me = self._me()
        message = self._message(message_id)
        if message["sender_id"] != me["user_id"]:
            raise PermissionDeniedError(f"message {message_id!r} was not sent by you; you can only edit your own")
        if message["read_at"] is not None:
            raise InvalidStateError(f"message {message_id!r} was already read; send a new message instead")
        if not text.strip() or len(text) > MAX_MESSAGE_CHARS:
            raise InvalidArgumentError(f"text must have 1 to {MAX_MESSAGE_CHARS} characters")
        message["text"] = text
        return self._render(message)

    @tool(mutates=True, requires=["login_messaging"])
    def delete_chat_message(self, message_id: str) -> DeletedMessage:
        """Delete (unsend) a message you sent, for both sides. Requires login_messaging first.

        Args:
            message_id: Id of a message you sent, e.g. 'M-10042'.

        Returns:
            Confirmation of the deletion.
        """
        me = self._me()
        message = self._message(message_id)
        if message["sender_id"] != me["user_id"]:
            raise PermissionDeniedError(f"message {message_id!r} was not sent by you; you can only delete your own")
        del self.messages[message_id]
        return {"message_id": message_id, "deleted": True}

    # -- contacts --------------------------------------------------------------------------------
    @tool(requires=["login_messaging"])
    def list_chat_contacts(self) -> ChatUserList:
        """List the logged-in user's contacts. Requires login_messaging first.

        Returns:
            The contacts with user ids, names, usernames and emails, by name.
        """
        me = self._me()
        users = [self._public(self.users[u]) for u in self.contacts.get(me["user_id"], [])]
        return {"users": sorted(users, key=lambda u: (u["display_name"], u["user_id"]))}

    def _change_list(self, lists: dict[str, list[str]], user_id: str, add: bool, what: str) -> ContactChange:
        me = self._me()
        user = self._user(user_id)
        if user_id == me["user_id"]:
            raise InvalidArgumentError(f"cannot {'add' if add else 'remove'} yourself as {what}")
        current = lists.setdefault(me["user_id"], [])
        if add and user_id in current:
            raise ConflictError(f"{user['display_name']} ({user_id}) is already {what}")
        if not add and user_id not in current:
            raise NotFoundError(f"{user['display_name']} ({user_id}) is not {what}")
        if add:
            current.append(user_id)
        else:
            current.remove(user_id)
        return {"user_id": user_id, "display_name": user["display_name"], "contact_count": len(current)}

    @tool(mutates=True, requires=["login_messaging"])
    def add_chat_contact(self, user_id: str) -> ContactChange:
        """Add a user to the logged-in user's contacts. Requires login_messaging first.

        Args:
            user_id: Chat user id to add, e.g. 'U-48213' (from find_user_by_name or find_user_by_email).

        Returns:
            The added user and the new number of contacts.
        """
        return self._change_list(self.contacts, user_id, True, "a contact")

    @tool(mutates=True, requires=["login_messaging"])
    def remove_chat_contact(self, user_id: str) -> ContactChange:
        """Remove a user from the logged-in user's contacts. Requires login_messaging first.

        Args:
            user_id: Chat user id of the contact, e.g. 'U-48213' (from list_chat_contacts).

        Returns:
            The removed user and the new number of contacts.
        """
        return self._change_list(self.contacts, user_id, False, "a contact")

    @tool(mutates=True, requires=["login_messaging"])
    def block_chat_user(self, user_id: str) -> ContactChange:
        """Block a user: you can no longer message each other until you unblock them.

        Requires login_messaging first.

        Args:
            user_id: Chat user id to block, e.g. 'U-48213'.

        Returns:
            The blocked user and how many users you now block.
        """
        return self._change_list(self.blocked, user_id, True, "blocked")

    @tool(mutates=True, requires=["login_messaging"])
    def unblock_chat_user(self, user_id: str) -> ContactChange:
        """Unblock a user you blocked earlier. Requires login_messaging first.

        Args:
            user_id: Chat user id to unblock, e.g. 'U-48213'.

        Returns:
            The unblocked user and how many users you still block.
        """
        return self._change_list(self.blocked, user_id, False, "blocked")


# -- generated worlds ----------------------------------------------------------------------------
_TOPICS = ("budget", "launch", "hiring", "roadmap", "invoice", "offsite", "demo", "contract", "survey", "release")
_TEMPLATES = (
    "Can you send me the {topic} numbers by {day}?",
    "The {topic} review moved to {day}.",
    "Thanks for the {topic} update!",
    "Quick question about the {topic}: are we still on for {day}?",
    "I shared the {topic} draft, please take a look.",
    "Reminder: {topic} meeting on {day}.",
    "Lunch on {day}? We can talk about the {topic}.",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_WORDS = ("river", "maple", "orbit", "pepper", "candle", "harbor", "violet", "summit", "copper", "lantern")


def generate_state(seed: int) -> dict[str, Any]:
    """Accounts for the whole people pool, the owner's contacts, a message history, some blocks."""
    rng = random.Random(seed)
    start = dt.datetime(2024, 4, 1, 8, 0) + dt.timedelta(days=rng.randrange(200))
    ids = rng.sample(range(10000, 99999), PEOPLE)
    users: dict[str, dict[str, Any]] = {}
    passwords: dict[str, str] = {}
    taken: set[str] = set()
    owner_index = seed % PEOPLE
    owner_id = ""
    for index in range(PEOPLE):
        name = person_name(index)
        first, last = name.split(" ", 1)
        username = f"{first.lower()}{last[0].lower()}{rng.randrange(10, 99)}"
        while username in taken:
            username = f"{first.lower()}{last[0].lower()}{rng.randrange(100, 999)}"
        taken.add(username)
        user_id = f"U-{ids[index]}"
        seen = start - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 14))
        users[user_id] = {
            "user_id": user_id,
            "display_name": name,
            "username": username,
            "email": email_of(name),
            "status": rng.choice(("available", "away", "busy", "offline")),
            "last_seen": seen.strftime("%Y-%m-%dT%H:%M"),
        }
        passwords[username] = f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}-{rng.randrange(10, 99)}"
        if index == owner_index:
            owner_id = user_id
    user_ids = list(users)
    others = [u for u in user_ids if u != owner_id]
    contacts: dict[str, list[str]] = {owner_id: rng.sample(others, rng.randrange(8, 16))}
    for user_id in rng.sample(others, 20):
        contacts[user_id] = rng.sample([u for u in user_ids if u != user_id], rng.randrange(2, 6))
    owner_contacts = contacts[owner_id]
    blocked_by_owner, blocking_owner = rng.sample([u for u in others if u not in owner_contacts], 2)
    blocked = {owner_id: [blocked_by_owner], blocking_owner: [owner_id]}

    messages: dict[str, dict[str, Any]] = {}
    number = 10001
    moment = start - dt.timedelta(days=10)
    conversations = [(owner_id, c) for c in owner_contacts] + [
        (u, c) for u, cs in contacts.items() if u != owner_id for c in cs[:1]
    ]
    for _ in range(rng.randrange(70, 110)):
        a, b = rng.choice(conversations)
        sender, recipient = (a, b) if rng.random() < 0.5 else (b, a)
        moment += dt.timedelta(minutes=rng.randrange(5, 240))
        text = rng.choice(_TEMPLATES).format(topic=rng.choice(_TOPICS), day=rng.choice(_DAYS))
        sent_at = moment.strftime("%Y-%m-%dT%H:%M")
        read = moment < start - dt.timedelta(days=2) or rng.random() < 0.4
        read_at = (moment + dt.timedelta(minutes=rng.randrange(1, 90))).strftime("%Y-%m-%dT%H:%M") if read else None
        message_id = f"M-{number}"
        number += 1
        messages[message_id] = {
            "message_id": message_id,
            "sender_id": sender,
            "recipient_id": recipient,
            "text": text,
            "sent_at": sent_at,
            "read_at": read_at,
        }
    now = max(start, moment + dt.timedelta(minutes=5))
    return {
        "users": users,
        "passwords": passwords,
        "owner_username": users[owner_id]["username"],
        "session_user_id": None,
        "messages": messages,
        "contacts": contacts,
        "blocked": blocked,
        "now": now.strftime("%Y-%m-%dT%H:%M"),
        "next_message_number": number,
    }



def crowd_state(state: dict[str, Any], seed: int) -> dict[str, Any]:
    """`state` with two more months of older messages, in the conversations the history already
    has (the owner's with their contacts, and among other users), all read. Their ids sort below
    the first message, in time order; the next message number is unchanged."""
    rng = random.Random(f"messaging-crowd:{seed}")
    messages = state["messages"]
    pairs = list(dict.fromkeys((m["sender_id"], m["recipient_id"]) for m in messages.values()))
    if not pairs:
        return state
    first = min(dt.datetime.fromisoformat(m["sent_at"]) for m in messages.values())
    moment = first - dt.timedelta(days=60)
    older = []
    for _ in range(rng.randrange(120, 160)):
        moment += dt.timedelta(minutes=rng.randrange(5, 60 * 14))
        if moment >= first:
            break
        a, b = rng.choice(pairs)
        sender, recipient = (a, b) if rng.random() < 0.5 else (b, a)
        text = rng.choice(_TEMPLATES).format(topic=rng.choice(_TOPICS), day=rng.choice(_DAYS))
        read = moment + dt.timedelta(minutes=rng.randrange(1, 240))
        older.append({"sender_id": sender, "recipient_id": recipient, "text": text,
                      "sent_at": moment.strftime("%Y-%m-%dT%H:%M"), "read_at": read.strftime("%Y-%m-%dT%H:%M")})
    lowest = min(int(m.split("-")[1]) for m in messages)
    history = {}
    for n, record in enumerate(older):
        message_id = f"M-{lowest - len(older) + n}"
        history[message_id] = {"message_id": message_id, **record}
    state["messages"] = {**history, **messages}
    return state

# Seed-0 facts the examples use: the owner's login, a contact, a user nobody has blocked.
_STATE0 = generate_state(0)
_LOGIN = ("login_messaging", {"username": _STATE0["owner_username"],
                              "password": _STATE0["passwords"][_STATE0["owner_username"]]})
_OWNER0 = next(u for u in _STATE0["users"].values() if u["username"] == _STATE0["owner_username"])
_CONTACT0 = _STATE0["users"][_STATE0["contacts"][_OWNER0["user_id"]][0]]
_BLOCKED0 = _STATE0["blocked"][_OWNER0["user_id"]][0]
_STRANGER0 = next(
    u for u in _STATE0["users"].values()
    if u["user_id"] not in _STATE0["contacts"][_OWNER0["user_id"]]
    and u["user_id"] not in (_OWNER0["user_id"], _BLOCKED0)
    and _OWNER0["user_id"] not in _STATE0["blocked"].get(u["user_id"], [])
)

DOMAIN = Domain(
    name="messaging",
    description="A chat service: log in, look up users by name or email, send, read, search and manage messages.",
    environment_class=MessagingAPI,
    generate_state=generate_state,
    crowd=crowd_state,
    chains=(
        Chain(
            "message_by_name",
            "Look up a person's user id by name, log in, send them a message.",
            ("find_user_by_name", "login_messaging", "send_chat_message"),
        ),
        Chain(
            "reply_to_latest",
            "Log in, read the newest unread message, reply to its sender and mark it read.",
            ("login_messaging", "list_chat_inbox", "send_chat_message", "mark_message_read"),
        ),
        Chain(
            "check_receipt",
            "Log in, find a message you sent by a keyword, check whether it has been read.",
            ("login_messaging", "search_chat_messages", "get_message_read_status"),
        ),
        Chain(
            "contact_from_email",
            "Resolve an email to a user id, log in, add that user as a contact.",
            ("find_user_by_email", "login_messaging", "add_chat_contact"),
        ),
        Chain(
            "fix_sent_message",
            "Log in, find your unread sent message by keyword, correct its text.",
            ("login_messaging", "search_chat_messages", "edit_chat_message"),
        ),
        Chain(
            "conversation_with_person",
            "Resolve a name to a user id, log in, read the conversation with them.",
            ("find_user_by_name", "login_messaging", "get_conversation"),
        ),
    ),
    examples={
        "login_messaging": [_LOGIN],
        "logout_messaging": [_LOGIN, ("logout_messaging", {})],
        "get_current_chat_user": [_LOGIN, ("get_current_chat_user", {})],
        "set_chat_status": [_LOGIN, ("set_chat_status", {"status": "busy"})],
        "find_user_by_name": [("find_user_by_name", {"name": _CONTACT0["display_name"]})],
        "find_user_by_email": [("find_user_by_email", {"email": _CONTACT0["email"]})],
        "get_chat_user_profile": [
            ("find_user_by_email", {"email": _CONTACT0["email"]}),
            ("get_chat_user_profile", {"user_id": "$0.user_id"}),
        ],
        "send_chat_message": [
            ("find_user_by_name", {"name": _CONTACT0["display_name"]}),
            _LOGIN,
            ("send_chat_message", {"recipient_id": "$0.users.0.user_id", "text": "Are we still on for Friday?"}),
        ],
        "list_chat_inbox": [_LOGIN, ("list_chat_inbox", {"limit": 5})],
        "get_conversation": [
            ("find_user_by_name", {"name": _CONTACT0["display_name"]}),
            _LOGIN,
            ("get_conversation", {"user_id": "$0.users.0.user_id"}),
        ],
        "search_chat_messages": [_LOGIN, ("search_chat_messages", {"keyword": "the"})],
        "mark_message_read": [
            _LOGIN,
            ("list_chat_inbox", {"limit": 1}),
            ("mark_message_read", {"message_id": "$1.messages.0.message_id"}),
        ],
        "get_message_read_status": [
            ("find_user_by_name", {"name": _CONTACT0["display_name"]}),
            _LOGIN,
            ("send_chat_message", {"recipient_id": "$0.users.0.user_id", "text": "Did you get the contract?"}),
            ("get_message_read_status", {"message_id": "$2.message_id"}),
        ],
        "edit_chat_message": [
            ("find_user_by_name", {"name": _CONTACT0["display_name"]}),
            _LOGIN,
            ("send_chat_message", {"recipient_id": "$0.users.0.user_id", "text": "See you at 3pn"}),
            ("edit_chat_message", {"message_id": "$2.message_id", "text": "See you at 3pm"}),
        ],
        "delete_chat_message": [
            ("find_user_by_name", {"name": _CONTACT0["display_name"]}),
            _LOGIN,
            ("send_chat_message", {"recipient_id": "$0.users.0.user_id", "text": "wrong chat, sorry"}),
            ("delete_chat_message", {"message_id": "$2.message_id"}),
        ],
        "list_chat_contacts": [_LOGIN, ("list_chat_contacts", {})],
        "add_chat_contact": [
            ("find_user_by_email", {"email": _STRANGER0["email"]}),
            _LOGIN,
            ("add_chat_contact", {"user_id": "$0.user_id"}),
        ],
        "remove_chat_contact": [
            _LOGIN,
            ("list_chat_contacts", {}),
            ("remove_chat_contact", {"user_id": "$1.users.0.user_id"}),
        ],
        "block_chat_user": [
            ("find_user_by_email", {"email": _STRANGER0["email"]}),
            _LOGIN,
            ("block_chat_user", {"user_id": "$0.user_id"}),
        ],
        "unblock_chat_user": [_LOGIN, ("unblock_chat_user", {"user_id": _BLOCKED0})],
    },
)
