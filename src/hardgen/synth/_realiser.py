"""Phrasing for tools from elsewhere (user classes, BFCL-style docs, MCP servers), derived from their
names and descriptions with real grammar.

The description's preamble ("This tool belongs to the travel system, which allows ...") and schema
clauses ("optionally filtered by name", "e.g. ...", "Requires X first", parentheses) are dropped,
a third-person or noun-led sentence becomes an imperative ("Lists the files" -> "list the files",
"Current weather in a city" -> "get the current weather in a city"), and a second request is made
from the tool's name. An LLM Query Writer gives richer text for such tools; this keeps the
model-free run readable.
"""

from __future__ import annotations

import re

from hardgen.schema import ToolSpec
from hardgen.synth._phrasing import ToolPhrasing
from hardgen.synth._text import first_sentence, humanize, plain_request

_PREAMBLE = re.compile(
    r"^(?:this (?:tool|function|endpoint|api) (?:belongs to|is part of|is from) [^.]*\.\s*"
    r"|(?:tool|function) description:\s*"
    r"|(?:tool|function) (?:to|that|for)\s+|use this (?:tool )?to\s+|used to\s+|this (?:tool|function) )",
    re.I,
)
_SCHEMA_CLAUSES = [
    re.compile(p, re.I) for p in (
        r"\([^)]*\)",                                    # parenthetical remarks
        r",?\s*(?:optionally|possibly)\b[^,.;]*",           # optionally filtered by name
        r",?\s*(?:e\.g\.|i\.e\.|for example|such as)[^,.;]*",
        r"[,;]?\s*(?:requires?|needs?)\s+\w+\s+first\b[^,.;]*",
        r",?\s*(?:newest|oldest|cheapest|nearest|earliest) first\b",
        r",?\s*to get (?:the|its|their) [^,.;]*",         # to get the user id messages need
        r"[;,]\s*(?:it|they|this)\s+[^,.;]*",            # ; it can be unfrozen later
        r"\s+if (?:any|present|given|provided)\b",
        r"`[^`]*`",
        r",?\s*(?:or )?(?:of )?(?:a |an |the )?[\w ]*\b(?:given|passed|specified) as <[^>]*>",  # "given as <revision>"
        r"\s*(?:\b(?:in|of|at|for|from|to|on|by)\s+)?<[^>]*>",
    )
]
_NOUN_LEADS = {"a", "an", "the", "current", "daily", "full", "every", "all", "whether", "what", "which", "how",
               "one", "some", "each", "its", "their", "long-term", "active", "descriptive", "straight-line"}
_IRREGULAR_3RD = {"does": "do", "has": "have", "is": "be", "goes": "go"}
_VERB_HINTS = frozenset("""
accept acknowledge activate add advance append apply approve archive arm assign authenticate average block book buy calculate cancel change check comment
close compare compute contact convert copy count create decode delete deposit discover display dispute divide echo edit encode estimate fetch fill filter find
follow freeze get insert invite list load lock log logout look make mark merge move multiply open pay place plan post press print put
purchase raise rate read record redeem register reject release remove rename reopen reply request reschedule reset resolve
retrieve retweet return reverse round save schedule search
select send set share show sort split start stop store submit subscribe subtract sum switch tag track transfer translate turn unblock
unfreeze unlock unsubscribe update upload validate view withdraw write
""".split())  # noqa: SIM905 (a word list reads best as text)
VERBS = _VERB_HINTS | {"refund", "notify", "charge", "return", "release"}
"""Verbs that open a request, for turning one into a participle ("cancel and refund" -> both)."""


def clean_description(text: str) -> str:
    """The first sentence of a tool description with its preamble and schema clauses removed."""
    text = " ".join((text or "").split())
    # BFCL-style docs say what the whole class is first, then "Tool description: <the tool>".
    labelled = re.split(r"\b(?:tool|function) description:\s*", text, maxsplit=1, flags=re.I)
    text = labelled[-1] if len(labelled) == 2 and labelled[1].strip() else text
    while True:
        stripped = _PREAMBLE.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    text = re.sub(r"\s*\([^)]*\)", "", text)
    text = re.sub(r",?\s*\b(?:e\.g\.|i\.e\.)[^.;]*(?:\.(?=\s|$))?", "", text)
    sentence = re.split(r"[:;]", first_sentence(text))[0]
    sentence = re.sub(r"\bfrom -?\d+(?:\.\d+)? to -?\d+(?:\.\d+)?\b\s*", "", sentence)
    for pattern in _SCHEMA_CLAUSES:
        sentence = pattern.sub("", sentence)
    sentence = ",".join(c for c in sentence.split(",") if not re.search(r"\w_\w", c)) or sentence
    sentence = re.sub(r"\s+([,;.])", r"\1", " ".join(sentence.split())).strip(" ,;:-")
    return plain_request(sentence)


def _imperative(sentence: str, name: str) -> str:
    words = sentence.split()
    if not words:
        return humanize(name)
    first = words[0].lower()
    if first in _IRREGULAR_3RD:
        words[0] = _IRREGULAR_3RD[first]
    elif first.endswith("ies") and first[:-3] + "y" in _VERB_HINTS:
        words[0] = first[:-3] + "y"
    elif first.endswith("es") and first[:-2] in _VERB_HINTS:
        words[0] = first[:-2]
    elif first.endswith("s") and first[:-1] in _VERB_HINTS:
        words[0] = first[:-1]
    elif first in _VERB_HINTS:
        words[0] = first
    elif first in _NOUN_LEADS:
        verb = name.split("_")[0].lower()
        lead = verb if verb in _VERB_HINTS and verb not in ("get",) else "get"
        if first in ("whether", "what", "which", "how"):
            words = ["find", "out", first, *words[1:]]
        elif first in ("a", "an", "the"):
            words = [lead, "the", *words[1:]]
        else:
            words = [lead, "the", first, *words[1:]]
    else:
        verb = name.split("_")[0].lower()
        words = [verb, *words] if verb in _VERB_HINTS else ["get", "the", first, *words[1:]]
    words = [w if w.isupper() or i > 1 else w.lower() for i, w in enumerate(words)]
    phrase = " ".join(words)
    phrase = re.sub(r"\b(the|a|an) (the|a|an)\b", r"\1", phrase)
    phrase = re.sub(r"\b(?:the user's|the logged-in user's|the logged-in account's|your)(?!\w)", "my", phrase)
    phrase = re.sub(r"\bthe (?:logged-in )?user\b", "me", phrase)
    return phrase.rstrip(" .")


def _from_name(name: str) -> str:
    """`get_flight_details` -> "get the flight details"; `cd` -> "run cd"."""
    words = humanize(name).split()
    if len(words) == 1:
        return f"run {words[0]} for me"
    if words[0] in _VERB_HINTS:
        if words[1] in ("to", "from", "in", "on", "by", "for", "with", "into"):
            return " ".join([words[0], words[1], "the", *words[2:]])
        return " ".join([words[0], "the", *words[1:]])
    return "look into the " + " ".join(words)


def realise_tool(spec: ToolSpec) -> ToolPhrasing:
    """Phrasing for a tool without a phrasing file: an imperative made from its cleaned description
    and one made from its name, without digits or colons (which would read as values)."""
    asks = []
    if spec.description:
        asks.append(_imperative(clean_description(spec.description), spec.name))
    if not asks or len(humanize(spec.name).split()) > 1:
        asks.append(_from_name(spec.name))
    cleaned = []
    for ask in asks:
        ask = re.sub(r"[:\d]", "", ask)
        ask = " ".join(ask.split()).strip(" ,;.!?")
        if ask and ask not in cleaned:
            cleaned.append(ask)
    return ToolPhrasing(ask=cleaned or [f"use {humanize(spec.name)}"])
