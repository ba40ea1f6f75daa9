"""The notes domain: ids flow from search and creation, sharing follows permissions, to-dos track dates."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import error_type, ok

from hardgen.tools import Session
from hardgen.world import default_world, get_domain
from hardgen.world.domains.notes import SHARED_NOTEBOOK_ID

DOMAIN = get_domain("notes")


@pytest.fixture
def world() -> Session:
    return default_world(0, domains=["notes"], timeout=None)


def app(session: Session) -> Any:
    return session.environment_of("get_note").instance


def own_note(session: Session) -> dict[str, Any]:
    return min((n for n in app(session).notes.values()
                if n["owner_email"] == app(session).owner_email and not n["archived"]), key=lambda n: n["note_id"])


def shared_in(session: Session, permission: str) -> dict[str, Any]:
    me = app(session).owner_email
    return next(n for n in app(session).notes.values() if n["shared_with"].get(me) == permission and n["owner_email"] != me)


def test_new_notebook_note_and_tags_chain(world: Session) -> None:
    notebook = ok(world, "create_notebook", name="Side projects")
    note = ok(world, "create_note", notebook_id=notebook["notebook_id"], title="Birdhouse build",
              body="Cedar planks, 4 cm entrance hole.")
    assert note["notebook_id"] == notebook["notebook_id"] and note["owner_email"] == app(world).owner_email
    tagged = ok(world, "tag_note", note_id=note["note_id"], tags=["Woodwork", "#weekend", "woodwork"])
    assert tagged["tags"] == ["woodwork", "weekend"]
    hits = ok(world, "search_notes", keyword="cedar", tag="weekend")["notes"]
    assert [h["note_id"] for h in hits] == [note["note_id"]]
    listed = {nb["notebook_id"]: nb for nb in ok(world, "list_notebooks")["notebooks"]}
    assert listed[notebook["notebook_id"]]["note_count"] == 1
    assert error_type(world, "create_notebook", name="side PROJECTS") == "ConflictError"
    assert error_type(world, "tag_note", note_id=note["note_id"], tags=["two words"]) == "InvalidArgumentError"
    assert error_type(world, "create_note", notebook_id="NB-999", title="x", body="") == "NotFoundError"
    assert error_type(world, "create_note", notebook_id=SHARED_NOTEBOOK_ID, title="x", body="") == "PermissionDeniedError"


def test_share_by_name_resolves_the_email(world: Session) -> None:
    note = own_note(world)
    keyword = note["title"].split()[0]
    hits = ok(world, "search_notes", keyword=keyword)["notes"]
    assert note["note_id"] in [h["note_id"] for h in hits]
    person = sorted(app(world).collaborators.values(), key=lambda c: c["name"])[-1]
    found = ok(world, "find_collaborator", name=person["name"].split()[0].lower())["collaborators"]
    email = next(c["email"] for c in found if c["name"] == person["name"])
    shared = ok(world, "share_note", note_id=note["note_id"], email=email, permission="edit")
    assert {"email": email, "permission": "edit"} in shared["shared_with"]
    assert error_type(world, "share_note", note_id=note["note_id"], email="nobody@example.com") == "NotFoundError"
    assert error_type(world, "share_note", note_id=note["note_id"], email=app(world).owner_email) == "InvalidArgumentError"
    assert error_type(world, "find_collaborator", name="Zzyzx") == "NotFoundError"


def test_shared_in_notes_follow_their_permission(world: Session) -> None:
    view, edit = shared_in(world, "view"), shared_in(world, "edit")
    assert ok(world, "get_note", note_id=view["note_id"])["title"] == view["title"]
    assert error_type(world, "append_to_note", note_id=view["note_id"], text="my comment") == "PermissionDeniedError"
    assert error_type(world, "update_note", note_id=view["note_id"], body="x") == "PermissionDeniedError"
    assert ok(world, "append_to_note", note_id=edit["note_id"], text="+1 from me")["body"].endswith("\n+1 from me")
    for tool in ("delete_note", "archive_note"):
        assert error_type(world, tool, note_id=edit["note_id"]) == "PermissionDeniedError"
    assert error_type(world, "share_note", note_id=edit["note_id"], email=sorted(app(world).collaborators)[0]) == "PermissionDeniedError"


def test_append_then_archive_makes_the_note_read_only_and_hidden(world: Session) -> None:
    note = own_note(world)
    appended = ok(world, "append_to_note", note_id=note["note_id"], text="Done.")
    assert appended["body"].endswith("\nDone.") and appended["updated_on"] == app(world).today
    assert ok(world, "archive_note", note_id=note["note_id"])["archived"] is True
    keyword = note["title"].split()[0]
    assert note["note_id"] not in [h["note_id"] for h in ok(world, "search_notes", keyword=keyword)["notes"]]
    assert note["note_id"] in [h["note_id"] for h in ok(world, "search_notes", keyword=keyword, include_archived=True)["notes"]]
    assert error_type(world, "archive_note", note_id=note["note_id"]) == "InvalidStateError"
    assert error_type(world, "update_note", note_id=note["note_id"], title="New") == "InvalidStateError"
    assert ok(world, "delete_note", note_id=note["note_id"])["deleted"] is True
    assert error_type(world, "get_note", note_id=note["note_id"]) == "NotFoundError"


def test_note_in_a_notebook_named_by_the_user(world: Session) -> None:
    notebooks = ok(world, "list_notebooks")["notebooks"]
    target = next(nb for nb in notebooks if not nb["read_only"])
    note = ok(world, "create_note", notebook_id=target["notebook_id"], title="Quarterly dentist visit",
              body="Ask about the retainer.", tags=["health"])
    hits = ok(world, "search_notes", keyword="retainer", notebook_id=target["notebook_id"])["notes"]
    assert [h["note_id"] for h in hits] == [note["note_id"]] and hits[0]["notebook_id"] == target["notebook_id"]
    counts = {nb["notebook_id"]: nb["note_count"] for nb in ok(world, "list_notebooks")["notebooks"]}
    assert counts[target["notebook_id"]] == target["note_count"] + 1


def test_update_note_replaces_fields(world: Session) -> None:
    note = own_note(world)
    updated = ok(world, "update_note", note_id=note["note_id"], title="  Renamed   note ", body="fresh body")
    assert (updated["title"], updated["body"]) == ("Renamed note", "fresh body")
    assert error_type(world, "update_note", note_id=note["note_id"]) == "InvalidArgumentError"
    assert error_type(world, "search_notes", keyword="a") == "InvalidArgumentError"


def test_todo_list_chain_and_states(world: Session) -> None:
    todo = ok(world, "create_todo_list", name="Wedding prep")
    item = ok(world, "add_todo_item", list_id=todo["list_id"], text="Order flowers", due_date="2025-06-20", priority="high")
    assert item["list_id"] == todo["list_id"] and item["list_name"] == "Wedding prep"
    assert [i["item_id"] for i in ok(world, "get_todo_items", list_id=todo["list_id"])["items"]] == [item["item_id"]]
    assert ok(world, "complete_todo_item", item_id=item["item_id"])["completed"] is True
    assert error_type(world, "complete_todo_item", item_id=item["item_id"]) == "InvalidStateError"
    assert error_type(world, "set_todo_due_date", item_id=item["item_id"], due_date="2025-07-01") == "InvalidStateError"
    assert ok(world, "get_todo_items", list_id=todo["list_id"])["items"] == []
    counts = next(t for t in ok(world, "list_todo_lists")["todo_lists"] if t["list_id"] == todo["list_id"])
    assert (counts["open_items"], counts["completed_items"]) == (0, 1)
    assert error_type(world, "add_todo_item", list_id=todo["list_id"], text="Too late", due_date="2025-05-01") == "InvalidArgumentError"
    assert error_type(world, "add_todo_item", list_id=todo["list_id"], text="Bad date", due_date="next friday") == "InvalidArgumentError"
    assert error_type(world, "add_todo_item", list_id="TL-1", text="x") == "NotFoundError"
    assert error_type(world, "create_todo_list", name="wedding prep") == "ConflictError"


def test_reschedule_overdue_item(world: Session) -> None:
    overdue = ok(world, "list_overdue_todo_items")["items"]
    assert overdue and all(i["due_date"] < app(world).today and not i["completed"] for i in overdue)
    assert [i["due_date"] for i in overdue] == sorted(i["due_date"] for i in overdue)
    first = overdue[0]
    moved = ok(world, "set_todo_due_date", item_id=first["item_id"], due_date="2025-06-09")
    assert moved["due_date"] == "2025-06-09"
    assert first["item_id"] not in [i["item_id"] for i in ok(world, "list_overdue_todo_items")["items"]]
    in_list = ok(world, "get_todo_items", list_id=first["list_id"])["items"]
    assert next(i for i in in_list if i["item_id"] == first["item_id"])["due_date"] == "2025-06-09"
    assert error_type(world, "set_todo_due_date", item_id="TI-1", due_date="2025-06-09") == "NotFoundError"


def test_generate_state_is_deterministic_per_seed_and_varies_across_seeds() -> None:
    assert DOMAIN.generate_state(8) == DOMAIN.generate_state(8)
    a, b = DOMAIN.generate_state(8), DOMAIN.generate_state(9)
    assert a["owner_email"] != b["owner_email"] or a["notes"] != b["notes"]
    for state in (a, b):
        assert 10 <= len(state["notes"]) <= 30 and len(state["collaborators"]) >= 10
        me = state["owner_email"]
        assert {n["shared_with"].get(me) for n in state["notes"].values()} >= {"view", "edit"}
