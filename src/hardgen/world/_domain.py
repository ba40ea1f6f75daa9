"""What a built-in domain is: a tool class, a seeded state generator and its dependency chains.

To add a domain, copy one module of `hardgen/world/domains/`, keep its shape, and list it in
`domains/__init__.py`'s discovery (every module there with a `DOMAIN` attribute is picked up).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hardgen.schema import EnvironmentSpec


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

    @property
    def target(self) -> str:
        cls = self.environment_class
        return f"{cls.__module__}:{cls.__qualname__}"

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
