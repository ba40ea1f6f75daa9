"""Concrete values: walking JSON results and states, and the value pools built from them.

Pools are part of the parameter constraints P: values seen in environment state, in tool outputs
and in arguments that a tool accepted, keyed by the same compact names the matcher uses. The
sampler draws from them when no earlier output in the trace can feed a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from hardgen.graph._fields import field_keys
from hardgen.graph._naming import name_tokens, singular
from hardgen.tools import is_status_text

MAX_POOL = 64
MAX_LIST_ITEMS = 8
MAX_STRING = 200
Leaf = tuple[tuple[str | int, ...], tuple[str, ...], Any]
"""(concrete path, generic path with `*` for elements, value)."""


_FILE_NAME = re.compile(r"^[\w\- ]+\.[A-Za-z][A-Za-z0-9]{0,4}$")


def _names_files(obj: dict[Any, Any]) -> bool:
    """A folder's entries keyed by name: most keys are file names (`report.txt`), the rest folders."""
    return sum(isinstance(k, str) and bool(_FILE_NAME.match(k)) for k in obj) * 2 >= len(obj)


def _is_mapping_of_records(obj: dict[Any, Any]) -> bool:
    # {"USR1": {...}, "USR2": {...}} or {"notes.txt": {...}, "old": {...}}: the keys are
    # identifiers or names, not property names.
    return len(obj) >= 2 and all(isinstance(v, dict) for v in obj.values()) and all(isinstance(k, str) for k in obj) \
        and (all(any(c.isdigit() for c in k) for k in obj) or len(obj) > 8 or _names_files(obj))


def _key_name(parent: str, obj: dict[Any, Any]) -> str:
    """The field name a mapping's keys are values of: `user_id` under `users`, `file_name` for a folder."""
    if _names_files(obj):
        return "file_name"
    return "_".join((*name_tokens(singular(parent)), "id")) if parent else "id"


def placeholder_text(tokens: tuple[str, ...]) -> str:
    """What typed generation writes where nothing tells it a value (`sample grant type`)."""
    return f"sample {' '.join(tokens) or 'text'}"


_PLACEHOLDER = re.compile(r"^sample [a-z0-9 ]+$")


def is_placeholder(value: Any) -> bool:
    """A value typed generation made up (`placeholder_text`): never one to learn, wherever it was
    seen (an agent's call in a probe uses it as readily as a sampler would)."""
    return isinstance(value, str) and bool(_PLACEHOLDER.match(value))


_MAP_WORDS = frozenset({"map", "mapping", "lookup", "index", "directory", "registry"})


def _looks_like_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 32 and " " not in value and any(c.isdigit() for c in value)


def keyed_map_names(name: str, obj: Any) -> tuple[str, str] | None:
    """A mapping of scalars whose keys are data: `user_map: {"Alice": "USR001"}`, `name_to_id`,
    `id_by_name`. Returns the field names its keys and its values are (`user_name`, `user_id`),
    or None. Left unread, "Alice" would become a field name and `USR001` a value of it."""
    if not isinstance(obj, dict) or len(obj) < 2 or not all(value_type(v) is not None and not isinstance(v, bool)
                                                           for v in obj.values()):
        return None
    toks = name_tokens(name)
    if len(toks) >= 3 and "to" in toks[1:-1]:
        cut = toks.index("to", 1)
        return "_".join(toks[:cut]), "_".join(toks[cut + 1:])
    if len(toks) >= 3 and "by" in toks[1:-1]:
        cut = toks.index("by", 1)
        return "_".join(toks[cut + 1:]), "_".join(toks[:cut])
    if len(toks) >= 2 and toks[-1] in _MAP_WORDS:
        entity = "_".join(singular(t) for t in toks[:-1])
        keys_are_ids = all(_looks_like_id(k) for k in obj)
        values_are_ids = all(_looks_like_id(v) for v in obj.values())
        return (f"{entity}_id" if keys_are_ids else f"{entity}_name",
                f"{entity}_id" if values_are_ids and not keys_are_ids else entity)
    return None


def iter_leaves(obj: Any, *, max_leaves: int = 4096, max_items: int = MAX_LIST_ITEMS, max_depth: int = 8) -> Iterator[Leaf]:
    """Scalar leaves of a JSON value, at most `max_items` elements per list (results can be long).

    Identifier keys of a mapping of records (`{"USR1": {...}}`) are yielded too, as a leaf whose
    generic path ends in `<mapping>_id`, so a state's user table seeds the `user_id` pool.
    """
    count = 0
    stack: list[tuple[Any, tuple[str | int, ...], tuple[str, ...], int]] = [(obj, (), (), 0)]
    while stack and count < max_leaves:
        node, path, generic, depth = stack.pop()
        if isinstance(node, dict):
            if depth >= max_depth:
                continue
            parent = next((g for g in reversed(generic) if g != "*"), "")
            keyed = keyed_map_names(parent, node) if parent else None
            if _is_mapping_of_records(node):
                id_name = _key_name(parent, node)
                for i, (k, v) in enumerate(node.items()):
                    if i >= max_items * 4:
                        break
                    count += 1
                    yield (*path, k), (*generic, id_name), k
                    stack.append((v, (*path, k), (*generic, "*"), depth + 1))
            elif keyed is not None:
                for i, (k, v) in enumerate(node.items()):
                    if i >= max_items * 4:
                        break
                    count += 2
                    yield (*path, k), (*generic, keyed[0]), k
                    if isinstance(v, (int, float)) or (isinstance(v, str) and 0 < len(v) <= MAX_STRING):
                        yield (*path, k), (*generic, keyed[1]), v
            else:
                for k, v in reversed(list(node.items())):
                    stack.append((v, (*path, str(k)), (*generic, str(k)), depth + 1))
        elif isinstance(node, list):
            if depth >= max_depth:
                continue
            for i in reversed(range(min(len(node), max_items))):
                stack.append((node[i], (*path, i), (*generic, "*"), depth + 1))
        elif isinstance(node, bool) or node is None:
            continue
        elif isinstance(node, (int, float)) or (isinstance(node, str) and 0 < len(node) <= MAX_STRING):
            count += 1
            yield path, generic, node


def leaf_keys(generic: tuple[str, ...], subject: tuple[str, ...]) -> list[tuple[str, float]]:
    """Matching keys of a leaf from its generic path (same rules as schema fields)."""
    named = [g for g in generic if g != "*"]
    if named:
        toks = name_tokens(named[-1])
        container = name_tokens(named[-2]) if len(named) > 1 else subject
    else:
        toks, container = subject, subject
    if not toks:
        return []
    return field_keys(toks, container, subject)


def value_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def iter_records(obj: Any, *, max_records: int = 4096, max_depth: int = 8) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Objects of a JSON value that hold scalars, as (generic path, {field: value}).

    A record inside a mapping of records also gets its mapping key, as `<mapping>_id`. A record
    ties values together: the `pin` of the customer whose `name` is used to log in.
    """
    count = 0
    stack: list[tuple[Any, tuple[str, ...], int, dict[str, Any]]] = [(obj, (), 0, {})]
    while stack and count < max_records:
        node, generic, depth, inherited = stack.pop()
        if depth > max_depth:
            continue
        if isinstance(node, dict):
            if _is_mapping_of_records(node):
                parent = next((g for g in reversed(generic) if g != "*"), "")
                id_name = _key_name(parent, node)
                for k, v in list(node.items())[: MAX_POOL * 4]:
                    stack.append((v, (*generic, "*"), depth + 1, {id_name: k}))
                continue
            scalars = {k: v for k, v in node.items() if value_type(v) is not None}
            scalars = {**inherited, **scalars}
            if len(scalars) >= 2:
                count += 1
                yield generic, scalars
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    stack.append((v, (*generic, str(k)), depth + 1, {}))
        elif isinstance(node, list):
            for item in node[:MAX_LIST_ITEMS * 4]:
                stack.append((item, (*generic, "*"), depth + 1, {}))


def _scalar_mappings(obj: Any, max_depth: int = 4) -> Iterator[tuple[str, dict[str, Any]]]:
    """Dicts of scalars keyed by something (`{"passwords": {"alice": "pw1"}}`), with their name."""
    stack: list[tuple[Any, str, int]] = [(obj, "", 0)]
    while stack:
        node, name, depth = stack.pop()
        if not isinstance(node, dict) or depth > max_depth:
            continue
        if name and len(node) >= 2 and all(value_type(v) is not None for v in node.values()):
            yield name, node
            continue
        for k, v in node.items():
            if isinstance(v, dict):
                stack.append((v, str(k), depth + 1))


class ValuePools:
    """Values seen per environment and compact key, first seen first, at most MAX_POOL per key,
    plus records (values that belong together) from environment states.

    Environment `""` holds values from every environment, the fallback when a tool's own
    environment has none.
    """

    def __init__(self) -> None:
        self._pools: dict[str, dict[str, list[Any]]] = {}
        self._seen: dict[tuple[str, str], set[Any]] = {}
        self._records: dict[str, list[dict[str, Any]]] = {}
        self._record_index: dict[tuple[str, str], list[int]] = {}

    def add_record(self, environment: str, record: dict[str, Any]) -> None:
        """Remember values that belong together (keys are compact matching keys)."""
        records = self._records.setdefault(environment, [])
        if len(records) >= MAX_POOL * 64 or len(record) < 2:
            return
        records.append(record)
        for key in record:
            self._record_index.setdefault((environment, key), []).append(len(records) - 1)

    def records(self, environment: str, key: str) -> list[int]:
        return self._record_index.get((environment, key), [])

    def record(self, environment: str, index: int) -> dict[str, Any]:
        return self._records[environment][index]

    def learn_state(self, environment: str, state: Any, *, max_leaves: int = 20000) -> None:
        """Learn an environment's state: its values, and its records for coherent arguments."""
        self.learn(environment, state, max_leaves=max_leaves)
        for generic, fields in iter_records(state):
            record: dict[str, Any] = {}
            for name, value in fields.items():
                for key, score in leaf_keys((*generic, name), ()):
                    if score >= 0.85:
                        record.setdefault(key, value)
            self.add_record(environment, record)
        # {"passwords": {"alice": "pw1"}}: the keys are values of some known field (a username);
        # find which by pool membership, and record each pair.
        env_pools = self._pools.get(environment, {})
        for name, mapping in _scalar_mappings(state):
            keyed = keyed_map_names(name, mapping)
            if keyed is not None:  # user_map: each name with its id
                key_keys = [k for k, score in leaf_keys((keyed[0],), ()) if score >= 0.85][:1]
                value_keys = [k for k, score in leaf_keys((keyed[1],), ()) if score >= 0.85][:1]
                if key_keys and value_keys and key_keys != value_keys:
                    for k, v in list(mapping.items())[: MAX_POOL * 4]:
                        self.add_record(environment, {key_keys[0]: k, value_keys[0]: v})
                continue
            probe = list(mapping)[:4]
            owner = next((k for k, values in env_pools.items()
                          if all((type(p).__name__, p) in self._seen.get((environment, k), ()) for p in probe)), None)
            value_key = "".join(name_tokens(singular(name)))
            if owner is None or owner == value_key:
                continue
            for k, v in mapping.items():
                self.add_record(environment, {owner: k, value_key: v})

    def add(self, environment: str, key: str, value: Any) -> None:
        if value_type(value) is None or value == "<cycle>":  # a back-reference in the state, not a value
            return
        if is_status_text(value) or is_placeholder(value):  # "Contact 'x' added successfully.": not data
            return
        for env in (environment, "") if environment else ("",):
            seen = self._seen.setdefault((env, key), set())
            marker = (type(value).__name__, value)
            if marker in seen:
                continue
            pool = self._pools.setdefault(env, {}).setdefault(key, [])
            if len(pool) < MAX_POOL:
                pool.append(value)
                seen.add(marker)

    def learn(self, environment: str, obj: Any, subject: tuple[str, ...] = (), *, max_leaves: int = 4096) -> None:
        """Add every leaf of `obj` (a result or a state) under the keys of its path. A result that
        is only a sentence (`append_insight` -> "Insight added to memo") is what the call says
        about itself, not a value of its subject: as one it became the next insight's text."""
        if isinstance(obj, str) and len(obj.split()) >= 3:
            return
        for _path, generic, value in iter_leaves(obj, max_leaves=max_leaves):
            for key, score in leaf_keys(generic, subject):
                if score >= 0.85:
                    self.add(environment, key, value)

    def values(self, environment: str, key: str) -> list[Any]:
        """Values for `key`: the environment's own first, else every environment's."""
        own = self._pools.get(environment, {}).get(key)
        if own:
            return own
        return self._pools.get("", {}).get(key, [])

    def keys_ending_with(self, environment: str, suffix: str) -> list[str]:
        """Keys of the environment's own pools that end with `suffix` (`staffpin` for `pin`)."""
        return sorted(k for k in self._pools.get(environment, {}) if k != suffix and k.endswith(suffix))

    def keys(self) -> int:
        return sum(len(p) for e, p in self._pools.items() if e == "")

    def size(self, environment: str, key: str) -> int:
        return len(self.values(environment, key))

    def to_json(self) -> dict[str, Any]:
        return {"values": {env: {k: list(v) for k, v in pools.items()} for env, pools in self._pools.items()},
                "records": {env: list(records) for env, records in self._records.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ValuePools:
        pools = cls()
        for env, by_key in data.get("values", {}).items():
            for key, values in by_key.items():
                for v in values:
                    if env == "":
                        pools.add(env, key, v)
                    else:
                        pools._add_only(env, key, v)
        for env, records in data.get("records", {}).items():
            for record in records:
                pools.add_record(env, record)
        return pools

    def _add_only(self, env: str, key: str, value: Any) -> None:
        seen = self._seen.setdefault((env, key), set())
        marker = (type(value).__name__, value)
        if marker not in seen and value_type(value) is not None:
            self._pools.setdefault(env, {}).setdefault(key, []).append(value)
            seen.add(marker)


_IDENTIFIER = re.compile(r"^(?=[^\s]*\d)(?=[^\s]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_.:/-]{6,79}$")


def looks_like_identifier(value: Any) -> bool:
    """A string that names one thing and that nobody would make up: seven characters or more, no
    space, letters and digits both (a commit sha, `ORD-20931`); not a word, a name or a number."""
    return isinstance(value, str) and bool(_IDENTIFIER.match(value))


def returned_identifiers(results: Sequence[tuple[int, Any]]) -> list[tuple[int, tuple[str | int, ...], str]]:
    """The identifier-looking strings (`looks_like_identifier`) that earlier results returned, as
    (step, concrete path, value), the latest step first and each value once (at its latest).

    For a parameter that no known value fits (`git_show(revision)`: nothing in the state or the
    schemas is called a revision), these are the values worth trying: an identifier a call of
    the episode just returned, which execution then confirms or refutes, as a person new to a
    tool tries the sha `git log` printed."""
    out: list[tuple[int, tuple[str | int, ...], str]] = []
    seen: set[str] = set()
    for step, result in sorted(results, key=lambda r: -r[0]):
        for path, _generic, value in iter_leaves(result, max_leaves=512):
            if looks_like_identifier(value) and value not in seen:
                seen.add(value)
                out.append((step, path, value))
    return out
