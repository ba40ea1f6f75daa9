"""A SQLite response cache, so that a re-run or a resumed run costs no model calls.

The key is the SHA-256 of the canonical JSON of the model name and the request without its
`metadata` (who asked is not part of what was asked); a backend's own `extra_body` is folded into the
request's before the key is taken, since it changes what the server is asked. The value is the server's raw answer (assistant
wire message, finish reason, usage, model), not the parsed response: a cached answer is parsed again
on every hit, so improvements to the parser apply to answers cached before them.

Sampling requests (`temperature > 0`) are cached too, also when they carry no `seed`: a cache exists
to make runs repeatable and resumable, and HardGen gives every unit of work its own deterministic
seed, so two requests that should differ do differ. A caller who really wants a fresh draw for an
identical request passes another seed, or uses a backend without a cache.

One connection is shared behind a lock (so threads and coroutines can use one cache); WAL journaling
and a busy timeout let several processes share the file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from hardgen.llm._protocol import ChatRequest


def cache_key(model: str | None, request: ChatRequest) -> str:
    """The cache key of a request to a model: sha256 of the canonical JSON, `metadata` left out.

    Every field that is sent is in the key (messages, tools, schema, sampling settings, `stop`,
    `tool_choice`, `extra_body`, `send_reasoning`, `send_tool_names`), so changing any of them is a miss.
    """
    fields = request.model_dump(mode="json", exclude={"metadata"})
    if not fields.get("extra_body"):
        # None or {} sends nothing extra: left out, as before the field existed, so caches written by
        # earlier versions keep their keys.
        fields.pop("extra_body", None)
    for flag in ("send_reasoning", "send_tool_names"):
        if not fields.get(flag):
            fields.pop(flag, None)  # the default sends what was sent before the flag existed: old keys hold
    canonical = {"model": model, "request": fields}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResponseCache:
    """Raw model answers by request key, in a SQLite file (or `":memory:"`)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False, isolation_level=None)
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS responses ("
                " key TEXT PRIMARY KEY, model TEXT, value TEXT NOT NULL, created_at REAL NOT NULL)"
            )
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"response cache {self.path!r} cannot be opened as a SQLite database: {exc}") from exc

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached answer for `key`, or None."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except json.JSONDecodeError:
            return None  # a damaged entry is a miss; the fresh answer overwrites it
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict[str, Any], *, model: str | None = None) -> None:
        """Store (or replace) the answer for `key`."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO responses (key, model, value, created_at) VALUES (?, ?, ?, ?)",
                (key, model, text, time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM responses WHERE key = ?", (key,)).fetchone() is not None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
