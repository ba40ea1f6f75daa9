"""Which arguments a failed call's error message points at.

A call with several arguments fails for one reason, and the graph should count the failure only
against the data-flow edges that fed the argument at fault: `book_flight` answering `Invalid
card_id` says nothing against the access token that flowed in from `authenticate_travel`. Error
messages of real tools say what went wrong in two ways, both read here:

- they quote the value (`Invalid departure airport code: New York`, `Stock with symbol 'X' not
  found`);
- they name the parameter in words (`Invalid access token` for `access_token`, `Booking not
  found` for `booking_id`, `Invalid card_id`).

A message that does neither (`Insufficient funds`, `Internal error`) points at no argument, and
every argument stays a suspect.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from hardgen.graph._naming import QUALIFIABLE_TOKENS, STOPWORDS, name_tokens, text_tokens

_MAX_LEAVES = 64


def _stem(word: str) -> str:
    return word[:5]  # `booking`/`bookings`, `locked`/`lock`: a cheap stem is enough to match words


def _leaves(value: Any, out: list[Any], depth: int = 0) -> None:
    if len(out) >= _MAX_LEAVES or depth > 4:
        return
    if isinstance(value, Mapping):
        for v in value.values():
            _leaves(v, out, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _leaves(v, out, depth + 1)
    else:
        out.append(value)


def _quotes(text: str, value: Any) -> bool:
    """Whether `text` contains `value` as a whole word (a number not inside a longer number)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        shown = repr(value) if isinstance(value, float) else str(value)
        return re.search(rf"(?<![\d.]){re.escape(shown)}(?![\d]|\.\d)", text) is not None
    if isinstance(value, str):
        value = value.strip()
        # One or two letters (`a`, `in`) are words of any sentence, not a quoted value.
        if len(value) < 3:
            return False
        return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE) is not None
    return False


def _content_tokens(parameter: str) -> set[str]:
    tokens = [t for t in name_tokens(parameter) if t not in STOPWORDS and len(t) > 1]
    specific = [t for t in tokens if t not in QUALIFIABLE_TOKENS]
    # `card_id` is named by `card`; a bare `id` or `name` only by itself.
    return {_stem(t) for t in (specific or tokens)}


def blamed_parameters(tool: str, parameters: Iterable[str], arguments: Mapping[str, Any],
                      message: str | None) -> set[str] | None:
    """The parameters of `tool` that the error `message` of a call with `arguments` points at, or
    None when it points at none of them (every argument is then a suspect).

    Quoted values decide first: a message that quotes an argument's value is about that argument
    (`Invalid departure airport code: New York`). Otherwise, parameters whose name's content words
    all appear in the message (`Invalid access token`, `Booking not found`); a parameter the call
    did not pass may be the one named (the booking the tool looked for), which clears the others.
    """
    if not message:
        return None
    text = message.strip()
    if text.startswith(f"{tool}:"):  # the tool's own name is no argument
        text = text[len(tool) + 1:]
    quoted = set()
    for name, value in arguments.items():
        leaves: list[Any] = []
        _leaves(value, leaves)
        if any(_quotes(text, leaf) for leaf in leaves):
            quoted.add(name)
    if quoted:
        return quoted
    said = {_stem(t) for t in text_tokens(text, limit=64)}
    named = set()
    for name in dict.fromkeys([*parameters, *arguments]):
        tokens = _content_tokens(name)
        if tokens and tokens <= said:
            named.add(name)
    return named or None
