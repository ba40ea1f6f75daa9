"""Tool schemas derived from type hints and Google docstrings, and argument conversion at call time."""

from __future__ import annotations

import dataclasses
import enum
import threading
from typing import Annotated, Any, Literal, Optional, TypedDict, Union

import jsonschema
import pytest
from pydantic import BaseModel, Field

from hardgen.errors import ToolDefinitionError
from hardgen.tools import annotation_schema, class_environment, derive_tool, guess_mutates, tool, tool_meta


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Address(BaseModel):
    street: str
    zip_code: str = Field(description="Postal code")


class Person(BaseModel):
    name: str
    address: Address
    nicknames: list[str] = []


@dataclasses.dataclass
class Point:
    x: float
    y: float = 0.0


class Receipt(TypedDict):
    ok: bool
    count: int


class Page(TypedDict, total=False):
    items: list[Receipt]
    cursor: str


def _props(fn: Any) -> dict[str, Any]:
    return derive_tool(fn).spec.parameters["properties"]


def _walk(node: Any) -> list[Any]:
    out = [node]
    if isinstance(node, dict):
        for v in node.values():
            out += _walk(v)
    elif isinstance(node, list):
        for v in node:
            out += _walk(v)
    return out


# -- parameters ------------------------------------------------------------------------------------


def book(city: str, nights: int, budget: float = 100.0, pets: bool = False) -> None:
    """Book a hotel room.

    The room is held for 24 hours.

    Args:
        city: City to book in.
        nights: How many
            nights to stay.
        budget: Most to pay per night.
    """


def test_required_parameters_are_those_without_defaults_and_defaults_are_recorded() -> None:
    spec = derive_tool(book).spec
    assert spec.name == "book"
    assert spec.required == ["city", "nights"]
    props = spec.parameters["properties"]
    assert props["city"] == {"type": "string", "description": "City to book in."}
    assert props["nights"] == {"type": "integer", "description": "How many nights to stay."}
    assert props["budget"] == {"type": "number", "description": "Most to pay per night.", "default": 100.0}
    assert props["pets"] == {"type": "boolean", "default": False}


def test_description_is_the_docstring_summary_and_body_without_sections() -> None:
    spec = derive_tool(book).spec
    assert spec.description == "Book a hotel room.\n\nThe room is held for 24 hours."
    assert "Args" not in spec.description


def paint(color: Color, shade: Literal["light", "dark"] = "light", level: Priority = Priority.LOW) -> None:
    """Paint."""


def test_literal_and_enum_become_enums_and_enum_defaults_are_json_values() -> None:
    props = _props(paint)
    assert props["color"]["enum"] == ["red", "blue"]
    assert props["shade"]["enum"] == ["light", "dark"]
    assert props["shade"]["default"] == "light"
    assert props["level"]["enum"] == [1, 2]
    assert props["level"]["default"] == 1


def register(person: Person, where: Point, extra: Optional[Point] = None) -> None:
    """Register someone."""


def test_nested_models_and_dataclasses_are_inlined_without_refs_or_titles() -> None:
    spec = derive_tool(register).spec
    nodes = _walk(spec.parameters)
    assert not any(isinstance(n, dict) and ("$ref" in n or "$defs" in n) for n in nodes)
    assert not any(isinstance(n, dict) and isinstance(n.get("title"), str) for n in nodes)
    person = spec.parameters["properties"]["person"]
    assert person["type"] == "object"
    assert person["required"] == ["name", "address"]
    address = person["properties"]["address"]
    assert address["properties"]["zip_code"] == {"type": "string", "description": "Postal code"}
    where = spec.parameters["properties"]["where"]
    assert where["properties"]["x"] == {"type": "number"}
    assert where["required"] == ["x"]
    # The same model used twice is inlined twice, not shared through a definition.
    extra = spec.parameters["properties"]["extra"]
    assert {"type": "null"} in extra["anyOf"]
    assert extra["default"] is None


def collect(
    ids: list[int],
    scores: dict[str, float],
    pair: tuple[int, str],
    rest: tuple[int, ...] = (),
    maybe: Optional[int] = None,
    either: Union[int, str] = 0,
    newer: int | None = None,
) -> None:
    """Collect."""


def test_containers_and_unions() -> None:
    props = _props(collect)
    assert props["ids"] == {"type": "array", "items": {"type": "integer"}}
    assert props["scores"] == {"type": "object", "additionalProperties": {"type": "number"}}
    assert props["pair"]["prefixItems"] == [{"type": "integer"}, {"type": "string"}]
    assert props["pair"]["minItems"] == props["pair"]["maxItems"] == 2
    assert props["rest"]["items"] == {"type": "integer"}
    assert props["rest"]["default"] == []
    assert props["maybe"]["anyOf"] == [{"type": "integer"}, {"type": "null"}]
    assert props["either"]["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    assert props["newer"]["anyOf"] == [{"type": "integer"}, {"type": "null"}]


def measure(
    length: Annotated[float, Field(description="Length in metres", gt=0)],
    label: Annotated[str, Field(description="From the field")] = "x",
) -> None:
    """Measure.

    Args:
        label: From the docstring.
    """


def test_annotated_field_descriptions_and_constraints_and_docstring_wins() -> None:
    props = _props(measure)
    assert props["length"] == {"type": "number", "description": "Length in metres", "exclusiveMinimum": 0}
    assert props["label"]["description"] == "From the docstring."


def legacy(path, retries=3, verbose=False, ratio=0.5, tags=None, mode=None, raw=None):
    """A function without annotations.

    Args:
        path (str): Where.
        tags (list[str]): Labels.
        mode (int, optional): A mode.
        raw: Anything.
    """


def test_unannotated_parameters_are_typed_from_docstring_names_or_defaults() -> None:
    tool_ = derive_tool(legacy)
    props = tool_.spec.parameters["properties"]
    assert props["path"] == {"type": "string", "description": "Where."}
    assert props["retries"] == {"type": "integer", "default": 3}
    assert props["verbose"] == {"type": "boolean", "default": False}
    assert props["ratio"] == {"type": "number", "default": 0.5}
    # Documented type with a None default: None stays a valid value.
    assert props["tags"]["type"] == ["array", "null"]
    assert props["mode"]["type"] == ["integer", "null"]
    assert props["raw"] == {"description": "Anything.", "default": None}
    assert tool_.spec.required == ["path"]
    assert all(adapter is None for adapter in tool_.adapters.values())


# -- returns ---------------------------------------------------------------------------------------


def count_rows(table: str) -> Receipt:
    """Count rows.

    Args:
        table: Table name.

    Returns:
        Whether it worked and how many rows there are.
    """
    return {"ok": True, "count": 3}


def page(cursor: str = "") -> Page:
    """A page of receipts."""
    return {"items": []}


def noop() -> None:
    """Nothing."""


def people() -> list[Person]:
    """Everyone."""
    return []


def test_return_schema_from_annotation_including_typing_typeddict() -> None:
    returns = derive_tool(count_rows).spec.returns
    assert returns == {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}, "count": {"type": "integer"}},
        "required": ["ok", "count"],
        "description": "Whether it worked and how many rows there are.",
    }
    nested = derive_tool(page).spec.returns
    assert nested is not None
    assert "required" not in nested  # total=False
    assert nested["properties"]["items"]["items"]["required"] == ["ok", "count"]
    assert derive_tool(noop).spec.returns is None
    listed = derive_tool(people).spec.returns
    assert listed is not None and listed["items"]["properties"]["address"]["type"] == "object"


def test_typeddict_parameters_are_accepted_and_validated() -> None:
    def stash(receipt: Receipt) -> None:
        """Stash."""

    tool_ = derive_tool(stash)
    assert tool_.spec.parameters["properties"]["receipt"]["required"] == ["ok", "count"]
    assert tool_.convert_arguments({"receipt": {"ok": True, "count": 1}}) == {"receipt": {"ok": True, "count": 1}}


def test_result_is_serialised_through_the_return_annotation() -> None:
    def where() -> Point:
        """Where."""
        return Point(1.5)

    assert derive_tool(where).jsonable_result(Point(1.5)) == {"x": 1.5, "y": 0.0}
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        derive_tool(noop).jsonable_result(threading.Lock())


# -- @tool metadata and which methods are tools ----------------------------------------------------


@tool(mutates=True, name="send-message", requires=["login"], produces=["message_id"])
def send(to: str, body: str) -> str:
    """Send a message."""
    return "m1"


@tool
def delete_everything() -> None:
    """Marked as a read tool, whatever the name suggests."""


def test_tool_decorator_metadata_overrides_name_and_mutates_and_keeps_hints() -> None:
    spec = derive_tool(send).spec
    assert spec.name == "send-message"
    assert spec.mutates is True
    assert spec.hints == {"requires": ["login"], "produces": ["message_id"]}
    assert derive_tool(send, name="explicit").spec.name == "explicit"
    assert derive_tool(delete_everything).spec.mutates is False
    meta = tool_meta(send)
    assert meta is not None and meta.mutates and meta.name == "send-message"
    assert tool_meta(noop) is None
    # The decorator does not wrap: the function is the function.
    assert send("a", "b") == "m1"


def test_undecorated_tools_guess_mutates_from_the_name() -> None:
    assert guess_mutates("get_balance") is False
    assert guess_mutates("list-orders") is False
    assert guess_mutates("ls") is False
    assert guess_mutates("transfer_funds") is True
    assert guess_mutates("mkdir") is True


class MixedToolkit:
    @tool(mutates=True)
    def create(self, name: str) -> str:
        """Create."""
        return name

    @tool
    def read(self, name: str) -> str:
        """Read."""
        return name

    def helper(self) -> None:
        """Public but unmarked."""


class PlainToolkit:
    def alpha(self, x: int) -> int:
        """Alpha."""
        return x

    def beta(self) -> None:
        """Beta."""

    def _hidden(self) -> None:
        """Private."""

    @staticmethod
    def gamma(y: str) -> str:
        """A static method."""
        return y

    @property
    def size(self) -> int:
        return 0


def test_only_marked_methods_are_tools_when_any_is_marked_else_all_public_methods() -> None:
    mixed = class_environment(MixedToolkit)
    assert sorted(t.name for t in mixed.tools()) == ["create", "read"]
    assert mixed.tool("create").mutates is True
    plain = class_environment(PlainToolkit)
    assert sorted(t.name for t in plain.tools()) == ["alpha", "beta", "gamma"]
    assert "self" not in plain.tool("alpha").parameters["properties"]
    assert plain.call("gamma", {"y": "hi"}).result == "hi"


# -- argument conversion ---------------------------------------------------------------------------


def order(person: Person, color: Color, pair: tuple[int, str], at: Point, level: Priority = Priority.LOW) -> str:
    """Order."""
    return "ok"


def test_json_arguments_are_converted_to_models_enums_tuples_and_dataclasses() -> None:
    tool_ = derive_tool(order)
    kwargs = tool_.convert_arguments(
        {
            "person": {"name": "Ada", "address": {"street": "Main", "zip_code": "1"}},
            "color": "blue",
            "pair": [1, "a"],
            "at": {"x": 2},
            "level": 2,
        }
    )
    assert isinstance(kwargs["person"], Person) and isinstance(kwargs["person"].address, Address)
    assert kwargs["color"] is Color.BLUE
    assert kwargs["pair"] == (1, "a")
    assert kwargs["at"] == Point(2.0, 0.0)
    assert kwargs["level"] is Priority.HIGH
    with pytest.raises(ValueError, match="parameter 'color'"):
        tool_.convert_arguments({"color": "green"})


def test_derived_schemas_validate_the_arguments_they_describe() -> None:
    for fn in (book, paint, register, collect, measure, legacy, order):
        schema = derive_tool(fn).spec.parameters
        jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(derive_tool(order).spec.parameters)
    good = {
        "person": {"name": "Ada", "address": {"street": "Main", "zip_code": "1"}},
        "color": "red",
        "pair": [1, "a"],
        "at": {"x": 1.0},
    }
    assert not list(validator.iter_errors(good))
    assert list(validator.iter_errors({**good, "color": "green"}))
    assert list(validator.iter_errors({**good, "pair": [1, "a", 3]}))


def test_annotation_schema_is_public_and_inlined() -> None:
    assert annotation_schema(list[Point])["items"]["required"] == ["x"]


# -- errors ----------------------------------------------------------------------------------------


def varargs(*names: str) -> None:
    """Varargs."""


def varkw(**options: Any) -> None:
    """Keywords."""


def ghost_param(x: int) -> None:
    """Ghost.

    Args:
        x: Real.
        y: Not in the signature.
    """


def lock_param(lock: threading.Lock) -> None:
    """Takes a lock."""


def forward_ref(x: NotDefinedAnywhere) -> None:  # type: ignore[name-defined]  # noqa: F821
    """Broken hint."""


@tool(name="bad name!")
def badly_named() -> None:
    """Bad name."""


@pytest.mark.parametrize(
    ("fn", "pattern"),
    [
        (varargs, r"tool 'varargs': parameter 'names' is \*args/\*\*kwargs"),
        (varkw, r"tool 'varkw': parameter 'options' is \*args/\*\*kwargs"),
        (ghost_param, r"tool 'ghost_param': docstring documents parameter\(s\) \['y'\] not in the signature"),
        (lock_param, r"tool 'lock_param': parameter 'lock' has a type with no JSON Schema"),
        (forward_ref, r"tool 'forward_ref': cannot resolve type hints: name 'NotDefinedAnywhere' is not defined"),
        (badly_named, r"tool 'bad name!': tool name 'bad name!' is not a valid function name"),
    ],
)
def test_definition_errors_name_the_tool_and_the_problem(fn: Any, pattern: str) -> None:
    with pytest.raises(ToolDefinitionError, match=pattern) as info:
        derive_tool(fn)
    assert "arbitrary_types_allowed" not in str(info.value)  # pydantic's advice is for model authors


class BrokenToolkit:
    def fine(self) -> None:
        """Fine."""

    def broken(self, *args: Any) -> None:
        """Broken."""


def test_a_bad_tool_fails_the_environment_build_naming_the_tool() -> None:
    with pytest.raises(ToolDefinitionError, match="tool 'broken'"):
        class_environment(BrokenToolkit)
