"""Final answers that answer: the values the user asked for, in a sentence or a short list.

The model-free Reasoner does not see the gold; it works out which result fields the user asked
for from the query's own words (`requested_keys`: every word of a field's name is in the query,
units aside), leaves out what the user already said, and formats values for people (amounts with
two decimals and their currency, yes/no for flags, lists joined). A write is confirmed in words
("I've cancelled your order"); a read with nothing named gets a short summary, never a dump.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

from hardgen.graph import tool_subject
from hardgen.synth import _voice as voice
from hardgen.synth._text import humanize, value_atoms
from hardgen.verify import plain_number

_UNITS = {"km": "in km", "min": "in minutes", "c": "in celsius", "f": "in fahrenheit", "usd": "in US dollars",
          "eur": "in euros", "kmh": "in km per hour", "psi": "in psi", "pct": "as a percentage",
          "percent": "as a percentage", "kg": "in kg", "mb": "in megabytes", "kb": "in kilobytes", "l": "in litres",
          "liters": "in litres", "mm": "in mm",
          "bytes": "in bytes"}
_MONEY = re.compile(r"(amount|total|balance|price|cost|fee|pay|refund|charge|cash|value|subtotal|discount|fare|"
                    r"rate|gross|net|tax|limit|spent|income)", re.I)
_STATES = re.compile(r"\s*(?:is |should be |should read |should say |of |named |switched |turned )?['\"\d-]"
                     r"|\s*(?:is |should be |of )?[a-z]+[-_]\d"
                     r"|\s*(?:from (?:before|earlier)|as (?:before|last time))\b")
"""What follows a field's name where the user states its value ("the name is 'X'") rather than asks."""
_LABELS = ("name", "title", "display_name", "label", "subject", "symbol", "path", "text", "city", "code")


def field_noun(key: str) -> str:
    """How a user names a result field: `total_distance_km` -> "total distance in km"."""
    words = humanize(key).split()
    if len(words) > 1 and words[-1] in _UNITS:
        return " ".join(words[:-1]) + " " + _UNITS[words[-1]]
    if len(words) > 1 and words[-1] == "at":
        return " ".join(words[:-1]) + " time"  # read_at -> "read time"
    return " ".join(words)


_BARE_KEYS = frozenset({"id", "status"})


def qualified_key(key: str, tool: str) -> str:
    """A bare `id` or `status` named by what its tool is about (`post_tweet` -> `tweet_id`): "the
    id" of a task that posted a tweet and listed others could be any of them."""
    if key not in _BARE_KEYS:
        return key
    subject = tool_subject(tool)
    return f"{subject[0]}_{key}" if len(subject) == 1 and subject[0] != key else key


def requested_keys(query: str, result: Any) -> list[str]:
    """Top-level scalar fields of `result` that the query names: the field's words (units aside) in
    order, as a phrase ("the total distance", "order id"), each word allowed a plural ending."""
    if not isinstance(result, dict):
        return []
    query_lower = " ".join(query.lower().split())
    keys = []
    for key, value in result.items():
        if isinstance(value, (dict, list)):
            continue
        words = humanize(key).split()
        if len(words) > 1 and words[-1] in _UNITS:
            words = words[:-1]
        for phrase in (words, field_noun(key).split()):
            pattern = r"\b" + r" ".join(re.escape(w) + r"(?:s|es)?" for w in phrase) + r"\b"
            if phrase and any(not _STATES.match(query_lower[m.end():])
                              for m in re.finditer(pattern, query_lower)):
                keys.append(key)
                break
    return keys


def format_value(key: str, value: Any, result: Any = None) -> str:
    """A value as a person reads it: 1,200.50 EUR, yes / no, "a, b and c"."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and _MONEY.search(key) and not re.search(r"(rate|percent|pct|ratio)", key):
        text = f"{value:,.2f}"
    elif isinstance(value, (int, float)):
        text = f"{value:,}" if isinstance(value, int) and abs(value) >= 10000 else \
            plain_number(value) if isinstance(value, float) else str(value)
    elif isinstance(value, list):
        return voice.join_list([format_value(key, v) for v in value]) or "none"
    elif isinstance(value, dict):
        return voice.join_list([f"{humanize(k)} {format_value(k, v)}" for k, v in value.items()
                                if not isinstance(v, (dict, list))][:4])
    else:
        text = str(value)
    currency = result.get("currency") if isinstance(result, dict) else None
    if isinstance(value, (int, float)) and isinstance(currency, str) and _MONEY.search(key) \
            and not re.search(r"(rate|percent|pct|count|days)", key):
        text = f"{text} {currency}"
    if isinstance(value, (int, float)) and re.search(r"(percent|pct)$", key):
        text += "%"
    return text


def _label(element: Any) -> str | None:
    if isinstance(element, dict):
        for key in _LABELS:
            value = element.get(key)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
                return str(value)
        return None
    if isinstance(element, (str, int, float)) and not isinstance(element, bool):
        return str(element)
    return None


def summarise(result: Any, rng: random.Random) -> str:
    """A sentence about a result nobody asked anything specific of: what was found, by name."""
    if isinstance(result, dict):
        lists = [(k, v) for k, v in result.items() if isinstance(v, list)]
        keyed = [(k, v) for k, v in result.items() if isinstance(v, dict) and v and all(isinstance(r, dict) for r in v.values())]
        if not lists and keyed:
            # {"booking_history": {"flight_001": {...}}}: records kept under their ids.
            key, records = keyed[0]
            names = list(records)[:5]
            more = f", and {len(records) - len(names)} more" if len(records) > len(names) else ""
            what = humanize(key)
            return (f"Your {what} has one entry: {names[0]}." if len(records) == 1 else
                    rng.choice((f"Your {what} has {len(records)} entries: {voice.join_list(names)}{more}.",
                                f"I found {len(records)} entries in your {what}: {voice.join_list(names)}{more}.")))
        if lists:
            key, items = lists[0]
            what = humanize(key)
            if not items:
                return rng.choice((f"There are no {what} to show.", f"I found no {what}."))
            labels = [lab for lab in (_label(e) for e in items[:5]) if lab]
            more = f", and {len(items) - len(labels)} more" if len(items) > len(labels) else ""
            if len(items) == 1:  # "I found 1 people" reads as a template
                label = labels[0] if labels else None
                return rng.choice((f"There's just one: {label}.", f"Only one came up: {label}.")) if label \
                    else f"I found just one in {what}."
            if labels:
                return rng.choice((f"I found {len(items)} {what}: {voice.join_list(labels)}{more}.",
                                   f"There are {len(items)} {what}, namely {voice.join_list(labels)}{more}.",
                                   f"Here's what came up for {what}: {voice.join_list(labels)}{more}."))
            return f"I found {len(items)} {what}."
        label = _label(result)
        if label:
            return rng.choice((f"Here it is: {label}.", f"That's {label}.", f"I pulled it up: {label}."))
        if len(result) == 1:  # {"result": 40.0}: say it, "all done" would hide the one thing found
            (key, value), = result.items()
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return f"The {field_noun(key)} is {format_value(key, value, result)}."
        return rng.choice(("All done.", "That's taken care of."))
    if isinstance(result, (str, int, float)) and not isinstance(result, bool):
        return rng.choice((f"The result is {result}.", f"It comes out at {result}.", f"That gives {result}."))
    return "That's done."


def fact_sentences(facts: Sequence[tuple[str, Any, Any]], rng: random.Random) -> str:
    """(key, value, result) facts as one or two sentences, one sentence listing three or four,
    or a short list from five on (a list of "Id: 10" lines reads as a dump, not an answer)."""
    if not facts:
        return ""
    if 3 <= len(facts) <= 4:
        clauses, named = [], set()
        for k, v, r in facts:
            noun = field_noun(k) if k not in named else f"other {field_noun(k)}"
            named.add(k)
            if isinstance(v, bool) and k.startswith("is_"):
                clauses.append(f"it is {'' if v else 'not '}{humanize(k[3:])}")
            else:
                clauses.append(f"the {noun} is {format_value(k, v, r)}")
        lead = rng.choice(("", "Here's what I found: ", "As for the details, "))
        text = voice.join_list(clauses)
        return (lead + text if lead else voice.capitalise(text)) + "."
    if len(facts) >= 5:
        lead = rng.choice(("Here's what I found:", "Here are the details:", "This is what came back:"))
        lines, named = [], set()
        for k, v, r in facts:
            noun = field_noun(k) if k not in named else f"other {field_noun(k)}"
            named.add(k)
            lines.append(f"- {voice.capitalise(noun)}: {format_value(k, v, r)}")
        return "\n".join([lead, *lines])
    parts = []
    for i, (key, value, result) in enumerate(facts):
        noun, text = field_noun(key), format_value(key, value, result)
        if i and key == facts[0][0]:
            noun = f"other {noun}"
        if i == 0:
            forms = [f"The {noun} is {text}", f"It shows {text} as the {noun}", f"I can see the {noun} is {text}"]
            if isinstance(value, bool) and key.startswith("is_"):
                forms = [f"It is {'' if value else 'not '}{humanize(key[3:])}"]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                forms.append(f"The {noun} comes to {text}")
            parts.append(rng.choice(forms))
        elif isinstance(value, bool) and key.startswith("is_"):
            parts.append(f"and it is {'' if value else 'not '}{humanize(key[3:])}")
        else:
            parts.append(rng.choice((f"and the {noun} is {text}", f"with {text} as the {noun}",
                                     f"and it lists the {noun} as {text}")))
    return ", ".join(parts) + "."


def stated_in(query: str, value: Any) -> bool:
    from hardgen.verify import value_in_text

    atoms = value_atoms(value)
    return bool(atoms) and all(value_in_text(a, query) for a in atoms) and not (
        isinstance(value, (int, float)) and abs(value) < 10)
