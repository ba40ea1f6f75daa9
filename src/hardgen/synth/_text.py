"""Small text helpers shared by the model-free roles (intent phrases, value rendering)."""

from __future__ import annotations

import json
import re
from typing import Any

from hardgen.schema import ToolSpec

_ID_LIKE = re.compile(r"^(?=.*\d)[A-Za-z]{0,6}[-_]?[A-Za-z0-9]*\d[A-Za-z0-9\-_]*$")


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text).rstrip(".!? ")


# Leading words of tool descriptions that are not verbs, and the verb a request would use instead.
_NOT_VERBS = {"a": "get", "an": "get", "the": "get", "what": "find out", "whether": "check", "if": "check",
              "every": "list", "all": "list", "current": "get the", "daily": "get the", "full": "get the"}
_VERBS = frozenset("""
accelerate activate add answer append apply approve archive arm ask assign block book buy cancel change check
choose close compare convert copy count create delete disarm disengage dispute engage evaluate file find get
insert insure invite list lock log look mark measure move open pay place plan post put rate reactivate read
register reject release remove reopen replace request reschedule resolve review round save say schedule search
send set share shift show solve start stop store submit subscribe summarise switch tick track transfer turn
unblock unlock update upload withdraw write deposit freeze unfreeze fill inflate press apply estimate calculate
compute
""".split())


# What API docs add that a person asking never says: who the call acts for, that a value is
# "given" or "specified", where the record lives. Cut from a description's first sentence.
_DOC_QUALIFIERS = re.compile(
    r"\s+(?:for|as|on behalf of) the (?:authenticated|current|logged[- ]in|specified|given) user\b"
    r"|\s+(?:with|using|by|from) (?:the|a|its) (?:given|specified|provided) [\w ]{1,30}?(?=\s+(?:to|in|on|for|and)\b|$)"
    r"|\s+by (?:its|their) (?:id|ids|identifier|name)\b"
    r"|\s+in the (?:system|database|workspace|backend)\b", re.I)
_DOC_WORDS = ((re.compile(r"\ba specific\b", re.I), "a"), (re.compile(r"\bthe specified\b", re.I), "the"),
              (re.compile(r"\ba given\b", re.I), "a"), (re.compile(r"\bthe given\b", re.I), "the"))


def plain_request(sentence: str) -> str:
    """A doc sentence as a person would put it: "Retweet a tweet for the authenticated user" ->
    "Retweet a tweet"; "Get a specific ticket by its ID" -> "Get a ticket"."""
    plain = _DOC_QUALIFIERS.sub("", sentence)
    for pattern, word in _DOC_WORDS:
        plain = pattern.sub(word, plain)
    plain = " ".join(plain.split())
    return plain if len(plain.split()) >= 2 else sentence


def intent_phrase(spec: ToolSpec) -> str:
    """An imperative phrase for what a tool does, from its description ("send a chat message to a user").
    Descriptions that start with a noun ("Current weather in a city") get a verb ("get the current ...")."""
    sentence = first_sentence(spec.description) if spec.description else spec.name.replace("_", " ")
    sentence = re.sub(r"^(this tool|tool to|use this to|used to)\s+", "", sentence, flags=re.I)
    sentence = plain_request(sentence)
    words = sentence.split()
    if words and words[0].lower().endswith("s") and words[0].lower()[:-1] in _VERBS | {"searche", "matche"}:
        # "Sends a message" -> "send a message"; "Lists" -> "list"
        head = words[0]
        words[0] = head[:-2] if head.lower().endswith(("ches", "shes", "sses", "xes")) else head[:-1]
    if words:
        first = words[0].lower()
        if not words[0].isupper():
            words[0] = first
        if first in _NOT_VERBS:
            lead = _NOT_VERBS[first]
            words = [lead, *words[1:]] if first in ("a", "an", "the") else [*lead.split(), *words]
        elif first not in _VERBS:
            verb = spec.name.split("_")[0].lower()
            words = [verb if verb in _VERBS else "get", *(["the"] if verb not in _VERBS or verb == "get" else []),
                     *words]
    phrase = " ".join(words)
    return phrase[:1].lower() + phrase[1:]


def humanize(name: str) -> str:
    """`departure_airport_code` -> `departure airport code`."""
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ").split()
    return " ".join(words).lower()


def render_value(value: Any) -> str:
    """How a value is written in a query: free text quoted, names and numbers as they are."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return f"'{value}'" if (len(value.split()) > 3 or not value.strip()) else value
    if isinstance(value, list):
        return ", ".join(render_value(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def value_atoms(value: Any) -> list[Any]:
    """The scalar pieces of a value that a query must contain (lists and dicts flattened)."""
    if isinstance(value, dict):
        return [a for v in value.values() for a in value_atoms(v)]
    if isinstance(value, list):
        return [a for v in value for a in value_atoms(v)]
    if value is None or isinstance(value, bool):
        return []
    return [value]


def is_id_like(value: Any) -> bool:
    """Internal identifiers (ACC-48213, O-1042, u_17) as opposed to human-level values."""
    return isinstance(value, str) and " " not in value and bool(_ID_LIKE.match(value))
