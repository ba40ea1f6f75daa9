"""parse_assistant_output: every tool-call and reasoning shape servers produce, and malformed ones."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hardgen.llm import parse_assistant_output


def test_native_tool_calls_become_dict_arguments() -> None:
    native = [
        {"id": "call_1", "type": "function", "function": {"name": "get_user", "arguments": '{"id": 7}'}},
        {"id": "call_2", "type": "function", "function": {"name": "ping", "arguments": ""}},
    ]
    message, errors = parse_assistant_output(None, native)
    assert errors == []
    assert message.role == "assistant"
    assert [(c.id, c.name, c.arguments) for c in message.tool_calls or []] == [
        ("call_1", "get_user", {"id": 7}),
        ("call_2", "ping", {}),
    ]


def test_native_call_with_bad_json_arguments_is_dropped_and_reported() -> None:
    native = [
        {"id": "a", "function": {"name": "good", "arguments": '{"x": 1}'}},
        {"id": "b", "function": {"name": "bad", "arguments": '{"x": 1'}},
        {"id": "c", "function": {"arguments": "{}"}},
    ]
    message, errors = parse_assistant_output("", native)
    assert [c.name for c in message.tool_calls or []] == ["good"]
    assert len(errors) == 2
    assert "'bad'" in errors[0] and "not valid JSON" in errors[0]
    assert "no function name" in errors[1]


def test_hermes_blocks_are_read_and_removed_from_content() -> None:
    content = (
        "I will look both up.\n"
        '<tool_call>\n{"name": "get_user", "arguments": {"id": 7}}\n</tool_call>\n'
        '<tool_call>{"name": "get_order", "arguments": "{\\"order\\": \\"A1\\"}"}</tool_call>'
    )
    message, errors = parse_assistant_output(content)
    assert errors == []
    assert message.content == "I will look both up."
    assert [(c.name, c.arguments) for c in message.tool_calls or []] == [
        ("get_user", {"id": 7}),
        ("get_order", {"order": "A1"}),
    ]


def test_hermes_block_with_bad_json_is_reported_not_raised() -> None:
    content = '<tool_call>{"name": "f", "arguments": {"a": 1}</tool_call><tool_call>{"name": "g"}</tool_call>'
    message, errors = parse_assistant_output(content)
    assert [c.name for c in message.tool_calls or []] == ["g"]
    assert len(errors) == 1 and "block #0 is not a valid JSON tool call" in errors[0]


def test_unclosed_hermes_block_is_accepted_when_its_json_is_complete() -> None:
    message, errors = parse_assistant_output('<tool_call>\n{"name": "f", "parameters": {"a": [1, 2]}}')
    assert errors == []
    assert message.tool_calls is not None and message.tool_calls[0].arguments == {"a": [1, 2]}
    assert message.content is None


def test_python_call_list_is_read_with_literals_only() -> None:
    message, errors = parse_assistant_output("[f(a=1), g(b='x', c=[1, 2], d=None, e=(1, 2)), math.factorial(n=5)]")
    assert errors == []
    assert message.content is None
    assert [(c.name, c.arguments) for c in message.tool_calls or []] == [
        ("f", {"a": 1}),
        ("g", {"b": "x", "c": [1, 2], "d": None, "e": [1, 2]}),
        ("math.factorial", {"n": 5}),
    ]


def test_python_call_list_in_a_code_fence() -> None:
    message, errors = parse_assistant_output("```python\n[lookup(city='Paris')]\n```")
    assert errors == [] and message.tool_calls is not None
    assert message.tool_calls[0].arguments == {"city": "Paris"}


def test_python_calls_that_are_not_literals_are_never_evaluated() -> None:
    message, errors = parse_assistant_output("[f(a=__import__('os').getcwd()), g(1), h(**kw), ok(x=True)]")
    assert [c.name for c in message.tool_calls or []] == ["ok"]
    assert len(errors) == 3
    assert "not a literal" in errors[0] and "positional" in errors[1] and "**kwargs" in errors[2]


def test_broken_python_call_list_is_reported() -> None:
    message, errors = parse_assistant_output("[f(a=1), g(b=]")
    assert message.tool_calls is None
    assert len(errors) == 1 and "does not parse" in errors[0]


def test_plain_json_list_answer_is_content_not_a_tool_call() -> None:
    message, errors = parse_assistant_output("[1, 2, 3]")
    assert errors == [] and message.tool_calls is None and message.content == "[1, 2, 3]"


def test_think_block_moves_to_reasoning() -> None:
    message, errors = parse_assistant_output("<think>\nUser wants 7.\n</think>\n\nThe answer is 7.")
    assert errors == []
    assert message.reasoning == "User wants 7."
    assert message.content == "The answer is 7."


def test_lone_closing_think_tag_from_template_opened_block() -> None:
    message, _ = parse_assistant_output("first I check\n</think>\n[f(a=1)]")
    assert message.reasoning == "first I check"
    assert message.tool_calls is not None and message.tool_calls[0].name == "f"


def test_tool_call_inside_think_is_not_executed() -> None:
    content = '<think>maybe <tool_call>{"name": "drop_db", "arguments": {}}</tool_call>? no.</think>Done.'
    message, _ = parse_assistant_output(content)
    assert message.tool_calls is None and message.content == "Done."


def test_unclosed_think_is_reasoning_and_reported() -> None:
    message, errors = parse_assistant_output("Sure.<think>still thinking when max_tokens hit")
    assert message.content == "Sure."
    assert message.reasoning == "still thinking when max_tokens hit"
    assert errors and "never closed" in errors[0]


def test_reasoning_field_and_think_tags_are_combined() -> None:
    message, _ = parse_assistant_output("<think>second</think>ok", None, "first")
    assert message.reasoning == "first\n\nsecond"


def test_native_calls_win_over_text_that_mentions_tool_call_tags() -> None:
    native = [{"id": "n", "function": {"name": "real", "arguments": "{}"}}]
    content = 'I could write <tool_call>{"name": "fake", "arguments": {}}</tool_call> but I will not.'
    message, errors = parse_assistant_output(content, native)
    assert errors == []
    assert [c.name for c in message.tool_calls or []] == ["real"]
    assert message.content == content


def test_content_is_kept_verbatim_when_nothing_is_extracted() -> None:
    message, errors = parse_assistant_output("  hello\n")
    assert errors == [] and message.content == "  hello\n" and message.reasoning is None


def test_parsed_message_round_trips_to_the_wire() -> None:
    message, _ = parse_assistant_output('<tool_call>{"name": "f", "arguments": {"a": "é"}}</tool_call>')
    wire = message.to_openai()
    assert json.loads(wire["tool_calls"][0]["function"]["arguments"]) == {"a": "é"}


def test_an_oversize_reply_is_a_parse_error_with_its_content_cut() -> None:
    from hardgen.llm._parse import MAX_REPLY_CHARS, OVERSIZE_KEPT_CHARS

    call = '<tool_call>{"name": "f", "arguments": {}}</tool_call>'
    message, errors = parse_assistant_output(call + "x" * MAX_REPLY_CHARS)
    assert message.tool_calls is None and len(message.content or "") == OVERSIZE_KEPT_CHARS
    assert len(errors) == 1 and "over the limit" in errors[0] and "tool calls" in errors[0]
    # Native arguments count towards the size too.
    native = [{"id": "a", "function": {"name": "f", "arguments": json.dumps({"x": "y" * MAX_REPLY_CHARS})}}]
    message, errors = parse_assistant_output(None, native)
    assert message.tool_calls is None and errors


def test_at_most_max_calls_per_reply_are_read() -> None:
    from hardgen.llm._parse import MAX_CALLS_PER_REPLY

    content = '<tool_call>{"name": "f", "arguments": {}}</tool_call>' * (MAX_CALLS_PER_REPLY + 5)
    message, errors = parse_assistant_output(content)
    assert len(message.tool_calls or []) == MAX_CALLS_PER_REPLY
    assert errors == ["5 more tool call(s) in the reply were not read (at most 64 per reply)"]


def test_long_replies_are_parsed_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from hardgen.llm import _parse

    threaded: list[int] = []
    real = asyncio.to_thread

    async def recording(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        threaded.append(len(args[0] or ""))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(_parse.asyncio, "to_thread", recording)
    short = '<tool_call>{"name": "f", "arguments": {}}</tool_call>'
    long = short + " " * _parse.OFF_LOOP_CHARS
    for content in (short, long):
        got = asyncio.run(_parse.parse_assistant_output_async(content, tool_names=["f"]))
        assert got == parse_assistant_output(content, tool_names=["f"])
    assert threaded == [len(long)]
