"""The user's voice and the assistant's, as word material for the model-free roles.

Query side: greetings, context (the paper's noise), politeness frames, joins between goals, ways to
ask for values back and to refer to an earlier turn, and how one value is mentioned in a sentence
(`mention`), always with the words that name it right before it, so that the Reasoner's slot
filler (`_slots.extract_values`) reads it back. Assistant side: pronoun changes ("cancel my order"
-> "cancel their order" / "cancelled your order") and past participles. No filler holds a digit, a
colon or a capitalised word after its first, which would read as values.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from hardgen.synth._text import humanize

GREETINGS = ("Hi.", "Hello!", "Hey there.", "Morning!", "Hi there.", "Hello again.", "Quick one.",
             "Hope you're well.", "Okay, so.", "Right.", "Hey.", "Good afternoon.")
CONTEXT = (
    "I'm between meetings right now.",
    "My manager asked me to sort this out today.",
    "I'm on my phone, so keep it short.",
    "This has been on my list all week.",
    "I'm tidying things up before the weekend.",
    "I keep forgetting to do this.",
    "I'm in a bit of a rush.",
    "It's for a project I'm wrapping up.",
    "I'm doing some admin this morning.",
    "A colleague reminded me about this.",
    "I'm travelling and only have a minute.",
    "No rush on this one.",
    "I'm trying to clear my backlog today.",
    "Sorry if this is a silly question.",
    "I'd do it myself but I'm away from my desk.",
    "Things have been hectic here.",
)
FRAMES = (
    "Could you {r}?", "Can you {r}?", "Please {r}.", "I'd like you to {r}.", "I need you to {r}.",
    "Would you {r}?", "{R}, please.", "{R}.", "Can you please {r}?", "Would you be able to {r}?",
    "Do me a favour and {r}.", "I was hoping you could {r}.", "Any chance you could {r}?",
    "I'd appreciate it if you could {r}.", "Could you please {r} for me?", "I want to {r}, can you do that?",
    "Help me out and {r}?", "Is it possible to {r}?",
)
LATER_OPENERS = ("Thanks. Next one.", "Great.", "One more thing.", "Perfect.", "Okay, next.", "Cool, thanks.",
                 "And another thing.", "Nice, that worked.", "Good. Something else now.", "Thanks, that helps.")
JOINS = ("{a} and then {b}", "{a}, and after that {b}", "{a}, then {b}", "{a} and also {b}", "{a}, plus {b}")
ASKS = (
    "What's the {f}?", "Let me know the {f}.", "I'd like to know the {f}.", "Tell me the {f} when you're done.",
    "Please include the {f} in your reply.", "Also, what's the {f}?", "Could you tell me the {f} afterwards?",
    "I mostly care about the {f}.", "The {f} is what I'm after.", "Send me back the {f}.",
    "And remind me of the {f}.", "Just give me the {f}.", "Oh, and what's the {f}?", "I need the {f} too.",
)
ASK_INLINE = ("and tell me the {f}", "and let me know the {f}", "and say what the {f} is",
              "then give me the {f}")
CLOSERS = ("Thanks!", "Thank you.", "Cheers.", "Thanks a lot.", "Appreciate it.", "Much appreciated.",
           "Thanks in advance.")
REFERENCES = ("the same {n} as before", "the {n} from before", "the {n} from earlier", "the same {n} as last time")
"""Ways to name a value that an earlier turn produced; `_slots` reads each one back as a reference."""

_SECRET = re.compile(r"password|pin|security_code|passcode|secret")
_TEXT = re.compile(r"(^|_)(text|body|content|memo|reason|note|summary|resolution|description|comment|message)$")
_NAME = re.compile(r"(^|_)(name|title|label|subject|nickname)$")
_ID = re.compile(r"(^|_)ids?$")
_DATE = re.compile(r"(^|_)(date|day|time|start|end|month|period|check_in|check_out|cycle)$")


def noun(parameter: str) -> str:
    """The everyday noun for a parameter: `from_account_id` -> "from account id", `name_2` -> "name"."""
    return humanize(re.sub(r"_\d+$", "", parameter))


def quote(text: str) -> str:
    return f'"{text}"' if "'" in text else f"'{text}'"


def render(value: Any, plain: bool) -> str:
    """A value as written in a query: `plain` strings as they are, others quoted; lists joined."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value if plain and value.strip() else quote(value)
    if value and isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return join_list([str(v) for v in value])  # "3.5, 7 and 12", as a person lists numbers
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return quote(", ".join(str(v) for v in value))
    return quote(json.dumps(value, ensure_ascii=False))


def label(parameter: str, description: str) -> str | None:
    """Words for a parameter whose name says nothing (`a`, `b`, `x1`), from its description
    ("First number." -> "first number"); None when the name itself reads as a noun or the
    description is no short noun phrase."""
    if len(parameter) > 2 and not re.fullmatch(r"[a-z]\d*", parameter):
        return None
    phrase = re.split(r"[.;:(]", description.strip(), maxsplit=1)[0].strip().lower()
    phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase)
    return phrase if phrase and len(phrase.split()) <= 4 and re.fullmatch(r"[a-z][a-z -]*", phrase) else None


def mention(parameter: str, value: str, rng: random.Random, raw: Any = None,
            words: str | None = None) -> tuple[str, str]:
    """(inline phrase, statement clause) that state one value, the words naming it just before it:
    ("for employee E-1841", "the employee is E-1841"). `value` is already rendered; `words` name
    the parameter when its own name does not (see `label`)."""
    words = words or noun(parameter)
    base = re.sub(r" ids?$", "", words)
    if isinstance(raw, bool):
        return (rng.choice((f"with {words} switched {value}", f"with {words} turned {value}")),
                f"{words} should be {value}")
    if _SECRET.search(parameter):
        return (rng.choice((f"using the {words} {value}", f"with {words} {value}")),
                rng.choice((f"my {words} is {value}", f"the {words} is {value}")))
    if parameter == "username":
        return (f"as username {value}", rng.choice((f"my username is {value}", f"the username is {value}")))
    if _ID.search(parameter):
        return (rng.choice((f"for {base} {value}", f"on {base} {value}", f"for the {base} {value}")),
                rng.choice((f"the {base} is {value}", f"it's {base} {value}", f"the {words} is {value}")))
    if parameter == "email" or parameter.endswith("_email"):
        return (rng.choice((f"at {words} {value}", f"with the {words} {value}")),
                rng.choice((f"the {words} is {value}", f"their {words} is {value}")))
    if _NAME.search(parameter):
        head = words.rsplit(" ", 1)[0] if " " in words else ""
        last = words.rsplit(" ", 1)[-1]
        verb = {"name": "named", "title": "titled", "nickname": "nicknamed"}.get(last)
        if verb and head:
            inline = rng.choice((f"for the {head} {verb} {value}", f"with the {words} {value}"))
        elif verb:
            inline = rng.choice((f"{verb} {value}", f"with the {words} {value}"))
        else:
            inline = f"with the {words} {value}"
        return inline, rng.choice((f"the {words} is {value}", f"the {words} should be {value}"))
    if _TEXT.search(parameter):
        return (rng.choice((f"with the {words} {value}", f"and the {words} should read {value}",
                            f"using the {words} {value}")),
                rng.choice((f"the {words} should say {value}", f"the {words} should read {value}",
                            f"the {words} is {value}")))
    if _DATE.search(parameter):
        return (rng.choice((f"with the {words} {value}", f"for the {words} {value}", f"{words} {value}")),
                rng.choice((f"the {words} is {value}", f"the {words} should be {value}")))
    if parameter == "amount":
        return (rng.choice((f"for an amount of {value}", f"for the amount {value}")),
                rng.choice((f"the amount is {value}", f"make the amount {value}")))
    if isinstance(raw, list) and len(raw) > 1:  # "the numbers are 3, 5 and 8"
        return (rng.choice((f"with the {words} {value}", f"for the {words} {value}")),
                rng.choice((f"the {words} are {value}", f"use the {words} {value}")))
    return (rng.choice((f"with the {words} {value}", f"with a {words} of {value}", f"where the {words} is {value}")),
            rng.choice((f"the {words} is {value}", f"the {words} should be {value}", f"use the {words} {value}")))


_YOU_SOUND = r"(?:u(?:s|n[iy]|ti|r[aeio]|k)|eu|one\b|once\b)"
"""Words that start with a vowel letter and a consonant sound: a user, a unit, a euro, a one-off."""


def articles(text: str) -> str:
    """ "a order" -> "an order", "an user" -> "a user" (by the first letters; good enough for the
    nouns requests use, docs' own slips included)."""
    text = re.sub(rf"\b([Aa]) (?=[aeiouAEIOU])(?!{_YOU_SOUND})", lambda m: m.group(1) + "n ", text)
    return re.sub(rf"\b([Aa])n (?={_YOU_SOUND})", lambda m: m.group(1) + " ", text, flags=re.I)


def selection(entity: str, value: str, rng: random.Random) -> tuple[str, str]:
    """(inline, statement) naming which element of a list the user means, without the words of any
    parameter right before the value (the Reasoner matches it against the list, not a parameter)."""
    return (rng.choice((f"for the {value} {entity}", f"using my {value} {entity}")),
            rng.choice((f"I mean the {value} {entity}", f"it's the {value} {entity}", f"this is about the {value} {entity}")))


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def join_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_TO_THEM = {"my": "their", "me": "them", "i": "they", "i'm": "they're", "i've": "they've", "i'd": "they'd",
            "mine": "theirs", "myself": "themselves", "am": "are", "we": "they", "our": "their", "us": "them"}
_TO_YOU = {"my": "your", "me": "you", "i": "you", "i'm": "you're", "i've": "you've", "i'd": "you'd",
           "mine": "yours", "myself": "yourself", "am": "are", "we": "you", "our": "your", "us": "you"}


def _swap(text: str, table: dict[str, str]) -> str:
    return re.sub(r"\b[A-Za-z']+\b", lambda m: table.get(m.group(0).lower(), m.group(0)), text)


def third_person(request: str) -> str:
    """The user's request as the assistant tells itself: "cancel my order" -> "cancel their order"."""
    return _swap(request, _TO_THEM)


def second_person(request: str) -> str:
    """The user's request as the assistant answers: "cancel my order" -> "cancel your order"."""
    return _swap(request, _TO_YOU)


_IRREGULAR = {
    "set": "set", "put": "put", "get": "got", "make": "made", "take": "taken", "do": "done", "give": "given",
    "write": "written", "send": "sent", "pay": "paid", "shut": "shut", "buy": "bought", "bring": "brought",
    "go": "gone", "throw": "thrown", "cut": "cut", "run": "run", "let": "let", "hold": "held", "leave": "left",
    "tell": "told", "find": "found", "keep": "kept", "read": "read", "say": "said", "choose": "chosen",
    "forget": "forgotten", "show": "shown", "freeze": "frozen", "unfreeze": "unfrozen", "wear": "worn", "fire": "fired", "drive": "driven", "begin": "begun", "lift": "lifted",
    "withdraw": "withdrawn", "log": "logged", "sell": "sold", "speak": "spoken", "draw": "drawn", "hide": "hidden",
    "sort": "sorted",
}
_DOUBLE = {"stop", "drop", "plan", "flip", "slot", "skip", "trim", "grab", "tag", "jot", "pin", "star", "unstar", "scrap", "log", "dim", "top", "ship",
           "chat", "pop", "tip", "bump", "unblock", "map", "tap", "wrap", "swap", "chop", "zip", "unzip"}


def participle(verb: str) -> str:
    """The past participle of an English verb (regular rules plus the irregular ones requests use)."""
    v = verb.lower()
    if v in _IRREGULAR:
        return _IRREGULAR[v]
    if v in _DOUBLE and v not in ("bump", "unblock"):
        return v + v[-1] + "ed"
    if v.endswith("e"):
        return v + "d"
    if v.endswith("y") and len(v) > 2 and v[-2] not in "aeiou":
        return v[:-1] + "ied"
    return v + "ed"


_OBJECTS = frozenset({"it", "them", "the", "a", "an", "your", "this", "that", "these", "those"})
"""Words that open a verb's object: what follows "and X" when X is a verb."""


def refer_back_in_turn(phrases: list[str], same: list[bool]) -> list[str]:
    """ "posted a tweet, retweeted a tweet and commented on a tweet" -> "... retweeted it and
    commented on it": a thing named once is "it" after that, in the phrases `same` marks as being
    about what an earlier one made or changed (a message sent after one was deleted is another)."""
    named: set[str] = set()
    out = []
    for phrase, refers in zip(phrases, same, strict=True):
        if refers:
            for noun in named:
                phrase = re.sub(rf"\b(?:a|an|the|that|this) {re.escape(noun)}"
                                r"(?=\s*$|\s*[,.;]|\s+(?:and|to|for|in|on|with|from|by|of|again)\b)", "it", phrase)
        named |= set(re.findall(r"\b(?:a|an|the|your) ([a-z]+)\b", phrase))
        out.append(phrase)
    return out


def done_phrase(request: str) -> str:
    """ "cancel my order" -> "cancelled your order" ("cancel" gets its participle, pronouns turn)."""
    words = second_person(request).split()
    if not words:
        return "done that"
    from hardgen.synth._realiser import VERBS

    words[0] = "cancelled" if words[0] == "cancel" else participle(words[0])
    for i in range(1, len(words) - 1):
        if words[i] == "and" and (words[i + 1] in VERBS or words[i + 1] in _IRREGULAR  # "and keep it"
                                  or (i + 2 < len(words) and words[i + 2] in _OBJECTS)):  # "and queue it"
            words[i + 1] = "cancelled" if words[i + 1] == "cancel" else participle(words[i + 1])
    return " ".join(words)
