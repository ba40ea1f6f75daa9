"""JSON Schema for a tool, derived from its type hints and Google-style docstring.

The signature and the docstring *are* the schema: there is no second, hand-kept copy to drift.
Pydantic generates the schema of each annotation (Literal/Enum -> enum, nested models and
dataclasses, lists, dicts, optionals); references are inlined because many OpenAI-compatible
servers do not resolve `$ref` in tool schemas.
"""

from __future__ import annotations

import copy
import inspect
import re
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

import docstring_parser
from pydantic import TypeAdapter, ValidationError
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError
from pydantic_core import PydanticSerializationError, to_jsonable_python

from hardgen.errors import ToolDefinitionError
from hardgen.schema import ToolSpec
from hardgen.tools._decorator import tool_meta

# Docstring type names -> JSON Schema, for parameters without annotations.
_DOC_TYPES: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "string": {"type": "string"},
    "int": {"type": "integer"},
    "integer": {"type": "integer"},
    "float": {"type": "number"},
    "number": {"type": "number"},
    "bool": {"type": "boolean"},
    "boolean": {"type": "boolean"},
    "list": {"type": "array"},
    "tuple": {"type": "array"},
    "dict": {"type": "object"},
    "any": {},
}

# Verbs that usually mean a tool only reads, or that it writes. The first verb in a name decides
# (`message_get_login_status` reads: `message` is the domain); used when nothing declares the kind,
# and settled by execution where it can be (`ApiGraph.settle_mutates`).
_READ_VERBS = frozenset({
    "get", "list", "search", "find", "lookup", "look", "check", "view", "show", "read", "query",
    "describe", "count", "calculate", "compute", "convert", "estimate", "display", "ls", "pwd", "cat",
    "grep", "stat", "du", "diff", "wc", "tail", "head", "sort", "mean", "fetch", "is", "has",
    "retrieve", "filter", "verify", "validate", "inspect", "preview", "browse", "summarize", "compare",
    "explain", "locate", "measure", "detect", "predict", "recommend", "suggest", "render",
})
_WRITE_VERBS = frozenset({
    "add", "create", "delete", "remove", "update", "set", "send", "post", "put", "insert", "book",
    "cancel", "register", "login", "logout", "authenticate", "transfer", "pay", "place", "fill", "lock",
    "unlock", "press", "release", "start", "stop", "activate", "deactivate", "adjust", "move", "mv",
    "cp", "rm", "rmdir", "mkdir", "touch", "write", "edit", "close", "resolve", "open", "follow",
    "unfollow", "comment", "mention", "retweet", "fund", "withdraw", "purchase", "buy", "sell", "clear",
    "replace", "append", "upload", "reset", "enable", "disable", "assign", "schedule", "reserve",
    "submit", "approve", "reject", "archive", "rename", "save", "store", "apply", "mark", "toggle",
    "change", "modify", "freeze", "unfreeze", "cd", "echo", "notify", "contact", "like", "share",
})


MUTATES_GUESSED = "mutates_guessed"
"""Hint set on a tool whose read/write kind was guessed from its name (nothing declared it), so
that execution may settle it: a call that changes the state hash is a write."""


def _name_tokens(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)  # displayCarStatus -> display_Car_Status
    return [t for t in re.split(r"[_\-\s.]+", spaced.lower()) if t]


def guess_mutates(name: str) -> bool:
    """Whether an undecorated tool should be treated as a write tool, from its name: the first
    known verb decides; a conversion (`gallon_to_liter`, `si_unit_conversion`) reads; anything else
    is taken to write (the safe side: a write is never offered as a harmless lookup)."""
    tokens = _name_tokens(name)
    for token in tokens:
        if token in _READ_VERBS:
            return False
        if token in _WRITE_VERBS:
            return True
    return not ("conversion" in tokens or "to" in tokens[1:-1])


def _strip_titles(schema: Any) -> Any:
    """Drop pydantic's auto-generated `title` strings (noise for a model); keep property names."""
    if isinstance(schema, dict):
        return {k: _strip_titles(v) for k, v in schema.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace local `$ref`s to `$defs` by the definitions themselves (no recursion allowed)."""
    defs = schema.get("$defs", {})

    def resolve(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                key = ref.split("/")[-1]
                if key in stack:
                    raise ToolDefinitionError(f"recursive type {key!r} cannot be inlined into a tool schema")
                merged = {k: v for k, v in node.items() if k != "$ref"}
                target = resolve(copy.deepcopy(defs[key]), (*stack, key))
                return {**target, **merged}
            return {k: resolve(v, stack) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [resolve(v, stack) for v in node]
        return node

    return resolve(schema, ())


_REQUIRED_MARKS: set[Any]
if sys.version_info >= (3, 11):  # a statement, not an expression, so mypy checks each version's branch
    _REQUIRED_MARKS = {typing.Required, typing.NotRequired}
else:
    _REQUIRED_MARKS = set()


def _compatible(annotation: Any, memo: dict[Any, Any]) -> Any:
    if typing.is_typeddict(annotation) and type(annotation).__module__ == "typing":
        if annotation in memo:
            return memo[annotation]
        import typing_extensions  # pydantic's own dependency

        fields: dict[str, Any] = {}
        for key, hint in typing.get_type_hints(annotation, include_extras=True).items():
            if typing.get_origin(hint) in _REQUIRED_MARKS:
                hint = typing.get_args(hint)[0]
            hint = _compatible(hint, memo)
            fields[key] = hint if key in annotation.__required_keys__ else typing_extensions.NotRequired[hint]
        # A TypedDict built at run time: mypy types only literal, statically known ones.
        rebuilt = typing_extensions.TypedDict(annotation.__name__, fields)  # type: ignore[misc]
        rebuilt.__doc__ = annotation.__doc__
        rebuilt.__module__ = annotation.__module__
        memo[annotation] = rebuilt
        return rebuilt
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is None or not args or origin is Literal:
        return annotation
    if origin is Annotated:
        inner = _compatible(args[0], memo)
        if inner is args[0]:
            return annotation
        # The tuple built first: mypy reads `X[(a, *b)]` as 3.11-only star syntax in an index.
        rebuilt_args = (inner, *annotation.__metadata__)
        return Annotated[rebuilt_args]
    new_args = tuple(_compatible(a, memo) for a in args)
    if all(n is a for n, a in zip(new_args, args, strict=True)):
        return annotation
    if origin is Union or type(annotation).__name__ == "UnionType":
        return Union[new_args]
    try:
        return origin[new_args]
    except TypeError:
        return annotation  # pydantic will say what it cannot handle


def pydantic_compatible(annotation: Any) -> Any:
    """`annotation` with every `typing.TypedDict` (in it, at any depth) rebuilt as a
    `typing_extensions.TypedDict`, which pydantic requires before Python 3.12; a tool author
    should not have to know that to return a TypedDict."""
    if sys.version_info >= (3, 12):
        return annotation
    try:
        return _compatible(annotation, {})
    except Exception:  # an exotic annotation: leave it for pydantic to judge
        return annotation


def annotation_schema(annotation: Any, mode: str = "validation") -> dict[str, Any]:
    """The JSON Schema of a Python type annotation, inlined and without titles."""
    schema = TypeAdapter(pydantic_compatible(annotation)).json_schema(mode=mode)  # type: ignore[arg-type]
    return _strip_titles(inline_refs(schema))


def _first_sentence(exc: Exception) -> str:
    """pydantic's error, without its advice to the *model* author (`arbitrary_types_allowed`)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.split(". Set `arbitrary_types_allowed", 1)[0].rstrip(".")


@dataclass
class DerivedTool:
    """A tool's spec plus what is needed to call the Python function with JSON arguments."""

    spec: ToolSpec
    attribute: str
    """Attribute (method or function) name on the host object."""
    adapters: dict[str, TypeAdapter[Any] | None]
    """Per-parameter converters from JSON values to the annotated Python types (None: as is)."""
    return_adapter: TypeAdapter[Any] | None = None

    def convert_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """JSON arguments -> Python arguments (models, enums, tuples). Raises ValueError."""
        out: dict[str, Any] = {}
        for key, value in arguments.items():
            adapter = self.adapters.get(key)
            if adapter is None:
                out[key] = value
                continue
            try:
                out[key] = adapter.validate_python(value)
            except ValidationError as exc:
                first = exc.errors()[0]
                raise ValueError(f"parameter {key!r}: {first['msg']}") from None
        return out

    def jsonable_result(self, value: Any) -> Any:
        """The tool's Python result as JSON data. Raises TypeError when it cannot be serialised."""
        try:
            if self.return_adapter is not None:
                return self.return_adapter.dump_python(value, mode="json")
            return to_jsonable_python(value)
        except (PydanticSerializationError, ValueError, TypeError) as exc:
            raise TypeError(f"result of type {type(value).__name__} is not JSON-serialisable: {exc}") from None


def _resolve_hints(fn: Callable[..., Any], tool_name: str) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # a forward reference that does not resolve, a typo in a hint
        raise ToolDefinitionError(f"tool {tool_name!r}: cannot resolve type hints: {exc}") from exc


def derive_tool(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    environment: str | None = None,
    attribute: str | None = None,
) -> DerivedTool:
    """Derive a tool from a function or bound method.

    Parameters come from the signature (required when there is no default), types from the
    annotations (or the docstring's type names when unannotated), descriptions from the Google
    docstring's `Args:` section, the return schema from the return annotation. Raises
    ToolDefinitionError naming the tool and the problem.
    """
    meta = tool_meta(fn)
    attribute = attribute or fn.__name__
    tool_name = name or (meta.name if meta and meta.name else None) or attribute
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise ToolDefinitionError(f"tool {tool_name!r}: no inspectable signature: {exc}") from exc
    hints = _resolve_hints(fn, tool_name)
    try:
        doc = docstring_parser.parse(inspect.getdoc(fn) or "", style=docstring_parser.DocstringStyle.GOOGLE)
    except docstring_parser.ParseError as exc:
        raise ToolDefinitionError(f"tool {tool_name!r}: malformed docstring: {exc}") from exc
    doc_params = {p.arg_name: p for p in doc.params}

    properties: dict[str, Any] = {}
    required: list[str] = []
    adapters: dict[str, TypeAdapter[Any] | None] = {}
    for pname, param in signature.parameters.items():
        if pname in ("self", "cls"):
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ToolDefinitionError(
                f"tool {tool_name!r}: parameter {pname!r} is *args/**kwargs, which a tool schema cannot describe"
            )
        annotation = hints.get(pname, inspect.Parameter.empty)
        doc_param = doc_params.get(pname)
        if annotation is not inspect.Parameter.empty:
            try:
                schema = annotation_schema(annotation)
                adapters[pname] = TypeAdapter(pydantic_compatible(annotation))
            except (PydanticSchemaGenerationError, PydanticUserError, TypeError) as exc:
                raise ToolDefinitionError(
                    f"tool {tool_name!r}: parameter {pname!r} has a type with no JSON Schema "
                    f"({annotation!r}): {_first_sentence(exc)}"
                ) from exc
        else:
            type_name = (doc_param.type_name or "").strip().lower() if doc_param else ""
            type_name = re.split(r"[\s,\[(]", type_name, maxsplit=1)[0] if type_name else ""
            if type_name in _DOC_TYPES:
                schema = dict(_DOC_TYPES[type_name])
                if param.default is None and "type" in schema:  # `x (int): ...` with `x=None`
                    schema["type"] = [schema["type"], "null"]
            elif param.default is not inspect.Parameter.empty and param.default is not None:
                schema = dict(_DOC_TYPES.get(type(param.default).__name__, {}))
            else:
                schema = {}
            adapters[pname] = None
        if doc_param and doc_param.description:
            schema["description"] = " ".join(doc_param.description.split())
        if param.default is inspect.Parameter.empty:
            required.append(pname)
        else:
            try:
                schema["default"] = to_jsonable_python(param.default)
            except Exception:  # a default that is not JSON data: leave it out of the schema
                pass
        properties[pname] = schema

    unknown = set(doc_params) - set(properties)
    if unknown:
        raise ToolDefinitionError(
            f"tool {tool_name!r}: docstring documents parameter(s) {sorted(unknown)} not in the signature"
        )

    returns: dict[str, Any] | None = None
    return_adapter: TypeAdapter[Any] | None = None
    ret = hints.get("return", inspect.Parameter.empty)
    if ret is not inspect.Parameter.empty and ret is not type(None):
        try:
            return_adapter = TypeAdapter(pydantic_compatible(ret))
            returns = annotation_schema(ret, mode="serialization")
        except (PydanticSchemaGenerationError, PydanticUserError, TypeError):
            return_adapter, returns = None, None  # an exotic return type: schema unknown
    if doc.returns and doc.returns.description:
        returns = dict(returns or {})
        returns["description"] = " ".join(doc.returns.description.split())

    description = "\n\n".join(
        part.strip() for part in (doc.short_description, doc.long_description) if part and part.strip()
    )
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    mutates = meta.mutates if meta else guess_mutates(tool_name)
    try:
        spec = ToolSpec(
            name=tool_name,
            description=description,
            parameters=parameters,
            returns=returns,
            mutates=mutates,
            environment=environment,
            hints=dict(meta.hints) if meta else {MUTATES_GUESSED: True},
        )
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ToolDefinitionError(f"tool {tool_name!r}: {message}") from exc
    return DerivedTool(spec=spec, attribute=attribute, adapters=adapters, return_adapter=return_adapter)
