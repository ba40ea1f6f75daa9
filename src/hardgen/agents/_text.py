"""Word-level text normalisation shared by the model-free agent's retrieval and slot filling.

Identifiers are split at `snake_case`, `kebab-case` and `camelCase` boundaries, words are lowered,
reduced by a small suffix stemmer, and a handful of everyday synonyms are mapped to one form
("purchase" and "buy", "remove" and "delete"), so that a user's wording meets a tool's wording.
"""

from __future__ import annotations

import re

_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z']*|\d+")

STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for from with without into onto over under about as is are was
    were be been being am do does did done have has had having i me my mine we us our you your yours he him
    his she her they them their it its this that these those there here what which who whom whose when where
    why how please can could would should will shall may might must want wants need needs like would let
    lets just also then than so very too some any all each every much many more most other another such
    only own same not no nor up down out off again once both few s t now kindly tell give show help
    """.split()  # noqa: SIM905 (a word list reads best as text)
)
"""Words that carry no meaning for choosing a tool (questions and politeness included)."""

ACTION_VERBS = frozenset(
    """
    send get find book buy check list create add delete remove cancel update set transfer pay search look
    convert schedule post order move copy open close make write read email message call share tell give
    show compute calculate fetch retrieve rename reserve register login log sign start stop turn change
    increase decrease remind mark assign approve reject submit draft upload download subscribe unsubscribe
    follow unfollow like reply invite save sell rent withdraw deposit refund return track view display
    print count sort filter archive restore lock unlock enable disable reset upgrade downgrade apply
    drive fly travel go ride walk play watch estimate plan invite join leave accept decline
    """.split()  # noqa: SIM905
)
"""Imperative verbs that open a request ("... and *book* a table"): where one request ends and the
next begins."""

NEGATIONS = frozenset({"not", "no", "don't", "dont", "never", "without", "exclude", "excluding", "disable", "off"})

# Everyday synonyms -> the form tools tend to use. Applied before stemming.
_SYNONYMS = {
    "purchase": "buy",
    "purchases": "buy",
    "order": "order",
    "reserve": "book",
    "reservation": "booking",
    "reservations": "booking",
    "remove": "delete",
    "erase": "delete",
    "destroy": "delete",
    "retrieve": "get",
    "fetch": "get",
    "obtain": "get",
    "display": "get",
    "view": "get",
    "lookup": "search",
    "look": "search",
    "locate": "search",
    "seek": "search",
    "modify": "update",
    "change": "update",
    "edit": "update",
    "alter": "update",
    "make": "create",
    "open": "create",
    "new": "create",
    "add": "add",
    "message": "message",
    "msg": "message",
    "text": "message",
    "dm": "message",
    "forward": "send",
    "mail": "email",
    "e-mail": "email",
    "cost": "price",
    "costs": "price",
    "temperature": "weather",
    "forecast": "weather",
    "folder": "directory",
    "folders": "directory",
    "dir": "directory",
    "pay": "payment",
    "paid": "payment",
    "delivery": "shipping",
    "ship": "shipping",
    "quantity": "quantity",
    "qty": "quantity",
    "amount": "amount",
    "cancel": "cancel",
    "cancelled": "cancel",
    "canceled": "cancel",
    "stock": "stock",
    "shares": "share",
    "ticket": "ticket",
    "flight": "flight",
    "flights": "flight",
    "plane": "flight",
    "hotel": "hotel",
    "room": "room",
    "people": "person",
    "persons": "person",
    "guests": "guest",
    "convert": "convert",
    "conversion": "convert",
    "calc": "calculate",
    "compute": "calculate",
    "sum": "total",
    "info": "information",
    "details": "detail",
    "schedule": "schedule",
    "appointment": "appointment",
    "meeting": "meeting",
    "id": "id",
    "identifier": "id",
    "uuid": "id",
}


def split_identifier(text: str) -> list[str]:
    """Words of an identifier or sentence: `getUserID` -> ["get", "User", "ID"], `send_msg` -> ["send", "msg"]."""
    spaced = _CAMEL_RE.sub(" ", text)
    return _WORD_RE.findall(spaced)


def stem(word: str) -> str:
    """A small, predictable suffix stemmer (plural, -ing, -ed, final e). Not linguistics: the same
    word always maps to the same stem, and the common inflections of one word meet."""
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    w = _SYNONYMS.get(w, w)
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "aeiouls":
            w = w[:-1]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "aeious":
            w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return _SYNONYMS.get(w, w)


def tokens(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Normalised content words of `text`, identifiers split, in order (duplicates kept)."""
    out = []
    for word in split_identifier(text):
        low = word.lower()
        if not keep_stopwords and (low in STOPWORDS or (len(low) == 1 and low.isalpha())):
            continue
        out.append(stem(low))
    return out
