"""Filling a tool's arguments: earlier outputs first, then known values, then typed generation.

The order is what makes sampled traces hard: a value taken from an earlier step's output along a
data-flow edge is an implicit dependency (recorded as an ArgumentSource); only when no earlier
output fits does the filler fall back to value pools (values seen in state and outputs), enums
and defaults, and finally values generated from the JSON Schema type and the parameter's name.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from hardgen.graph._fields import InputParameter, compatible
from hardgen.graph._fresh import copy_name, fresh_kind_id, fresh_value, wants_fresh_value
from hardgen.graph._graph import ApiGraph
from hardgen.graph._naming import name_tokens, tool_subject
from hardgen.graph._values import placeholder_text, value_type
from hardgen.tools import is_creating, is_destroying, is_status_text, names_new_entity

_MAX_PICK_ITEMS = 16
_CITIES = ("Rivermist", "Stonebrook", "Lisbon", "Berlin", "Tokyo", "Toronto")


@dataclass(frozen=True)
class HistoryEntry:
    """A successful earlier step the filler may draw values from."""

    step: int
    tool: str
    result: Any


@dataclass(frozen=True)
class FilledSource:
    """An argument taken from an earlier output."""

    parameter: str
    step: int
    tool: str
    path: tuple[str | int, ...]


def pick(value: Any, path: Sequence[str], rng: random.Random) -> tuple[Any, tuple[str | int, ...]] | None:
    """A value at a generic `path` inside `value` (`*`: a random element or mapping value), with
    its concrete path; None when the path does not lead to a scalar."""
    if not path:
        return (value, ()) if value_type(value) is not None else None
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(value, list):
            options: list[Any] = list(range(min(len(value), _MAX_PICK_ITEMS)))
        elif isinstance(value, dict):
            options = list(value)[:_MAX_PICK_ITEMS]
        else:
            return None
        rng.shuffle(options)
        for key in options:
            found = pick(value[key], rest, rng)
            if found is not None:
                return found[0], (key, *found[1])
        return None
    if isinstance(value, dict) and head in value:
        found = pick(value[head], rest, rng)
        return None if found is None else (found[0], (head, *found[1]))
    return None


def has_value(value: Any, path: Sequence[str]) -> bool:
    """Whether some element along a generic `path` leads to a scalar (no randomness used)."""
    if not path:
        return value_type(value) is not None
    head, rest = path[0], path[1:]
    if head == "*":
        items = value[:_MAX_PICK_ITEMS] if isinstance(value, list) else \
            list(value.values())[:_MAX_PICK_ITEMS] if isinstance(value, dict) else []
        return any(has_value(v, rest) for v in items)
    return isinstance(value, dict) and head in value and has_value(value[head], rest)


def generate_value(schema: Any, name: str, rng: random.Random, depth: int = 0, *, today: dt.date | None = None,
                   placeholders: list[str] | None = None) -> Any:
    """A plausible value for a JSON Schema, guided by the parameter's name (`email`, `date`, ...).

    Free text that nothing about the parameter tells how to fill becomes a placeholder
    (`sample grant type`); its name is added to `placeholders`, so that a caller writing data
    a person will read can refuse it.

    Dates fall a few days after `today` (the environment's own date when it has one); parameters
    that end a range (`end_date`, `check_out`, `return_date`) a week or so later than those that start it.
    """
    if not isinstance(schema, dict):
        schema = {}
    if schema.get("enum"):
        return rng.choice(list(schema["enum"]))
    if "const" in schema:
        return schema["const"]
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if t is None:
        for key in ("anyOf", "oneOf"):
            branches = [b for b in schema.get(key, []) if isinstance(b, dict) and b.get("type") != "null"]
            if branches:
                return generate_value(branches[0], name, rng, depth, today=today, placeholders=placeholders)
        t = "object" if "properties" in schema else "string"
    toks = name_tokens(name)
    if t == "boolean":
        return rng.random() < 0.5
    if t in ("integer", "number"):
        step = 1 if t == "integer" else 0.01
        lo = schema.get("minimum")
        if lo is None and isinstance(schema.get("exclusiveMinimum"), (int, float)):
            lo = schema["exclusiveMinimum"] + step
        hi = schema.get("maximum")
        if hi is None and isinstance(schema.get("exclusiveMaximum"), (int, float)):
            hi = schema["exclusiveMaximum"] - step
        if lo is None:
            lo = 1 if hi is None or hi >= 1 else hi - 99
        if hi is None or hi < lo:
            hi = lo + 99
        if t == "integer":
            return rng.randint(math.ceil(lo), max(math.ceil(lo), math.floor(hi)))
        return round(rng.uniform(float(lo), float(hi)), 2)
    if t == "array":
        if depth > 3:
            return []
        count = max(int(schema.get("minItems", 1)), 1)
        items = schema.get("items")
        if isinstance(items, dict) and items.get("type") in ("integer", "number") and not items.get("enum"):
            # The mean, sum or spread of one number is that number: an aggregate computes
            # something only over several.
            count = max(count, min(rng.randint(3, 5), int(schema.get("maxItems", 5))))
        item_name = "_".join(toks) if toks else name
        return [generate_value(schema.get("items", {}), item_name, rng, depth + 1, today=today,
                               placeholders=placeholders) for _ in range(count)]
    if t == "object":
        if depth > 3:
            return {}
        props = schema.get("properties", {}) or {}
        return {k: generate_value(v, k, rng, depth + 1, today=today, placeholders=placeholders)
                for k, v in props.items() if k in schema.get("required", [])}
    text, placeholder = _string_for(schema, toks, rng, today or _DEFAULT_TODAY)
    if placeholder and placeholders is not None:
        placeholders.append(name)
    return text


_DEFAULT_TODAY = dt.date(2025, 1, 15)
_RANGE_ENDS = frozenset({"end", "to", "until", "return", "out", "last", "finish", "due"})


def _string_for(schema: dict[str, Any], toks: tuple[str, ...], rng: random.Random,
                today: dt.date) -> tuple[str, bool]:
    """A string for the parameter, and whether it is only a placeholder."""
    placeholder = False
    fmt = schema.get("format")
    words = set(toks)
    offset = rng.randint(6, 12) if words & _RANGE_ENDS else rng.randint(1, 5)
    day = (today + dt.timedelta(days=offset)).isoformat()
    if fmt == "date-time" or words & {"datetime", "timestamp"} or ("date" in words and "time" in words):
        text = f"{day}T{rng.randint(8, 18):02d}:00:00"
    elif fmt == "date" or words & {"date", "day", "checkin", "checkout"}:
        text = day
    elif fmt == "email" or "email" in words:
        text = f"user{rng.randint(1, 99)}@example.com"
    elif fmt in ("uri", "url") or words & {"url", "uri", "link"}:
        text = "https://example.com/item"
    elif "time" in words:
        text = f"{rng.randint(8, 18):02d}:{rng.choice((0, 15, 30, 45)):02d}"
    elif "phone" in words:
        text = f"+1-555-{rng.randint(100, 999):03d}-{rng.randint(1000, 9999)}"
    elif "city" in words:
        text = rng.choice(_CITIES)
    elif "currency" in words:
        text = rng.choice(("USD", "EUR", "GBP"))
    elif "password" in words:
        text = "password123"
    elif words & {"secret", "passphrase"}:  # a client secret is a credential, not a phrase to read
        text = f"sec-{rng.randint(10000, 99999)}"
    elif "card" in words and toks[-1] == "number":
        text = "4" + "".join(str(rng.randint(0, 9)) for _ in range(15))  # a card number has 16 digits
    elif toks and toks[-1] in ("id", "key", "code", "number", "token", "ref"):
        text = f"{'_'.join(toks[:-1]) or toks[-1]}-{rng.randint(1, 999)}"
    elif "name" in words:
        text = rng.choice(("Alex Morgan", "Sam Lee", "Jordan Park"))
    elif isinstance(schema.get("examples"), list) and schema["examples"]:
        text = str(rng.choice(schema["examples"]))
    else:
        text, placeholder = placeholder_text(toks), True
    lo, hi = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10_000))
    if len(text) < lo:
        text = text + "x" * (lo - len(text))
    return text[:hi], placeholder


_SETTER = re.compile(r"(?:set|update|change|adjust|modify)(?:_|[A-Z]|$)", re.I)
_OPTIONS = re.compile(r"\b(?:options are|here are the options|one of|possible values are|allowed values are|"
                      r"valid values are|must be one of)\s*:?\s*(?P<list>[\w-]+(?:\s*(?:,|, or|, and|or)\s*[\w-]+)+)",
                      re.I)


def _near_number(known: Sequence[Any], schema: dict[str, Any], rng: random.Random) -> float | int | None:
    """Another number of the size the known ones have (a budget limit of 5000 -> 7500, not 38.63),
    within the schema's bounds; None when none is known."""
    numbers = [v for v in known if isinstance(v, (int, float)) and not isinstance(v, bool) and v]
    if not numbers:
        return None
    base = rng.choice(numbers)
    value: float | int = base * rng.choice((0.5, 0.75, 1.25, 1.5, 2.0))
    value = round(value) if isinstance(base, int) or schema.get("type") == "integer" else round(value, 2)
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if (lo is not None and value < lo) or (hi is not None and value > hi) or value == base:
        return None
    return value


def described_options(schema: Any) -> list[str] | None:
    """The values a string parameter's description lists ("Options are: economy, business, first."):
    docs that state an enum in words instead of `enum`. A value outside them fails the call
    (`Business`), and one from nowhere is only a placeholder (`sample grant type`)."""
    if not isinstance(schema, dict) or schema.get("enum") or schema.get("type") not in ("string", None):
        return None
    found = _OPTIONS.search(str(schema.get("description", "")))
    if found is None:
        return None
    options = [o for o in re.split(r"\s*(?:,\s*or|,\s*and|,|\bor\b)\s*", found.group("list")) if o]
    return options if len(options) >= 2 else None


def _has_enum(schema: Any) -> bool:
    """The schema lists its values (or its items' values; a boolean has two): they are chosen from
    there, not from pools (which hold only the values seen so far: one earlier `unlock=True`)."""
    if not isinstance(schema, dict):
        return False
    items = schema.get("items")
    return bool(schema.get("enum")) or schema.get("type") == "boolean" or (schema.get("type") == "array" and isinstance(items, dict) and bool(items.get("enum")))


def boundary_value(schema: Any, rng: random.Random) -> Any:
    """An extreme of a schema, as a tester would try: a number's minimum or maximum, every value
    of an array of enum items. None when the schema has no such edge."""
    if not isinstance(schema, dict):
        return None
    t = schema.get("type")
    if t in ("integer", "number") and "minimum" in schema and "maximum" in schema:
        return schema["minimum"] if rng.random() < 0.5 else schema["maximum"]
    items = schema.get("items")
    if t == "array" and isinstance(items, dict) and items.get("enum"):
        limit = schema.get("maxItems")
        values = list(items["enum"])
        return values if limit is None or len(values) <= limit else None
    return None


class ArgumentFiller:
    """Arguments for a tool, from a trace's history, the graph's pools and the schema."""

    def __init__(self, graph: ApiGraph, rng: random.Random, *, optional_fill: float = 0.2,
                 optional_from_history: float = 0.8, boundary_rate: float = 0.0) -> None:
        self.graph = graph
        self.rng = rng
        self.boundary_rate = boundary_rate
        """Share of generated values replaced by a boundary one (`boundary_value`): experiments
        need them (a brake pressed fully, every door), samples do not."""
        self.optional_fill = optional_fill
        self.optional_from_history = optional_from_history
        self.last_boundary: list[str] = []
        """Parameters of the last `fill` given a boundary value (not a value to learn from)."""
        self.last_placeholders: list[str] = []
        """Parameters of the last `fill` that got only a placeholder (no value fits them)."""

    def _from_history(
        self, tool: str, p: InputParameter, latest: dict[str, HistoryEntry],
        taken: Collection[tuple[int, tuple[str | int, ...]]] = (),
    ) -> tuple[Any, FilledSource] | None:
        """A value for `p` from an earlier output, none already `taken` (step, path) by a sibling
        parameter: `add(a=x, b=x)` or `power(base=x, exponent=x)` from one result is a coincidence
        of edges, not a task."""
        options = []
        destroying = is_destroying(tool)
        creating = is_creating(tool) and self.graph.spec(tool).mutates
        subject = set(tool_subject(tool))
        for source, d in self.graph.data_sources(tool, p.name):
            containers = {t for key in d["path"][:-1] if key != "*" for t in name_tokens(str(key))}
            if creating and subject and subject <= containers:
                # Registering the card number of a card already listed makes the same card twice:
                # what a creating call makes is new, never copied from the list of its own kind.
                continue
            entry = latest.get(source)
            if entry is not None:
                # Deleting what the trace itself just made undoes it, which is no task a user
                # would set: a destroying call takes its id from a lookup when it can.
                undoes = destroying and self.graph.spec(source).mutates
                options.append((undoes, -d["weight"], -entry.step, entry, d))
        options.sort(key=lambda o: (o[0], o[1], o[2]))
        for _u, _w, _s, entry, d in options:
            found = pick(entry.result, d["path"], self.rng)
            if found is None or not compatible(p.type, value_type(found[0])) or (entry.step, found[1]) in taken \
                    or is_status_text(found[0]):
                continue  # "Message deleted successfully." is what a call said of itself, not a message to send
            value = [found[0]] if p.wrap_list else found[0]
            return value, FilledSource(p.name, entry.step, entry.tool, found[1])
        return None

    def _known_strings(self, environment: str) -> set[str]:
        """Every string the pools hold for the environment (when its live state is not at hand)."""
        pools = self.graph.pools.to_json()["values"].get(environment, {})
        return {v for values in pools.values() for v in values if isinstance(v, str)}

    def _today(self, environment: str) -> dt.date | None:
        for key in ("today", "currentdate", "date", "now"):
            for value in self.graph.pools.values(environment, key)[:1]:
                if isinstance(value, str):
                    try:
                        return dt.date.fromisoformat(value[:10])
                    except ValueError:
                        continue
        return None

    def _from_record(self, tool: str, wanted: list[InputParameter]) -> dict[str, Any]:
        """Values for several parameters from one state record (a customer's name *and* pin)."""
        env = self.graph.spec(tool).environment or ""
        pools = self.graph.pools
        cover: dict[int, list[tuple[InputParameter, str]]] = {}
        for p in wanted:
            for key, score in p.keys:
                if score < 0.8:
                    continue
                for index in pools.records(env, key):
                    entries = cover.setdefault(index, [])
                    if all(q.name != p.name for q, _ in entries):
                        entries.append((p, key))
        best = max((len(v) for v in cover.values()), default=0)
        if best < 2:
            return {}
        choices = sorted(i for i, v in cover.items() if len(v) == best)
        index = self.rng.choice(choices)
        record = pools.record(env, index)
        out: dict[str, Any] = {}
        for p, key in cover[index]:
            value = record[key]
            if compatible(p.type, value_type(value)):
                out[p.name] = [value] if p.wrap_list else value
        return out

    @staticmethod
    def _names_made_thing(tool: str, parameter: str) -> bool:
        """`card_number` of `register_credit_card`: the number or code of what the call makes."""
        toks = name_tokens(parameter)
        return len(toks) > 1 and toks[-1] in ("number", "code", "id") and set(toks[:-1]) <= set(tool_subject(tool))

    def fill(self, tool: str, history: Sequence[HistoryEntry] = (),
             existing: Callable[[], Collection[str]] | None = None) -> tuple[dict[str, Any], list[FilledSource]]:
        """Arguments for `tool` and the ones that came from earlier outputs. New content (the
        name of what a creating call makes, a message's text) is fresh from the catalogue and is
        none of the strings `existing()` returns (the environment's current values)."""
        self.last_placeholders = []
        self.last_boundary = []
        spec = self.graph.spec(tool)
        props = spec.parameters.get("properties", {}) or {}
        required = set(spec.required)
        creating = spec.mutates and is_creating(tool)
        latest = {h.tool: h for h in history}
        params = {p.name: p for p in self.graph.parameters(tool)}
        args: dict[str, Any] = {}
        sources: list[FilledSource] = []
        pending: list[str] = []
        for name in props:
            p = params.get(name)
            # The name of a new entity is fresh, never copied from an earlier result.
            new_name = names_new_entity(tool, name) and wants_fresh_value(tool, name, spec.mutates)
            upstream = self._from_history(tool, p, latest, {(s.step, s.path) for s in sources}) \
                if p is not None and history and not new_name else None
            if name not in required:
                chance = self.optional_from_history if upstream is not None else self.optional_fill
                if self.rng.random() >= chance:
                    continue
            if upstream is not None:
                args[name] = upstream[0]
                sources.append(upstream[1])
            else:
                pending.append(name)
        fresh: dict[str, Any] = {}
        taken: Collection[str] | None = None
        for name in pending:
            if wants_fresh_value(tool, name, spec.mutates):
                if taken is None:
                    taken = existing() if existing is not None else self._known_strings(spec.environment or "")
                value = fresh_value(tool, name, self.rng, taken)
                if value is not None:
                    p = params.get(name)
                    fresh[name] = [value] if p is not None and p.wrap_list else value
        copies = [n for n, v in fresh.items() if isinstance(v, str) and fresh_kind_id(tool, n) == "copy_destination"]
        args.update(fresh)
        pending = [n for n in pending if n not in fresh]
        coherent = [params[n] for n in pending if n in params and not _has_enum(props[n])
                    and not (creating and self._names_made_thing(tool, n))]
        from_record = self._from_record(tool, coherent) if len(coherent) >= 2 else {}
        for name in pending:
            schema = props[name]
            p = params.get(name)
            if name in from_record:
                args[name] = from_record[name]
                continue
            options = described_options(schema)
            if options is not None:
                args[name] = self.rng.choice(options)
                continue
            # The number of the card being registered is the new card's, never a listed one's
            # (registering card 123456 again makes the same card twice).
            own = creating and self._names_made_thing(tool, name)
            # A setter given a number the state already holds (the current budget limit) changes
            # nothing: a new number, within the schema's bounds, is what setting one means.
            resets = spec.mutates and _SETTER.match(tool) is not None and isinstance(schema, dict) \
                and schema.get("type") in ("number", "integer") and not (p is not None and p.identifier)
            pooled = self.graph.pool_values(tool, p) if p is not None and not own and not resets else []
            if resets and p is not None:
                near = _near_number(self.graph.pool_values(tool, p), schema, self.rng)
                if near is not None:
                    args[name] = near
                    continue
            if pooled and not _has_enum(schema):
                # Two parameters of one call given the same known value (diff a file with
                # itself, a route from a place to the same place): another one when there is one.
                taken_here = {json.dumps(v, sort_keys=True, default=str) for v in args.values()}
                fresh_options = [v for v in pooled if json.dumps([v] if p is not None and p.wrap_list else v,
                                                                 sort_keys=True, default=str) not in taken_here]
                value = self.rng.choice(fresh_options or pooled)
                args[name] = [value] if p is not None and p.wrap_list else value
            elif isinstance(schema, dict) and "default" in schema and name not in required:
                args[name] = schema["default"]
                continue
            else:
                args[name] = generate_value(schema, name, self.rng, today=self._today(spec.environment or ""),
                                            placeholders=self.last_placeholders)
            if self.boundary_rate and self.rng.random() < self.boundary_rate:
                edge = boundary_value(schema, self.rng)
                if edge is not None:
                    args[name] = edge
                    self.last_boundary.append(name)
        for name in copies:
            # Copy `report.pdf` to `report_backup.pdf`: the catalogue's suffix alone names nothing.
            source = next((v for k, v in args.items() if k != name and isinstance(v, str) and v.strip()), None)
            if source is None:
                self.last_placeholders.append(name)
            else:
                args[name] = copy_name(source, args[name])
        ordered = {name: args[name] for name in props if name in args}
        return ordered, sources
