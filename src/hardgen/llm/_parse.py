"""Reading an assistant's output: tool calls and reasoning, in whichever shape the server wrote them.

Servers differ. Some return native `tool_calls` and a `reasoning_content` (or `reasoning`) field; others,
or models without a tool-call parser configured, write everything into `content`:

- Hermes / Qwen tool calls: ``<tool_call>{"name": "f", "arguments": {...}}</tool_call>`` blocks;
- Python-style call lists (Llama 3.x "pythonic", BFCL): ``[f(a=1), g(b='x', c=[1, 2])]``, read with
  `ast` and `ast.literal_eval` (literals only, never evaluated as code);
- reasoning in ``<think>...</think>`` (also when the opening tag was part of the prompt, as with
  Qwen3 and DeepSeek-R1 chat templates, so the content starts with the reasoning and a lone ``</think>``).

`parse_assistant_output` never raises on a model's mistakes: whatever cannot be read goes into the
returned list of parse errors, for the caller to record (and a Critic to talk about).
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from pydantic import ValidationError

from hardgen.schema import Message, ToolCall

_THINK_BLOCK = re.compile(r"<think>(.*?)</think>", re.DOTALL)
_TOOL_CALL_BLOCK = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)
_CODE_FENCE = re.compile(r"^```[a-zA-Z0-9_-]*\s*\n?(.*?)\n?```$", re.DOTALL)
_PYTHON_CALL_LIST = re.compile(r"^\[\s*[A-Za-z_][\w.]*\s*\(")
_SNIPPET = 200


def parse_assistant_output(
    content: str | None,
    native_tool_calls: list[dict[str, Any]] | None = None,
    reasoning_field: str | None = None,
) -> tuple[Message, list[str]]:
    """Build the assistant `Message` from a server's raw output, and list what could not be read.

    `native_tool_calls` are the wire `tool_calls` (arguments as JSON strings or objects); when there
    are any, the content is not searched for text tool calls. `reasoning_field` is the server's
    `reasoning_content` / `reasoning`; ``<think>`` blocks in the content are added to it and removed
    from the content. A call that cannot be read is left out of `tool_calls` and described in the errors.
    """
    errors: list[str] = []
    text = content or ""
    original = text
    reasoning: list[str] = [reasoning_field.strip()] if reasoning_field and reasoning_field.strip() else []

    text, thoughts = _split_think(text, errors)
    reasoning += thoughts

    calls: list[ToolCall] = []
    if native_tool_calls:
        for index, raw in enumerate(native_tool_calls):
            call = _read_native_call(raw, index, errors)
            if call is not None:
                calls.append(call)
    else:
        text, calls = _read_hermes_calls(text, errors)
        if not calls:
            text, calls = _read_python_calls(text, errors)

    # Only tidy the content when something was taken out of it; otherwise keep it byte for byte.
    out_content: str | None = content if text == original else (text.strip() or None)
    message = Message.assistant(content=out_content, tool_calls=calls or None, reasoning="\n\n".join(reasoning) or None)
    return message, errors


def _split_think(text: str, errors: list[str]) -> tuple[str, list[str]]:
    parts: list[str] = []
    if "</think>" in text and "<think>" not in text.split("</think>", 1)[0]:
        # The template opened the block in the prompt: everything before the lone close tag is reasoning.
        head, text = text.split("</think>", 1)
        parts.append(head)
    parts += _THINK_BLOCK.findall(text)
    text = _THINK_BLOCK.sub("", text)
    if "<think>" in text:
        text, tail = text.split("<think>", 1)
        parts.append(tail)
        errors.append("reasoning block <think> is never closed (was the output cut off by max_tokens?)")
    return text, [p.strip() for p in parts if p.strip()]


def _read_native_call(raw: Any, index: int, errors: list[str]) -> ToolCall | None:
    if not isinstance(raw, dict):
        errors.append(f"native tool call #{index} is not an object: {_snippet(raw)}")
        return None
    fn = raw.get("function", raw)
    name = fn.get("name") if isinstance(fn, dict) else None
    if not isinstance(name, str) or not name:
        errors.append(f"native tool call #{index} has no function name: {_snippet(raw)}")
        return None
    try:
        return ToolCall.from_openai(raw)
    except (ValueError, TypeError, ValidationError) as exc:
        arguments = fn.get("arguments") if isinstance(fn, dict) else None
        errors.append(
            f"native tool call #{index} to {name!r}: {_first_line(exc)}; arguments were {_snippet(arguments)}"
        )
        return None


def _read_hermes_calls(text: str, errors: list[str]) -> tuple[str, list[ToolCall]]:
    if "<tool_call>" not in text:
        return text, []
    calls: list[ToolCall] = []
    index = 0
    for block in _TOOL_CALL_BLOCK.findall(text):
        call = _read_json_call(block, index, errors)
        if call is not None:
            calls.append(call)
        index += 1
    text = _TOOL_CALL_BLOCK.sub("", text)
    if "<tool_call>" in text:
        # An unclosed last block: models often stop right after the JSON, so accept it when it parses.
        text, tail = text.split("<tool_call>", 1)
        call = _read_json_call(tail, index, errors, unclosed=True)
        if call is not None:
            calls.append(call)
    return text, calls


def _read_json_call(block: str, index: int, errors: list[str], *, unclosed: bool = False) -> ToolCall | None:
    body = _strip_fence(block.strip())
    where = f"<tool_call> block #{index}" + (" (never closed)" if unclosed else "")
    try:
        obj = json.loads(body)
    except json.JSONDecodeError as exc:
        errors.append(f"{where} is not valid JSON ({exc.msg} at char {exc.pos}): {_snippet(body)}")
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str) or not obj["name"]:
        errors.append(f'{where} is not an object with a "name": {_snippet(body)}')
        return None
    arguments = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as exc:
            errors.append(
                f"{where}: arguments of {obj['name']!r} are not valid JSON ({exc.msg}): {_snippet(arguments)}"
            )
            return None
    if not isinstance(arguments, dict):
        errors.append(f"{where}: arguments of {obj['name']!r} must be a JSON object, got {_snippet(arguments)}")
        return None
    call = ToolCall(name=obj["name"], arguments=arguments)
    if isinstance(obj.get("id"), str) and obj["id"]:
        call.id = obj["id"]
    return call


def _read_python_calls(text: str, errors: list[str]) -> tuple[str, list[ToolCall]]:
    source = _strip_fence(text.strip())
    if not _PYTHON_CALL_LIST.match(source):
        return text, []
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        errors.append(f"Python-style tool-call list does not parse ({exc.msg}): {_snippet(source)}")
        return text, []
    if not isinstance(tree.body, ast.List):
        errors.append(f"content starts like a Python tool-call list but is not one list: {_snippet(source)}")
        return text, []
    calls: list[ToolCall] = []
    for index, node in enumerate(tree.body.elts):
        call = _read_python_call(node, index, errors)
        if call is not None:
            calls.append(call)
    # The whole content was the call list; an all-invalid list still counts as consumed (errors say why).
    return "", calls


def _read_python_call(node: ast.expr, index: int, errors: list[str]) -> ToolCall | None:
    where = f"Python-style tool call #{index}"
    if not isinstance(node, ast.Call):
        errors.append(f"{where} is not a call: {_snippet(ast.unparse(node))}")
        return None
    name = _dotted_name(node.func)
    if name is None:
        errors.append(f"{where} does not call a plain function name: {_snippet(ast.unparse(node))}")
        return None
    if node.args:
        errors.append(f"{where} to {name!r} passes positional arguments; tool calls must name every argument")
        return None
    arguments: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            errors.append(f"{where} to {name!r} unpacks **kwargs; tool calls must name every argument")
            return None
        try:
            arguments[keyword.arg] = _json_value(ast.literal_eval(keyword.value))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            errors.append(
                f"{where} to {name!r}: argument {keyword.arg!r} is not a literal value: {_snippet(ast.unparse(keyword.value))}"
            )
            return None
    return ToolCall(name=name, arguments=arguments)


def _dotted_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _json_value(value: Any) -> Any:
    """A literal as a JSON value (tuples become lists); raise TypeError for sets, bytes, complex."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_value(v) for k, v in value.items()}
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _strip_fence(text: str) -> str:
    match = _CODE_FENCE.match(text)
    return match.group(1).strip() if match else text


def _snippet(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= _SNIPPET else text[:_SNIPPET] + "...")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
