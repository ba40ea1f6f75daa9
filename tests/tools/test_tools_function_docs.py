"""Import of BFCL-style JSON function docs, alone and attached to a class."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tools_fixture_gorilla_fs import SCENARIO, GorillaFileSystem

from hardgen.errors import ToolDefinitionError
from hardgen.tools import class_environment, load_function_docs, normalize_schema, tool_spec_from_doc

DATA = Path(__file__).parent / "data"
GORILLA_DOCS = DATA / "gorilla_fs_docs.json"

BFCL_DOC: dict[str, Any] = {
    "name": "place_order",
    "description": "Place an order.",
    "parameters": {
        "type": "dict",
        "properties": {
            "symbol": {"type": "string", "description": "Ticker."},
            "price": {"type": "float", "description": "Limit price."},
            "amount": {"type": "int"},
            "urgent": {"type": "boolean", "default": False},
            "window": {"type": "tuple", "items": {"type": "integer"}, "description": "From, to."},
            "meta": {"type": "any", "description": "Anything at all."},
            "legs": {
                "type": "array",
                "items": {
                    "type": "dict",
                    "properties": {"side": {"type": "string", "enum": ["buy", "sell"]}, "qty": {"type": "float"}},
                    "required": ["side"],
                },
            },
            "limits": {"type": "dict", "additionalProperties": {"type": "float"}},
        },
        "required": ["symbol", "price", "amount"],
    },
    "response": {
        "type": "dict",
        "properties": {"order_id": {"type": "integer"}, "fills": {"type": "list", "items": {"type": "float"}}},
    },
}


def test_bfcl_types_are_normalised_to_json_schema() -> None:
    spec = tool_spec_from_doc(BFCL_DOC, environment="trading")
    props = spec.parameters["properties"]
    assert spec.parameters["type"] == "object"
    assert props["price"] == {"type": "number", "description": "Limit price."}
    assert props["amount"] == {"type": "integer"}
    assert props["urgent"] == {"type": "boolean", "default": False}
    assert props["window"] == {"type": "array", "items": {"type": "integer"}, "description": "From, to."}
    assert props["meta"] == {"description": "Anything at all."}  # any: no type constraint
    leg = props["legs"]["items"]
    assert leg["type"] == "object"
    assert leg["properties"]["qty"] == {"type": "number"}
    assert leg["properties"]["side"]["enum"] == ["buy", "sell"]
    assert props["limits"]["additionalProperties"] == {"type": "number"}
    assert spec.required == ["symbol", "price", "amount"]
    assert spec.environment == "trading"


def test_response_becomes_the_return_schema() -> None:
    spec = tool_spec_from_doc(BFCL_DOC)
    assert spec.returns == {
        "type": "object",
        "properties": {"order_id": {"type": "integer"}, "fills": {"type": "array", "items": {"type": "number"}}},
    }


def test_normalize_schema_handles_type_lists_tuple_items_and_optional_marks() -> None:
    assert normalize_schema({"type": ["float", "double", "null"]}, "x") == {"type": ["number", "null"]}
    assert normalize_schema({"type": ["any", "string"]}, "x") == {}
    assert normalize_schema({"type": "tuple", "items": [{"type": "int"}, {"type": "str"}]}, "x") == {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "string"}],
    }
    assert normalize_schema({"type": "string", "optional": True}, "x") == {"type": "string"}


def test_openai_wrapped_entries_and_mutates_flags() -> None:
    wrapped = {"type": "function", "function": {"name": "get_quote", "parameters": {"type": "object", "properties": {}}}}
    spec = tool_spec_from_doc(wrapped)
    assert spec.name == "get_quote"
    assert spec.mutates is False  # guessed from the name
    assert tool_spec_from_doc({**BFCL_DOC, "mutates": False}).mutates is False
    assert tool_spec_from_doc(BFCL_DOC).mutates is True
    assert tool_spec_from_doc({"name": "math.factorial"}).name == "math_factorial"


def test_json_lines_json_list_tools_object_and_parsed_list_give_the_same_specs(tmp_path: Path) -> None:
    from_lines = load_function_docs(GORILLA_DOCS)
    assert [s.name for s in from_lines] == ["cat", "cd", "echo", "ls", "mkdir", "pwd", "touch"]
    docs = [json.loads(line) for line in GORILLA_DOCS.read_text().splitlines() if line.strip()]
    as_list = tmp_path / "list.json"
    as_list.write_text(json.dumps(docs, indent=2))
    as_object = tmp_path / "object.json"
    as_object.write_text(json.dumps({"tools": [{"type": "function", "function": d} for d in docs]}))
    single = tmp_path / "single.json"
    single.write_text(json.dumps(docs[1]))
    assert load_function_docs(as_list) == from_lines
    assert load_function_docs(as_object) == from_lines
    assert load_function_docs(docs) == from_lines
    assert load_function_docs(single) == [from_lines[1]]
    empty = tmp_path / "empty.json"
    empty.write_text("\n")
    assert load_function_docs(empty) == []


# -- malformed docs --------------------------------------------------------------------------------


def test_bad_json_lines_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.json"
    path.write_text('\n{"name": "a"}\n{"name": "b",\n{"name": "c"}\n')
    with pytest.raises(ToolDefinitionError, match=r"docs\.json:3: not valid JSON"):
        load_function_docs(path)


def test_bad_pretty_printed_json_names_the_line_of_the_error(tmp_path: Path) -> None:
    path = tmp_path / "docs.json"
    path.write_text('[\n  {"name": "a"},\n  {"name": "b"}\n  {"name": "c"}\n]\n')
    with pytest.raises(ToolDefinitionError, match=r"docs\.json:4:\d+: not valid JSON"):
        load_function_docs(path)


@pytest.mark.parametrize(
    ("docs", "pattern"),
    [
        ([{"name": "a", "parameters": {"type": "dict", "properties": {"x": {"type": "bignum"}}}}],
         r"entry 0: a\.parameters\.x: unknown type 'bignum'"),
        ([{"name": "a"}, {"description": "no name"}], r"entry 1: function doc without a name"),
        ([{"name": "a"}, {"name": "a"}], r"tool 'a' is defined twice"),
        ([{"name": "a b"}], r"tool 'a b': .*not a valid function name"),
        ([{"name": "a", "parameters": {"type": "array"}}], r"tool 'a': .*parameters must be an object schema"),
        ([{"name": "a", "parameters": {"type": "dict", "properties": {"x": "string"}}}],
         r"a\.parameters\.x: schema must be an object"),
        ([{"name": "a", "parameters": {"type": "dict", "properties": {}, "required": ["ghost"]}}],
         r"required parameter 'ghost' is not declared"),
        (["not an object"], r"function doc must be an object"),
    ],
)
def test_malformed_docs_raise_clear_definition_errors(tmp_path: Path, docs: list[Any], pattern: str) -> None:
    path = tmp_path / "docs.json"
    path.write_text(json.dumps(docs))
    with pytest.raises(ToolDefinitionError, match=pattern) as info:
        load_function_docs(path)
    assert "docs.json" in str(info.value)


def test_missing_docs_file_is_a_definition_error(tmp_path: Path) -> None:
    with pytest.raises(ToolDefinitionError, match="cannot read function docs"):
        load_function_docs(tmp_path / "absent.json")


# -- docs attached to a class ----------------------------------------------------------------------


def test_class_with_docs_uses_the_docs_schemas_and_only_documented_methods() -> None:
    env = class_environment(GorillaFileSystem, SCENARIO, docs=GORILLA_DOCS, name="fs")
    names = sorted(t.name for t in env.tools())
    assert names == ["cat", "cd", "echo", "ls", "mkdir", "pwd", "touch"]  # `du` is public but undocumented
    cd = env.tool("cd")
    assert cd.description.startswith("This tool belongs to the Gorilla file system.")
    assert cd.returns == {
        "type": "object",
        "properties": {
            "current_working_directory": {"type": "string", "description": "The new current working directory path."}
        },
    }
    assert cd.environment == "fs"
    assert env.tool("mkdir").mutates is True and env.tool("ls").mutates is False


def test_class_with_docs_runs_a_bfcl_style_session() -> None:
    env = class_environment(GorillaFileSystem, SCENARIO, docs=GORILLA_DOCS)
    assert env.call("pwd", {}).result == {"current_working_directory": "/alex"}
    assert env.call("ls", {}).result == {"current_directory_content": ["documents", "temp"]}
    assert env.call("cd", {"folder": "documents"}).result == {"current_working_directory": "/alex/documents"}
    assert env.call("cat", {"file_name": "notes.txt"}).result == {"file_content": "buy milk"}
    assert env.call("mkdir", {"dir_name": "old"}).ok
    # BFCL tools report their errors in the result instead of raising: that is a failed call.
    again = env.call("mkdir", {"dir_name": "old"})
    assert not again.ok and again.error is not None and again.error.type == "ReturnedError"
    assert again.error.message == "mkdir: cannot create directory 'old': File exists"
    # The docs schema validates arguments before the call.
    bad = env.call("cd", {"folder": 3})
    assert not bad.ok and bad.error is not None and bad.error.type == "ArgumentError"
    assert "cd" in bad.error.message and "folder" in bad.error.message
    missing = env.call("cd", {})
    assert not missing.ok and "'folder' is a required property" in missing.error.message  # type: ignore[union-attr]


def test_documented_but_missing_method_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "docs.json"
    docs = [json.loads(line) for line in GORILLA_DOCS.read_text().splitlines() if line.strip()]
    path.write_text(json.dumps([*docs, {"name": "rm", "parameters": {"type": "dict", "properties": {}}}]))
    with pytest.raises(ToolDefinitionError, match=r"tool 'rm' is documented but .*GorillaFileSystem has no such method"):
        class_environment(GorillaFileSystem, SCENARIO, docs=path, name="fs_missing")


def test_docs_path_relative_to_the_class_module_resolves_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = class_environment(GorillaFileSystem, SCENARIO, docs="data/gorilla_fs_docs.json", name="fs_rel")
    assert env.has_tool("cd")


class _ReportsStatus(GorillaFileSystem):
    __hardgen_returned_errors__ = False


def test_a_class_can_say_its_error_shaped_results_are_results() -> None:
    env = class_environment(_ReportsStatus, SCENARIO, docs=GORILLA_DOCS, name="fs_plain")
    env.call("mkdir", {"dir_name": "old"})
    again = env.call("mkdir", {"dir_name": "old"})
    assert again.ok and "File exists" in again.result["error"]


@pytest.mark.parametrize("result,error", [
    ({"error": "No such file"}, "No such file"),
    ({"status": "error", "message": "quota exceeded"}, "quota exceeded"),
    ("Error: table not found", "table not found"),
    ({"error": None, "rows": []}, None),
    ({"error": "x", "a": 1, "b": 2}, None),  # a record that has an error field among its data
    ({"status": "ok"}, None),
    ("Errors found: 0", None),
    ({"login_status": False, "message": "User ID 'USR9' not found."}, "User ID 'USR9' not found."),
    ({"success": False}, "success is false"),
    ({"login_status": False}, None),  # what get_login_status reports: a reading, not a failure
    ({"success": True, "message": "Saved."}, None),
])
def test_errors_returned_as_results_are_recognised(result: object, error: str | None) -> None:
    from hardgen.tools._environment import returned_error_of

    assert returned_error_of(result) == error


def test_a_write_s_lone_false_flag_is_its_failure_and_a_read_s_is_what_it_read() -> None:
    from hardgen.tools._environment import returned_error_of

    assert returned_error_of({"unfollow_status": False}, write=True) == "unfollow_status is false"
    assert returned_error_of({"login_status": False}, write=False) is None


def test_constraints_written_in_prose_become_schema_keywords() -> None:
    spec = tool_spec_from_doc({
        "name": "lockDoors",
        "description": "Locks the doors.",
        "parameters": {"type": "dict", "properties": {
            "door": {"type": "array", "items": {"type": "string"},
                     "description": 'The doors. [Enum]: ["driver", "passenger"]'},
            "mode": {"type": "string", "description": 'The mode. [Enum]: ["engage", "release"]'},
            "pedalPosition": {"type": "float", "description": "Position, between 0 (not pressed) and 1 (fully pressed)."},
            "count": {"type": "integer", "description": "How many, between 1 and 5."},
            "bad": {"type": "integer", "description": 'Mixed. [Enum]: ["a", 2]'},
        }, "required": ["door"]},
    })
    props = spec.parameters["properties"]
    assert props["door"]["items"]["enum"] == ["driver", "passenger"]
    assert props["mode"]["enum"] == ["engage", "release"]
    assert (props["pedalPosition"]["minimum"], props["pedalPosition"]["maximum"]) == (0.0, 1.0)
    assert (props["count"]["minimum"], props["count"]["maximum"]) == (1, 5)
    assert "enum" not in props["bad"]  # values that do not fit the type are left as prose
    assert spec.hints == {"mutates_guessed": True} and spec.mutates  # `lock` writes, until execution says


def test_a_default_written_as_the_text_none_is_no_default() -> None:
    # BFCL writes Python's None as "None"; sent as a value it would be the text 'None'.
    spec = tool_spec_from_doc({"name": "find", "description": "Find files.", "parameters": {
        "type": "dict", "properties": {"path": {"type": "string", "default": "."},
                                        "name": {"type": "string", "default": "None"}}, "required": []}})
    props = spec.parameters["properties"]
    assert props["path"]["default"] == "." and "default" not in props["name"]
