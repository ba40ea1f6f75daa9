"""The canonical records: exact JSON round trip, strictness, and the OpenAI wire shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hardgen.schema import (
    ArgumentSource,
    EnvironmentSpec,
    GoldTurn,
    InjectedFault,
    McpServer,
    Message,
    Observation,
    Provenance,
    Record,
    RejectedCall,
    Sample,
    SampleMetadata,
    Step,
    ToolCall,
    ToolError,
    ToolSpec,
    Trace,
    VerificationRecord,
    new_call_id,
)

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- strategies ------------------------------------------------------------------------------------

text = st.text(max_size=12)
names = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_\-]{0,15}\Z")
json_scalars = (
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False) | text
)
json_values = st.recursive(
    json_scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(text, kids, max_size=3), max_leaves=10
)
json_objects = st.dictionaries(text, json_values, max_size=3)
maybe_text = st.none() | text

schemas = st.fixed_dictionaries(
    {"type": st.just("object"), "properties": st.dictionaries(names, st.sampled_from([{"type": "string"}, {}]), max_size=3)}
)
tool_specs = st.builds(
    ToolSpec,
    name=names,
    description=text,
    parameters=schemas,
    returns=st.none() | schemas,
    mutates=st.booleans(),
    environment=st.none() | names,
    hints=json_objects,
    kind=st.sampled_from(["primitive", "advanced"]),
)
tool_calls = st.builds(ToolCall, id=names, name=names, arguments=json_objects)
messages = st.one_of(
    st.builds(Message, role=st.sampled_from(["system", "user"]), content=text),
    st.builds(
        Message,
        role=st.just("assistant"),
        content=maybe_text,
        reasoning=maybe_text,
        tool_calls=st.none() | st.lists(tool_calls, min_size=1, max_size=3),
    ),
    st.builds(Message, role=st.just("tool"), content=text, tool_call_id=names, name=names),
)
tool_errors = st.builds(ToolError, type=names, message=text)
observations = st.one_of(
    st.builds(Observation, ok=st.just(True), result=json_values),
    st.builds(Observation, ok=st.just(False), error=tool_errors),
)
sources = st.builds(
    ArgumentSource, parameter=names, step=st.integers(0, 20), path=st.lists(text | st.integers(0, 9), max_size=3)
)
steps = st.builds(
    Step,
    call=tool_calls,
    observation=observations,
    turn=st.integers(0, 3),
    sources=st.lists(sources, max_size=2),
    state_hash=st.none() | st.text("0123456789abcdef", min_size=8, max_size=8),
)
rejected_calls = st.builds(
    RejectedCall,
    kind=st.sampled_from(["malformed", "unoffered", "skipped"]),
    turn=st.integers(0, 3),
    call=st.none() | tool_calls,
    reason=text,
)
mcp_servers = st.builds(
    McpServer,
    command=st.none() | st.lists(text, min_size=1, max_size=3),
    url=maybe_text,
    env=st.dictionaries(names, text, max_size=2),
    store=maybe_text,
    reads=st.lists(names, max_size=2),
    bind=json_objects,
    start_timeout_s=st.floats(0.5, 100),
)
environment_specs = st.builds(
    EnvironmentSpec,
    name=names,
    kind=st.sampled_from(["class", "module", "mcp"]),
    target=text,
    initial_state=json_objects,
    loader=maybe_text,
    docs=maybe_text,
    seed=st.integers(0, 2**31),
    include=st.none() | st.lists(names, max_size=3),
    mcp=st.none() | mcp_servers,
)
traces = st.builds(
    Trace,
    environments=st.lists(environment_specs, max_size=2),
    steps=st.lists(steps, max_size=3),
    final_state_hash=maybe_text,
    target_tool=st.none() | names,
    mode=st.sampled_from(["legality", "uniform", "random_walk", "advanced", "agent", "replay"]),
)
injected_faults = st.builds(
    InjectedFault,
    call_id=names,
    tool=names,
    arguments=json_objects,
    kind=st.sampled_from(["timeout", "rate_limit", "server_error", "validation"]),
    error_type=names,
    message=text,
)
gold_turns = st.builds(
    GoldTurn,
    query=text,
    steps=st.lists(steps, max_size=2),
    required_observations=st.lists(st.integers(0, 5), max_size=3),
    answer_values=st.lists(json_scalars, max_size=3),
    final_state_hash=maybe_text,
    behaviour=st.sampled_from(["solve", "clarify", "decline"]),
    asks_for=st.lists(names, max_size=2),
    withheld_values=st.lists(json_scalars, max_size=2),
    needs_value=st.lists(names, max_size=2),
    parallel=st.booleans(),
    faults=st.lists(injected_faults, max_size=2),
    tools_added=st.lists(names, max_size=2),
)
verifications = st.builds(
    VerificationRecord,
    verdict=st.sampled_from(["passed", "failed"]),
    attempts=st.integers(1, 4),
    hints=st.lists(text, max_size=2),
    reasons=st.lists(text, max_size=2),
    expected_state_hash=maybe_text,
    actual_state_hash=maybe_text,
)
provenances = st.builds(
    Provenance,
    backend=text,
    model=maybe_text,
    seed=st.integers(0, 2**31),
    prompt_versions=st.dictionaries(names, text, max_size=2),
    hardgen_version=text,
    run_id=maybe_text,
)
metadatas = st.builds(
    SampleMetadata,
    target_tools=st.lists(names, max_size=2),
    failure_tools=st.lists(names, max_size=2),
    advanced_tools=st.lists(names, max_size=2),
    domains=st.lists(names, max_size=2),
    chain_length=st.integers(0, 20),
    implicit_dependencies=st.integers(0, 20),
    turns=st.integers(1, 3),
    sampling_mode=text,
    family=st.sampled_from(["base", "parallel", "missing_parameter", "irrelevance", "error_recovery",
                            "missing_function", "long_context"]),
    provenance=provenances,
    extra=json_objects,
)
samples = st.builds(
    Sample,
    id=text,
    tools=st.lists(tool_specs, max_size=2),
    messages=st.lists(messages, max_size=4),
    environments=st.lists(environment_specs, max_size=2),
    gold=st.lists(gold_turns, max_size=2),
    verification=verifications,
    metadata=metadatas,
)

ALL_RECORDS = {
    ToolSpec: tool_specs,
    ToolCall: tool_calls,
    Message: messages,
    ToolError: tool_errors,
    Observation: observations,
    ArgumentSource: sources,
    Step: steps,
    RejectedCall: rejected_calls,
    EnvironmentSpec: environment_specs,
    McpServer: mcp_servers,
    Trace: traces,
    GoldTurn: gold_turns,
    InjectedFault: injected_faults,
    VerificationRecord: verifications,
    Provenance: provenances,
    SampleMetadata: metadatas,
    Sample: samples,
}


# -- exact JSON round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("record_type", list(ALL_RECORDS), ids=lambda t: t.__name__)
def test_every_record_round_trips_exactly_through_json(record_type: type[Record]) -> None:
    @SETTINGS
    @given(ALL_RECORDS[record_type])
    def check(record: Record) -> None:
        text_ = record.to_json()
        again = record_type.from_json(text_)
        assert again == record
        assert again.to_json() == text_
        assert record_type.model_validate(json.loads(text_)) == record

    check()


def test_every_public_record_has_a_strategy() -> None:
    import hardgen.schema as schema

    public = {getattr(schema, n) for n in schema.__all__}
    records = {c for c in public if isinstance(c, type) and issubclass(c, Record) and c is not Record}
    assert records == set(ALL_RECORDS)


# -- strictness ------------------------------------------------------------------------------------

MINIMAL: dict[type[Record], dict[str, Any]] = {
    ToolSpec: {"name": "t"},
    ToolCall: {"name": "t"},
    Message: {"role": "user", "content": "hi"},
    ToolError: {"type": "E", "message": "m"},
    Observation: {"ok": True},
    ArgumentSource: {"parameter": "p", "step": 0},
    Step: {"call": {"name": "t"}, "observation": {"ok": True}},
    RejectedCall: {"kind": "malformed"},
    EnvironmentSpec: {"name": "e", "target": "m:C"},
    McpServer: {"command": ["mcp-server-x"]},
    Trace: {"environments": []},
    GoldTurn: {"query": "q"},
    VerificationRecord: {"verdict": "passed"},
    Provenance: {},
    SampleMetadata: {},
    Sample: {"id": "s", "tools": [], "messages": [], "environments": [], "gold": [], "verification": {"verdict": "passed"}},
}


@pytest.mark.parametrize("record_type", list(MINIMAL), ids=lambda t: t.__name__)
def test_unknown_fields_are_rejected(record_type: type[Record]) -> None:
    record_type.model_validate(MINIMAL[record_type])
    with pytest.raises(ValidationError, match="typo_field"):
        record_type.model_validate({**MINIMAL[record_type], "typo_field": 1})


def test_unknown_fields_are_rejected_when_nested() -> None:
    bad = {**MINIMAL[Sample], "messages": [{"role": "user", "content": "hi", "contnet": "typo"}]}
    with pytest.raises(ValidationError, match="contnet"):
        Sample.model_validate(bad)


def test_invalid_values_are_rejected() -> None:
    with pytest.raises(ValidationError, match="role"):
        Message.model_validate({"role": "robot"})
    with pytest.raises(ValidationError, match="verdict"):
        VerificationRecord.model_validate({"verdict": "maybe"})
    with pytest.raises(ValidationError, match="not a valid function name"):
        ToolSpec(name="has space")
    with pytest.raises(ValidationError, match="not a valid function name"):
        ToolSpec(name="x" * 65)
    with pytest.raises(ValidationError, match="must be an object schema"):
        ToolSpec(name="t", parameters={"type": "array"})
    with pytest.raises(ValidationError, match="required parameter 'b' is not declared"):
        ToolSpec(name="t", parameters={"type": "object", "properties": {"a": {}}, "required": ["b"]})


# -- OpenAI wire shape -----------------------------------------------------------------------------


@SETTINGS
@given(tool_calls)
def test_tool_call_arguments_are_a_dict_inside_and_a_json_string_on_the_wire(call: ToolCall) -> None:
    wire = call.to_openai()
    assert wire["type"] == "function"
    assert isinstance(wire["function"]["arguments"], str)
    assert json.loads(wire["function"]["arguments"]) == call.arguments
    assert ToolCall.from_openai(wire) == call


@SETTINGS
@given(messages)
def test_messages_round_trip_through_the_wire_shape(message: Message) -> None:
    wire = message.to_openai(include_reasoning=True)
    assert "reasoning" not in wire
    again = Message.from_openai(wire)
    expected = message
    if message.role != "tool":
        expected = message.model_copy(update={"name": None})
    if not message.reasoning:
        expected = expected.model_copy(update={"reasoning": None})
    assert again == expected


def test_reasoning_stays_off_the_wire_unless_asked_for() -> None:
    message = Message.assistant(content="4", reasoning="2+2")
    assert "reasoning_content" not in message.to_openai()
    assert message.to_openai(include_reasoning=True)["reasoning_content"] == "2+2"
    assert Message.from_openai({"role": "assistant", "content": "4", "reasoning": "r"}).reasoning == "r"


def test_wire_variants_are_read() -> None:
    assert ToolCall.from_openai({"function": {"name": "t", "arguments": ""}}).arguments == {}
    assert ToolCall.from_openai({"function": {"name": "t", "arguments": None}}).arguments == {}
    assert ToolCall.from_openai({"name": "t", "arguments": {"a": 1}}).arguments == {"a": 1}
    assert ToolCall.from_openai({"function": {"name": "t"}}).id.startswith("call_")
    parts = {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url"}, {"text": "b"}]}
    assert Message.from_openai(parts).content == "ab"
    call = ToolCall(name="t", arguments={"x": "é"})
    tool_message = Message.tool(call, "ok")
    assert tool_message.to_openai() == {"role": "tool", "content": "ok", "tool_call_id": call.id, "name": "t"}
    assert Message.assistant(tool_calls=[]).tool_calls is None
    assert new_call_id() != new_call_id()


@pytest.mark.parametrize(
    ("arguments", "pattern"),
    [
        ('{"city": "Par', r"arguments of call to 'get_weather' are not valid JSON"),
        ("[1, 2]", r"arguments of call to 'get_weather' must be a JSON object"),
        ("42", r"arguments of call to 'get_weather' must be a JSON object"),
    ],
)
def test_bad_wire_arguments_raise_value_error_naming_the_tool(arguments: str, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        ToolCall.from_openai({"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": arguments}})
    with pytest.raises(ValueError, match="get_weather"):
        Message.from_openai(
            {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": arguments}}]}
        )


def test_wire_calls_and_messages_without_required_parts_raise_value_error() -> None:
    with pytest.raises(ValueError, match="needs a function name"):
        ToolCall.from_openai({"function": {"arguments": "{}"}})
    with pytest.raises(ValueError):
        Message.from_openai({"content": "no role"})
    with pytest.raises(ValueError, match="name"):
        ToolSpec.from_openai({"type": "function", "function": {"description": "nameless"}})


def test_tool_spec_openai_shape_hides_metadata() -> None:
    spec = ToolSpec(
        name="transfer",
        description="Move money.",
        parameters={"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"]},
        returns={"type": "object"},
        mutates=True,
        environment="bank",
        hints={"requires": ["login"]},
    )
    wire = spec.to_openai()
    assert wire == {
        "type": "function",
        "function": {"name": "transfer", "description": "Move money.", "parameters": spec.parameters},
    }
    back = ToolSpec.from_openai(wire, mutates=True, environment="bank")
    assert back.parameters == spec.parameters and back.mutates and back.environment == "bank"
    assert ToolSpec.from_openai(wire["function"]).name == "transfer"
    assert spec.parameter_names == ["amount"] and spec.required == ["amount"]


def test_observation_text_is_what_the_agent_sees() -> None:
    assert Observation.success({"b": 1, "a": [1, "é"]}).to_text() == '{"b": 1, "a": [1, "é"]}'
    failure = Observation.failure("KeyError", "no item 'plum'")
    assert json.loads(failure.to_text()) == {"error": {"type": "KeyError", "message": "no item 'plum'"}}


def test_trace_helpers() -> None:
    trace = Trace(
        environments=[],
        steps=[
            Step(call=ToolCall(name="a"), observation=Observation.success(1)),
            Step(
                call=ToolCall(name="b"),
                observation=Observation.success(2),
                sources=[ArgumentSource(parameter="x", step=0), ArgumentSource(parameter="y", step=0)],
            ),
        ],
    )
    assert trace.tool_names == ["a", "b"]
    assert [c.name for c in trace.calls] == ["a", "b"]
    assert trace.implicit_dependencies == 2
