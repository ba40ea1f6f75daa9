"""Canonical state and a stable state hash.

The hash must not depend on dict insertion order, set iteration order, memory addresses or
caches, or verification would flap. Canonical form: JSON with sorted keys; sets become sorted
lists; objects contribute their public attributes only (names starting with `_` are private or
caches, and so are `functools.cached_property` values).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import functools
import hashlib
import json
import random
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel


def _cached_names(cls: type) -> frozenset[str]:
    return frozenset(
        name for klass in cls.__mro__ for name, v in vars(klass).items() if isinstance(v, functools.cached_property)
    )


def _key(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


def canonical_state(obj: Any, _stack: frozenset[int] = frozenset()) -> Any:
    """A JSON-ready, order-independent rendering of `obj` for hashing and value pools."""
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else repr(obj)
    if isinstance(obj, enum.Enum):
        return canonical_state(obj.value, _stack)
    if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
        return obj.isoformat()
    if isinstance(obj, (Decimal, PurePath)):
        return str(obj)
    if isinstance(obj, bytes):
        return {"__bytes__": hashlib.sha256(obj).hexdigest()}
    if id(obj) in _stack:
        return "<cycle>"
    stack = _stack | {id(obj)}
    if isinstance(obj, dict):
        items = ((_key(canonical_state(k, stack)), canonical_state(v, stack)) for k, v in obj.items())
        return dict(sorted(items))
    if isinstance(obj, (list, tuple)):
        return [canonical_state(v, stack) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return {"__set__": sorted((canonical_state(v, stack) for v in obj), key=_key)}
    if isinstance(obj, random.Random):
        return {"__random__": hashlib.sha256(repr(obj.getstate()).encode()).hexdigest()}
    if isinstance(obj, BaseModel):
        return canonical_state(obj.model_dump(mode="python"), stack)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if not f.name.startswith("_")}
        return canonical_state(fields, stack)
    if callable(obj) or isinstance(obj, type):
        return None
    attrs = getattr(obj, "__dict__", None)
    if attrs is None and hasattr(obj, "__slots__"):
        attrs = {s: getattr(obj, s) for s in obj.__slots__ if hasattr(obj, s)}
    if attrs is not None:
        cached = _cached_names(type(obj))
        public = {
            k: v
            for k, v in attrs.items()
            if not k.startswith("_") and k not in cached and not callable(v) and not isinstance(v, type)
        }
        return canonical_state(public, stack)
    return repr(obj)


def state_digest(state: Any) -> str:
    """sha256 of the canonical JSON of an already canonical state."""
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_hash(obj: Any) -> str:
    """Stable hash of an object's public state."""
    return state_digest(canonical_state(obj))
