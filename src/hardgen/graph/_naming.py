"""Names of tools, parameters and output fields, normalised so that they can be matched.

`OrderID`, `order_id`, `orderIds` and `order-id` all become tokens `["order", "id"]`; matching
works on those tokens, never on raw strings, so the graph links tools written in any naming style.
"""

from __future__ import annotations

import re
from functools import lru_cache

_PLURAL_ACRONYM = re.compile(r"([A-Z])([A-Z]+)s(?![a-z])")  # `OrderIDs` -> `OrderIds`
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")

# Last tokens that make a value an identifier: something a caller must look up, not invent.
IDENTIFIER_TOKENS = frozenset(
    {"id", "uuid", "guid", "key", "token", "code", "number", "no", "num", "handle", "ref", "reference",
     "sku", "isbn", "iban", "path", "slug", "hash", "symbol", "ticker", "iata"}
)

# Field names too generic to mean anything without their container: `id` of what?
QUALIFIABLE_TOKENS = frozenset({"id", "uuid", "guid", "key", "code", "number", "name", "ref", "token", "handle"})

# Leading verbs stripped from a tool name to find the thing it is about (`get_user_id` -> `user_id`).
VERBS = frozenset(
    {"get", "list", "search", "find", "lookup", "look", "fetch", "read", "query", "show", "view", "describe",
     "create", "add", "new", "make", "insert", "register", "open", "start", "update", "set", "edit", "modify",
     "change", "delete", "remove", "cancel", "close", "stop", "send", "post", "submit", "book", "reserve",
     "buy", "purchase", "sell", "place", "check", "verify", "validate", "calculate", "compute", "convert",
     "estimate", "count", "retrieve", "load", "save", "login", "logout", "log", "sign", "authenticate",
     "connect", "disconnect", "enable", "disable", "activate", "deactivate", "lock", "unlock", "transfer",
     "pay", "refund", "issue", "apply", "assign", "schedule", "track", "move", "copy", "rename", "upload",
     "download", "display", "request", "approve", "reject", "archive", "restore", "is", "has", "up"}
)

# Words that carry no meaning when comparing descriptions.
STOPWORDS = frozenset(
    {"a", "an", "the", "of", "to", "for", "in", "on", "at", "by", "with", "and", "or", "is", "are", "be", "this",
     "that", "it", "its", "as", "from", "which", "who", "when", "if", "not", "no", "will", "can", "may", "must",
     "should", "e", "g", "eg", "ie", "i", "you", "your", "we", "our", "one", "all", "any", "each", "given",
     "value", "return", "returns", "returned", "optional", "default", "use", "used", "string", "integer",
     "number", "list", "dict", "object", "true", "false", "none", "null"}
)


def singular(word: str) -> str:
    """A cheap English singular: enough to match `orders` with `order` and `addresses` with `address`."""
    if word == "ids":
        return "id"
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case singular tokens of an identifier in any style (`orderIds` -> ("order", "id"))."""
    parts = _SPLIT.split(_CAMEL.sub("_", _PLURAL_ACRONYM.sub(lambda m: m[1] + m[2].lower() + "s", name)))
    return tuple(singular(p.lower()) for p in parts if p)


def normalise(name: str) -> str:
    """The canonical key of a name: its tokens joined by `_` (`OrderIDs` -> `order_id`)."""
    return "_".join(name_tokens(name))


@lru_cache(maxsize=65536)
def text_tokens(text: str, limit: int = 24) -> frozenset[str]:
    """Content words of a description (no stop words), for token-overlap scores."""
    out: list[str] = []
    for raw in _SPLIT.split(_CAMEL.sub("_", text)):
        word = singular(raw.lower())
        if len(word) > 1 and word not in STOPWORDS and not word.isdigit():
            out.append(word)
            if len(out) >= limit:
                break
    return frozenset(out)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two token sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter) if inter else 0.0


def is_identifier(name: str) -> bool:
    """Whether a parameter or field named `name` holds an identifier (looked up, not invented)."""
    tokens = name_tokens(name)
    return bool(tokens) and tokens[-1] in IDENTIFIER_TOKENS


def tool_subject(tool_name: str) -> tuple[str, ...]:
    """What a tool is about: its name tokens without leading verbs (`get_order_status` -> ("order", "status"))."""
    tokens = name_tokens(tool_name)
    i = 0
    while i < len(tokens) - 1 and tokens[i] in VERBS:
        i += 1
    return tokens[i:] if tokens[i] not in VERBS else ()
