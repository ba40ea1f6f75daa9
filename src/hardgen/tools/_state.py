"""Canonical state and a stable state hash.

The hash must not depend on dict insertion order, set iteration order, memory addresses or
caches, or verification would flap. Canonical form: JSON with sorted keys; sets become sorted
lists; objects contribute their attributes except `functools.cached_property` values and dunders.

Private attributes (`_name`) are state too: a file system's working directory (`_current_dir`)
or an id counter (`_next_id`) decide what the next call does, so the *hash* sees them
(`StateView(private=True)`, what environments use), except a private random generator (where
randomness comes from, not data) and a private timestamp read from the clock. A `StateView` can leave attributes out by
name (`exclude`, glob patterns, at any depth): caches, and values that differ between two loads of
the same state (a timestamp taken at load), which `unstable_attributes` finds. What tools *show*
(value pools, `canonical_state` by default) stays the public attributes only, so a private
description string never becomes an argument value.

Worlds hold thousands of records and the verifier hashes after every replayed call, so
`state_hash` lets the C JSON encoder walk the state (sorting keys itself) and only calls back into
Python for what JSON does not know (sets, objects, enums, dates). The Python walk
(`canonical_state`) is the fallback for what that encoder refuses: cycles and dicts whose keys mix
types. Both are deterministic functions of the state's content, so equal states hash equal; the
two differ only in how they order non-string keys (the encoder sorts `{2: .., 10: ..}`
numerically), so `state_hash(x)` is not promised to equal `state_digest(canonical_state(x))`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import fnmatch
import functools
import hashlib
import inspect
import json
import random
import re
import types
from decimal import Decimal
from operator import itemgetter
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

_ADDRESS_RE = re.compile(r" at 0x[0-9A-Fa-f]+")
_first = itemgetter(0)


@functools.cache
def _cached_names(cls: type) -> frozenset[str]:
    return frozenset(
        name for klass in cls.__mro__ for name, v in vars(klass).items() if isinstance(v, functools.cached_property)
    )


@functools.cache
def _dataclass_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if not f.name.startswith("_"))


def _key(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


def _set_order(value: Any) -> tuple[str, bool]:
    # The flag breaks ties between a string and a non-string with the same text (`"1"` and `1`),
    # which would otherwise keep set iteration order, and that varies with PYTHONHASHSEED.
    return _key(value), not isinstance(value, str)


_DATA_TYPES = frozenset({str, int, float, bool, type(None), dict, list, tuple, set, frozenset})


def _is_code(value: Any) -> bool:
    """Functions, methods, classes and modules: behaviour, not state."""
    if type(value) in _DATA_TYPES:  # the common case, decided without the slower checks
        return False
    return isinstance(value, (type, types.ModuleType)) or inspect.isroutine(value) or isinstance(value, functools.partial)


def _is_numpy(cls: type) -> bool:
    """numpy arrays and scalars: their values (a repr would be truncated for large arrays)."""
    return cls.__module__ == "numpy" and hasattr(cls, "tolist")


_CLOCK_WINDOW = _dt.timedelta(days=2)


def _is_clock_reading(value: Any) -> bool:
    """A datetime close to now: a private timestamp a tool took from the clock (a file's
    `_last_modified`), which differs on every replay. Data dates (a due date, a flight) are not
    within two days of the moment the state is hashed, unless set from the clock too."""
    if type(value) is not _dt.datetime:
        return False
    now = _dt.datetime.now(value.tzinfo) if value.tzinfo is not None else _dt.datetime.now()
    return abs(now - value) <= _CLOCK_WINDOW


@dataclasses.dataclass(frozen=True)
class StateView:
    """Which attributes of objects count as their state.

    `private`: also attributes whose names start with one `_` (dunders never count). `exclude`:
    attribute names or glob patterns (`_cache*`) left out at any depth, e.g. caches, handles, or a
    timestamp taken when the state was loaded. Dict keys are data and are never excluded."""

    private: bool = False
    exclude: frozenset[str] = frozenset()

    def keeps(self, name: str) -> bool:
        if name.startswith("__") or (name.startswith("_") and not self.private):
            return False
        return not any(name == p or fnmatch.fnmatchcase(name, p) for p in self.exclude)

    def attributes(self, cls: type, attrs: dict[str, Any]) -> dict[str, Any]:
        cached = _cached_names(cls)
        # A private random generator is where randomness comes from, not data: a lookup that draws
        # from it (a simulated sensor reading) does not write.
        return {k: v for k, v in attrs.items() if k not in cached and self.keeps(k) and not _is_code(v)
                and not (k.startswith("_") and (isinstance(v, random.Random) or _is_clock_reading(v)))}


PUBLIC = StateView()
"""Public attributes only: what tools show (value pools, `canonical_state`)."""


def _attributes_of(obj: Any, cls: type) -> dict[str, Any] | None:
    attrs = getattr(obj, "__dict__", None)
    if attrs is None and hasattr(cls, "__slots__"):
        slots = (cls.__slots__,) if isinstance(cls.__slots__, str) else cls.__slots__
        attrs = {s: getattr(obj, s) for s in slots if hasattr(obj, s)}
    return attrs


class _Canonicalizer:
    """One walk over an object graph; `active` holds the ids on the current path (cycle guard)."""

    __slots__ = ("active", "view")

    def __init__(self, active: frozenset[int] = frozenset(), view: StateView = PUBLIC) -> None:
        self.active: set[int] = set(active)
        self.view = view

    def value(self, obj: Any) -> Any:
        t = type(obj)
        if t is str or t is int or t is bool or obj is None:
            return obj
        if t is dict:
            return self.mapping(obj)
        if t is list or t is tuple:
            return self.sequence(obj)
        return self.other(obj)

    def mapping(self, obj: dict[Any, Any]) -> dict[str, Any]:
        oid = id(obj)
        if oid in self.active:
            return "<cycle>"  # type: ignore[return-value]
        self.active.add(oid)
        try:
            items = []
            plain_keys = True
            for k, v in obj.items():
                if type(k) is str:
                    items.append((k, self.value(v)))
                else:
                    plain_keys = False
                    items.append((_key(self.value(k)), self.value(v)))
            if not plain_keys and len({k for k, _ in items}) != len(items):
                # Two keys render alike (1 and "1"): tag the non-string ones so neither is lost.
                items = [
                    (ks if type(k) is str else f"{ks}<{type(k).__name__}>", v)
                    for k, (ks, v) in zip(obj, items, strict=True)
                ]
            items.sort(key=_first)  # by key only: values need not be comparable
            return dict(items)
        finally:
            self.active.discard(oid)

    def sequence(self, obj: list[Any] | tuple[Any, ...]) -> list[Any]:
        oid = id(obj)
        if oid in self.active:
            return "<cycle>"  # type: ignore[return-value]
        self.active.add(oid)
        try:
            return [self.value(v) for v in obj]
        finally:
            self.active.discard(oid)

    def other(self, obj: Any) -> Any:
        if isinstance(obj, (bool, int, str)):
            return obj
        if isinstance(obj, float):
            return obj if obj == obj and obj not in (float("inf"), float("-inf")) else repr(obj)
        if isinstance(obj, enum.Enum):
            return self.value(obj.value)
        if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
            return obj.isoformat()
        if isinstance(obj, (Decimal, PurePath)):
            return str(obj)
        if isinstance(obj, (bytes, bytearray)):
            return {"__bytes__": hashlib.sha256(bytes(obj)).hexdigest()}
        if isinstance(obj, dict):
            return self.mapping(obj)
        if isinstance(obj, (list, tuple)):
            return self.sequence(obj)
        oid = id(obj)
        if oid in self.active:
            return "<cycle>"
        self.active.add(oid)
        try:
            return self.compound(obj)
        finally:
            self.active.discard(oid)

    def compound(self, obj: Any) -> Any:
        if isinstance(obj, (set, frozenset)):
            if all(type(v) is str for v in obj):  # the common case, already canonical
                return {"__set__": sorted(obj)}
            return {"__set__": sorted((self.value(v) for v in obj), key=_set_order)}
        if isinstance(obj, random.Random):
            return {"__random__": hashlib.sha256(repr(obj.getstate()).encode()).hexdigest()}
        if isinstance(obj, BaseModel):
            return self.mapping(obj.model_dump(mode="python"))
        cls: type = type(obj)  # not `type[Any]`, which mypy deems unhashable
        if dataclasses.is_dataclass(cls):
            return self.mapping({name: getattr(obj, name) for name in _dataclass_fields(cls)})
        if _is_code(obj):
            return None
        if _is_numpy(cls):
            return self.value(obj.tolist())
        attrs = _attributes_of(obj, cls)
        if attrs is not None:
            return self.mapping(self.view.attributes(cls, attrs))
        # Opaque objects (locks, handles): their repr, without the memory address that changes per run.
        return _ADDRESS_RE.sub("", repr(obj))


def canonical_state(obj: Any, _stack: frozenset[int] = frozenset(), *, view: StateView = PUBLIC) -> Any:
    """A JSON-ready, order-independent rendering of `obj` for hashing and value pools (public
    attributes only unless `view` says otherwise)."""
    return _Canonicalizer(_stack, view).value(obj)


def state_digest(state: Any) -> str:
    """sha256 of the canonical JSON of an already canonical state."""
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _json_view_for(view: StateView) -> Any:
    def json_view(obj: Any) -> Any:
        """For the C encoder: one level of `obj` in JSON terms (it recurses into what this returns).

        Mirrors `_Canonicalizer.other`/`compound`, which the encoder reaches only for types it does
        not serialise itself (everything but str, int, float, bool, None, list, tuple and dict)."""
        if isinstance(obj, enum.Enum):
            return obj.value
        if isinstance(obj, (set, frozenset)):
            if all(type(v) is str for v in obj):
                return {"__set__": sorted(obj)}
            return {"__set__": sorted((canonical_state(v, view=view) for v in obj), key=_set_order)}
        if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
            return obj.isoformat()
        if isinstance(obj, (Decimal, PurePath)):
            return str(obj)
        if isinstance(obj, (bytes, bytearray)):
            return {"__bytes__": hashlib.sha256(bytes(obj)).hexdigest()}
        if isinstance(obj, random.Random):
            return {"__random__": hashlib.sha256(repr(obj.getstate()).encode()).hexdigest()}
        if isinstance(obj, BaseModel):
            return obj.model_dump(mode="python")
        cls: type = type(obj)  # not `type[Any]`, which mypy deems unhashable
        if dataclasses.is_dataclass(cls):
            return {name: getattr(obj, name) for name in _dataclass_fields(cls)}
        if _is_code(obj):
            return None
        if _is_numpy(cls):
            return obj.tolist()
        attrs = _attributes_of(obj, cls)
        if attrs is not None:
            return view.attributes(cls, attrs)
        return _ADDRESS_RE.sub("", repr(obj))

    return json_view


@functools.lru_cache(maxsize=64)
def _encoder(view: StateView) -> json.JSONEncoder:
    return json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_view_for(view))


def state_hash(obj: Any, view: StateView = PUBLIC) -> str:
    """Stable hash of an object's state as `view` sees it: equal states (as `canonical_state` sees
    them, up to the order of non-string keys) give equal hashes, whatever their dict and set orders."""
    try:
        text = _encoder(view).encode(obj)
    except (TypeError, ValueError):  # a cycle, or keys of mixed types: the Python walk handles both
        return state_digest(canonical_state(obj, view=view))
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def same_state(a: Any, b: Any) -> bool:
    """Whether two values are equal as canonical state (dict and set order ignored)."""
    return canonical_state(a) == canonical_state(b)


def unstable_attributes(first: Any, second: Any, view: StateView) -> list[str]:
    """Attribute names whose values differ between two loads of the same state (`first` and
    `second`): nondeterministic at load (a clock, a process id), so no hash may include them.
    Walks both along the same paths and names the deepest attributes that differ; names `view`
    already excludes are not reported."""
    found: set[str] = set()

    def walk(a: Any, b: Any, depth: int, active: set[int]) -> bool:
        """Whether an unstable attribute was found beneath (a, b), which differ."""
        if depth > 64 or id(a) in active:
            return True  # back on the current path (a parent link): what differs is examined there
        active.add(id(a))
        try:
            pairs: list[tuple[str | None, Any, Any]] = []
            if isinstance(a, dict) and isinstance(b, dict):
                pairs = [(None, a[k], b[k]) for k in a.keys() & b.keys()]
            elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
                pairs = [(None, x, y) for x, y in zip(a, b, strict=False)]
            elif type(a) is type(b) and type(a) not in _DATA_TYPES and not _is_code(a) \
                    and not isinstance(a, (BaseModel, random.Random)):
                cls: type = type(a)
                attrs_a, attrs_b = _attributes_of(a, cls), _attributes_of(b, cls)
                if attrs_a is not None and attrs_b is not None:
                    kept_a, kept_b = view.attributes(cls, attrs_a), view.attributes(cls, attrs_b)
                    pairs = [(name, kept_a[name], kept_b[name]) for name in kept_a.keys() & kept_b.keys()]
            hit = False
            for name, x, y in pairs:
                if state_hash(x, view) == state_hash(y, view):
                    continue
                if walk(x, y, depth + 1, active):
                    hit = True
                elif name is not None:
                    found.add(name)  # differs, and nothing beneath explains it: this attribute is unstable
                    hit = True
            return hit
        finally:
            active.discard(id(a))

    walk(first, second, 0, set())
    return sorted(found)
