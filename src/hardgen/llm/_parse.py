"""Reading an assistant's output: tool calls and reasoning, in whichever shape the server wrote them.

Servers differ. Some return native `tool_calls` and a `reasoning_content` (or `reasoning`) field; others,
or models served without a tool-call parser, write everything into `content`. These text shapes are read
(the format each model family is trained to emit):

- Hermes / Qwen2.5 / Qwen3: ``<tool_call>{"name": "f", "arguments": {...}}</tool_call>`` blocks, and
  Qwen3-Coder's ``<tool_call><function=f><parameter=a>1</parameter></function></tool_call>``;
- Llama 3.x custom tools and Qwen-coder without the wrapper: ``<function=f>{"a": 1}</function>``;
- Mistral: ``[TOOL_CALLS][{"name": "f", "arguments": {...}}]`` (tokenizers before v11) and
  ``[TOOL_CALLS]f[ARGS]{...}`` (v11 and later, one ``[TOOL_CALLS]`` per call; also without ``[ARGS]``);
- Llama 3.1 JSON: ``{"name": "f", "parameters": {...}}``, after ``<|python_tag|>`` or as the whole
  reply, several separated by ``;``; Llama 4 wraps calls in ``<|python_start|>...<|python_end|>``;
- a plain JSON call object or list of them as the whole reply, possibly in a ```json fence;
- Python-style call lists (Llama 3.2 "pythonic", BFCL): ``[f(a=1), g(b='x', c=[1, 2])]`` as the whole
  reply or after some text, read with `ast` and `ast.literal_eval` (literals only, never evaluated);
- reasoning in ``<think>...</think>`` (also when the opening tag was part of the prompt, as with
  Qwen3 and DeepSeek-R1 chat templates, so the content starts with the reasoning and a lone ``</think>``).

A tagged format (``<tool_call>``, ``<function=``, ``[TOOL_CALLS]``, ``<|python_tag|>``) is a call
whatever the name: a call to a tool that was not offered is the model's mistake, for the agent loop to
answer. Untagged shapes (plain JSON, a pythonic list after text) could as well be an answer that holds
data, so with `tool_names` given they are calls only when every name is an offered tool. With no tools
offered (an empty `tool_names`, as in the requests of roles that answer in JSON) the content is never
searched for calls: markup in an answer's strings stays text.

Parsing is linear in the reply: tags are found by scanning (`str.find`), never by backtracking regexes,
at most `MAX_CALLS_PER_REPLY` calls are read, and a reply over `MAX_REPLY_CHARS` is not searched at all
(a parse error). `parse_assistant_output_async` moves large replies off the event loop.

Text-format calls get an id derived from their position in the reply, name and arguments, so the same
reply always gives the same ids (and the next request of an episode the same cache key).

`parse_assistant_output` never raises on a model's mistakes: whatever cannot be read goes into the
returned list of parse errors, for the caller to record (and a Critic to talk about). Malformed call
markup is left in the content as the model wrote it; only calls that were read leave it.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import json
import re
from collections.abc import Collection
from typing import Any

from pydantic import ValidationError

from hardgen.schema import Message, ToolCall

MAX_REPLY_CHARS = 262_144
"""The longest reply, in characters (content, reasoning and native call arguments together), that is
read for tool calls. A longer one is a parse error: its content is cut to `OVERSIZE_KEPT_CHARS` and it
holds no calls. Far above any sensible tool-calling turn, and small enough that the slowest reader
finishes in well under a second."""

MAX_CALLS_PER_REPLY = 64
"""Calls read from one reply; the rest are reported in one parse error."""

OFF_LOOP_CHARS = 16_384
"""`parse_assistant_output_async` parses replies at least this long in a worker thread."""

OVERSIZE_KEPT_CHARS = 2_000
"""How much of an oversize reply's content is kept in the message."""

_PYTHON_CALL_START = re.compile(r"\[\s*[A-Za-z_][\w.]*\s*\(")
# A pythonic list after text is tried from at most this many starts, each at most this long.
_PYTHON_TAIL_STARTS = 4
_PYTHON_TAIL_CHARS = 32_768
_NAME = re.compile(r"[A-Za-z_][\w.\-]{0,127}")
_CALL_KEYS = frozenset({"name", "arguments", "parameters", "type", "id", "function"})
_SNIPPET = 200


class _Reader:
    """Accumulates the calls and errors of one reply (ids follow the call's position in the reply)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        self.calls: list[ToolCall] = []
        self.index = 0
        self.dropped = 0

    def full(self) -> bool:
        return self.index >= MAX_CALLS_PER_REPLY

    def add(self, name: str, arguments: dict[str, Any], call_id: str | None = None) -> None:
        if self.full():
            self.dropped += 1
            return
        self.calls.append(ToolCall(id=call_id or text_call_id(self.index, name, arguments), name=name,
                                   arguments=arguments))
        self.index += 1

    def error(self, message: str) -> None:
        if self.full():
            self.dropped += 1
            return
        self.errors.append(message)
        self.index += 1

    def finish(self) -> None:
        if self.dropped:
            self.errors.append(f"{self.dropped} more tool call(s) in the reply were not read "
                               f"(at most {MAX_CALLS_PER_REPLY} per reply)")


def text_call_id(index: int, name: str, arguments: dict[str, Any]) -> str:
    """The id of a call read from text: the same reply gives the same ids, so an identical episode
    sends identical requests (and is answered from the response cache)."""
    canonical = json.dumps([index, name, arguments], sort_keys=True, ensure_ascii=False, default=str)
    return "call_" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def parse_assistant_output(
    content: str | None,
    native_tool_calls: list[dict[str, Any]] | None = None,
    reasoning_field: str | None = None,
    *,
    tool_names: Collection[str] | None = None,
) -> tuple[Message, list[str]]:
    """Build the assistant `Message` from a server's raw output, and list what could not be read.

    `native_tool_calls` are the wire `tool_calls` (arguments as JSON strings or objects); when there
    are any, the content is not searched for text tool calls. `reasoning_field` is the server's
    `reasoning_content` / `reasoning`; ``<think>`` blocks in the content are added to it and removed
    from the content. `tool_names` are the tools offered in the request (None: unknown), which decides
    whether untagged JSON or a pythonic list is a call (see the module docstring). A call that cannot
    be read is left out of `tool_calls` and described in the errors.
    """
    errors: list[str] = []
    size = _reply_size(content, native_tool_calls, reasoning_field)
    if size > MAX_REPLY_CHARS:
        errors.append(f"the reply has {size} characters, over the limit of {MAX_REPLY_CHARS}: it was not "
                      "searched for tool calls (a runaway generation? lower max_tokens)")
        kept = (content or "")[:OVERSIZE_KEPT_CHARS] or None
        return Message.assistant(content=kept), errors

    text = content or ""
    original = text
    reasoning: list[str] = [reasoning_field.strip()] if reasoning_field and reasoning_field.strip() else []
    text, thoughts = _split_think(text, errors)
    reasoning += thoughts

    reader = _Reader(errors)
    if native_tool_calls:
        for index, raw in enumerate(native_tool_calls):
            if reader.full():
                reader.dropped += len(native_tool_calls) - index
                break
            _read_native_call(raw, index, reader)
    else:
        text = _read_text_calls(text, reader, None if tool_names is None else frozenset(tool_names))
    reader.finish()

    # Only tidy the content when something was taken out of it; otherwise keep it byte for byte.
    out_content: str | None = content if text == original else (text.strip() or None)
    message = Message.assistant(content=out_content, tool_calls=reader.calls or None,
                                reasoning="\n\n".join(reasoning) or None)
    return message, errors


async def parse_assistant_output_async(
    content: str | None,
    native_tool_calls: list[dict[str, Any]] | None = None,
    reasoning_field: str | None = None,
    *,
    tool_names: Collection[str] | None = None,
) -> tuple[Message, list[str]]:
    """`parse_assistant_output` for code on an event loop: a reply of `OFF_LOOP_CHARS` or more is
    parsed in a worker thread, so one long reply never stalls the other requests in flight."""
    if _reply_size(content, native_tool_calls, reasoning_field) < OFF_LOOP_CHARS:
        return parse_assistant_output(content, native_tool_calls, reasoning_field, tool_names=tool_names)
    return await asyncio.to_thread(
        parse_assistant_output, content, native_tool_calls, reasoning_field, tool_names=tool_names
    )


def _reply_size(content: str | None, native: list[dict[str, Any]] | None, reasoning: str | None) -> int:
    size = len(content or "") + len(reasoning or "")
    for raw in native or []:
        fn = raw.get("function", raw) if isinstance(raw, dict) else raw
        arguments = fn.get("arguments") if isinstance(fn, dict) else fn
        if isinstance(arguments, str):
            size += len(arguments)
        elif arguments is not None:
            try:
                size += len(json.dumps(arguments, default=str))
            except (ValueError, TypeError, RecursionError):
                return MAX_REPLY_CHARS + 1
        if size > MAX_REPLY_CHARS:
            break
    return size


# -- scanning helpers ---------------------------------------------------------------------------


def _cut_blocks(text: str, open_tag: str, close_tag: str) -> tuple[list[str], list[tuple[str, bool]]]:
    """Split `text` at ``open...close`` blocks: the pieces outside (one more than the blocks) and each
    block's body with whether it was closed. A block never closed runs to the end. Linear."""
    outside: list[str] = []
    blocks: list[tuple[str, bool]] = []
    pos = 0
    while True:
        start = text.find(open_tag, pos)
        if start == -1:
            outside.append(text[pos:])
            return outside, blocks
        outside.append(text[pos:start])
        body_start = start + len(open_tag)
        end = text.find(close_tag, body_start)
        if end == -1:
            blocks.append((text[body_start:], False))
            outside.append("")
            return outside, blocks
        blocks.append((text[body_start:end], True))
        pos = end + len(close_tag)


def _split_think(text: str, errors: list[str]) -> tuple[str, list[str]]:
    parts: list[str] = []
    close = text.find("</think>")
    if close != -1 and text.find("<think>", 0, close) == -1:
        # The template opened the block in the prompt: everything before the lone close tag is reasoning.
        parts.append(text[:close])
        text = text[close + len("</think>"):]
    if "<think>" not in text:
        return text, [p.strip() for p in parts if p.strip()]
    outside, blocks = _cut_blocks(text, "<think>", "</think>")
    parts += [body for body, _ in blocks]
    if blocks and not blocks[-1][1]:
        errors.append("reasoning block <think> is never closed (was the output cut off by max_tokens?)")
    return "".join(outside), [p.strip() for p in parts if p.strip()]


def _strip_fence(text: str) -> str:
    """The body of a reply that is one Markdown code fence (```json ... ```), else the text."""
    if not (text.startswith("```") and text.endswith("```") and len(text) >= 6):
        return text
    newline = text.find("\n")
    if newline == -1 or newline > 32:  # ```[lang] on its own line; anything else is no fence
        inner = text[3:-3]
        return inner.strip() if inner.strip().startswith(("[", "{")) else text
    lang = text[3:newline].strip()
    if lang and not _NAME.fullmatch(lang):
        return text
    return text[newline + 1 : -3].strip()


def _skip_separators(text: str, pos: int) -> int:
    """Past whitespace and at most one `;` or `,` between JSON calls."""
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    if pos < n and text[pos] in ";,":
        pos += 1
        while pos < n and text[pos].isspace():
            pos += 1
    return pos


def _json_values(text: str) -> list[Any] | None:
    """Every JSON value of `text`, one after another (separated by whitespace, `;` or `,`); None when
    any part is not JSON."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos = _skip_separators(text, 0)
    while pos < len(text):
        try:
            value, pos = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError):
            return None
        values.append(value)
        if len(values) > MAX_CALLS_PER_REPLY:
            return values
        pos = _skip_separators(text, pos)
    return values


def _flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(value if isinstance(value, list) else [value])
    return out


# -- readers ------------------------------------------------------------------------------------


def _read_text_calls(text: str, reader: _Reader, tool_names: frozenset[str] | None) -> str:
    """Try each text format in turn; the first one present reads the calls. Returns the content left."""
    if tool_names is not None and not tool_names:
        # Nothing offered (a JSON-answer role): call markup, even tagged, is the answer's own text.
        return text
    if "<tool_call>" in text:
        return _read_hermes(text, reader)
    if "<function=" in text:
        return _read_function_tags(text, reader, "")
    if "[TOOL_CALLS]" in text:
        return _read_mistral(text, reader)
    if "<|python_tag|>" in text or "<|python_start|>" in text:
        return _read_python_tag(text, reader)
    left = _read_plain_json(text, reader, tool_names)
    if left is not None:
        return left
    return _read_python_calls(text, reader, tool_names)


def _read_hermes(text: str, reader: _Reader) -> str:
    outside, blocks = _cut_blocks(text, "<tool_call>", "</tool_call>")
    kept = [outside[0]]
    for i, (body, closed) in enumerate(blocks):
        if reader.full():  # past the cap: counted, not parsed, left in the content unread
            reader.dropped += 1
            kept += ["<tool_call>" + body + ("</tool_call>" if closed else ""), outside[i + 1]]
            continue
        where = f"<tool_call> block #{i}" + ("" if closed else " (never closed)")
        before = len(reader.calls)
        stripped = body.strip()
        if stripped.startswith("<function="):
            rest = _read_function_tags(stripped, reader, where + " ")
            ok = not rest.strip()
        else:
            ok = _read_json_block(_strip_fence(stripped), where, reader, allow_list=True)
        if not ok and len(reader.calls) == before:
            # Left as the model wrote it: the transcript shows what could not be read.
            kept.append("<tool_call>" + body + ("</tool_call>" if closed else ""))
        kept.append(outside[i + 1])
    return "".join(kept)


def _read_json_block(body: str, where: str, reader: _Reader, *, allow_list: bool) -> bool:
    """One tagged JSON call (or list of calls); False when it could not be read (errors say why)."""
    try:
        obj = json.loads(body)
    except json.JSONDecodeError as exc:
        # Some models put several call objects in one block, one per line.
        several = _json_values(body) if allow_list else None
        if several is not None and len(several) > 1 and all(isinstance(v, dict) and "name" in v for v in several):
            obj = several
        else:
            reader.error(f"{where} is not a valid JSON tool call ({exc.msg} at char {exc.pos}): {_snippet(body)}")
            return False
    except RecursionError:
        reader.error(f"{where} is not a readable JSON tool call (nested too deeply): {_snippet(body)}")
        return False
    items = obj if allow_list and isinstance(obj, list) and obj else [obj]
    ok = True
    for j, item in enumerate(items):
        ok = _read_call_object(item, where if len(items) == 1 else f"{where} item #{j}", reader) and ok
    return ok


def _read_call_object(obj: Any, where: str, reader: _Reader) -> bool:
    """A call as a JSON object: {"name", "arguments" | "parameters"} or the OpenAI {"function": {...}}."""
    if isinstance(obj, dict) and isinstance(obj.get("function"), dict):
        call_id = obj.get("id") if isinstance(obj.get("id"), str) else None
        obj = {**obj["function"], **({"id": call_id} if call_id else {})}
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str) or not _NAME.fullmatch(obj["name"]):
        reader.error(f'{where} is not a tool call object with a "name": {_snippet(obj)}')
        return False
    name = obj["name"]
    arguments = obj.get("arguments", obj.get("parameters", {}))
    if arguments is None:
        arguments = {}
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except (json.JSONDecodeError, RecursionError) as exc:
            reader.error(f"{where}: arguments of tool call to {name!r} are not valid JSON "
                         f"({getattr(exc, 'msg', 'nested too deeply')}): {_snippet(arguments)}")
            return False
    if not isinstance(arguments, dict):
        reader.error(f"{where}: arguments of tool call to {name!r} must be a JSON object, got {_snippet(arguments)}")
        return False
    call_id = obj.get("id") if isinstance(obj.get("id"), str) and obj["id"] else None
    reader.add(name, arguments, call_id)
    return True


def _read_function_tags(text: str, reader: _Reader, where_prefix: str) -> str:
    """``<function=name>BODY</function>``; BODY a JSON object, Qwen3-Coder ``<parameter=...>`` tags,
    or empty."""
    outside, blocks = _cut_blocks(text, "<function=", "</function>")
    kept = [outside[0]]
    for i, (block, closed) in enumerate(blocks):
        if reader.full():
            reader.dropped += 1
            kept += ["<function=" + block + ("</function>" if closed else ""), outside[i + 1]]
            continue
        where = f"{where_prefix}<function=...> tool call #{i}" + ("" if closed else " (never closed)")
        close_name = block.find(">")
        name = block[:close_name].strip() if close_name != -1 else ""
        ok = False
        if close_name == -1 or not _NAME.fullmatch(name):
            reader.error(f"{where} has no readable function name: {_snippet(block)}")
        else:
            body = block[close_name + 1 :].strip()
            if body.startswith("<parameter="):
                arguments = _xml_parameters(body, name, where, reader)
                if arguments is not None:
                    reader.add(name, arguments)
                    ok = True
            elif not body:
                reader.add(name, {})
                ok = True
            else:
                ok = _read_call_object({"name": name, "arguments": _strip_fence(body)}, where, reader)
        if not ok:
            kept.append("<function=" + block + ("</function>" if closed else ""))
        kept.append(outside[i + 1])
    return "".join(kept)


def _xml_parameters(body: str, name: str, where: str, reader: _Reader) -> dict[str, Any] | None:
    outside, blocks = _cut_blocks(body, "<parameter=", "</parameter>")
    if any(piece.strip() for piece in outside):
        reader.error(f"{where} to {name!r} has text outside its <parameter=...> tags: {_snippet(body)}")
        return None
    arguments: dict[str, Any] = {}
    for block, closed in blocks:
        close_key = block.find(">")
        key = block[:close_key].strip() if close_key != -1 else ""
        if not closed or not _NAME.fullmatch(key):
            reader.error(f"{where} to {name!r} has an unreadable <parameter=...> tag: {_snippet(block)}")
            return None
        raw = block[close_key + 1 :].strip("\n")
        arguments[key] = _xml_value(raw)
    return arguments


def _xml_value(raw: str) -> Any:
    """A ``<parameter>`` value: JSON when it reads as an object, list, number or literal, else the text
    (the format writes strings bare)."""
    text = raw.strip()
    if text[:1] in "{[-0123456789" or text in ("true", "false", "null"):
        try:
            return json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            pass
    return raw


def _read_mistral(text: str, reader: _Reader) -> str:
    pieces = text.split("[TOOL_CALLS]")
    kept = [pieces[0]]
    for i, segment in enumerate(pieces[1:]):
        if reader.full():
            reader.dropped += 1
            kept.append("[TOOL_CALLS]" + segment)
            continue
        where = f"[TOOL_CALLS] tool call #{i}"
        body = segment.strip()
        if body.startswith(("[", "{")):  # tokenizers before v11: a JSON list of call objects
            values = _json_values(body)
            ok = values is not None and bool(values)
            if values is None:
                reader.error(f"{where} is not a valid JSON list of tool calls: {_snippet(body)}")
            else:
                for j, item in enumerate(_flatten(values)):
                    ok = _read_call_object(item, f"{where} item #{j}", reader) and ok
        else:  # v11+: name[ARGS]{...}, name{...}, name[CALL_ID]id[ARGS]{...}, or a bare name
            ok = _read_mistral_v11(body, where, reader)
        if not ok:
            kept.append("[TOOL_CALLS]" + segment)
    return "".join(kept)


def _read_mistral_v11(body: str, where: str, reader: _Reader) -> bool:
    match = _NAME.match(body)
    if match is None:
        reader.error(f"{where} has no readable function name: {_snippet(body)}")
        return False
    name, rest = match.group(0), body[match.end():].lstrip()
    call_id: str | None = None
    if rest.startswith("[CALL_ID]"):
        args_at = rest.find("[ARGS]")
        call_id = (rest[len("[CALL_ID]"): args_at] if args_at != -1 else "").strip() or None
        rest = rest[args_at:] if args_at != -1 else ""
    if rest.startswith("[ARGS]"):
        rest = rest[len("[ARGS]"):].strip()
    if not rest:
        reader.add(name, {}, call_id)
        return True
    values = _json_values(rest)
    if not values or len(values) != 1:
        reader.error(f"{where}: arguments of tool call to {name!r} are not one valid JSON object: {_snippet(rest)}")
        return False
    return _read_call_object({"name": name, "arguments": values[0], "id": call_id}, where, reader)


def _read_python_tag(text: str, reader: _Reader) -> str:
    """Llama 3.1 ``<|python_tag|>`` followed by JSON calls (`;`-separated), and Llama 4
    ``<|python_start|>...<|python_end|>`` around a call list or JSON."""
    if "<|python_start|>" in text:
        head, _, body = text.partition("<|python_start|>")
        body, _, tail = body.partition("<|python_end|>")
        where = "<|python_start|> tool call"
    else:
        head, _, body = text.partition("<|python_tag|>")
        tail = ""
        where = "<|python_tag|> tool call"
    for marker in ("<|eom_id|>", "<|eot_id|>", "<|eot|>"):
        body = body.replace(marker, "")
    source = _strip_fence(body.strip())
    if _PYTHON_CALL_START.match(source):
        if _read_python_list(source, reader, require=None, where=where):
            return head + tail
        return text
    values = _json_values(source)
    if not values:
        reader.error(f"{where} is not valid JSON: {_snippet(source)}")
        return text
    ok = True
    for j, item in enumerate(_flatten(values)):
        ok = _read_call_object(item, f"{where} #{j}", reader) and ok
    return head + tail if ok else text


def _call_shaped(obj: Any, tool_names: frozenset[str] | None) -> bool:
    """Whether an untagged JSON value is a tool call rather than data in an answer."""
    if not isinstance(obj, dict) or not set(obj) <= _CALL_KEYS:
        return False
    fn = obj["function"] if isinstance(obj.get("function"), dict) else obj
    name = fn.get("name")
    if not isinstance(name, str) or not set(fn) <= _CALL_KEYS:
        return False
    # Every family writes the arguments key, also when empty: a bare {"name": ...} is a record.
    if "arguments" not in fn and "parameters" not in fn:
        return False
    return tool_names is None or name in tool_names


def _read_plain_json(text: str, reader: _Reader, tool_names: frozenset[str] | None) -> str | None:
    """The whole reply as JSON call objects (Llama 3.1 JSON, a list of calls, in a fence or not);
    None when it is not one (then it is an answer, or another format)."""
    body = _strip_fence(text.strip())
    if not body.startswith(("{", "[")):
        return None
    values = _json_values(body)
    if not values:
        return None
    items = _flatten(values)
    if not items or not all(_call_shaped(item, tool_names) for item in items):
        return None
    for j, item in enumerate(items):
        _read_call_object(item, f"JSON tool call #{j}", reader)
    return ""


def _read_python_calls(text: str, reader: _Reader, tool_names: frozenset[str] | None) -> str:
    source = _strip_fence(text.strip())
    if _PYTHON_CALL_START.match(source):
        # The whole reply is the call list; an all-invalid list still counts as read (errors say why).
        return "" if _read_python_list(source, reader, require=None) else text
    if not tool_names or not source.endswith("]"):
        return text  # after text, a list is a call only when it names offered tools
    tried = 0
    for match in _PYTHON_CALL_START.finditer(source):
        if len(source) - match.start() > _PYTHON_TAIL_CHARS:
            continue  # checked before slicing: a copy per start would make this quadratic
        tail = source[match.start():]
        if _read_python_list(tail, reader, require=tool_names, quiet=True):
            return source[: match.start()].rstrip()
        tried += 1
        if tried >= _PYTHON_TAIL_STARTS:
            break
    return text


def _read_python_list(
    source: str, reader: _Reader, *, require: frozenset[str] | None, quiet: bool = False,
    where: str = "Python-style tool-call list",
) -> bool:
    """Read ``[f(a=1), ...]``. With `require`, only a list whose calls all name those tools counts, and
    nothing is reported otherwise (`quiet`: the text is then an answer)."""
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        if not quiet:
            reader.error(f"{where} does not parse as tool calls ({getattr(exc, 'msg', type(exc).__name__)}): "
                         f"{_snippet(source)}")
        return False
    if not isinstance(tree.body, ast.List):
        if not quiet:
            reader.error(f"content starts like a Python tool-call list but is not one list: {_snippet(source)}")
        return False
    nodes = tree.body.elts
    if require is not None and not (nodes and all(
            isinstance(n, ast.Call) and _dotted_name(n.func) in require for n in nodes)):
        return False
    for index, node in enumerate(nodes):
        _read_python_call(node, index, reader)
    return True


def _read_python_call(node: ast.expr, index: int, reader: _Reader) -> None:
    where = f"Python-style tool call #{index}"
    if not isinstance(node, ast.Call):
        reader.error(f"{where} is not a call: {_snippet(_unparse(node))}")
        return
    name = _dotted_name(node.func)
    if name is None:
        reader.error(f"{where} does not call a plain function name: {_snippet(_unparse(node))}")
        return
    if node.args:
        reader.error(f"{where} to {name!r} passes positional arguments; tool calls must name every argument")
        return
    arguments: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            reader.error(f"{where} to {name!r} unpacks **kwargs; tool calls must name every argument")
            return
        try:
            arguments[keyword.arg] = _json_value(ast.literal_eval(keyword.value))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            reader.error(f"{where} to {name!r}: argument {keyword.arg!r} is not a literal value: "
                         f"{_snippet(_unparse(keyword.value))}")
            return
    reader.add(name, arguments)


def _read_native_call(raw: Any, index: int, reader: _Reader) -> None:
    if not isinstance(raw, dict):
        reader.error(f"native tool call #{index} is not an object: {_snippet(raw)}")
        return
    fn = raw.get("function", raw)
    name = fn.get("name") if isinstance(fn, dict) else None
    if not isinstance(name, str) or not name:
        reader.error(f"native tool call #{index} has no function name: {_snippet(raw)}")
        return
    try:
        call = ToolCall.from_openai(raw)
    except (ValueError, TypeError, ValidationError, RecursionError) as exc:
        arguments = fn.get("arguments") if isinstance(fn, dict) else None
        reader.error(f"native tool call #{index} to {name!r}: {_first_line(exc)}; arguments were {_snippet(arguments)}")
        return
    # A server that sends no id gets the same deterministic one a text call would.
    reader.add(call.name, call.arguments, raw.get("id") if isinstance(raw.get("id"), str) and raw["id"] else None)


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


def _unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except (RecursionError, ValueError):
        return type(node).__name__


def _snippet(value: Any) -> str:
    if isinstance(value, str):
        text = value
    else:
        try:
            text = repr(value)
        except RecursionError:
            text = type(value).__name__
    return repr(text if len(text) <= _SNIPPET else text[:_SNIPPET] + "...")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
