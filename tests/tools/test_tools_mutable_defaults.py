"""A tool whose parameter defaults to a list or dict (`def post(tags=[])`, as BFCL's post_tweet)
gets a fresh copy on every call: what one call appended never reaches another call, another
environment or the replay in a fresh process."""

from __future__ import annotations

from typing import Any

from hardgen.tools import class_environment


class Board:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []

    def post(self, text: str, tags: list[str] = [], meta: dict[str, Any] = {}) -> dict[str, Any]:  # noqa: B006
        """Post a text."""
        tags.append("#posted")  # the classic bug: the shared default grows with every call
        meta.setdefault("count", 0)
        meta["count"] += 1
        self.posts.append({"text": text, "tags": tags, "meta": meta})
        return {"tags": tags, "count": meta["count"]}


def test_every_call_gets_fresh_list_and_dict_defaults_in_every_environment() -> None:
    first = class_environment(Board, {}, name="board_a")
    results = [first.call("post", {"text": "hi"}).result for _ in range(3)]
    assert results == [{"tags": ["#posted"], "count": 1}] * 3
    second = class_environment(Board, {}, name="board_b")
    assert second.call("post", {"text": "again"}).result == {"tags": ["#posted"], "count": 1}
    # A value the caller gives is its own.
    assert first.call("post", {"text": "x", "tags": ["#a"]}).result == {"tags": ["#a", "#posted"], "count": 1}
