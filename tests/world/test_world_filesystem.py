"""The filesystem domain: relative paths follow `cd`, found paths feed later calls, failures are typed."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import error_type, ok

from hardgen.tools import Session
from hardgen.world import default_world, get_domain

DOMAIN = get_domain("filesystem")


@pytest.fixture
def fs() -> Session:
    return default_world(0, domains=["filesystem"], timeout=None)


def home(session: Session) -> str:
    return session.environment_of("pwd").instance.home


def test_cd_changes_what_relative_paths_mean(fs: Session) -> None:
    start = ok(fs, "pwd")["cwd"]
    assert start == home(fs)
    budget = ok(fs, "find", name="budget_*.csv")["matches"][0]["path"]
    name = budget.rsplit("/", 1)[1]
    assert error_type(fs, "cat", path=name) == "NotFoundError"
    ok(fs, "cd", path="documents")
    assert ok(fs, "pwd")["cwd"] == f"{start}/documents"
    assert ok(fs, "cat", path=name)["path"] == budget
    ok(fs, "cd", path="..")
    assert ok(fs, "pwd")["cwd"] == start
    ok(fs, "cd", path="/tmp")
    assert ok(fs, "ls", path="~")["path"] == start


def test_chain_enter_list_read(fs: Session) -> None:
    ok(fs, "cd", path="documents/meetings")
    entries = ok(fs, "ls")["entries"]
    first = next(e for e in entries if e["kind"] == "file")
    content = ok(fs, "cat", path=first["name"])
    assert content["path"] == first["path"] and content["size"] == first["size"]
    assert content["content"].startswith("# ")


def test_chain_find_archive_move(fs: Session) -> None:
    photo = ok(fs, "find", name="*.jpg")["matches"][0]["path"]
    archive = ok(fs, "mkdir", path="archive")["path"]
    moved = ok(fs, "mv", source=photo, destination=archive)
    assert moved["destination"] == f"{archive}/{photo.rsplit('/', 1)[1]}"
    assert [e["path"] for e in ok(fs, "ls", path=archive)["entries"]] == [moved["destination"]]
    assert error_type(fs, "stat", path=photo) == "NotFoundError"


def test_chain_grep_tail_note(fs: Session) -> None:
    hits = ok(fs, "grep", pattern="ERROR", path="projects")["matches"]
    assert hits and all("ERROR" in h["line"] for h in hits)
    log = hits[0]["path"]
    last = ok(fs, "tail", path=log, lines=2)
    assert len(last["lines"]) == 2 and last["total_lines"] >= hits[0]["line_number"]
    ok(fs, "write_file", path="incident.md", content="# Incident\n")
    note = f"last log line: {last['lines'][-1]}"
    ok(fs, "append_to_file", path="incident.md", content=note)
    assert ok(fs, "cat", path="incident.md")["content"] == f"# Incident\n{note}"


def test_chain_backup_edit_compare(fs: Session) -> None:
    todo = ok(fs, "find", name="todo.txt")["matches"][0]["path"]
    backup = ok(fs, "cp", source=todo, destination="todo.bak")["destination"]
    assert ok(fs, "diff", path_a=backup, path_b=todo)["identical"] is True
    ok(fs, "append_to_file", path=todo, content="99. renew passport")
    result = ok(fs, "diff", path_a=backup, path_b=todo)
    assert result["identical"] is False and "+99. renew passport" in result["diff"]


def test_chain_relative_workspace(fs: Session) -> None:
    ok(fs, "cd", path="/tmp")
    ok(fs, "mkdir", path="reports")
    created = ok(fs, "touch", path="reports/week.txt")
    assert created == {"path": "/tmp/reports/week.txt", "size": 0, "created": True}
    assert [e["name"] for e in ok(fs, "ls", path="reports")["entries"]] == ["week.txt"]
    assert ok(fs, "wc", path="reports/week.txt")["lines"] == 0


def test_cross_domain_share_file_with_colleague() -> None:
    session = default_world(0, domains=["filesystem", "messaging"], timeout=None)
    readme = ok(session, "find", name="README.md")["matches"][0]["path"]
    text = ok(session, "cat", path=readme)["content"]
    chat = session.environment_of("login_messaging").instance
    colleague = next(u for u in chat.users.values() if u["username"] != chat.owner_username)
    user_id = ok(session, "find_user_by_name", name=colleague["display_name"])["users"][0]["user_id"]
    assert error_type(session, "send_chat_message", recipient_id=user_id, text=text) == "NotLoggedInError"
    ok(session, "login_messaging", username=chat.owner_username, password=chat.passwords[chat.owner_username])
    sent = ok(session, "send_chat_message", recipient_id=user_id, text=text)
    assert chat.messages[sent["message_id"]]["text"] == text
    assert chat.messages[sent["message_id"]]["recipient_id"] == colleague["user_id"]


def test_copy_and_remove_directories_recursively(fs: Session) -> None:
    usage = ok(fs, "du", path="projects")
    copied = ok(fs, "cp", source="projects", destination="/tmp/p", recursive=True)
    assert ok(fs, "du", path=copied["destination"])["size_bytes"] == usage["size_bytes"]
    removed = ok(fs, "rm", path="/tmp/p", recursive=True)
    assert removed["removed_files"] == usage["file_count"]
    assert removed["removed_directories"] == usage["directory_count"] + 1


def test_read_only_system_folders(fs: Session) -> None:
    assert ok(fs, "stat", path="/etc/hosts")["read_only"] is True
    assert error_type(fs, "write_file", path="/etc/motd", content="hi") == "PermissionDeniedError"
    assert error_type(fs, "append_to_file", path="/etc/hosts", content="1.2.3.4 x") == "PermissionDeniedError"
    assert error_type(fs, "rm", path="/etc/hosts") == "PermissionDeniedError"
    assert error_type(fs, "mkdir", path="/home/guest") == "PermissionDeniedError"


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("cat", {"path": "no_such_file.txt"}, "NotFoundError"),
        ("cat", {"path": "documents"}, "InvalidArgumentError"),
        ("cd", {"path": "todo.txt"}, "InvalidArgumentError"),
        ("ls", {"path": "/nowhere"}, "NotFoundError"),
        ("mkdir", {"path": "documents"}, "ConflictError"),
        ("mkdir", {"path": "a/b/c"}, "NotFoundError"),
        ("write_file", {"path": "todo.txt", "content": "x"}, "ConflictError"),
        ("rm", {"path": "documents"}, "InvalidArgumentError"),
        ("rm", {"path": "/"}, "PermissionDeniedError"),
        ("mv", {"source": "projects", "destination": "projects/inner"}, "InvalidArgumentError"),
        ("cp", {"source": "documents", "destination": "/tmp/docs"}, "InvalidArgumentError"),
        ("head", {"path": "todo.txt", "lines": 0}, "InvalidArgumentError"),
        ("find", {"name": " "}, "InvalidArgumentError"),
    ],
)
def test_errors_are_typed_observations(fs: Session, tool: str, arguments: dict[str, Any], expected: str) -> None:
    before = fs.state_hash()
    assert error_type(fs, tool, **arguments) == expected
    assert fs.state_hash() == before


def test_cannot_remove_or_move_the_working_directory(fs: Session) -> None:
    ok(fs, "cd", path="documents/meetings")
    assert error_type(fs, "rm", path="..", recursive=True) == "InvalidStateError"
    assert error_type(fs, "mv", source="../../documents", destination="/tmp") == "InvalidStateError"


def test_cd_is_a_state_change(fs: Session) -> None:
    before = fs.state_hash()
    ok(fs, "cd", path="documents")
    assert fs.state_hash() != before
    assert {t.name for t in fs.tools() if t.mutates} >= {"cd", "mkdir", "touch", "write_file", "rm", "mv", "cp"}


def test_generate_state_is_seeded() -> None:
    assert DOMAIN.generate_state(5) == DOMAIN.generate_state(5)
    assert DOMAIN.generate_state(5) != DOMAIN.generate_state(6)
    state = DOMAIN.generate_state(5)
    assert state["cwd"] == state["home"] and state["home"].startswith("/home/")
