"""Notes: notebooks, notes with tags, sharing with collaborators, archiving, and to-do lists with due dates.

Users name notebooks, topics, people and dates; the API works in notebook ids (`NB-103`), note ids
(`N-1042`), to-do list ids (`TL-202`) and item ids (`TI-3007`), and shares by email. So "share my
note about the offsite with Maya" is search_notes -> find_collaborator -> share_note. Notes that
others shared with the account sit in the read-only 'Shared with me' notebook; a 'view' share cannot
be edited, an 'edit' share can be edited but only its owner may delete, archive or re-share it.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any, Literal

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import email_of, person_name
from hardgen.world._domain import Chain, Domain, ExampleCall, load_attributes
from hardgen.world._errors import (
    ConflictError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)

_described = with_config(ConfigDict(use_attribute_docstrings=True))

SHARED_NOTEBOOK_ID = "NB-100"
_TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,29}$")
_MAX_TAGS = 10
_SNIPPET_CHARS = 80
# (notebook, note title, body, tags) templates for generated worlds.
_NOTE_TEMPLATES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "Work": (
        ("Q3 planning offsite", "Agenda: roadmap review, hiring plan, budget. Book the venue by Friday.", ("planning", "offsite")),
        ("Vendor contract renewal", "Compare the two quotes; legal wants the indemnity clause changed.", ("legal", "vendors")),
        ("Weekly sync notes", "Release slipped one week. Action: update the launch checklist.", ("meetings",)),
        ("Onboarding checklist", "Laptop, accounts, buddy, first-week goals, security training.", ("hiring",)),
        ("Incident postmortem", "Root cause: expired certificate. Add monitoring for expiry dates.", ("ops", "postmortem")),
    ),
    "Personal": (
        ("Birthday gift ideas", "Hiking boots, a pottery class, the new Murakami novel.", ("gifts",)),
        ("Apartment move", "Movers quote 1200; cancel internet; forward the mail.", ("home", "moving")),
        ("Reading list", "Project Hail Mary, The Overstory, Thinking in Systems.", ("books",)),
        ("Garden plan", "Tomatoes on the south bed, herbs by the door, compost in spring.", ("home", "garden")),
    ),
    "Recipes": (
        ("Lemon risotto", "Arborio rice, stock, lemon zest, parmesan; stir for 18 minutes.", ("dinner", "italian")),
        ("Overnight oats", "Oats, yoghurt, milk, chia, berries; rest overnight.", ("breakfast",)),
        ("Lentil soup", "Red lentils, cumin, carrots, onion; simmer 25 minutes.", ("dinner", "vegan")),
    ),
    "Travel": (
        ("Lisbon trip ideas", "Tram 28, Belem pastries, day trip to Sintra, fado evening.", ("lisbon", "ideas")),
        ("Packing list", "Passport, adapters, rain jacket, charger, travel insurance papers.", ("packing",)),
        ("Tokyo itinerary", "Day 1 Asakusa, day 2 Shibuya, day 3 Hakone onsen.", ("tokyo", "itinerary")),
    ),
    "Study": (
        ("Statistics revision", "Central limit theorem, confidence intervals, p-values pitfalls.", ("exam", "math")),
        ("Spanish vocabulary", "Madrugar, aprovechar, sobremesa, estrenar.", ("language",)),
    ),
}
_SHARED_TEMPLATES = (
    ("Team offsite logistics", "Bus leaves at 8:00. Bring laptops. Dinner booked for 24.", ("offsite",)),
    ("Budget 2025 draft", "Marketing +10%, travel flat, tooling +5%. Comments by Monday.", ("budget",)),
    ("Book club picks", "June: Klara and the Sun. July: The Dispossessed.", ("books",)),
    ("Shared grocery list", "Eggs, spinach, oat milk, coffee beans.", ("groceries",)),
)
_TODO_TEMPLATES: dict[str, tuple[str, ...]] = {
    "Errands": ("Renew passport", "Pick up dry cleaning", "Return library books", "Buy printer ink", "Book dentist"),
    "Work tasks": ("Send Q2 report", "Review pull request", "Prepare slides for Monday", "Submit expense claim",
                   "Update roadmap doc"),
    "Home": ("Fix the leaking tap", "Change smoke alarm battery", "Clean the gutters", "Pay the water bill"),
    "Trip prep": ("Check in online", "Exchange currency", "Print hotel voucher", "Charge the power bank"),
}


# -- result records ----------------------------------------------------------------------------------
@_described
class Notebook(TypedDict):
    notebook_id: str
    """Internal notebook id, e.g. 'NB-103'; what create_note takes."""
    name: str
    note_count: int
    read_only: bool
    """True for 'Shared with me', which holds notes other people shared."""


@_described
class NotebookList(TypedDict):
    notebooks: list[Notebook]


@_described
class Share(TypedDict):
    email: str
    permission: Literal["view", "edit"]


@_described
class Note(TypedDict):
    """A full note."""

    note_id: str
    """Internal note id, e.g. 'N-1042'."""
    notebook_id: str
    title: str
    body: str
    tags: list[str]
    owner_email: str
    shared_with: list[Share]
    archived: bool
    updated_on: str


@_described
class NoteSummary(TypedDict):
    note_id: str
    title: str
    notebook_id: str
    tags: list[str]
    snippet: str
    """The start of the body."""
    archived: bool


@_described
class NoteSearchResult(TypedDict):
    notes: list[NoteSummary]


@_described
class NoteDeletion(TypedDict):
    note_id: str
    deleted: bool


@_described
class Collaborator(TypedDict):
    name: str
    email: str
    """Email address; what share_note takes."""


@_described
class CollaboratorList(TypedDict):
    collaborators: list[Collaborator]


@_described
class TodoList(TypedDict):
    list_id: str
    """Internal to-do list id, e.g. 'TL-202'; what add_todo_item takes."""
    name: str
    open_items: int
    completed_items: int


@_described
class TodoListList(TypedDict):
    todo_lists: list[TodoList]


@_described
class TodoItem(TypedDict):
    item_id: str
    """Internal to-do item id, e.g. 'TI-3007'."""
    list_id: str
    list_name: str
    text: str
    due_date: str | None
    priority: Literal["low", "normal", "high"]
    completed: bool


@_described
class TodoItemList(TypedDict):
    items: list[TodoItem]


def _parse_date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidArgumentError(f"{what} {value!r} is not a date; use YYYY-MM-DD, e.g. '2025-06-09'") from None


def _number(identifier: str) -> int:
    return int(identifier.split("-")[1])


class NotesAPI:
    """One person's notes app: notebooks, notes, sharing and to-do lists."""

    def __init__(self) -> None:
        self.today = "2025-06-02"
        self.owner_name = ""
        self.owner_email = ""
        self.collaborators: dict[str, dict[str, str]] = {}
        self.notebooks: dict[str, dict[str, Any]] = {}
        self.notes: dict[str, dict[str, Any]] = {}
        self.todo_lists: dict[str, dict[str, Any]] = {}
        self.todo_items: dict[str, dict[str, Any]] = {}
        self.next_notebook_number = 101
        self.next_note_number = 1001
        self.next_list_number = 201
        self.next_item_number = 3001

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (or a hand-written one of the same shape)."""
        load_attributes(self, state, "notes")

    # -- internal --------------------------------------------------------------------------------
    def _note(self, note_id: str) -> dict[str, Any]:
        note = self.notes.get(note_id)
        if note is None:
            raise NotFoundError(f"no note {note_id!r}; use search_notes to find note ids")
        return note

    def _editable(self, note_id: str) -> dict[str, Any]:
        note = self._note(note_id)
        if note["owner_email"] != self.owner_email and note["shared_with"].get(self.owner_email) != "edit":
            raise PermissionDeniedError(f"note {note_id} was shared with you as view-only by {note['owner_email']}")
        if note["archived"]:
            raise InvalidStateError(f"note {note_id} is archived; archived notes are read-only")
        return note

    def _owned(self, note_id: str, action: str) -> dict[str, Any]:
        note = self._note(note_id)
        if note["owner_email"] != self.owner_email:
            raise PermissionDeniedError(f"only the owner ({note['owner_email']}) can {action} note {note_id}")
        return note

    def _touch(self, note: dict[str, Any]) -> None:
        note["updated_on"] = self.today

    def _note_view(self, note: dict[str, Any]) -> Note:
        return {
            "note_id": note["note_id"], "notebook_id": note["notebook_id"], "title": note["title"], "body": note["body"],
            "tags": list(note["tags"]), "owner_email": note["owner_email"],
            "shared_with": [{"email": e, "permission": p} for e, p in sorted(note["shared_with"].items())],
            "archived": note["archived"], "updated_on": note["updated_on"],
        }

    def _todo_list(self, list_id: str) -> dict[str, Any]:
        todo = self.todo_lists.get(list_id)
        if todo is None:
            raise NotFoundError(f"no to-do list {list_id!r}; use list_todo_lists to find list ids")
        return todo

    def _item(self, item_id: str) -> dict[str, Any]:
        item = self.todo_items.get(item_id)
        if item is None:
            raise NotFoundError(f"no to-do item {item_id!r}; use get_todo_items or list_overdue_todo_items for item ids")
        return item

    def _item_view(self, item: dict[str, Any]) -> TodoItem:
        return {"item_id": item["item_id"], "list_id": item["list_id"], "list_name": self.todo_lists[item["list_id"]]["name"],
                "text": item["text"], "due_date": item["due_date"], "priority": item["priority"], "completed": item["completed"]}

    def _list_view(self, todo: dict[str, Any]) -> TodoList:
        items = [i for i in self.todo_items.values() if i["list_id"] == todo["list_id"]]
        done = sum(i["completed"] for i in items)
        return {"list_id": todo["list_id"], "name": todo["name"], "open_items": len(items) - done, "completed_items": done}

    @staticmethod
    def _clean_tags(tags: list[str]) -> list[str]:
        cleaned = []
        for tag in tags:
            value = tag.strip().lower().lstrip("#")
            if not _TAG_RE.match(value):
                raise InvalidArgumentError(
                    f"tag {tag!r} is not valid: use 1-30 lowercase letters, digits or '-', e.g. 'q3-planning'"
                )
            cleaned.append(value)
        return list(dict.fromkeys(cleaned))

    # -- notebooks -------------------------------------------------------------------------------
    @tool
    def list_notebooks(self) -> NotebookList:
        """List the notebooks with how many notes each holds.

        Returns:
            Notebooks with notebook_id, name, note_count and whether they are read-only.
        """
        return {"notebooks": [
            {"notebook_id": nb_id, "name": nb["name"],
             "note_count": sum(n["notebook_id"] == nb_id for n in self.notes.values()),
             "read_only": nb_id == SHARED_NOTEBOOK_ID}
            for nb_id, nb in sorted(self.notebooks.items(), key=lambda kv: _number(kv[0]))
        ]}

    @tool(mutates=True)
    def create_notebook(self, name: str) -> Notebook:
        """Create an empty notebook.

        Args:
            name: Notebook name, 1-40 characters, unique, e.g. 'Side projects'.

        Returns:
            The new notebook with its notebook_id.
        """
        clean = " ".join(name.split())
        if not 1 <= len(clean) <= 40:
            raise InvalidArgumentError("notebook name must have 1 to 40 characters")
        for nb_id, nb in self.notebooks.items():
            if nb["name"].lower() == clean.lower():
                raise ConflictError(f"a notebook named {clean!r} already exists ({nb_id})")
        notebook_id = f"NB-{self.next_notebook_number}"
        self.next_notebook_number += 1
        self.notebooks[notebook_id] = {"name": clean}
        return {"notebook_id": notebook_id, "name": clean, "note_count": 0, "read_only": False}

    # -- notes -----------------------------------------------------------------------------------
    @tool(mutates=True)
    def create_note(self, notebook_id: str, title: str, body: str, tags: list[str] | None = None) -> Note:
        """Create a note in one of your notebooks.

        Args:
            notebook_id: Notebook id such as 'NB-103' (from list_notebooks or create_notebook).
            title: Note title, 1-100 characters.
            body: Note text (may be empty).
            tags: Optional tags, lowercase words such as ['planning', 'q3'].

        Returns:
            The new note with its note_id.
        """
        if notebook_id not in self.notebooks:
            raise NotFoundError(f"no notebook {notebook_id!r}; use list_notebooks to find notebook ids")
        if notebook_id == SHARED_NOTEBOOK_ID:
            raise PermissionDeniedError("'Shared with me' is read-only; create the note in one of your own notebooks")
        clean_title = " ".join(title.split())
        if not 1 <= len(clean_title) <= 100:
            raise InvalidArgumentError("title must have 1 to 100 characters")
        clean_tags = self._clean_tags(tags or [])
        if len(clean_tags) > _MAX_TAGS:
            raise InvalidArgumentError(f"a note can have at most {_MAX_TAGS} tags")
        note_id = f"N-{self.next_note_number}"
        self.next_note_number += 1
        note = {"note_id": note_id, "notebook_id": notebook_id, "title": clean_title, "body": body, "tags": clean_tags,
                "owner_email": self.owner_email, "shared_with": {}, "archived": False, "updated_on": self.today}
        self.notes[note_id] = note
        return self._note_view(note)

    @tool
    def get_note(self, note_id: str) -> Note:
        """Read a whole note.

        Args:
            note_id: Note id such as 'N-1042' (from search_notes).

        Returns:
            The note with body, tags, owner and shares.
        """
        return self._note_view(self._note(note_id))

    @tool
    def search_notes(
        self, keyword: str, notebook_id: str | None = None, tag: str | None = None, include_archived: bool = False
    ) -> NoteSearchResult:
        """Find notes whose title or body contains a keyword (case-insensitive), newest id first.

        Args:
            keyword: Word or phrase to look for, at least 2 characters, e.g. 'offsite'.
            notebook_id: Only notes of this notebook. Omit to search all.
            tag: Only notes with this tag. Omit for any.
            include_archived: Also return archived notes (default false).

        Returns:
            Matching notes with note_id, title, notebook_id, tags and a snippet.
        """
        wanted = keyword.strip().lower()
        if len(wanted) < 2:
            raise InvalidArgumentError("keyword must have at least 2 characters")
        if notebook_id is not None and notebook_id not in self.notebooks:
            raise NotFoundError(f"no notebook {notebook_id!r}; use list_notebooks")
        tag_value = tag.strip().lower().lstrip("#") if tag is not None else None
        found = [
            n for n in self.notes.values()
            if (wanted in n["title"].lower() or wanted in n["body"].lower())
            and (notebook_id is None or n["notebook_id"] == notebook_id)
            and (tag_value is None or tag_value in n["tags"]) and (include_archived or not n["archived"])
        ]
        found.sort(key=lambda n: -_number(n["note_id"]))
        return {"notes": [
            {"note_id": n["note_id"], "title": n["title"], "notebook_id": n["notebook_id"], "tags": list(n["tags"]),
             "snippet": n["body"][:_SNIPPET_CHARS], "archived": n["archived"]}
            for n in found
        ]}

    @tool(mutates=True)
    def update_note(self, note_id: str, title: str | None = None, body: str | None = None) -> Note:
        """Replace a note's title and/or body. Needs ownership or an 'edit' share; archived notes are read-only.

        Args:
            note_id: Note id such as 'N-1042'.
            title: New title, 1-100 characters. Omit to keep it.
            body: New body, replacing the old one. Omit to keep it.

        Returns:
            The updated note.
        """
        if title is None and body is None:
            raise InvalidArgumentError("give a new title, a new body, or both")
        note = self._editable(note_id)
        if title is not None:
            clean = " ".join(title.split())
            if not 1 <= len(clean) <= 100:
                raise InvalidArgumentError("title must have 1 to 100 characters")
            note["title"] = clean
        if body is not None:
            note["body"] = body
        self._touch(note)
        return self._note_view(note)

    @tool(mutates=True)
    def append_to_note(self, note_id: str, text: str) -> Note:
        """Add text at the end of a note, on a new line. Needs ownership or an 'edit' share.

        Args:
            note_id: Note id such as 'N-1042'.
            text: Text to add, not empty.

        Returns:
            The updated note.
        """
        if not text.strip():
            raise InvalidArgumentError("text to append must not be empty")
        note = self._editable(note_id)
        note["body"] = f"{note['body']}\n{text}" if note["body"] else text
        self._touch(note)
        return self._note_view(note)

    @tool(mutates=True)
    def tag_note(self, note_id: str, tags: list[str]) -> Note:
        """Add tags to a note (existing tags are kept). Needs ownership or an 'edit' share.

        Args:
            note_id: Note id such as 'N-1042'.
            tags: Tags to add: 1-30 lowercase letters, digits or '-', e.g. ['urgent', 'q3-planning'].

        Returns:
            The note with its tags.
        """
        if not tags:
            raise InvalidArgumentError("give at least one tag")
        note = self._editable(note_id)
        merged = list(dict.fromkeys([*note["tags"], *self._clean_tags(tags)]))
        if len(merged) > _MAX_TAGS:
            raise InvalidArgumentError(f"a note can have at most {_MAX_TAGS} tags; it would have {len(merged)}")
        note["tags"] = merged
        self._touch(note)
        return self._note_view(note)

    @tool(mutates=True)
    def delete_note(self, note_id: str) -> NoteDeletion:
        """Delete a note permanently. Only its owner can.

        Args:
            note_id: Note id such as 'N-1042'.

        Returns:
            The deleted note id.
        """
        self._owned(note_id, "delete")
        del self.notes[note_id]
        return {"note_id": note_id, "deleted": True}

    @tool(mutates=True)
    def archive_note(self, note_id: str) -> Note:
        """Archive a note: it becomes read-only and leaves search results unless include_archived. Owner only.

        Args:
            note_id: Note id such as 'N-1042'.

        Returns:
            The archived note.
        """
        note = self._owned(note_id, "archive")
        if note["archived"]:
            raise InvalidStateError(f"note {note_id} is already archived")
        note["archived"] = True
        self._touch(note)
        return self._note_view(note)

    # -- sharing ---------------------------------------------------------------------------------
    @tool
    def find_collaborator(self, name: str) -> CollaboratorList:
        """Find people you can share notes with by (part of) their name, to get their email.

        Args:
            name: Full or partial name, e.g. 'Maya' or 'Maya Costa'.

        Returns:
            Matching collaborators with name and email.
        """
        wanted = " ".join(name.split()).lower()
        if len(wanted) < 2:
            raise InvalidArgumentError("name must have at least 2 characters")
        found = sorted((c for c in self.collaborators.values() if wanted in c["name"].lower()), key=lambda c: c["name"])
        if not found:
            raise NotFoundError(f"no collaborator named like {name!r}")
        return {"collaborators": [{"name": c["name"], "email": c["email"]} for c in found]}

    @tool(mutates=True)
    def share_note(self, note_id: str, email: str, permission: Literal["view", "edit"] = "view") -> Note:
        """Share one of your notes with a collaborator by email, or change their permission. Owner only.

        Args:
            note_id: Note id such as 'N-1042'.
            email: The collaborator's email (find_collaborator gives it from a name).
            permission: 'view' (read only) or 'edit'.

        Returns:
            The note with its shares.
        """
        note = self._owned(note_id, "share")
        address = email.strip().lower()
        if address == self.owner_email:
            raise InvalidArgumentError("you own this note; share it with someone else")
        if address not in self.collaborators:
            raise NotFoundError(f"no user with email {email!r}; use find_collaborator to look the email up by name")
        note["shared_with"][address] = permission
        self._touch(note)
        return self._note_view(note)

    # -- to-do lists -----------------------------------------------------------------------------
    @tool
    def list_todo_lists(self) -> TodoListList:
        """List the to-do lists with their counts of open and completed items.

        Returns:
            To-do lists with list_id and name.
        """
        return {"todo_lists": [self._list_view(t) for t in sorted(self.todo_lists.values(), key=lambda t: _number(t["list_id"]))]}

    @tool(mutates=True)
    def create_todo_list(self, name: str) -> TodoList:
        """Create an empty to-do list.

        Args:
            name: List name, 1-40 characters, unique, e.g. 'Wedding prep'.

        Returns:
            The new list with its list_id.
        """
        clean = " ".join(name.split())
        if not 1 <= len(clean) <= 40:
            raise InvalidArgumentError("list name must have 1 to 40 characters")
        if any(t["name"].lower() == clean.lower() for t in self.todo_lists.values()):
            raise ConflictError(f"a to-do list named {clean!r} already exists")
        list_id = f"TL-{self.next_list_number}"
        self.next_list_number += 1
        self.todo_lists[list_id] = {"list_id": list_id, "name": clean}
        return {"list_id": list_id, "name": clean, "open_items": 0, "completed_items": 0}

    @tool(mutates=True)
    def add_todo_item(
        self, list_id: str, text: str, due_date: str | None = None, priority: Literal["low", "normal", "high"] = "normal"
    ) -> TodoItem:
        """Add an item to a to-do list.

        Args:
            list_id: To-do list id such as 'TL-202' (from list_todo_lists or create_todo_list).
            text: What to do, 1-200 characters.
            due_date: Due date YYYY-MM-DD, today or later. Omit for none.
            priority: 'low', 'normal' or 'high'.

        Returns:
            The new item with its item_id.
        """
        self._todo_list(list_id)
        clean = " ".join(text.split())
        if not 1 <= len(clean) <= 200:
            raise InvalidArgumentError("item text must have 1 to 200 characters")
        if due_date is not None and _parse_date(due_date, "due_date") < dt.date.fromisoformat(self.today):
            raise InvalidArgumentError(f"due_date {due_date} is before today ({self.today})")
        item_id = f"TI-{self.next_item_number}"
        self.next_item_number += 1
        item = {"item_id": item_id, "list_id": list_id, "text": clean, "due_date": due_date, "priority": priority,
                "completed": False}
        self.todo_items[item_id] = item
        return self._item_view(item)

    @tool
    def get_todo_items(self, list_id: str, include_completed: bool = False) -> TodoItemList:
        """The items of one to-do list, by due date (undated last).

        Args:
            list_id: To-do list id such as 'TL-202'.
            include_completed: Also return completed items (default false).

        Returns:
            The items with item_id, text, due date, priority and completion.
        """
        self._todo_list(list_id)
        found = [i for i in self.todo_items.values() if i["list_id"] == list_id and (include_completed or not i["completed"])]
        found.sort(key=lambda i: (i["due_date"] is None, i["due_date"] or "", _number(i["item_id"])))
        return {"items": [self._item_view(i) for i in found]}

    @tool(mutates=True)
    def complete_todo_item(self, item_id: str) -> TodoItem:
        """Mark a to-do item as done.

        Args:
            item_id: Item id such as 'TI-3007'.

        Returns:
            The completed item.
        """
        item = self._item(item_id)
        if item["completed"]:
            raise InvalidStateError(f"item {item_id} is already completed")
        item["completed"] = True
        return self._item_view(item)

    @tool(mutates=True)
    def set_todo_due_date(self, item_id: str, due_date: str) -> TodoItem:
        """Set or move the due date of an open to-do item.

        Args:
            item_id: Item id such as 'TI-3007'.
            due_date: New due date YYYY-MM-DD, today or later.

        Returns:
            The updated item.
        """
        item = self._item(item_id)
        if item["completed"]:
            raise InvalidStateError(f"item {item_id} is completed; due dates apply to open items only")
        if _parse_date(due_date, "due_date") < dt.date.fromisoformat(self.today):
            raise InvalidArgumentError(f"due_date {due_date} is before today ({self.today})")
        item["due_date"] = due_date
        return self._item_view(item)

    @tool
    def list_overdue_todo_items(self) -> TodoItemList:
        """Open to-do items across all lists whose due date is before today, oldest first.

        Returns:
            The overdue items with their list names.
        """
        found = [i for i in self.todo_items.values()
                 if not i["completed"] and i["due_date"] is not None and i["due_date"] < self.today]
        found.sort(key=lambda i: (i["due_date"], _number(i["item_id"])))
        return {"items": [self._item_view(i) for i in found]}


# -- world generation --------------------------------------------------------------------------------
def generate_state(seed: int) -> dict[str, Any]:
    """An account with 4-5 notebooks (plus 'Shared with me'), 10-25 notes, 3-4 shared-in notes,
    12-20 collaborators and 3-4 to-do lists with dated, undated, overdue and done items;
    deterministic for `seed`."""
    rng = random.Random(f"notes:{seed}")
    today = dt.date(2025, 6, 2)
    people = list(dict.fromkeys(person_name(i) for i in rng.sample(range(400), 24)))
    owner, others = people[0], people[1 : 1 + rng.randint(12, 20)]
    api = NotesAPI()
    api.today = today.isoformat()
    api.owner_name, api.owner_email = owner, email_of(owner)
    api.collaborators = {email_of(p): {"name": p, "email": email_of(p)} for p in others}
    api.notebooks[SHARED_NOTEBOOK_ID] = {"name": "Shared with me"}
    for notebook_name in rng.sample(sorted(_NOTE_TEMPLATES), rng.randint(4, 5)):
        notebook_id = api.create_notebook(notebook_name)["notebook_id"]
        templates = _NOTE_TEMPLATES[notebook_name]
        for title, body, tags in rng.sample(templates, rng.randint(max(2, len(templates) - 2), len(templates))):
            note = api.notes[api.create_note(notebook_id, title, body, list(tags))["note_id"]]
            note["updated_on"] = (today - dt.timedelta(days=rng.randint(1, 120))).isoformat()
            if rng.random() < 0.3:
                note["shared_with"][rng.choice(sorted(api.collaborators))] = rng.choice(("view", "edit"))
            if rng.random() < 0.12:
                note["archived"] = True
    for index, (title, body, tags) in enumerate(rng.sample(_SHARED_TEMPLATES, rng.randint(3, 4))):
        note_id = f"N-{api.next_note_number}"
        api.next_note_number += 1
        # The first shared-in note is view-only and the second editable, so both cases always exist.
        permission = "view" if index == 0 else "edit" if index == 1 else rng.choice(("view", "edit"))
        api.notes[note_id] = {
            "note_id": note_id, "notebook_id": SHARED_NOTEBOOK_ID, "title": title, "body": body, "tags": list(tags),
            "owner_email": rng.choice(sorted(api.collaborators)), "shared_with": {api.owner_email: permission},
            "archived": False, "updated_on": (today - dt.timedelta(days=rng.randint(1, 30))).isoformat(),
        }
    api.today = (today - dt.timedelta(days=30)).isoformat()  # items were added in the past, some are now overdue
    for list_name in rng.sample(sorted(_TODO_TEMPLATES), rng.randint(3, 4)):
        list_id = api.create_todo_list(list_name)["list_id"]
        for text in rng.sample(_TODO_TEMPLATES[list_name], rng.randint(3, len(_TODO_TEMPLATES[list_name]))):
            due = None if rng.random() < 0.25 else (today + dt.timedelta(days=rng.randint(-20, 25))).isoformat()
            item = api.add_todo_item(list_id, text, due, rng.choice(("low", "normal", "normal", "high")))
            if rng.random() < 0.25:
                api.todo_items[item["item_id"]]["completed"] = True
    api.today = today.isoformat()
    if not any(i["due_date"] and i["due_date"] < api.today and not i["completed"] for i in api.todo_items.values()):
        first = api.todo_items[min(api.todo_items, key=_number)]
        first.update(due_date=(today - dt.timedelta(days=3)).isoformat(), completed=False)
    return {
        "today": api.today, "owner_name": api.owner_name, "owner_email": api.owner_email,
        "collaborators": api.collaborators, "notebooks": api.notebooks, "notes": api.notes,
        "todo_lists": api.todo_lists, "todo_items": api.todo_items,
        "next_notebook_number": api.next_notebook_number, "next_note_number": api.next_note_number,
        "next_list_number": api.next_list_number, "next_item_number": api.next_item_number,
    }


# -- examples (from the seed-0 world) ---------------------------------------------------------------
def _examples() -> dict[str, list[ExampleCall]]:
    state = generate_state(0)
    own = sorted((n for n in state["notes"].values() if n["owner_email"] == state["owner_email"] and not n["archived"]),
                 key=lambda n: -_number(n["note_id"]))
    keyword = own[0]["title"].split()[0]
    search: ExampleCall = ("search_notes", {"keyword": keyword})
    first_hit = next(i for i, n in enumerate(
        sorted((n for n in state["notes"].values()
                if (keyword.lower() in n["title"].lower() or keyword.lower() in n["body"].lower()) and not n["archived"]),
               key=lambda n: -_number(n["note_id"]))) if n["owner_email"] == state["owner_email"])
    note_ref = f"$0.notes.{first_hit}.note_id"
    collaborator = sorted(state["collaborators"].values(), key=lambda c: c["name"])[0]["name"]
    open_item = next(i for i in sorted(state["todo_items"].values(), key=lambda i: _number(i["item_id"])) if not i["completed"])
    lists: ExampleCall = ("list_todo_lists", {})
    return {
        "list_notebooks": [("list_notebooks", {})],
        "create_notebook": [("create_notebook", {"name": "Side projects"})],
        "create_note": [("list_notebooks", {}),
                        ("create_note", {"notebook_id": "$0.notebooks.1.notebook_id", "title": "Call the plumber",
                                         "body": "Ask about the boiler service.", "tags": ["home"]})],
        "get_note": [search, ("get_note", {"note_id": "$0.notes.0.note_id"})],
        "search_notes": [search],
        "update_note": [search, ("update_note", {"note_id": note_ref, "title": "Updated title"})],
        "append_to_note": [search, ("append_to_note", {"note_id": note_ref, "text": "Follow up next week."})],
        "tag_note": [search, ("tag_note", {"note_id": note_ref, "tags": ["urgent"]})],
        "delete_note": [search, ("delete_note", {"note_id": note_ref})],
        "archive_note": [search, ("archive_note", {"note_id": note_ref})],
        "find_collaborator": [("find_collaborator", {"name": collaborator})],
        "share_note": [search, ("find_collaborator", {"name": collaborator}),
                       ("share_note", {"note_id": note_ref, "email": "$1.collaborators.0.email", "permission": "edit"})],
        "list_todo_lists": [lists],
        "create_todo_list": [("create_todo_list", {"name": "Wedding prep"})],
        "add_todo_item": [lists, ("add_todo_item", {"list_id": "$0.todo_lists.0.list_id", "text": "Order flowers",
                                                    "due_date": "2025-06-20", "priority": "high"})],
        "get_todo_items": [lists, ("get_todo_items", {"list_id": "$0.todo_lists.0.list_id"})],
        "complete_todo_item": [("complete_todo_item", {"item_id": open_item["item_id"]})],
        "set_todo_due_date": [("list_overdue_todo_items", {}),
                              ("set_todo_due_date", {"item_id": "$0.items.0.item_id", "due_date": "2025-06-09"})],
        "list_overdue_todo_items": [("list_overdue_todo_items", {})],
    }


DOMAIN = Domain(
    name="notes",
    description="A notes app: notebooks, notes with tags, keyword search, edits and appends, archiving, "
    "sharing with collaborators by email with view/edit permissions, and to-do lists with due dates, "
    "priorities, completion and an overdue view.",
    environment_class=NotesAPI,
    generate_state=generate_state,
    chains=(
        Chain("write_in_new_notebook", "Create a notebook, write a note in its id, tag the new note.",
              ("create_notebook", "create_note", "tag_note")),
        Chain("share_by_name", "Keyword -> note id; person's name -> email; share the note with that email.",
              ("search_notes", "find_collaborator", "share_note")),
        Chain("append_and_archive", "Find a note, add a closing line, archive it.",
              ("search_notes", "append_to_note", "archive_note")),
        Chain("new_list_with_items", "Create a to-do list, add an item to its id, complete the new item.",
              ("create_todo_list", "add_todo_item", "complete_todo_item")),
        Chain("reschedule_overdue", "Overdue items -> move one's due date -> read its list again.",
              ("list_overdue_todo_items", "set_todo_due_date", "get_todo_items")),
        Chain("note_in_named_notebook", "Notebook name -> its id -> create a note there -> find it by keyword.",
              ("list_notebooks", "create_note", "search_notes")),
    ),
    examples=_examples(),
)
