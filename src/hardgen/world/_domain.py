"""What a built-in domain is: a tool class, a seeded state generator and its dependency chains.

To add a domain, copy one module of `hardgen/world/domains/`, keep its shape, and list it in
`domains/__init__.py`'s discovery (every module there with a `DOMAIN` attribute is picked up).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hardgen.schema import EnvironmentSpec, Observation

# An example call: (tool name, arguments). A string argument "$<i>.<path>" is replaced by a value
# from the result of example call <i> of the same list, e.g. "$0.orders.0.order_id".
ExampleCall = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Chain:
    """A documented dependency chain: calls that must happen in this order, each needing what the
    earlier ones produce (a value) or set (a state)."""

    name: str
    description: str
    tools: tuple[str, ...]
    """Tool names in order. A tool of another domain is written `domain.tool`."""


@dataclass(frozen=True)
class Domain:
    name: str
    """Environment name, e.g. `banking`."""
    description: str
    environment_class: type
    generate_state: Callable[[int], dict[str, Any]]
    """Seed -> initial state (JSON data), deterministic: same seed, same world."""
    chains: tuple[Chain, ...] = field(default_factory=tuple)
    examples: Mapping[str, Sequence[ExampleCall]] = field(default_factory=dict)
    """Per tool: calls that succeed from `spec(seed=0)`, the tool's own call last, prerequisites
    (logins, lookups) before it. Used by tests and docs; every tool has one."""
    crowd: Callable[[dict[str, Any], int], dict[str, Any]] | None = None
    """(state, seed) -> the same world with a long history: many more records of the kinds its
    listings return (older orders, more payees, favourites, invitations), every record already there
    unchanged and still the newest where listings sort by date. For long-context samples
    (`crowded_spec`); None when the domain has no such listings."""

    @property
    def target(self) -> str:
        cls = self.environment_class
        return f"{cls.__module__}:{cls.__qualname__}"

    def crowded_spec(self, spec: EnvironmentSpec) -> EnvironmentSpec | None:
        """`spec` (one of this domain's) with its initial state crowded (see `crowd`), or None
        when the domain has no crowd or `spec` is not one of its own."""
        if self.crowd is None or spec.target != self.target:
            return None
        state = self.crowd(copy.deepcopy(spec.initial_state), spec.seed or 0)
        return spec.model_copy(update={"initial_state": state})

    def spec(self, seed: int = 0) -> EnvironmentSpec:
        """The environment spec for this domain's world made from `seed`."""
        return EnvironmentSpec(
            name=self.name,
            kind="class",
            target=self.target,
            initial_state=self.generate_state(seed),
            loader="load_state",
            seed=seed,
        )


def resolve_reference(value: Any, results: Sequence[Any]) -> Any:
    """Resolve "$<i>.<path>" against earlier results; other values are returned unchanged."""
    if not (isinstance(value, str) and value.startswith("$") and "." in value[1:]):
        if isinstance(value, dict):
            return {k: resolve_reference(v, results) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve_reference(v, results) for v in value]
        return value
    index_text, *path = value[1:].split(".")
    node = results[int(index_text)]
    for part in path:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def run_example(session: Any, calls: Sequence[ExampleCall]) -> list[Observation]:
    """Run example calls in order on a session, resolving references to earlier results."""
    results: list[Any] = []
    observations: list[Observation] = []
    for name, arguments in calls:
        obs = session.call(name, resolve_reference(arguments, results))
        observations.append(obs)
        results.append(obs.result)
    return observations


def load_attributes(instance: Any, state: Mapping[str, Any], domain: str) -> None:
    """Load a domain's state: each key becomes the public attribute of that name. A key the class
    does not define is an error, so a typo in a hand-written state fails loudly instead of being
    ignored."""
    unknown = sorted(k for k in state if k.startswith("_") or not hasattr(instance, k))
    if unknown:
        raise ValueError(f"unknown {domain} state key(s): {unknown}")
    for key, value in state.items():
        setattr(instance, key, value)


def example_literals(calls: Sequence[ExampleCall]) -> dict[str, Any]:
    """The literal argument values of example calls by parameter name (a repeat becomes `name_2`),
    integral floats as ints; references to earlier results are left out. For building requests
    that state what an example's calls need."""
    values: dict[str, Any] = {}
    for _, arguments in calls:
        for key, value in arguments.items():
            if isinstance(value, str) and value.startswith("$"):
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            slot, n = key, 1
            while slot in values:
                n += 1
                slot = f"{key}_{n}"
            values[slot] = value
    return values
