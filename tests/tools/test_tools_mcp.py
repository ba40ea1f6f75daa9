"""MCP servers as tool sources, on real third-party servers from PyPI started by the tests.

`mcp-server-git` runs in the test environment. `mcp-server-sqlite` (2025.4.25) is written against
the SDK's 1.x server API, which 2.x removed, while `mcp-server-git` needs `mcp>=2.3`: the two cannot
share one environment (which is what `uvx` is for), so `.ci/run` installs the sqlite server into a
virtualenv of its own at `<venv>/mcp-servers/sqlite`, or `HARDGEN_TEST_MCP_SQLITE` names its
executable. Each test skips with the reason when what it needs is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hardgen.errors import ConfigError, EnvironmentLoadError, MissingDependencyError
from hardgen.pipeline import load_config
from hardgen.pipeline._sources import resolve_sources
from hardgen.schema import EnvironmentSpec
from hardgen.tools import Session, UntrustedSourceError, build_environment, strict_sources
from hardgen.tools._mcp import McpEnvironment, _processes_with_token, mcp_environment, result_observation

FIXTURE = str(Path(__file__).with_name("tools_fixture_mcp_server.py"))

try:
    import mcp  # noqa: F401

    HAVE_SDK = True
except ImportError:
    HAVE_SDK = False

needs_sdk = pytest.mark.skipif(not HAVE_SDK, reason="the MCP SDK is not installed: pip install 'hardgen[mcp]'")


def _sqlite_server() -> str | None:
    named = os.environ.get("HARDGEN_TEST_MCP_SQLITE")
    if named:
        return named
    beside = Path(sys.prefix) / "mcp-servers" / "sqlite" / "bin" / "mcp-server-sqlite"
    return str(beside) if beside.exists() else None


SQLITE = _sqlite_server()
GIT = shutil.which("mcp-server-git", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
needs_sqlite = pytest.mark.skipif(
    not HAVE_SDK or SQLITE is None,
    reason="mcp-server-sqlite is not installed: python -m venv <venv>/mcp-servers/sqlite && "
    "<venv>/mcp-servers/sqlite/bin/pip install 'mcp<2' mcp-server-sqlite (see .ci/run)",
)
needs_git = pytest.mark.skipif(
    not HAVE_SDK or GIT is None or shutil.which("git") is None,
    reason="mcp-server-git (pip install mcp-server-git) or git is not installed",
)


def make_sqlite_store(root: Path) -> Path:
    """A store folder holding a small seeded database with two tables."""
    store = root / "shop"
    store.mkdir()
    conn = sqlite3.connect(store / "db.sqlite")
    conn.executescript(
        """
        CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
                             item TEXT NOT NULL, quantity INTEGER NOT NULL);
        INSERT INTO customers (name, city) VALUES ('Ada Lovelace', 'London'), ('Grace Hopper', 'Arlington'),
                                                  ('Alan Turing', 'Wilmslow');
        INSERT INTO orders (customer_id, item, quantity) VALUES (1, 'notebook', 3), (2, 'compiler', 1),
                                                                (3, 'teapot', 2), (1, 'pencil', 12);
        """
    )
    conn.commit()
    conn.close()
    return store


def make_git_store(root: Path) -> Path:
    """A small git repository with two commits, a second branch and an untracked file."""
    repo = root / "notes"
    repo.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@x", "GIT_AUTHOR_DATE": "1700000000 +0000", "GIT_COMMITTER_DATE": "1700000000 +0000"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)

    git("init", "-q", "-b", "main")
    (repo / "README.md").write_text("# Notes\n")
    git("add", "README.md")
    git("commit", "-q", "-m", "Start the notes")
    (repo / "todo.txt").write_text("buy milk\n")
    git("add", "todo.txt")
    git("commit", "-q", "-m", "Add a todo list")
    git("branch", "drafts")
    (repo / "ideas.txt").write_text("learn the bassoon\n")  # untracked: something to add and commit
    return repo


def sqlite_env(store: Path | None, **kwargs: object) -> McpEnvironment:
    assert SQLITE is not None
    db = "{store}/db.sqlite" if store is not None else str(kwargs.pop("db"))
    return mcp_environment(
        "shop", command=[SQLITE, "--db-path", db], store=store, start_timeout_s=60, timeout=30, **kwargs  # type: ignore[arg-type]
    )


@needs_sqlite
def test_sqlite_tools_are_listed_with_their_schemas_and_a_read_answers_rows(tmp_path: Path) -> None:
    env = sqlite_env(make_sqlite_store(tmp_path), reads=["read_query", "list_tables", "describe_table"])
    try:
        tools = {t.name: t for t in env.tools()}
        assert {"read_query", "write_query", "create_table", "list_tables", "describe_table"} <= set(tools)
        assert tools["read_query"].parameters["properties"]["query"]["type"] == "string"
        assert tools["read_query"].parameters["required"] == ["query"]
        assert not tools["read_query"].mutates and tools["write_query"].mutates
        assert all(t.environment == "shop" for t in tools.values())
        observation = env.call("read_query", {"query": "SELECT name FROM customers WHERE city = 'London'"})
        # The server answers `str(rows)`, a Python literal: it arrives as data, not as text.
        assert observation.ok and observation.result == [{"name": "Ada Lovelace"}]
        assert env.call("list_tables", {}).result == [{"name": "customers"}, {"name": "orders"}]
        bad = env.call("read_query", {"query": 1})
        assert not bad.ok and bad.error is not None and bad.error.type == "ArgumentError"
        refused = env.call("read_query", {"query": "DELETE FROM orders"})
        assert not refused.ok and "Only SELECT queries" in refused.error.message  # type: ignore[union-attr]
    finally:
        env.close()


@needs_sqlite
def test_sqlite_without_a_store_offers_only_the_reads_and_its_state_never_changes(tmp_path: Path) -> None:
    store = make_sqlite_store(tmp_path)
    with pytest.raises(EnvironmentLoadError, match=r"readOnlyHint.*reads.*store"):
        sqlite_env(None, db=store / "db.sqlite")  # the server annotates nothing: nothing is known to be safe
    env = sqlite_env(None, db=store / "db.sqlite", reads=["read_query", "list_tables"])
    try:
        assert sorted(t.name for t in env.tools()) == ["list_tables", "read_query"]
        before = env.state_hash()
        assert env.call("write_query", {"query": "DELETE FROM orders"}).error.type == "UnknownToolError"  # type: ignore[union-attr]
        assert env.call("read_query", {"query": "SELECT count(*) AS n FROM orders"}).result == [{"n": 4}]
        assert env.state_hash() == before and env.state() == {}
    finally:
        env.close()


@needs_sqlite
def test_a_write_on_a_sqlite_store_changes_the_hash_and_restore_brings_the_exact_state_back(tmp_path: Path) -> None:
    store = make_sqlite_store(tmp_path)
    pristine = (store / "db.sqlite").read_bytes()
    env = sqlite_env(store)
    try:
        initial, snap = env.state_hash(), env.snapshot()
        state0 = env.state()
        (database,) = state0["databases"]
        assert database["path"] == "db.sqlite" and [t["table_name"] for t in database["tables"]] == ["customers", "orders"]
        assert database["tables"][0]["rows"][0] == {"id": 1, "name": "Ada Lovelace", "city": "London"}
        written = env.call("write_query", {"query": "UPDATE orders SET quantity = 5 WHERE item = 'teapot'"})
        assert written.ok and written.result == [{"affected_rows": 1}]
        changed = env.state_hash()
        assert changed != initial
        assert env.call("read_query", {"query": "SELECT quantity FROM orders WHERE item = 'teapot'"}).result == [
            {"quantity": 5}
        ]
        env.restore(snap)
        assert env.state_hash() == initial and env.state() == state0
        assert env.call("read_query", {"query": "SELECT quantity FROM orders WHERE item = 'teapot'"}).result == [
            {"quantity": 2}
        ]
        env.call("write_query", {"query": "DELETE FROM orders"})
        env.reset()
        assert env.state_hash() == initial
        # The same write on another fresh copy lands on the same state: the hash is of the data.
        other = sqlite_env(store)
        try:
            other.call("write_query", {"query": "UPDATE orders SET quantity = 5 WHERE item = 'teapot'"})
            assert other.state_hash() == changed
        finally:
            other.close()
    finally:
        env.close()
    assert (store / "db.sqlite").read_bytes() == pristine  # the store itself is never written


@needs_git
def test_git_read_only_without_a_store_offers_the_annotated_reads(tmp_path: Path) -> None:
    repo = make_git_store(tmp_path)
    env = mcp_environment("notes", command=[str(GIT), "--repository", str(repo)], start_timeout_s=60, timeout=30)
    try:
        names = {t.name for t in env.tools()}
        assert {"git_status", "git_log", "git_show", "git_branch"} <= names
        assert not names & {"git_commit", "git_add", "git_reset", "git_checkout", "git_create_branch"}
        log = env.call("git_log", {"repo_path": str(repo)})
        # The agent sees the server's own words; the values in them are data for the next call.
        assert log.ok and log.to_text().startswith("Commit history:\nCommit: ")
        assert [c["message"] for c in log.result["commit_history"]] == ["Add a todo list", "Start the notes"]
        assert all(len(c["commit"]) == 40 and c["commit"] in log.to_text() for c in log.result["commit_history"])
        assert env.state_hash() == env.snapshot().digest
    finally:
        env.close()


@needs_git
def test_git_store_writes_replay_to_the_same_state_on_a_fresh_copy(tmp_path: Path) -> None:
    repo = make_git_store(tmp_path)
    command = [str(GIT), "--repository", "{store}"]
    calls = [
        ("git_create_branch", {"repo_path": str(repo), "branch_name": "feature"}),
        ("git_checkout", {"repo_path": str(repo), "branch_name": "feature"}),
        ("git_reset", {"repo_path": str(repo)}),
        # A commit made now and the same commit replayed later must be one state: the same sha.
        ("git_add", {"repo_path": str(repo), "files": ["ideas.txt"]}),
        ("git_commit", {"repo_path": str(repo), "message": "Checkpoint"}),
    ]
    hashes = []
    for _ in range(2):
        env = mcp_environment("notes", command=command, store=repo, start_timeout_s=60, timeout=30)
        try:
            assert {t.name for t in env.tools()} >= {"git_commit", "git_checkout"}  # a store: writes offered
            initial, snap = env.state_hash(), env.snapshot()
            status = env.call("git_status", {"repo_path": str(repo)})
            assert status.ok and "On branch main" in status.to_text()
            assert status.result["untracked_files"] == ["ideas.txt"]
            assert env.state_hash() == initial  # `git status` refreshing the index is not a change
            for name, arguments in calls:
                observation = env.call(name, arguments)
                assert observation.ok, observation
            # The agent names the store; the server works on the copy, whose path never shows.
            shown = env.call("git_log", {"repo_path": str(repo), "max_count": 1})
            assert env._copy is not None and str(env._copy) not in json.dumps(shown.result) + shown.to_text()
            outside = env.call("git_log", {"repo_path": str(tmp_path)})
            assert not outside.ok and str(repo) in outside.error.message  # type: ignore[union-attr]
            (repository,) = env.state()["repositories"]
            assert repository["head"] == "feature"
            assert sorted(b["name"] for b in repository["branches"]) == ["drafts", "feature", "main"]
            assert sorted(c["message"] for c in repository["commits"]) == ["Add a todo list", "Checkpoint", "Start the notes"]
            hashes.append(env.state_hash())
            assert hashes[-1] != initial
            env.restore(snap)
            assert env.state_hash() == initial
            assert "On branch main" in env.call("git_status", {"repo_path": str(repo)}).to_text()
        finally:
            env.close()
    assert hashes[0] == hashes[1]


@needs_git
def test_bound_arguments_are_passed_by_hardgen_and_hidden_from_the_agent(tmp_path: Path) -> None:
    repo = make_git_store(tmp_path)
    env = mcp_environment("notes", command=[str(GIT), "--repository", "{store}"], store=repo,
                          bind={"repo_path": "{store}"}, start_timeout_s=60, timeout=30)
    try:
        tools = {t.name: t for t in env.tools()}
        assert all("repo_path" not in t.parameters["properties"] for t in tools.values())
        assert tools["git_checkout"].parameters["required"] == ["branch_name"]
        assert env.call("git_checkout", {"branch_name": "drafts"}).ok
        assert env.state()["repositories"][0]["head"] == "drafts"
        passed = env.call("git_status", {"repo_path": str(repo)})
        assert not passed.ok and passed.error is not None and passed.error.type == "ArgumentError"
    finally:
        env.close()


@needs_sdk
def test_a_server_that_exits_at_once_is_a_load_error_with_its_command_and_stderr() -> None:
    start = time.monotonic()
    with pytest.raises(EnvironmentLoadError) as info:
        mcp_environment("bad", command=[sys.executable, FIXTURE, "exit"], start_timeout_s=20)
    message = str(info.value)
    assert "tools_fixture_mcp_server.py exit" in message and "cannot open the database (on purpose)" in message
    assert time.monotonic() - start < 15


@needs_sdk
@pytest.mark.parametrize("mode", ["garbage", "hang"])
def test_a_server_that_prints_garbage_or_hangs_times_out_instead_of_hanging(mode: str) -> None:
    start = time.monotonic()
    with pytest.raises(EnvironmentLoadError, match=r"did not answer initialize and tools/list within 2s"):
        mcp_environment("bad", command=[sys.executable, FIXTURE, mode], start_timeout_s=2)
    assert time.monotonic() - start < 12


@needs_sdk
def test_a_server_that_crashes_or_hangs_in_a_call_is_an_error_observation_and_the_next_call_works() -> None:
    env = mcp_environment("fixture", command=[sys.executable, FIXTURE, "serve"], start_timeout_s=30, timeout=2)
    token = env._token
    pids = []
    try:
        assert sorted(t.name for t in env.tools()) == ["die", "echo", "sleep"]  # `peek`, `put`: not annotated
        first = env.call("echo", {"text": "hi"})
        assert first.ok and first.result["echo"] == "hi"
        pids.append(first.result["pid"])
        died = env.call("die", {})
        assert not died.ok and died.error is not None and died.error.type == "ServerDiedError"
        again = env.call("echo", {"text": "again"})
        assert again.ok and again.result["pid"] != pids[0]
        pids.append(again.result["pid"])
        start = time.monotonic()
        hung = env.call("sleep", {})
        assert not hung.ok and hung.error is not None and hung.error.type == "TimeoutError"
        assert time.monotonic() - start < 12
        after = env.call("echo", {"text": "after"})
        assert after.ok
        pids.append(after.result["pid"])
        assert _processes_with_token(token)
    finally:
        env.close()
    assert _processes_with_token(token) == []
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@needs_sdk
def test_a_streamable_http_server_by_url_offers_its_reads() -> None:
    port = _free_port()
    process = subprocess.Popen([sys.executable, FIXTURE, "http", str(port)], stderr=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        env = mcp_environment("remote", url=f"http://127.0.0.1:{port}/mcp", start_timeout_s=30, timeout=10)
        try:
            assert {t.name for t in env.tools()} == {"die", "echo", "sleep"}
            assert env.call("echo", {"text": "over http"}).result["echo"] == "over http"
        finally:
            env.close()
    finally:
        process.kill()
        process.wait(timeout=10)


def test_text_results_become_data_and_is_error_an_error_observation() -> None:
    def text(t: str) -> dict[str, object]:
        return {"content": [{"type": "text", "text": t}]}

    assert result_observation("t", text('{"a": 1}')).result == {"a": 1}
    rows = result_observation("t", text("[{'id': 1, 'name': 'x'}]"))
    assert rows.result == [{"id": 1, "name": "x"}] and rows.to_text() == "[{'id': 1, 'name': 'x'}]"
    assert result_observation("t", text("Table created successfully")).result == "Table created successfully"
    assert result_observation("t", text("[not a literal")).result == "[not a literal"
    assert result_observation("t", {"content": [], "structuredContent": {"n": 2}}).result == {"n": 2}
    failed = result_observation("t", {**text("no such table"), "isError": True})
    assert not failed.ok and failed.error is not None and failed.error.message == "t: no such table"
    # Servers older than isError answer failures as text: those are errors too, other text is not.
    for report in ("Error: Only SELECT queries are allowed for read_query", "Database error: no such table: x"):
        assert result_observation("t", text(report)).error.type == "ToolError"  # type: ignore[union-attr]
    assert result_observation("t", text("No errors were found")).ok


def test_mcp_source_config_is_checked_and_named_by_a_digest_of_its_command_and_store(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="exactly one of command"):
        load_config(overrides={"sources": [{"kind": "mcp"}]})
    with pytest.raises(ConfigError, match="store needs a command"):
        load_config(overrides={"sources": [{"kind": "mcp", "url": "http://x/mcp", "store": str(tmp_path)}]})
    (tmp_path / "db").mkdir()
    one = load_config(overrides={"sources": [{"kind": "mcp", "command": ["mcp-server-sqlite", "--db-path", "{store}/d"],
                                              "store": str(tmp_path / "db")}]})
    other = load_config(overrides={"sources": [{"kind": "mcp", "command": ["mcp-server-sqlite", "--db-path", "{store}/e"],
                                                "store": str(tmp_path / "db")}]})
    source = one.sources[0]
    assert source.name == "sqlite" and source.target is not None and source.target.startswith("mcp:sqlite@")
    assert source.target != other.sources[0].target


@needs_sdk
def test_a_file_cannot_run_an_mcp_command_it_names_unless_trusted(tmp_path: Path) -> None:
    env = mcp_environment("fixture", command=[sys.executable, FIXTURE, "serve"], start_timeout_s=30)
    spec = env.spec
    env.close()
    with strict_sources(), pytest.raises(UntrustedSourceError, match=r"--trust-sources mcp:fixture@"):
        build_environment(spec)
    tampered = EnvironmentSpec.model_validate(
        {**spec.model_dump(), "mcp": {**spec.mcp.model_dump(), "command": ["sh", "-c", "echo owned"]}}  # type: ignore[union-attr]
    )
    with strict_sources(spec.target), pytest.raises(EnvironmentLoadError, match="does not match its server"):
        build_environment(tampered)
    with strict_sources(spec.target):
        rebuilt = build_environment(spec)
        try:
            assert rebuilt.call("echo", {"text": "trusted"}).ok
        finally:
            rebuilt.close()  # type: ignore[attr-defined]


@needs_sdk
def test_resolve_sources_builds_mcp_specs_that_a_session_runs(tmp_path: Path) -> None:
    config = load_config(overrides={"sources": [{"kind": "mcp", "name": "fixture", "start_timeout_s": 30,
                                                 "command": [sys.executable, FIXTURE, "serve"]}]})
    specs = resolve_sources(config)
    assert [s.kind for s in specs] == ["mcp"] and specs[0].mcp is not None
    session = Session.from_specs(specs, timeout=10)
    try:
        assert session.call("echo", {"text": "s"}).ok
    finally:
        session.close()


def test_without_the_sdk_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mcp", None)  # what an environment without the package sees
    with pytest.raises(MissingDependencyError, match=r"pip install 'hardgen\[mcp\]'"):
        mcp_environment("x", command=["true"])
