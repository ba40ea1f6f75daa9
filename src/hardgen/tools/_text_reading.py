"""Reading a tool's text result as data: the shapes command-line and MCP tools answer in.

Tools that answer text (an MCP server's `git log`, a listing of branches, `str(rows)`) hide the
values a next call needs inside it: a commit sha, a branch name, a table's name. `read_text`
turns the common shapes into JSON data, deterministically (a replay reads the same text the
same way, so verification stays exact), and answers None for text that has none of them (a
sentence, a diff, prose), which then stays text:

- JSON, or a Python literal (`[{'id': 1}]`, what servers returning `str(rows)` send);
- `Key: value` lines, one record per block of them (blocks separated by blank lines), under an
  optional heading line: `Commit history:` then `Commit: ...`/`Author: ...` blocks reads as
  `{"commit_history": [{"commit": ..., "author": ...}, ...]}`;
- sections: a heading line ending in `:` and the indented or bulleted lines under it
  (`Untracked files:` then `\tideas.txt` reads as `{"untracked_files": ["ideas.txt"]}`), lines
  that are only a parenthesised hint dropped, other lines kept in order under `lines`;
- a bare list of items: indented or bulleted lines (`  drafts`, `* main`), or lines of one word
  each, read as the list of their texts;
- a one-line sentence that quotes values, each keyed by the word before it (after it, for a
  sentence that opens with one): `Created branch 'x1' from 'main'` reads as `{"branch": "x1"}`
  (a value after a preposition is left out: `from` names no field), so the name a write made is
  there for the next call.

Keys are the text's own words in snake case (`Commit history` -> `commit_history`), so the graph
matches them as it matches any field name. Values are the text's own substrings (a whole number
becomes an int), so everything a reading holds is something the text said. Nothing here knows a
tool or a server.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

MAX_LITERAL_CHARS = 1_000_000
MAX_READ_CHARS = 200_000
"""Longer texts stay text: a reading is for values a next call takes, not for bulk output."""

_KEY = r"[A-Za-z][A-Za-z0-9_/-]*(?: [A-Za-z0-9_/-]+){0,3}"
_KEY_VALUE = re.compile(rf"^(?P<key>{_KEY}):[ \t]+(?P<value>\S.*)$")
_HEADING = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_/-]*(?: [A-Za-z0-9_/()-]+){0,5}):$")
_BULLET = re.compile(r"^[*+\-\u2022][ \t]+(?=\S)")
_HINT = re.compile(r"^\(.*\)$")
_INTEGER = re.compile(r"^-?(?:0|[1-9][0-9]{0,17})$")
# A quoted value: not an apostrophe inside a word (`Ada's`), at most 100 characters.
_QUOTED = re.compile(r"""(?<![\w'"])(?P<q>['"])(?P<value>[^'"\n]{1,100})(?P=q)(?![\w'"])""")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_JOINING = frozenset({"and", "or", "nor", "but"})
_RELATING = frozenset({"from", "to", "into", "onto", "in", "on", "at", "as", "with", "for", "of", "by", "via",
                       "over", "under", "after", "before", "than"})


def read_text(text: str) -> Any | None:
    """A structured reading of `text` (JSON data), or None when it has none of the shapes in the
    module docstring."""
    stripped = text.strip()
    if not stripped:
        return None
    literal = _literal(stripped)
    if literal is not None:
        return literal
    if len(stripped) > MAX_READ_CHARS:
        return None
    lines = [line.rstrip() for line in text.splitlines()]
    while not lines[0]:  # blank lines around the text; the first line's indent is kept (`  drafts`)
        lines.pop(0)
    while not lines[-1]:
        lines.pop()
    for reader in (_records, _items, _sections, _quoted):
        reading = reader(lines)
        if reading is not None:
            return reading
    return None


def _literal(stripped: str) -> Any | None:
    """JSON, or a Python literal with a JSON form; None otherwise (and for JSON's `null`)."""
    try:
        value = json.loads(stripped)
    except ValueError:
        value = None
        if stripped[0] in "[{(" and len(stripped) <= MAX_LITERAL_CHARS:
            try:
                parsed = ast.literal_eval(stripped)
                value = json.loads(json.dumps(parsed))  # only what has a JSON form: a set stays text
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                value = None
    return value


def key_name(words: str) -> str:
    """A text's label as a field name: `Commit history` -> `commit_history`."""
    return re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")


def _scalar(value: str) -> str | int:
    value = value.strip()
    return int(value) if _INTEGER.match(value) else value


def _key_value(line: str) -> tuple[str, str | int] | None:
    match = _KEY_VALUE.match(line.strip())
    if match is None:
        return None
    key = key_name(match["key"])
    return (key, _scalar(match["value"])) if key else None


def _heading(line: str) -> str | None:
    """The key of a heading line (`Untracked files:`), unindented and ending in a colon."""
    if line[:1].isspace():
        return None
    match = _HEADING.match(line)
    return key_name(match["key"]) or None if match else None


def _records(lines: list[str]) -> Any | None:
    """Blocks of `Key: value` lines under an optional heading: a record, or a list of them."""
    heading = _heading(lines[0])
    body = lines[1:] if heading is not None else lines
    blocks: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in body:
        if not line.strip():
            current = None
            continue
        pair = _key_value(line)
        if pair is None:
            return None
        if current is None:
            current = {}
            blocks.append(current)
        key, value = pair
        if key in current:  # a key said twice in one block: both values, in order
            held = current[key]
            current[key] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            current[key] = value
    if not blocks:
        return None
    if heading is not None:
        return {heading: blocks}
    return blocks[0] if len(blocks) == 1 else blocks


def _item(line: str) -> str | None:
    """The text of an item line: indented or bulleted (`  drafts`, `* main`, `\\tideas.txt`)."""
    bullet = _BULLET.match(line.lstrip())
    if bullet is not None:
        return line.lstrip()[bullet.end():].strip()
    if line[:1].isspace() and line.strip():
        return line.strip()
    return None


def _items(lines: list[str]) -> list[Any] | None:
    """Every line an item (indented or bulleted), or every line one word: their texts."""
    if any(not line.strip() for line in lines):
        return None
    items = [_item(line) for line in lines]
    if all(i is not None for i in items):
        return [_scalar(i) for i in items if i is not None]
    if len(lines) >= 2 and all(len(line.split()) == 1 and _heading(line) is None for line in lines):
        return [_scalar(line) for line in lines]
    return None


def _section_item(line: str) -> Any:
    pair = _key_value(line)
    if pair is not None:
        return {pair[0]: pair[1]}
    return _scalar(line.strip())


def _sections(lines: list[str]) -> dict[str, Any] | None:
    """Heading lines with the items under them (indented, bulleted or `Key: value` lines, up to a
    blank line or the next heading); other lines under `lines`, in order. A heading with no item
    under it is a title (`Repository status:`) and is left out; so is a diff under a heading (its
    lines are not items), and a text whose headings hold no item at all has no reading."""
    reading: dict[str, Any] = {}
    loose: list[Any] = []
    current: list[Any] | None = None
    for line in lines:
        if not line.strip():
            current = None
            continue
        if _HINT.match(line.strip()):
            continue  # `(use "git add <file>..." to include ...)`: advice to a person, no value
        heading = _heading(line)
        if heading is not None:
            if heading in reading or heading == "lines":
                return None  # two sections of one name: no faithful mapping
            current = []
            reading[heading] = current
            continue
        item = _item(line)
        if current is not None and (item is not None or _key_value(line) is not None):
            current.append(_section_item(item if item is not None else line))
        else:
            current = None
            loose.append(_scalar(line.strip()))
    reading = {k: v for k, v in reading.items() if v}
    if not reading:
        return None
    if loose:
        reading["lines"] = loose
    return reading


def _quoted(lines: list[str]) -> dict[str, Any] | None:
    """The quoted values of a one-line sentence, keyed by the word before each (or after it)."""
    if len(lines) != 1:
        return None
    line = lines[0]
    reading: dict[str, Any] = {}
    for match in _QUOTED.finditer(line):
        before = _WORD.findall(line[:match.start()])
        after = _WORD.findall(line[match.end():])
        word = before[-1] if before else after[0] if after else None
        key = key_name(word) if word else ""
        if key in _RELATING:
            # `from 'main'`: a preposition says how the value relates, not what it is; as a field
            # name it would read "the from", and as data it would pass a base branch on as if it
            # were the one made.
            continue
        if not key or key in reading or key in _JOINING:
            # A value with no word to name it, two under one word, or one named only by `and`
            # (`Copied 'a' and 'b'`): no faithful reading.
            return None
        reading[key] = match["value"]
    return reading or None
