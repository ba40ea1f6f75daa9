"""ResponseCache and cache_key: canonical keys, persistence, concurrent use."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hardgen.llm import ChatRequest, ResponseCache, cache_key
from hardgen.schema import Message, ToolSpec


def _request(**kwargs: object) -> ChatRequest:
    return ChatRequest(messages=[Message.user("hi")], **kwargs)  # type: ignore[arg-type]


def test_key_ignores_metadata_but_not_what_is_asked() -> None:
    base = cache_key("m", _request(temperature=0.7))
    assert cache_key("m", _request(temperature=0.7, metadata={"unit": 3, "role": "reasoner"})) == base
    assert cache_key("m", _request(temperature=0.7, seed=1)) != base
    assert cache_key("m", _request(temperature=0.0)) != base
    assert cache_key("other", _request(temperature=0.7)) != base
    with_tool = _request(temperature=0.7, tools=[ToolSpec(name="f")])
    assert cache_key("m", with_tool) != base
    assert len(base) == 64


def test_put_get_and_persistence_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cache.sqlite"
    value = {"message": {"role": "assistant", "content": "hi"}, "usage": {"prompt_tokens": 3}}
    with ResponseCache(path) as cache:
        assert cache.get("k") is None
        cache.put("k", value, model="m")
        assert cache.get("k") == value and "k" in cache and len(cache) == 1
    with ResponseCache(path) as reopened:
        assert reopened.get("k") == value


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(ValueError, match="cannot be opened as a SQLite database"):
        ResponseCache(path)


def test_concurrent_writers_from_threads(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    errors: list[BaseException] = []

    def writer(t: int) -> None:
        try:
            for i in range(50):
                cache.put(f"{t}-{i}", {"n": i})
                assert cache.get(f"{t}-{i}") == {"n": i}
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and len(cache) == 400
    cache.close()


@pytest.mark.parametrize(
    "change",
    [
        {"temperature": 0.3},
        {"top_p": 0.9},
        {"max_tokens": 128},
        {"seed": 11},
        {"stop": ["</answer>"]},
        {"tool_choice": "required"},
        {"extra_body": {"top_k": 20}},
        {"extra_body": {"chat_template_kwargs": {"enable_thinking": False}}},
        {"response_schema": {"type": "object"}},
        {"send_reasoning": True},
        {"send_tool_names": True},
    ],
)
def test_every_sent_option_is_in_the_key(change: dict[str, object]) -> None:
    base = _request(temperature=0.7, top_p=1.0, max_tokens=64, seed=1, stop=["x"], extra_body={"top_k": 5})
    changed = base.model_copy(update=change)
    assert cache_key("m", changed) != cache_key("m", base)
    assert cache_key("m", changed.model_copy(update={"metadata": {"role": "critic"}})) == cache_key("m", changed)


def test_a_request_without_extra_body_keeps_the_key_it_had_before_the_field_existed() -> None:
    # The key of a plain request, computed as releases before `extra_body` did; caches stay valid.
    import hashlib
    import json

    request = _request(temperature=0.5)
    fields = request.model_dump(mode="json", exclude={"metadata", "extra_body", "send_reasoning", "send_tool_names"})
    text = json.dumps({"model": "m", "request": fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert cache_key("m", request) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert cache_key("m", _request(temperature=0.5, extra_body={})) == cache_key("m", request)
