"""Slot filling: give a tool's parameters the values a request states.

Every (literal, parameter) pair gets a score: zero when the literal cannot be that parameter's JSON
type, enum, format, pattern or range; otherwise a base for type fit plus evidence that it is *this*
parameter: the literal's kind suits the parameter's words (an e-mail for `email`, a place for
`city`, an id for `order_id`), the words right before it name the parameter (`order O-1042`,
`from Lisbon` for `origin`), a number's noun names it (`3 nights`), the schema's format matches.
Pairs are then assigned greedily, best first, required parameters before optional ones, each
literal used at most once per call (overlapping readings of the same text count as one literal).
Booleans are read from phrasing ("include archived", "without archived"); optional parameters
with no convincing value are left to their defaults.

Identifier parameters (`user_id`, `account_number`) never take a name or a phrase in strict mode:
the request names *Alice*, the tool wants her id, and finding it takes another call. That is the
implicit dependency this agent does not resolve.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hardgen.agents._literals import QueryLiteral, enum_literal, find_enum_mentions
from hardgen.agents._text import NEGATIONS, stem, tokens
from hardgen.schema import ToolSpec

STRICT_THRESHOLD = 1.0
"""Least score for a value to count as stated for a parameter."""


def _words(text: str) -> frozenset[str]:
    return frozenset(tokens(text, keep_stopwords=True))


_KIND_AFFINITY: dict[str, frozenset[str]] = {
    "email": _words("email mail address recipient sender contact to from cc bcc user username login"),
    "url": _words("url link website site uri href endpoint page"),
    "path": _words("path file filename dir directory folder source destination src dst target name location"),
    "date": _words(
        "date day when deadline due birthday dob start end from to until since checkin checkout departure "
        "return arrival schedule on expiry expiration"
    ),
    "datetime": _words("date time datetime when at start end timestamp schedule deadline due"),
    "time": _words("time hour at start end when clock"),
    "amount": _words(
        "amount price cost total budget fee payment sum balance limit max min value money salary fund deposit "
        "withdraw transfer pay bid rate"
    ),
    "percent": _words("percent percentage rate discount tip tax ratio share fraction"),
    "number": _words(
        "count number num quantity amount n limit age year size day night guest person passenger seat ticket "
        "room adult child item unit page top max min value level duration minute hour week month times k "
        "degree rating score floor step share"
    ),
    "id": _words(
        "id identifier number code reference ref key order account ticket booking tracking confirmation "
        "invoice transaction user customer product item sku serial uuid"
    ),
    "code": _words(
        "code currency symbol ticker airport iata country from to origin destination language lang unit "
        "abbreviation state region stock"
    ),
    "proper_noun": _words(
        "name city place location destination origin country person user recipient contact author "
        "company username owner assignee title town region state address venue restaurant hotel team "
        "organization org customer client friend receiver sender member artist brand store employee patient "
        "doctor who first last full street area neighborhood station airport"
    ),
    "quoted": _words(
        "text message content body title name query subject note description comment path file filename "
        "keyword term string pattern caption reason label tag search input value expression code command "
        "password word phrase q"
    ),
    "phrase": _words(
        "text message content body title query subject note description comment keyword term caption reason "
        "label search q name topic"
    ),
}
_FROM_WORDS = _words("from origin source src departure depart sender start begin old orig since")
_TO_WORDS = _words("to destination dest target recipient receiver arrival arrive end new dst until into")
_PLACE_WORDS = _words("city place location town country destination origin address venue region area where")
_ID_WORDS = _words("id ids uuid identifier code symbol ticker iata sku")
_DETERMINERS = frozenset("the a an my our your his her their its this that these those".split())  # noqa: SIM905
_PREPOSITIONS = frozenset("to from for with by in at on into onto of about as than via per saying says".split())  # noqa: SIM905
_NUMERIC_STRING_WORDS = _words("zip postal phone pin code number account year digits")
_TEXT_WORDS = _KIND_AFFINITY["phrase"]
_BOOL_GENERIC = _words("is include includes including enable enabled use with allow show only flag should do has")


@dataclass(frozen=True)
class ParameterInfo:
    """What slot filling needs to know about one parameter."""

    name: str
    schema: dict[str, Any]
    required: bool
    types: frozenset[str]
    """JSON types it accepts (empty: any)."""
    enum: tuple[Any, ...] | None
    name_words: frozenset[str]
    description_words: frozenset[str]
    position: int

    @property
    def is_identifier(self) -> bool:
        words = tokens(self.name, keep_stopwords=True)
        return bool(words) and (
            words[-1] in _ID_WORDS or (words[-1] in {"number", "no", "num"} and "string" in self.types)
        )

    @property
    def words(self) -> frozenset[str]:
        return self.name_words | self.description_words


def _collect(schema: dict[str, Any], key: str) -> list[Any]:
    values: list[Any] = []
    if key in schema:
        raw = schema[key]
        values.extend(raw if isinstance(raw, list) and key == "type" else [raw] if key == "type" else raw)
    for sub_key in ("anyOf", "oneOf"):
        for sub in schema.get(sub_key, []) or []:
            if isinstance(sub, dict):
                values.extend(_collect(sub, key))
    return values


def parameter_infos(tool: ToolSpec) -> list[ParameterInfo]:
    """The parameters of `tool`, with the types, enum options and words slot filling uses."""
    required = set(tool.required)
    infos = []
    for position, (name, schema) in enumerate((tool.parameters.get("properties") or {}).items()):
        schema = schema if isinstance(schema, dict) else {}
        types = {t for t in _collect(schema, "type") if isinstance(t, str) and t != "null"}
        enum = [e for e in _collect(schema, "enum") if e is not None]
        if "const" in schema:
            enum.append(schema["const"])
        infos.append(
            ParameterInfo(
                name=name,
                schema=schema,
                required=name in required,
                types=frozenset(types),
                enum=tuple(enum) or None,
                name_words=_words(name),
                description_words=frozenset(tokens(str(schema.get("description", "")))),
                position=position,
            )
        )
    return infos


@dataclass(frozen=True)
class ArgumentChoice:
    """One filled argument and where its value came from (for the agent's narration)."""

    parameter: str
    value: Any
    source: str
    """In words: `the quoted string "hi"`, `the date 2024-05-01`, `phrasing ("without archived")`."""
    score: float
    literals: tuple[QueryLiteral, ...] = ()


@dataclass(frozen=True)
class SlotFill:
    """A tool with the arguments slot filling found for it."""

    tool: ToolSpec
    arguments: dict[str, Any]
    choices: list[ArgumentChoice] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Required parameters no stated value fits."""
    guessed: list[str] = field(default_factory=list)
    """Required parameters filled, outside strict mode, with a value that only fits by type."""

    @property
    def complete(self) -> bool:
        """Every required parameter has a value the request states for it."""
        return not self.missing and not self.guessed

    @property
    def evidence(self) -> float:
        return sum(c.score for c in self.choices)


def describe_literal(lit: QueryLiteral) -> str:
    names = {
        "quoted": "the quoted string",
        "email": "the e-mail address",
        "url": "the URL",
        "path": "the path",
        "datetime": "the date and time",
        "date": "the date",
        "time": "the time",
        "amount": "the amount",
        "percent": "the percentage",
        "number": "the number",
        "id": "the identifier",
        "code": "the code",
        "proper_noun": "the name",
        "phrase": "the phrase",
        "enum": "the option",
    }
    return f"{names.get(lit.kind, lit.kind)} {lit.text!r}"


def _json_value(lit: QueryLiteral, info: ParameterInfo, item_types: frozenset[str] | None = None) -> tuple[bool, Any]:
    """(fits, value) for `lit` as a value of the parameter's JSON type."""
    types = item_types if item_types is not None else info.types
    value = lit.value
    if lit.kind == "enum":
        return True, value
    if not types:
        return True, value
    numeric = lit.kind in {"number", "amount", "percent"} or (lit.kind == "id" and str(value).isdigit())
    if "integer" in types and numeric:
        number = int(value) if str(value).isdigit() else value
        if isinstance(number, int) or (isinstance(number, float) and number.is_integer()):
            return True, int(number)
    if "number" in types and numeric:
        return True, int(value) if str(value).isdigit() else value
    if "string" in types:
        return True, str(value)
    return False, None


def _within_constraints(value: Any, schema: dict[str, Any]) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return False
    if isinstance(value, str):
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                if not re.search(pattern, value):
                    return False
            except re.error:
                pass
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return False
        if "minLength" in schema and len(value) < schema["minLength"]:
            return False
    return True


_FORMATS = {"email": {"email"}, "date": {"date"}, "date-time": {"datetime"}, "time": {"time"}, "uri": {"url"},
            "url": {"url"}}  # fmt: skip


def score_pair(
    lit: QueryLiteral, info: ParameterInfo, *, strict: bool, sole: bool, item_types: frozenset[str] | None = None
) -> tuple[float, Any]:
    """Score of `lit` as the value of parameter `info` (0: it cannot be), and the value to send."""
    if info.enum is not None and lit.kind != "enum":
        # Enum parameters take only mentions of their options (literal values that equal an option
        # are found as mentions too).
        return 0.0, None
    fits, value = _json_value(lit, info, item_types)
    if not fits or not _within_constraints(value, info.schema):
        return 0.0, None
    fmt = info.schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS and lit.kind not in _FORMATS[fmt]:
        return 0.0, None
    if lit.kind == "enum":
        score = 3.0
    else:
        score = 0.5
        affinity = _KIND_AFFINITY.get(lit.kind, frozenset())
        if affinity & info.name_words:
            score += 2.0
        elif affinity & info.description_words:
            score += 1.0
        if isinstance(fmt, str) and fmt in _FORMATS:
            score += 3.0
        # A number into a string parameter only when the parameter is a code or a number-string.
        numeric_text = isinstance(value, str) and lit.kind in {"number", "amount", "percent"}
        if numeric_text and not (info.is_identifier or info.words & _NUMERIC_STRING_WORDS):
            if strict:
                return 0.0, None
            score -= 0.4
        if info.is_identifier:
            if lit.kind in {"id", "number", "code", "quoted"}:
                score += 1.5
            elif lit.kind == "email" and "email" in info.words:
                score += 1.0
            elif strict:
                return 0.0, None
        if strict:
            # Values whose kind says nothing about this parameter must earn it through context.
            if (
                lit.kind in {"email", "url", "date", "datetime", "time", "phrase"}
                and not (affinity & info.words)
                and not sole
            ):
                return 0.0, None
            if lit.kind == "phrase" and not (info.words & _TEXT_WORDS):
                return 0.0, None
        if (
            lit.kind == "proper_noun"
            and info.words & _PLACE_WORDS
            and lit.before
            and lit.before[-1] in {"in", "at", "near", "from", "to", "around"}
        ):
            score += 0.5
        if lit.kind == "phrase":
            score -= 0.25  # a quoted string, when there is one, is the clearer reading
    # Context: the noun right before the literal names the parameter ("order O-1042", "the employee
    # Farid", "booking number 7"). A preposition in between breaks that: in "message to Emeka" the
    # message is not Emeka.
    near = [stem(w) for w in lit.before[-3:]]
    adjacent: list[str] = []
    for word in reversed(lit.before):
        if word in _DETERMINERS:
            continue
        if word in _PREPOSITIONS or len(adjacent) == 2:
            break
        adjacent.append(stem(word))
    # ...when the literal's kind is a plausible value for the parameter at all: in "Message Alice" the
    # verb names the `text` parameter, but a name is no message text.
    plausible = (
        lit.kind == "enum"
        or bool(_KIND_AFFINITY.get(lit.kind, frozenset()) & info.words)
        or not any(aff & info.words for aff in _KIND_AFFINITY.values())
    )
    if set(adjacent) & info.name_words:
        score += 2.5 if plausible else 0.5
    elif set(adjacent) & info.description_words:
        score += 0.5
    last = near[-1] if near else None
    toward = last in {"to", "into", "until"}
    if (last == "from" and info.name_words & _FROM_WORDS) or (toward and info.name_words & _TO_WORDS):
        score += 1.5
    elif last in {"from", "to"} and info.name_words & (_FROM_WORDS | _TO_WORDS):
        score -= 1.0  # "from X" is not the destination, "to X" not the origin
    if lit.unit and lit.kind == "number" and lit.unit in info.words:
        score += 2.5
    if lit.kind == "amount" and lit.unit and "currency" in info.words:
        score -= 0.5  # the amount, not its currency
    if sole and lit.kind != "enum":
        score += 0.5
    return score, value


def _boolean(info: ParameterInfo, text: str) -> tuple[bool, str] | None:
    """(value, evidence) when the request speaks about a boolean parameter, else None."""
    key = [w for w in tokens(info.name, keep_stopwords=True) if w not in _BOOL_GENERIC]
    if not key:
        return None
    words = re.findall(r"[A-Za-z']+", text)
    stems = [stem(w) for w in words]
    for i, s in enumerate(stems):
        if s == key[0] and stems[i : i + len(key)] == key[: len(stems) - i]:
            window = [w.lower() for w in words[max(0, i - 3) : i]]
            negated = any(w in NEGATIONS or w.endswith("n't") for w in window)
            phrase = " ".join(words[max(0, i - 3) : i + len(key)])
            return (not negated), phrase
    return None


def fill_arguments(
    tool: ToolSpec,
    text: str,
    literals: Sequence[QueryLiteral],
    *,
    strict: bool = True,
) -> SlotFill:
    """Arguments for `tool` from the literals of `text`.

    Strict mode fills a parameter only with a value that the request states *for* it (see the
    module docstring). Outside strict mode a required parameter that is still empty takes any
    unused value of the right type: what a model does when it guesses, so that the call can fail
    with an informative error instead of not being made.
    """
    infos = parameter_infos(tool)
    pool = list(literals)
    for info in infos:
        if info.enum is not None:
            pool.extend(enum_literal(text, o, s, e) for o, s, e in find_enum_mentions(text, info.enum))
    typed = [i for i in infos if i.enum is None and "boolean" not in i.types]
    arguments: dict[str, Any] = {}
    choices: list[ArgumentChoice] = []
    used: list[QueryLiteral] = []

    def free(lit: QueryLiteral) -> bool:
        return all(not lit.overlaps(u) for u in used)

    def candidates(
        info: ParameterInfo, strict_now: bool, item_types: frozenset[str] | None = None
    ) -> list[tuple[float, QueryLiteral, Any]]:
        same_type = [i for i in typed if i.required and (i.types & info.types or not i.types)]
        sole = info.required and len(same_type) <= 1
        out = []
        for lit in pool:
            if lit.kind == "enum" and (info.enum is None or lit.value not in info.enum):
                continue
            score, value = score_pair(lit, info, strict=strict_now, sole=sole, item_types=item_types)
            if score > 0:
                out.append((score, lit, value))
        return out

    def assign(group: list[ParameterInfo], threshold: float, strict_now: bool) -> None:
        pairs = []
        for info in group:
            if info.name in arguments or ("boolean" in info.types and info.enum is None):
                continue
            if "array" in info.types and info.enum is None:
                item_types = frozenset(
                    t for t in _collect(info.schema.get("items") or {}, "type") if isinstance(t, str) and t != "null"
                )
                for score, lit, value in candidates(info, strict_now, item_types):
                    pairs.append((score, lit, info, value))
                continue
            for score, lit, value in candidates(info, strict_now):
                pairs.append((score, lit, info, value))
        # Same-kind values go to parameters in the order both appear (first date -> first date field).
        rank: dict[tuple[str, str], int] = {}
        for kind in {lit.kind for _, lit, _, _ in pairs}:
            lits = sorted({lit for _, lit, _, _ in pairs if lit.kind == kind}, key=lambda x: x.start)
            for i, lit in enumerate(lits):
                rank[(kind, f"lit:{lit.start}")] = i
            params = sorted({info.position for _, lit, info, _ in pairs if lit.kind == kind})
            for i, pos in enumerate(params):
                rank[(kind, f"param:{pos}")] = i
        ordered = sorted(
            pairs,
            key=lambda p: (
                -(
                    p[0]
                    - 0.05 * abs(rank[(p[1].kind, f"lit:{p[1].start}")] - rank[(p[1].kind, f"param:{p[2].position}")])
                ),
                p[2].position,
                p[1].start,
            ),
        )
        for score, lit, info, value in ordered:
            if score < threshold or info.name in arguments or not free(lit):
                continue
            if "array" in info.types and info.enum is None:
                items = [(s, x, v) for s, x, i2, v in ordered if i2 is info and x.kind == lit.kind and s >= threshold]
                chosen: list[QueryLiteral] = []
                values: list[Any] = []
                for _, x, v in sorted(items, key=lambda t: t[1].start):
                    if free(x) and all(not x.overlaps(c) for c in chosen):
                        chosen.append(x)
                        values.append(v)
                used.extend(chosen)
                arguments[info.name] = values
                sources = ", ".join(describe_literal(x) for x in chosen)
                choices.append(ArgumentChoice(info.name, values, sources, score, tuple(chosen)))
                continue
            used.append(lit)
            arguments[info.name] = value
            choices.append(ArgumentChoice(info.name, value, describe_literal(lit), round(score, 3), (lit,)))

    required = [i for i in infos if i.required]
    optional = [i for i in infos if not i.required]
    assign(required, STRICT_THRESHOLD, True)
    guessed: list[str] = []
    if not strict:
        before = set(arguments)
        assign(required, 0.01, False)
        guessed = [n for n in arguments if n not in before]
    assign(optional, STRICT_THRESHOLD, True)

    for info in infos:
        if "boolean" not in info.types or info.name in arguments:
            continue
        said = _boolean(info, text)
        if said is not None:
            arguments[info.name] = said[0]
            choices.append(ArgumentChoice(info.name, said[0], f"phrasing ({said[1]!r})", 1.0))
        elif info.required:
            arguments[info.name] = bool(info.schema.get("default", False))
            choices.append(ArgumentChoice(info.name, arguments[info.name], "not mentioned, so assumed", 0.1))
    # Single-option enums are never a question.
    for info in infos:
        if info.required and info.name not in arguments and info.enum is not None and len(info.enum) == 1:
            arguments[info.name] = info.enum[0]
            choices.append(ArgumentChoice(info.name, info.enum[0], "the only allowed option", 1.0))

    missing = [i.name for i in infos if i.required and i.name not in arguments]
    ordered_args = {i.name: arguments[i.name] for i in infos if i.name in arguments}
    ordered_choices = sorted(choices, key=lambda c: next(i.position for i in infos if i.name == c.parameter))
    return SlotFill(tool=tool, arguments=ordered_args, choices=ordered_choices, missing=missing, guessed=guessed)
