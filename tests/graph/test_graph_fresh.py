"""Fresh values for new content: they fit the parameter's meaning and never repeat what exists."""

from __future__ import annotations

import random

from hardgen.graph import ApiGraph, ArgumentFiller, fresh_value, state_strings, wants_fresh_value
from hardgen.graph._fresh import fresh_catalogue
from hardgen.tools import Session
from hardgen.world import world_specs


def test_the_catalogue_loads_and_every_kind_has_distinct_values() -> None:
    catalogue = fresh_catalogue()
    assert len({k.id for k in catalogue.kinds}) == len(catalogue.kinds)
    assert all(len(k.values) >= 4 for k in catalogue.kinds)


def test_new_names_fit_the_thing_made() -> None:
    rng = random.Random(0)
    lists = next(k for k in fresh_catalogue().kinds if k.id == "todo_list_name").values
    assert fresh_value("create_todo_list", "name", rng) in lists
    notebook = {v.lower() for v in next(k for k in fresh_catalogue().kinds if k.id == "notebook_name").values}
    assert all(fresh_value("create_notebook", "name", random.Random(i)).lower() in notebook for i in range(20))


def test_fresh_values_avoid_what_exists() -> None:
    kind = next(k for k in fresh_catalogue().kinds if k.id == "notebook_name")
    existing = kind.values[:-1]
    assert fresh_value("create_notebook", "name", random.Random(1), existing) == kind.values[-1]
    assert fresh_value("create_notebook", "name", random.Random(1), kind.values) is None


def test_only_writes_get_fresh_values() -> None:
    assert wants_fresh_value("create_note", "title", mutates=True)
    assert wants_fresh_value("send_chat_message", "text", mutates=True)
    assert not wants_fresh_value("search_notes", "title", mutates=False)  # a search names what exists
    assert not wants_fresh_value("update_note", "title", mutates=True)  # renaming names an existing note
    assert not wants_fresh_value("book_flight", "traveller_name", mutates=True)  # an existing traveller


def test_the_filler_names_new_things_freshly_in_the_live_state() -> None:
    session = Session.from_specs(world_specs(domains=["notes"]))
    try:
        graph = ApiGraph.from_session(session)
        graph.learn_session_state(session)
        existing = state_strings(session.state())
        filler = ArgumentFiller(graph, random.Random(3))
        names = set()
        for _ in range(15):
            arguments, _ = filler.fill("create_notebook", existing=lambda: existing)
            names.add(arguments["name"])
        assert names and not {n.lower() for n in names} & {e.lower() for e in existing}
        assert not filler.last_placeholders
    finally:
        session.close()


def test_a_parameter_nothing_tells_how_to_fill_is_a_placeholder() -> None:
    from hardgen.graph import generate_value

    placeholders: list[str] = []
    assert generate_value({"type": "string"}, "grant_type", random.Random(0), placeholders=placeholders)
    assert placeholders == ["grant_type"]
    placeholders.clear()
    value = generate_value({"type": "string", "examples": ["client_credentials"]}, "grant_type", random.Random(0),
                           placeholders=placeholders)
    assert value == "client_credentials" and not placeholders


def test_a_copy_is_named_beside_its_source_and_a_new_contact_is_nobody_who_exists() -> None:
    from hardgen.graph._fresh import copy_name

    assert copy_name("report.pdf", "backup") == "report_backup.pdf"
    assert copy_name("docs/notes", "old") == "notes_old"
    existing = {"Maria", "Tom"}
    assert fresh_value("add_contact", "user_name", random.Random(1), existing) not in existing | {None}
    assert wants_fresh_value("cp", "destination", True) and not wants_fresh_value("search_files", "destination", False)


def test_a_domain_prefix_does_not_hide_the_verb_and_branches_and_commits_get_real_names() -> None:
    from hardgen.tools import is_creating, is_destroying

    assert is_creating("git_create_branch") and is_destroying("ticket_delete")
    assert not is_creating("message_get_login_status")
    branch = fresh_value("git_create_branch", "branch_name", random.Random(0), ())
    assert wants_fresh_value("git_create_branch", "branch_name", True) and branch and " " not in branch
    assert wants_fresh_value("git_commit", "message", True)
