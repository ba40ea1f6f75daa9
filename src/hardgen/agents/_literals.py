"""Literal extraction: the concrete values a user's request states (the model-free agent's slots).

`extract_literals` finds quoted strings, e-mail addresses, URLs, file paths, dates and times, money
amounts, percentages, numbers (digits and small number words), identifiers (`O-1042`, `USR002`,
`#1042`), upper-case codes (`LIS`, `EUR`, `AAPL`), capitalised names and places (multi-word proper
nouns like `New York` or `Charles de Gaulle`) and cue phrases (`saying ...`, `titled ...`). Each
literal keeps its span and the words around it, which slot filling uses to tell `from Lisbon` from
`to Berlin`. Values are normalised: dates to ISO `YYYY-MM-DD` (`MM-DD` when the year is not
given), times to `HH:MM`, amounts to numbers with an ISO currency code as unit.

Literals never overlap, except cue phrases, which are an alternative reading of the text they cover.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hardgen.agents._text import ACTION_VERBS, STOPWORDS, stem

LiteralKind = Literal[
    "quoted",
    "email",
    "url",
    "path",
    "datetime",
    "date",
    "time",
    "amount",
    "percent",
    "number",
    "id",
    "code",
    "proper_noun",
    "phrase",
    "enum",
]
"""Kinds of literal. `enum` is made by slot filling, for a mention of an option of a parameter's enum."""


@dataclass(frozen=True)
class QueryLiteral:
    """One value stated in a request."""

    kind: LiteralKind
    text: str
    """The surface text, as written (without the quotes of a quoted string)."""
    value: Any
    """The normalised value: str, int or float."""
    start: int
    end: int
    """Span of the literal in the request (quotes included for quoted strings)."""
    unit: str | None = None
    """ISO currency code of an amount, `%` of a percentage, or the noun right after a number
    (`3 nights` -> `night`)."""
    before: tuple[str, ...] = ()
    """Up to four lower-cased words right before the literal, nearest last (stopwords kept)."""
    after: tuple[str, ...] = ()
    """Up to two lower-cased words right after the literal."""
    cue: str | None = None
    """For phrases: the cue that introduced them (`saying`, `titled`, ...)."""

    def overlaps(self, other: QueryLiteral) -> bool:
        return self.start < other.end and other.start < self.end


_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_MONTH_RE = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"

_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW"}
_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "usd": "USD", "bucks": "USD", "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "pound": "GBP", "pounds": "GBP", "gbp": "GBP", "yen": "JPY", "jpy": "JPY", "cad": "CAD", "aud": "AUD",
    "chf": "CHF", "francs": "CHF", "inr": "INR", "rupees": "INR", "sgd": "SGD", "krw": "KRW", "won": "KRW",
    "mxn": "MXN", "pesos": "MXN", "cny": "CNY", "yuan": "CNY",
}  # fmt: skip
_CURRENCY_CODES = {"usd", "eur", "gbp", "jpy", "cad", "aud", "chf", "inr", "sgd", "krw", "mxn", "cny"}
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50,
    "hundred": 100, "dozen": 12, "single": 1, "couple": 2, "pair": 2,
}  # fmt: skip
_NOT_CODES = {"I", "A", "OK", "AM", "PM", "ID", "IDS", "TV", "FYI", "ASAP", "PS", "AND", "OR", "THE", "TO"}
_NAME_PARTICLES = {
    "de",
    "da",
    "del",
    "della",
    "di",
    "van",
    "von",
    "der",
    "den",
    "la",
    "le",
    "of",
    "du",
    "dos",
    "bin",
    "al",
}
_PATH_DIR_STOP = {"current", "new", "the", "a", "an", "my", "this", "that", "same", "parent", "whole", "entire",
                  "empty", "working", "other", "another", "your", "its", "their", "our", "his", "her", "that's"}  # fmt: skip

# Words that often open a sentence with a capital but are never names.
_COMMON_WORDS = STOPWORDS | ACTION_VERBS | {
    "send", "get", "find", "book", "buy", "check", "list", "create", "add", "delete", "remove", "cancel",
    "update", "set", "transfer", "pay", "search", "look", "convert", "schedule", "post", "order", "move",
    "copy", "open", "close", "make", "write", "read", "email", "message", "call", "text", "share", "tell",
    "give", "show", "compute", "calculate", "fetch", "retrieve", "rename", "reserve", "register", "login",
    "log", "sign", "start", "stop", "turn", "change", "increase", "decrease", "please", "hi", "hello",
    "hey", "thanks", "thank", "yes", "no", "ok", "okay", "then", "also", "next", "first", "finally",
    "afterwards", "after", "before", "once", "today", "tomorrow", "yesterday", "could", "would", "what's",
    "i'd", "i'm", "i'll", "we'd", "let's", "lets", "go", "use", "try", "see", "put", "place", "keep",
    "note", "remind", "mark", "assign", "approve", "reject", "submit", "draft", "upload", "download",
    "subscribe", "unsubscribe", "follow", "unfollow", "like", "reply", "invite", "save", "sell", "rent",
}  # fmt: skip

_PHRASE_CUES = (
    "that says", "which says", "that reads", "saying", "says", "reading",
    "with the message", "with message", "with the text", "with text", "with the note", "with note",
    "with the subject", "with subject", "with the title", "with title", "with the content", "with content",
    "with the body", "with body", "with the caption", "with the comment", "with the description",
    "titled", "entitled", "called", "named", "subject", "about", "search for", "searching for",
    "look for", "looking for", "look up", "containing", "telling them", "asking them", "asking",
)  # fmt: skip


@dataclass
class _Text:
    """The request with spans already claimed by a literal masked out."""

    source: str
    claimed: list[tuple[int, int]] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.claimed)

    def claim(self, start: int, end: int) -> None:
        self.claimed.append((start, end))


def _words_before(text: str, start: int, n: int = 4) -> tuple[str, ...]:
    words = re.findall(r"[A-Za-z']+|\d+|[$€£#]", text[:start])
    # Stop at a sentence boundary: the words of the previous sentence say nothing about this literal.
    tail = text[:start]
    cut = max(tail.rfind(". "), tail.rfind("? "), tail.rfind("! "), tail.rfind("; "), tail.rfind("\n"))
    if cut >= 0:
        words = re.findall(r"[A-Za-z']+|\d+|[$€£#]", tail[cut + 1 :])
    return tuple(w.lower() for w in words[-n:])


def _words_after(text: str, end: int, n: int = 2) -> tuple[str, ...]:
    rest = text[end:]
    cut = re.search(r"[.?!;](\s|$)|\n", rest)
    if cut:
        rest = rest[: cut.start()]
    return tuple(w.lower() for w in re.findall(r"[A-Za-z']+|\d+", rest)[:n])


def _number(text: str) -> int | float:
    clean = text.replace(",", "")
    value = float(clean)
    return int(value) if value.is_integer() and "." not in clean else value


def _date_value(year: int | None, month: int, day: int) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"


def _time_value(hour: int, minute: int, meridiem: str | None) -> str | None:
    if meridiem:
        m = meridiem.lower().replace(".", "")
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


class _Collector:
    def __init__(self, text: str) -> None:
        self.text = _Text(text)
        self.found: list[QueryLiteral] = []

    def add(
        self,
        kind: LiteralKind,
        start: int,
        end: int,
        value: Any,
        *,
        surface: str | None = None,
        unit: str | None = None,
        cue: str | None = None,
        overlap_ok: bool = False,
    ) -> bool:
        if not overlap_ok and not self.text.free(start, end):
            return False
        src = self.text.source
        self.found.append(
            QueryLiteral(
                kind=kind,
                text=surface if surface is not None else src[start:end],
                value=value,
                start=start,
                end=end,
                unit=unit,
                before=_words_before(src, start),
                after=_words_after(src, end),
                cue=cue,
            )
        )
        if not overlap_ok:
            self.text.claim(start, end)
        return True

    def scan(self, pattern: str | re.Pattern[str], flags: int = 0) -> Iterable[re.Match[str]]:
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        for match in regex.finditer(self.text.source):
            if self.text.free(match.start(), match.end()):
                yield match


def _quoted(c: _Collector) -> None:
    patterns = [
        r'"([^"\n]+)"',
        r"“([^”\n]+)”",
        r"‘([^’\n]+)’",
        r"`([^`\n]+)`",
        # Single quotes only when they cannot be apostrophes: not inside a word on either side.
        r"(?<![\w])'([^'\n]+?)'(?![\w])",
    ]
    for pattern in patterns:
        for m in c.scan(pattern):
            inner = m.group(1)
            if inner.strip():
                c.add("quoted", m.start(), m.end(), inner, surface=inner)


def _emails_urls_paths(c: _Collector) -> None:
    for m in c.scan(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"):
        c.add("email", m.start(), m.end(), m.group(0))
    for m in c.scan(r"\b(?:https?://|www\.)[^\s,;\"'<>]+[^\s,;.!?\"'<>)]"):
        c.add("url", m.start(), m.end(), m.group(0))
    segment = r"/[\w.\-]*[\w\-]"
    for m in c.scan(rf"(?<![\w.@/])(?:~|\.{{1,2}})?(?:{segment})+/?|(?<![\w/])[\w.\-]*[\w\-](?:{segment})+/?"):
        if re.fullmatch(r"[\d/.\-]+", m.group(0)):  # 3/5/2024 is a date, not a path
            continue
        c.add("path", m.start(), m.end(), m.group(0))
    for m in c.scan(r"(?<![\w.\-@])[\w\-]+(?:\.[\w\-]+)*\.(?=[a-z0-9]{0,4}[a-z])[a-z0-9]{1,5}\b"):
        c.add("path", m.start(), m.end(), m.group(0))
    # "the reports folder" names a directory without a slash.
    for m in c.scan(r"\b([\w.\-]+)\s+(?:folder|directory|dir)\b", re.IGNORECASE):
        name = m.group(1)
        if name.lower() not in _PATH_DIR_STOP and name.lower() not in STOPWORDS:
            c.add("path", m.start(1), m.end(1), name)


def _dates_times(c: _Collector) -> None:
    iso = r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:T(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    for m in c.scan(iso):
        date = _date_value(int(m["y"]), int(m["m"]), int(m["d"]))
        if date is None:
            continue
        if m["H"] is not None:
            time = _time_value(int(m["H"]), int(m["M"]), None)
            if time is not None:
                seconds = f":{m['S']}" if m["S"] else ":00"
                c.add("datetime", m.start(), m.end(), f"{date}T{time}{seconds}")
                continue
        c.add("date", m.start(), m.end(), date)
    for m in c.scan(r"\b(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})\b"):
        date = _date_value(int(m["y"]), int(m["m"]), int(m["d"]))
        if date:
            c.add("date", m.start(), m.end(), date)
    for m in c.scan(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})\b"):
        a, b = int(m["a"]), int(m["b"])
        # Month first (US style) unless the first number cannot be a month.
        month, day = (b, a) if a > 12 else (a, b)
        date = _date_value(int(m["y"]), month, day)
        if date:
            c.add("date", m.start(), m.end(), date)
    month_day = rf"\b{_MONTH_RE}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?"
    day_month = rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+(?P<y>\d{{4}})\b)?"
    for pattern in (month_day, day_month):
        for m in c.scan(pattern, re.IGNORECASE):
            month = _MONTHS[m["mon"].lower().rstrip(".")]
            date = _date_value(int(m["y"]) if m["y"] else None, month, int(m["d"]))
            if date:
                c.add("date", m.start(), m.end(), date)
    meridiem = r"(?P<mer>[ap]\.?m\.?)(?![a-z])"
    for m in c.scan(rf"\b(?P<H>\d{{1,2}}):(?P<M>\d{{2}})(?::\d{{2}})?(?:\s*{meridiem})?", re.IGNORECASE):
        time = _time_value(int(m["H"]), int(m["M"]), m["mer"])
        if time:
            c.add("time", m.start(), m.end(), time)
    for m in c.scan(rf"\b(?P<H>\d{{1,2}})\s*{meridiem}", re.IGNORECASE):
        time = _time_value(int(m["H"]), 0, m["mer"])
        if time:
            c.add("time", m.start(), m.end(), time)
    for m in c.scan(r"\b(?:noon|midday)\b", re.IGNORECASE):
        c.add("time", m.start(), m.end(), "12:00")
    for m in c.scan(r"\bmidnight\b", re.IGNORECASE):
        c.add("time", m.start(), m.end(), "00:00")


def _combine_date_time(found: list[QueryLiteral], source: str) -> list[QueryLiteral]:
    """`2024-05-03 at 14:00` also reads as one datetime (kept beside its parts, overlapping)."""
    extra = []
    dates = [x for x in found if x.kind == "date" and len(str(x.value)) == 10]
    times = [x for x in found if x.kind == "time"]
    for d in dates:
        for t in times:
            gap = source[d.end : t.start] if t.start >= d.end else None
            if gap is not None and re.fullmatch(r"\s*(?:,|at|,\s*at|T)?\s*", gap, re.IGNORECASE):
                extra.append(
                    QueryLiteral(
                        kind="datetime",
                        text=source[d.start : t.end],
                        value=f"{d.value}T{t.value}:00",
                        start=d.start,
                        end=t.end,
                        before=d.before,
                        after=t.after,
                        cue="combined",
                    )
                )
    return extra


def _ids(c: _Collector) -> None:
    patterns = [
        r"#(?P<v>\d+)\b",
        r"\b(?P<v>[A-Za-z]{1,8}(?:[-_][A-Za-z]{1,8})*[-_]\d[\w\-]*)\b",
        r"\b(?P<v>[A-Z]{1,6}\d{2,}[A-Z0-9]*)\b",
        r"\b(?P<v>\d+[-_][A-Za-z0-9][\w\-]*)\b",
        r"\b(?P<v>(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{6,})\b",
    ]
    for pattern in patterns:
        for m in c.scan(pattern):
            c.add("id", m.start(), m.end(), m["v"], surface=m["v"])


def _amounts_numbers(c: _Collector) -> None:
    num = r"(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    mult = r"(?:\s?(?P<mult>k|m|bn|thousand|million|billion)\b)?"
    symbols = "".join(re.escape(s) for s in _CURRENCY_SYMBOLS)
    words = "|".join(sorted(_CURRENCY_WORDS, key=len, reverse=True))

    def scaled(m: re.Match[str]) -> int | float:
        value = _number(m["n"])
        factor = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}.get(
            (m["mult"] or "").lower(), 1
        )
        out = value * factor
        return int(out) if float(out).is_integer() and isinstance(value, int) else out

    def currency(code: str, start: int, end: int, surface: str) -> None:
        # The currency of an amount is a value of its own ("convert 250 EUR to USD" names two).
        c.add("code", start, end, code, surface=surface, cue="currency", overlap_ok=start == end)

    for m in c.scan(rf"(?P<sym>[{symbols}])\s?{num}{mult}"):
        if c.add("amount", m.start(), m.end(), scaled(m), unit=_CURRENCY_SYMBOLS[m["sym"]]):
            currency(_CURRENCY_SYMBOLS[m["sym"]], m.start(), m.start(), m["sym"])
    for m in c.scan(rf"(?<![\w.]){num}{mult}\s?(?P<cur>{words})\b", re.IGNORECASE):
        code = _CURRENCY_WORDS[m["cur"].lower()]
        number_end = m.end("mult") if m["mult"] else m.end("n")
        if c.add("amount", m.start(), number_end, scaled(m), surface=m.group(0), unit=code):
            currency(code, m.start("cur"), m.end("cur"), m["cur"])
    for m in c.scan(rf"\b(?P<cur>{words})\s?{num}{mult}", re.IGNORECASE):
        if m["cur"].isupper() or m["cur"].lower() in _CURRENCY_CODES:
            code = _CURRENCY_WORDS[m["cur"].lower()]
            if c.add("amount", m.start("n"), m.end(), scaled(m), surface=m.group(0), unit=code):
                currency(code, m.start("cur"), m.end("cur"), m["cur"])
    named = "|".join(w for w in _CURRENCY_WORDS if w not in {"won", "bucks"})
    for m in c.scan(rf"\b(?P<cur>{named})\b", re.IGNORECASE):
        if m["cur"].isupper() or m["cur"].islower():
            currency(_CURRENCY_WORDS[m["cur"].lower()], m.start(), m.end(), m["cur"])
    for m in c.scan(rf"(?<![\w.]){num}\s?(?:%|percent\b|per cent\b)", re.IGNORECASE):
        c.add("percent", m.start(), m.end(), _number(m["n"]), unit="%")
    for m in c.scan(rf"(?<![\w.\-])(?P<sign>-)?{num}(?![\w])"):
        after = _words_after(c.text.source, m.end(), 1)
        value = -_number(m["n"]) if m["sign"] else _number(m["n"])
        c.add("number", m.start(), m.end(), value, unit=stem(after[0]) if after else None)
    words = "|".join(_NUMBER_WORDS)
    for m in c.scan(rf"\b(?:a\s+)?(?P<w>{words})\b", re.IGNORECASE):
        word = m["w"].lower()
        if word in {"couple", "pair", "dozen"} and not m.group(0).lower().startswith("a"):
            continue
        after = _words_after(c.text.source, m.end(), 2)
        if word == "couple" and after[:1] == ("of",):
            after = after[1:]
        # "one" is too often a pronoun ("the blue one"): a number only before a noun it counts.
        if word == "one" and (not after or after[0] in STOPWORDS):
            continue
        c.add("number", m.start("w"), m.end(), _NUMBER_WORDS[word], unit=stem(after[0]) if after else None)


def _codes(c: _Collector) -> None:
    for m in c.scan(r"\b[A-Z]{2,5}\b"):
        if m.group(0) not in _NOT_CODES:
            c.add("code", m.start(), m.end(), m.group(0))


def _sentence_start(source: str, start: int) -> bool:
    head = source[:start].rstrip(" \t\"'“‘(")
    return not head or head[-1] in ".!?:;\n"


def _proper_nouns(c: _Collector, extra_common: frozenset[str]) -> None:
    word = r"[A-Z][a-z]+(?:['’-][A-Za-z]+)*|[A-Z]['’][A-Z][a-z]+|Mc[A-Z][a-z]+"
    particle = "|".join(_NAME_PARTICLES)
    pattern = re.compile(rf"\b(?:{word})(?:\s+(?:(?:{particle})\s+)?(?:{word}))*\b")
    source = c.text.source
    common = _COMMON_WORDS | extra_common
    for m in c.scan(pattern):
        start = m.start()
        parts = list(re.finditer(r"\S+", m.group(0)))
        # Drop leading words that are capitalised only because they open a sentence or are ordinary
        # words (verbs, tool words), and calendar words, which belong to dates.
        while parts:
            first = parts[0].group(0)
            low = first.lower().strip("'’")
            at_start = _sentence_start(source, start + parts[0].start())
            if low in _MONTHS or low in _WEEKDAYS or (at_start and (low in common or stem(low) in common)):
                parts.pop(0)
                while parts and parts[0].group(0) in _NAME_PARTICLES:
                    parts.pop(0)
                continue
            break
        while parts and (parts[-1].group(0).lower() in _MONTHS or parts[-1].group(0).lower() in _WEEKDAYS):
            parts.pop()
        if not parts:
            continue
        s, e = start + parts[0].start(), start + parts[-1].end()
        if source[e - 2 : e] in {"'s", "’s"}:  # "Alice Baker's": the name is Alice Baker
            e -= 2
        text = source[s:e]
        if text.lower() in STOPWORDS:
            continue
        c.add("proper_noun", s, e, text)


def _phrases(c: _Collector) -> None:
    source = c.text.source
    cues = "|".join(re.escape(cue) for cue in sorted(_PHRASE_CUES, key=len, reverse=True))
    verbs = "|".join(sorted(ACTION_VERBS, key=len, reverse=True))
    boundary = re.compile(
        rf"[.;!?](?:\s|$)|,\s|\s+(?:and\s+)?then\b|\s+and\s+(?:also\s+)?(?:{verbs})\b|\s+also\s+|\n|[\"“”]",
        re.IGNORECASE,
    )
    quoted_starts = {x.start for x in c.found if x.kind == "quoted"}
    for m in re.finditer(rf"\b(?P<cue>{cues})\b\s*:?\s*", source, re.IGNORECASE):
        begin = m.end()
        if begin in quoted_starts:  # `saying "..."`: the quoted string is the value
            continue
        rest = source[begin:]
        stop = boundary.search(rest)
        value = (rest[: stop.start()] if stop else rest).rstrip()
        value = re.sub(r"\s+(?:please|thanks|thank you)$", "", value, flags=re.IGNORECASE).strip("'‘’ ")
        if not value or all(w.lower() in STOPWORDS for w in re.findall(r"[A-Za-z']+", value)):
            continue
        s = begin + rest.find(value)
        c.add("phrase", s, s + len(value), value, cue=m["cue"].lower(), overlap_ok=True)


def extract_literals(text: str, *, common_words: Sequence[str] = ()) -> list[QueryLiteral]:
    """Every value `text` states, in order of position.

    `common_words` are extra words (e.g. the offered tools' name words) that should not be read as
    names when they open a sentence with a capital letter.
    """
    c = _Collector(text)
    _quoted(c)
    _emails_urls_paths(c)
    _dates_times(c)
    _ids(c)
    _amounts_numbers(c)
    _codes(c)
    _proper_nouns(c, frozenset(w.lower() for w in common_words) | frozenset(stem(w) for w in common_words))
    _phrases(c)
    found = c.found + _combine_date_time(c.found, text)
    return sorted(found, key=lambda x: (x.start, -x.end, x.kind))


def find_enum_mentions(text: str, options: Sequence[Any]) -> list[tuple[Any, int, int]]:
    """Every mention of an enum option in `text`, as (option, start, end), longest options first
    where mentions overlap, then in order of position. Words are compared case-insensitively, with
    `_`, `-` and camelCase read as spaces and inflections tolerated ("cancelled" for CANCELED)."""
    text_words = list(re.finditer(r"[A-Za-z']+|\d+(?:\.\d+)?", text))
    text_stems = [stem(w.group(0)) for w in text_words]
    found: list[tuple[Any, int, int]] = []
    for option in options:
        if isinstance(option, bool) or option is None:
            continue
        if isinstance(option, (int, float)):
            for m in re.finditer(rf"(?<![\w.]){re.escape(str(option))}(?![\w.])", text):
                found.append((option, m.start(), m.end()))
            continue
        spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(option))
        stems = [stem(w) for w in re.findall(r"[A-Za-z']+|\d+(?:\.\d+)?", spaced)]
        if not stems:
            continue
        size = len(stems)
        for i in range(len(text_stems) - size + 1):
            if text_stems[i : i + size] == stems:
                found.append((option, text_words[i].start(), text_words[i + size - 1].end()))
    found.sort(key=lambda f: (-(f[2] - f[1]), f[1]))
    kept: list[tuple[Any, int, int]] = []
    for option, start, end in found:
        if all(end <= s or start >= e for _, s, e in kept):
            kept.append((option, start, end))
    return sorted(kept, key=lambda f: f[1])


def match_enum(text: str, options: Sequence[Any]) -> tuple[Any, int, int] | None:
    """The first enum option `text` mentions, with its span, or None (see `find_enum_mentions`)."""
    mentions = find_enum_mentions(text, options)
    return mentions[0] if mentions else None


def enum_literal(text: str, option: Any, start: int, end: int) -> QueryLiteral:
    """A literal for an enum option mentioned at `text[start:end]`."""
    return QueryLiteral(
        kind="enum",
        text=text[start:end],
        value=option,
        start=start,
        end=end,
        before=_words_before(text, start),
        after=_words_after(text, end),
    )
