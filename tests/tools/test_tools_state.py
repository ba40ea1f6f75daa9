"""Stable state hashing and snapshot/restore invariants, property-based."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import threading
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from tools_fixture_envs import Inventory
from tools_fixture_gorilla_fs import SCENARIO, GorillaFileSystem

from hardgen.tools import canonical_state, class_environment, state_digest, state_hash

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
set_members = st.text(max_size=4) | st.integers(-50, 50)
json_like = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=4)
    | st.dictionaries(st.text(max_size=5), kids, max_size=5)
    | st.frozensets(set_members, max_size=5).map(set),
    max_leaves=25,
)


def reordered(value: Any) -> Any:
    """The same value with every dict built in reverse insertion order and every set rebuilt."""
    if isinstance(value, dict):
        return {k: reordered(v) for k, v in reversed(list(value.items()))}
    if isinstance(value, list):
        return [reordered(v) for v in value]
    if isinstance(value, set):
        fresh: set[Any] = set()
        for item in sorted(value, key=repr, reverse=True):
            fresh.add(item)
        return fresh
    return value


@SETTINGS
@given(json_like)
def test_hash_ignores_dict_insertion_order_and_set_order(value: Any) -> None:
    assert state_hash(reordered(value)) == state_hash(value)
    assert canonical_state(reordered(value)) == canonical_state(value)


@SETTINGS
@given(json_like)
def test_fast_hash_agrees_with_the_canonical_walk_for_string_keyed_state(value: Any) -> None:
    assert state_hash(value) == state_digest(canonical_state(value))


@SETTINGS
@given(json_like, json_like)
def test_different_states_hash_differently(a: Any, b: Any) -> None:
    if canonical_state(a) != canonical_state(b):
        assert state_hash(a) != state_hash(b)


class Mode(enum.Enum):
    ON = "on"


@dataclasses.dataclass
class Row:
    id: int
    _cache: Any = None


class Model(BaseModel):
    name: str
    tags: set[str] = set()


class Slotted:
    __slots__ = ("_hidden", "value")

    def __init__(self, value: int) -> None:
        self.value = value
        self._hidden = object()


class Holder:
    def __init__(self) -> None:
        self.when = dt.datetime(2024, 5, 1, 12, 0)
        self.price = Decimal("1.10")
        self.mode = Mode.ON
        self.blob = b"\x00\x01"
        self.row = Row(1, _cache=object())
        self.model = Model(name="m", tags={"b", "a"})
        self.slotted = Slotted(2)
        self.pairs = {(1, 2): "tuple key"}
        self.lock = threading.Lock()
        self.callback = print
        self._secret = "not state"

    @functools.cached_property
    def expensive(self) -> int:
        return 42

    def method(self) -> None:
        return None


def test_rich_objects_have_a_stable_canonical_form() -> None:
    holder = Holder()
    canon = canonical_state(holder)
    assert canon["when"] == "2024-05-01T12:00:00"
    assert canon["price"] == "1.10"
    assert canon["mode"] == "on"
    assert set(canon["blob"]) == {"__bytes__"}
    assert canon["row"] == {"id": 1}
    assert canon["model"] == {"name": "m", "tags": {"__set__": ["a", "b"]}}
    assert canon["slotted"] == {"value": 2}
    assert canon["pairs"] == {"[1,2]": "tuple key"}
    assert "0x" not in canon["lock"]  # an opaque object's repr, without its address
    assert "callback" not in canon and "_secret" not in canon and "expensive" not in canon
    before = state_hash(holder)
    assert holder.expensive == 42
    holder._secret = "changed"
    assert state_hash(holder) == before
    assert state_hash(Holder()) == before  # a fresh one, with new addresses and locks
    holder.model.tags.add("c")
    assert state_hash(holder) != before


def test_int_keys_sets_of_mixed_members_and_colliding_keys() -> None:
    assert state_hash({2: "a", 10: "b"}) == state_hash({10: "b", 2: "a"})
    mixed = {1: {"x": 1}, "1": {"y": 2}}  # would be one key in JSON: both must survive
    assert state_hash(mixed) == state_hash({"1": {"y": 2}, 1: {"x": 1}})
    assert state_hash(mixed) != state_hash({"1": {"y": 2}})
    assert len(canonical_state(mixed)) == 2
    assert canonical_state({1, "1"}) == {"__set__": ["1", 1]}  # the string first, whatever the set order
    assert state_hash({"a", 1, "b"}) == state_hash({"b", 1, "a"})


def test_numpy_values_hash_by_content() -> None:
    np = pytest.importorskip("numpy")
    big = np.arange(5000)
    changed = big.copy()
    changed[2500] = -1  # in the middle, where a repr would print "..."
    assert state_hash({"a": big}) != state_hash({"a": changed})
    assert state_hash({"a": big}) == state_hash({"a": np.arange(5000)})
    assert canonical_state({"n": np.int64(3)}) == {"n": 3}


def test_cycles_are_hashed_deterministically() -> None:
    env = class_environment(GorillaFileSystem, SCENARIO)  # directories point back to their parent
    other = class_environment(GorillaFileSystem, SCENARIO)
    assert env.state_hash() == other.state_hash()
    assert "<cycle>" in str(env.state())
    env.call("mkdir", {"dir_name": "new"})
    assert env.state_hash() != other.state_hash()


# -- snapshot / restore under random call sequences -----------------------------------------------

names = st.sampled_from(["apple", "pear", "plum", "broken"])
calls = st.one_of(
    st.builds(lambda n, q: ("add_item", {"name": n, "quantity": q}), names, st.integers(-1, 4)),
    st.builds(lambda n: ("get_item", {"name": n}), names),
    st.builds(lambda t: ("tag", {"label": t}), st.sampled_from(["a", "b", "c", "d"])),
    st.builds(lambda s, t, q: ("transfer", {"source": s, "target": t, "quantity": q}), names, names, st.integers(0, 3)),
    st.builds(lambda c: ("draw_lottery", {"count": c}), st.integers(0, 3)),
    st.just(("add_item", {"name": 5})),  # invalid arguments
    st.just(("no_such_tool", {})),
)


@SETTINGS
@given(st.lists(calls, max_size=12), st.lists(calls, max_size=8), st.integers(0, 3))
def test_restore_of_a_snapshot_gives_back_the_hash_and_the_future(
    before: list[tuple[str, dict[str, Any]]], after: list[tuple[str, dict[str, Any]]], seed: int
) -> None:
    env = class_environment(Inventory, {"items": {"apple": 2}, "tags": ["x"]}, seed=seed, timeout=None)
    for name, args in before:
        env.call(name, args)
    snap = env.snapshot()
    at_snapshot = env.state_hash()
    first = [env.call(name, args) for name, args in after]
    end = env.state_hash()
    env.restore(snap)
    assert env.state_hash() == at_snapshot
    assert [env.call(name, args) for name, args in after] == first
    assert env.state_hash() == end
    env.restore(snap)  # a snapshot can be restored more than once
    assert env.state_hash() == at_snapshot
    env.reset()
    assert env.state_hash() == class_environment(Inventory, {"items": {"apple": 2}, "tags": ["x"]}).state_hash()
