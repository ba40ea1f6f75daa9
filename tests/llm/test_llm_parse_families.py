"""Tool calls in the shapes real model families emit when a server has no tool-call parser for them.

Each reply below is the exact shape that family writes (as vLLM's `llama3_json`, `mistral`, `pythonic`,
`hermes` and `qwen3_coder` parsers and the Llama 3.1 / 3.2 / 4 chat templates document it), and each
family's loopback reply kind round-trips through the OpenAI-compatible backend to the same calls as
native `tool_calls`. Answers that only hold JSON data stay answers.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hardgen.llm import ChatRequest, OpenAICompatibleBackend, parse_assistant_output
from hardgen.llm.loopback import LoopbackServer
from hardgen.schema import Message, ToolSpec

WEATHER = {"city": "San Francisco", "state": "CA", "unit": "celsius"}
OFFERED = {"get_current_weather", "add", "get_weather", "get_time", "spotify_trending_songs", "multiply",
           "add_this_and_that", "toolname_no_args"}


def calls_of(content: str, tool_names: Any = OFFERED) -> tuple[list[tuple[str, dict[str, Any]]], str | None, list[str]]:
    message, errors = parse_assistant_output(content, tool_names=tool_names)
    return [(c.name, c.arguments) for c in message.tool_calls or []], message.content, errors


# -- Llama 3.1 JSON (vLLM llama3_json) ----------------------------------------------------------


def test_llama31_json_call_as_the_whole_reply() -> None:
    calls, content, errors = calls_of('{"name": "get_current_weather", "parameters": '
                                      '{"city": "San Francisco", "state": "CA", "unit": "celsius"}}')
    assert (calls, content, errors) == ([("get_current_weather", WEATHER)], None, [])


def test_llama31_json_after_python_tag_several_separated_by_semicolons() -> None:
    reply = ('<|python_tag|>{"name": "get_current_weather", "parameters": {"city": "San Francisco", "state": "CA", '
             '"unit": "celsius"}}; {"name": "add", "parameters": {"a": 3.5, "b": 4}}<|eom_id|>')
    calls, content, errors = calls_of(reply)
    assert calls == [("get_current_weather", WEATHER), ("add", {"a": 3.5, "b": 4})]
    assert content is None and errors == []


def test_llama32_small_models_add_a_type_field() -> None:
    calls, _, errors = calls_of('{"type": "function", "name": "get_weather", "parameters": {"city": "Paris"}}')
    assert calls == [("get_weather", {"city": "Paris"})] and errors == []


def test_python_tag_with_broken_json_is_a_parse_error_not_an_answer() -> None:
    calls, content, errors = calls_of('<|python_tag|>{"name": "add", "parameters": {"a": 3.5,')
    assert calls == [] and len(errors) == 1 and "python_tag" in errors[0]
    assert content == '<|python_tag|>{"name": "add", "parameters": {"a": 3.5,'  # kept as the model wrote it


# -- Mistral (vLLM mistral: tokenizers before v11 and v11+) -----------------------------------------


def test_mistral_pre_v11_json_list() -> None:
    reply = ('[TOOL_CALLS] [{"name": "add", "arguments": {"a": 3.5, "b": 4}}, {"name": "get_current_weather", '
             '"arguments":{"city": "San Francisco", "state": "CA", "unit": "celsius"}}]')
    calls, content, errors = calls_of(reply)
    assert calls == [("add", {"a": 3.5, "b": 4}), ("get_current_weather", WEATHER)]
    assert content is None and errors == []


def test_mistral_pre_v11_with_arguments_before_the_name() -> None:
    calls, _, _ = calls_of('[TOOL_CALLS]  [ {"arguments": {"city": "San Francisco", "state": "CA", '
                           '"unit": "celsius"}, "name":"get_current_weather" } ]')
    assert calls == [("get_current_weather", WEATHER)]


def test_mistral_v11_args_separator_several_calls_and_text_before() -> None:
    calls, content, errors = calls_of('[TOOL_CALLS]add_this_and_that[ARGS]{"a": 3.5, "b": 4}')
    assert calls == [("add_this_and_that", {"a": 3.5, "b": 4})] and content is None and errors == []
    calls, content, _ = calls_of('[TOOL_CALLS]add[ARGS]{"a": 3.5, "b": 4}[TOOL_CALLS]multiply[ARGS]{"a": 3, "b": 6}')
    assert calls == [("add", {"a": 3.5, "b": 4}), ("multiply", {"a": 3, "b": 6})]
    calls, content, _ = calls_of('hi[TOOL_CALLS]add[ARGS]{"a": 1, "b": 2}')
    assert calls == [("add", {"a": 1, "b": 2})] and content == "hi"


def test_mistral_v11_without_args_separator_and_without_arguments() -> None:
    calls, _, _ = calls_of('[TOOL_CALLS]add{"a": 3.5, "b": 4}[TOOL_CALLS]multiply{"a": 3, "b": 6}')
    assert calls == [("add", {"a": 3.5, "b": 4}), ("multiply", {"a": 3, "b": 6})]
    calls, content, errors = calls_of("[TOOL_CALLS]toolname_no_args")
    assert calls == [("toolname_no_args", {})] and content is None and errors == []


def test_mistral_not_json_is_reported() -> None:
    calls, content, errors = calls_of("[TOOL_CALLS] [not json at all")
    assert calls == [] and len(errors) == 1 and content == "[TOOL_CALLS] [not json at all"


# -- <function=...> (Llama 3.1 custom tools; Qwen3-Coder) ------------------------------------------


def test_llama31_custom_function_tag() -> None:
    calls, content, errors = calls_of('<function=spotify_trending_songs>{"n": "5"}</function>')
    assert (calls, content, errors) == ([("spotify_trending_songs", {"n": "5"})], None, [])


def test_function_tags_after_text() -> None:
    calls, content, _ = calls_of('Checking both.\n<function=get_weather>{"city": "Paris"}</function>\n'
                                 '<function=get_time>{"zone": "CET"}</function>')
    assert calls == [("get_weather", {"city": "Paris"}), ("get_time", {"zone": "CET"})]
    assert content == "Checking both."


def test_qwen3_coder_parameters_inside_tool_call() -> None:
    reply = ("<tool_call>\n<function=get_weather>\n<parameter=city>\nSan Francisco\n</parameter>\n"
             "<parameter=days>\n3\n</parameter>\n<parameter=zip>\n02139\n</parameter>\n</function>\n</tool_call>")
    calls, content, errors = calls_of(reply)
    # Values are bare text; numbers and JSON read as such, a zip code with a leading zero stays text.
    assert calls == [("get_weather", {"city": "San Francisco", "days": 3, "zip": "02139"})]
    assert content is None and errors == []


# -- plain JSON as the whole reply ----------------------------------------------------------------


def test_plain_json_call_in_a_fence_and_a_list_of_calls() -> None:
    calls, content, _ = calls_of('```json\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n```')
    assert calls == [("get_weather", {"city": "Paris"})] and content is None
    calls, _, _ = calls_of('[{"name": "get_weather", "arguments": {"city": "Paris"}}, '
                           '{"name": "get_time", "arguments": {"zone": "CET"}}]')
    assert calls == [("get_weather", {"city": "Paris"}), ("get_time", {"zone": "CET"})]
    # The OpenAI object shape, as some models copy it from the tool definitions.
    calls, _, _ = calls_of('{"type": "function", "function": {"name": "get_time", "arguments": "{\\"zone\\": \\"CET\\"}"}}')
    assert calls == [("get_time", {"zone": "CET"})]


# -- Llama pythonic (vLLM pythonic; Llama 3.2 and Llama 4 templates) -----------------------------


def test_pythonic_list_after_some_text() -> None:
    reply = "Let me check both.\n\n[get_weather(city='San Francisco', metric='celsius'), get_time(zone=\"PST\")]"
    calls, content, errors = calls_of(reply)
    assert calls == [("get_weather", {"city": "San Francisco", "metric": "celsius"}), ("get_time", {"zone": "PST"})]
    assert content == "Let me check both." and errors == []


def test_llama4_python_start_and_end_tags() -> None:
    calls, content, _ = calls_of('<|python_start|>[get_weather(city="Paris", days=2)]<|python_end|>')
    assert calls == [("get_weather", {"city": "Paris", "days": 2})] and content is None


# -- Qwen3 and native output keep working -----------------------------------------------------------


def test_qwen3_think_then_hermes_blocks() -> None:
    reply = ('<think>\nThe user wants the weather in Paris.\n</think>\n\n'
             '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>')
    message, errors = parse_assistant_output(reply, tool_names=OFFERED)
    assert errors == [] and message.reasoning == "The user wants the weather in Paris."
    assert [(c.name, c.arguments) for c in message.tool_calls or []] == [("get_weather", {"city": "Paris"})]
    # The template opened the think block in the prompt: only the closing tag is in the reply.
    message, _ = parse_assistant_output('Paris, then.\n</think>\n\n<tool_call>\n{"name": "get_time", '
                                        '"arguments": {}}\n</tool_call>', tool_names=OFFERED)
    assert message.reasoning == "Paris, then." and (message.tool_calls or [])[0].name == "get_time"


def test_native_calls_with_reasoning_content() -> None:
    native = [{"id": "chatcmpl-tool-1", "type": "function",
               "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]
    message, errors = parse_assistant_output(None, native, "I should look it up.", tool_names=OFFERED)
    assert errors == [] and message.reasoning == "I should look it up."
    assert [(c.id, c.name) for c in message.tool_calls or []] == [("chatcmpl-tool-1", "get_weather")]


# -- false positives: data in an answer stays an answer ---------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        '```json\n{"name": "Alice Baker", "parameters": {"age": 41}}\n```',  # a record named like a call
        '[{"name": "Brass Desk Lamp", "price": 35.0}]',
        '{"name": "get_weather"}',  # an offered name, but no arguments: data, not a call
        "The docs say to run [cleanup(force=True)] first.",  # prose, the list is not at the end
        "Options: [summarize(text='a')]",  # a pythonic list naming no offered tool
        "[1, 2, 3]",
    ],
)
def test_json_data_in_an_answer_is_not_a_call(answer: str) -> None:
    calls, content, errors = calls_of(answer)
    assert calls == [] and content == answer and errors == []


def test_with_no_tools_offered_untagged_json_is_never_a_call() -> None:
    # A structured-output answer (Tool Maker, Critic) that happens to be call-shaped.
    reply = '{"name": "get_weather", "arguments": {"city": "Paris"}}'
    assert calls_of(reply, tool_names=())[0] == []
    assert calls_of(reply, tool_names=None)[0] == [("get_weather", {"city": "Paris"})]


def test_a_tagged_call_to_a_tool_that_is_not_offered_is_still_the_models_call() -> None:
    # The tag says it is a call: the agent loop answers it (UnknownToolError) and records it as rejected.
    calls, _, _ = calls_of('<tool_call>{"name": "drop_database", "arguments": {}}</tool_call>')
    assert calls == [("drop_database", {})]


def test_text_call_ids_are_deterministic_and_differ_by_position() -> None:
    reply = '[TOOL_CALLS]add[ARGS]{"a": 1}[TOOL_CALLS]add[ARGS]{"a": 1}'
    first, _ = parse_assistant_output(reply)
    again, _ = parse_assistant_output(reply)
    ids = [c.id for c in first.tool_calls or []]
    assert ids == [c.id for c in again.tool_calls or []] and len(set(ids)) == 2
    # A native call without an id gets one the same way.
    bare, _ = parse_assistant_output(None, [{"function": {"name": "add", "arguments": '{"a": 1}'}}])
    assert (bare.tool_calls or [])[0].id == ids[0]


# -- every family's loopback reply kind round-trips through the backend -------------------------------

TOOLS = [
    ToolSpec(name="get_weather", description="Weather in a city.",
             parameters={"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}),
    ToolSpec(name="get_time", description="Time in a zone.",
             parameters={"type": "object", "properties": {"zone": {"type": "string"}}}),
]
NATIVE = {
    "role": "assistant",
    "content": None,
    "reasoning_content": "Both lookups are needed.",
    "tool_calls": [
        {"id": "n1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris", "days": 2}'}},
        {"id": "n2", "type": "function", "function": {"name": "get_time", "arguments": '{"zone": "CET"}'}},
    ],
}


@pytest.mark.parametrize("kind", ["ok", "hermes", "python_list", "qwen3", "llama_json", "python_tag", "mistral",
                                  "mistral_v11", "function_tag", "plain_json", "pythonic_after_text"])
def test_each_family_reply_kind_reads_as_the_native_calls(kind: str) -> None:
    async def ask() -> Any:
        backend = OpenAICompatibleBackend(server.url, "family", max_retries=0)
        try:
            return await backend.complete(ChatRequest(messages=[Message.user("weather and time?")], tools=TOOLS))
        finally:
            await backend.aclose()

    with LoopbackServer(responder=lambda _request: NATIVE, default=kind) as server:
        response = asyncio.run(ask())
        sent_content = server.chat_requests[0].body is not None
    assert sent_content and response.parse_errors == []
    calls = [(c.name, c.arguments) for c in response.message.tool_calls or []]
    assert calls == [("get_weather", {"city": "Paris", "days": 2}), ("get_time", {"zone": "CET"})]
    if kind in ("ok", "qwen3"):
        assert response.message.reasoning == "Both lookups are needed."


def test_several_call_objects_in_one_hermes_block() -> None:
    reply = ('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n'
             '{"name": "get_time", "arguments": {"zone": "CET"}}\n</tool_call>')
    calls, content, errors = calls_of(reply)
    assert calls == [("get_weather", {"city": "Paris"}), ("get_time", {"zone": "CET"})]
    assert content is None and errors == []


def test_with_no_tools_offered_even_tagged_markup_stays_text() -> None:
    # A Critic's JSON answer quoting what the model wrote must reach the role intact.
    answer = '{"kind": "wrong_tool", "text": "Do not write [TOOL_CALLS]delete[ARGS]{} or <tool_call>."}'
    calls, content, errors = calls_of(answer, tool_names=[])
    assert calls == [] and content == answer and errors == []
