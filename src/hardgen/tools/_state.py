"""Canonical state and a stable state hash.

The hash must not depend on dict insertion order, set iteration order, memory addresses or
caches, or verification would flap. Canonical form: JSON with sorted keys; sets become sorted
lists; objects contribute their public attributes only (names starting with `_` are private or
caches, and so are `functools.cached_property` values).

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


class _Canonicalizer:
    """One walk over an object graph; `active` holds the ids on the current path (cycle guard)."""

    __slots__ = ("active",)

    def __init__(self, active: frozenset[int] = frozenset()) -> None:
        self.active: set[int] = set(active)

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
        attrs = getattr(obj, "__dict__", None)
        if attrs is None and hasattr(cls, "__slots__"):
            slots = (cls.__slots__,) if isinstance(cls.__slots__, str) else cls.__slots__
            attrs = {s: getattr(obj, s) for s in slots if hasattr(obj, s)}
        if attrs is not None:
            cached = _cached_names(cls)
            return self.mapping(
                {k: v for k, v in attrs.items() if not k.startswith("_") and k not in cached and not _is_code(v)}
            )
        # Opaque objects (locks, handles): their repr, without the memory address that changes per run.
        return _ADDRESS_RE.sub("", repr(obj))


def canonical_state(obj: Any, _stack: frozenset[int] = frozenset()) -> Any:
    """A JSON-ready, order-independent rendering of `obj` for hashing and value pools."""
    return _Canonicalizer(_stack).value(obj)


def state_digest(state: Any) -> str:
    """sha256 of the canonical JSON of an already canonical state."""
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _json_view(obj: Any) -> Any:
    """For the C encoder: one level of `obj` in JSON terms (it recurses into what this returns).

    Mirrors `_Canonicalizer.other`/`compound`, which the encoder reaches only for types it does
    not serialise itself (everything but str, int, float, bool, None, list, tuple and dict)."""
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (set, frozenset)):
        if all(type(v) is str for v in obj):
            return {"__set__": sorted(obj)}
        return {"__set__": sorted((canonical_state(v) for v in obj), key=_set_order)}
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
    attrs = getattr(obj, "__dict__", None)
    if attrs is None and hasattr(cls, "__slots__"):
        slots = (cls.__slots__,) if isinstance(cls.__slots__, str) else cls.__slots__
        attrs = {s: getattr(obj, s) for s in slots if hasattr(obj, s)}
    if attrs is not None:
        cached = _cached_names(cls)
        return {k: v for k, v in attrs.items() if not k.startswith("_") and k not in cached and not _is_code(v)}
    return _ADDRESS_RE.sub("", repr(obj))


_FAST_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_view)


def state_hash(obj: Any) -> str:
    """Stable hash of an object's public state: equal states (as `canonical_state` sees them, up to
    the order of non-string keys) give equal hashes, whatever their dict and set orders."""
    try:
        text = _FAST_ENCODER.encode(obj)
    except (TypeError, ValueError):  # a cycle, or keys of mixed types: the Python walk handles both
        return state_digest(canonical_state(obj))
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def same_state(a: Any, b: Any) -> bool:
    """Whether two values are equal as canonical state (dict and set order ignored)."""
    return canonical_state(a) == canonical_state(b)
