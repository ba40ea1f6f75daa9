"""Is a gold turn the one sensible solution of its query? (DESIGN.md §4, issue 11)

Two checks before a sample is written, both independent of how the gold was sampled:

- **Determined.** Every argument of every gold call is stated in the query (or in the
  conversation so far), is the tool's documented default, or is taken from an earlier result.
- **Unambiguous.** Every argument taken from a result is the one the query singles out among
  everything a solver could look up: the results of the gold's own earlier calls and of every
  offered lookup that needs no argument, run on the state the turn starts from. Among the records
  holding a fitting field, those carrying the most values the user stated must agree on it; when
  none carries any, there must be just one candidate value. Otherwise another solution would fit
  the query as well and the unit is rejected (the query does not say which one).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardgen.schema import Step, ToolSpec
from hardgen.synth._text import value_atoms
from hardgen.tools import name_words
from hardgen.verify import value_in_text

_MAX_RECORDS = 2000


@dataclass(frozen=True)
class _Candidate:
    value: Any
    score: int
    """Stated values its record carries, plus one when a lookup made with the user's values found it."""


_GENERIC_KEYS = frozenset({"id", "name", "title", "label", "type", "status", "value", "code"})


def normal_value(value: Any) -> str:
    """How values are compared across results and text: trimmed, case-insensitive."""
    return str(value).strip().lower()



def _fits(key: str, parameter: str, gold_key: str | None) -> bool:
    """A result field that could supply `parameter` (the gold's own field, the same name, or the
    same kind: `user_id` for `recipient_id`)."""
    if key in (parameter, gold_key):
        return True
    kw, pw = name_words(key), name_words(parameter)
    return bool(kw and pw and kw[-1] == pw[-1] and (set(kw) & set(pw)) - {"id", "name"})


def _records(node: Any, container: str = "", depth: int = 0) -> Iterator[tuple[dict[str, Any], str]]:
    """Every mapping in a result with the key of the list or field that holds it."""
    if depth > 6:
        return
    if isinstance(node, dict):
        yield node, container
        for key, value in node.items():
            yield from _records(value, str(key), depth + 1)
    elif isinstance(node, list):
        for item in node[:200]:
            yield from _records(item, container, depth + 1)


class _Stated:
    """Which values the user stated: in the conversation's text, or among values it already holds."""

    def __init__(self, text: str, known: Collection[Any] = ()) -> None:
        self.text = text
        self.known = {normal_value(k) for k in known}
        self._cache: dict[Any, bool] = {}

    def __call__(self, value: Any) -> bool:
        if isinstance(value, bool) or value is None:
            return False
        if isinstance(value, (int, float)) and float(value).is_integer() and abs(value) < 100:
            return False  # small whole numbers (counts, ratings) appear in prose by chance
        if isinstance(value, str) and len(value.strip()) < 3:
            return False
        key = (type(value).__name__, value)
        hit = self._cache.get(key)
        if hit is None:
            hit = normal_value(value) in self.known or value_in_text(value, self.text)
            self._cache[key] = hit
        return hit


def _carried(record: Mapping[str, Any], stated: _Stated) -> int:
    return sum(1 for v in record.values() if isinstance(v, (str, int, float)) and stated(v))


def _candidates(results: Sequence[tuple[Any, bool]], parameter: str, gold_key: str | None,
                gold_container: str | None, stated: _Stated) -> list[_Candidate]:
    out: list[_Candidate] = []
    for result, anchored in results:
        for n, (record, container) in enumerate(_records(result)):
            if n > _MAX_RECORDS:
                break
            carried = _carried(record, stated)
            for key, value in record.items():
                if isinstance(value, (dict, list)) or value is None or isinstance(value, bool):
                    continue
                if not _fits(key, parameter, gold_key):
                    continue
                if key in _GENERIC_KEYS and gold_container is not None and container != gold_container:
                    continue  # a department's `name` is no employee's name
                out.append(_Candidate(value, carried + int(anchored)))
    return out


def _gold_source(step: Step, parameter: str) -> tuple[str | None, str | None]:
    """The field the gold took `parameter` from, and the key of the list or field holding it."""
    source = next((s for s in step.sources if s.parameter == parameter), None)
    if source is None:
        return None, None
    keys = [p for p in source.path if isinstance(p, str)]
    if not keys:
        return None, None
    return keys[-1], (keys[-2] if len(keys) > 1 else "")


def _anchored_steps(steps: Sequence[Step], stated: _Stated) -> set[int]:
    """Gold lookups made with the user's values (directly, or with values anchored that way)."""
    anchored: set[int] = set()
    for i, step in enumerate(steps):
        if not step.call.arguments:
            continue
        sourced = {s.parameter: s.step for s in step.sources}
        if all((sourced[p] in anchored) if p in sourced else
               all(stated(a) for a in value_atoms(v)) for p, v in step.call.arguments.items()):
            anchored.add(i)
    return anchored


def undetermined_arguments(steps: Sequence[Step], text: str, specs: Mapping[str, ToolSpec],
                           known: Collection[Any] = ()) -> list[str]:
    """`tool.parameter` of gold arguments that nothing determines: not stated in `text` (the query,
    with the conversation before it), not among `known` values (results of earlier turns), not
    the documented default and not taken from an earlier result."""
    known_text = {normal_value(k) for k in known}
    out: list[str] = []
    for step in steps:
        sourced = {s.parameter for s in step.sources}
        props = specs[step.call.name].parameters.get("properties", {}) if step.call.name in specs else {}
        for parameter, value in step.call.arguments.items():
            if parameter in sourced or value is None or isinstance(value, bool):
                continue
            schema = props.get(parameter, {}) if isinstance(props, dict) else {}
            if isinstance(schema, dict) and "default" in schema and schema["default"] == value:
                continue
            atoms = value_atoms(value)
            if all(value_in_text(a, text) or normal_value(a) in known_text for a in atoms):
                continue
            out.append(f"{step.call.name}.{parameter}")
    return out


def ambiguous_arguments(steps: Sequence[Step], text: str, lookups: Sequence[Any], known: Collection[Any] = (),
                        enabling: Collection[int] = ()) -> list[str]:
    """Reasons, one per gold argument taken from a result that the query does not single out
    (see the module docstring). `text` is what the user said (the query, with earlier turns),
    `known` values the conversation already holds, `lookups` the results of the argument-free
    lookups a solver could make at the start of the turn. The results of `enabling` steps (a
    log-in's account record) describe the session, not what the user asks about: they compete
    only for the arguments the gold itself took from them."""
    stated = _Stated(text, known)
    problems: list[str] = []
    anchored = _anchored_steps(steps, stated)
    for j, step in enumerate(steps):
        for source in step.sources:
            parameter = source.parameter
            gold_value = step.call.arguments.get(parameter)
            if isinstance(gold_value, (dict, list)) or gold_value is None:
                continue
            earlier = [(steps[i].observation.result, i in anchored) for i in range(j) if steps[i].observation.ok
                       and (i not in enabling or i == source.step)]
            gold_key, gold_container = _gold_source(step, parameter)
            candidates = _candidates([*earlier, *((r, False) for r in lookups)], parameter, gold_key, gold_container,
                                     stated)
            if not candidates:
                continue
            best = max(c.score for c in candidates)
            top = {normal_value(c.value) for c in candidates if c.score == best}
            if len(top) <= 1:
                if normal_value(gold_value) not in top and best > 0:
                    problems.append(f"undetermined: the query points at another {parameter} for {step.call.name}")
                continue
            shown = ", ".join(f"'{v}'" for v in sorted(top)[:3])
            if best == 0:
                problems.append(f"ambiguous: nothing in the query picks which {parameter} {step.call.name} takes "
                                f"({len(top)} fit: {shown})")
            else:
                problems.append(f"ambiguous: the query fits {len(top)} different {parameter} values for "
                                f"{step.call.name} ({shown})")
    return problems


def argument_free_lookups(specs: Sequence[ToolSpec], environments: Collection[str]) -> list[str]:
    """Offered read tools of the given environments that need no argument (list_orders, pwd)."""
    return [s.name for s in specs if not s.mutates and s.environment in environments and not s.required]
