"""Discovery of the built-in domains and the default world made from them."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from functools import cache

import hardgen.world.domains as domains_package
from hardgen.errors import ConfigError
from hardgen.schema import EnvironmentSpec
from hardgen.tools import DEFAULT_TIMEOUT_S, Session
from hardgen.world._domain import Domain


@cache
def all_domains() -> tuple[Domain, ...]:
    """Every built-in domain, sorted by name (modules of `hardgen.world.domains` with a `DOMAIN`)."""
    found = []
    for module in pkgutil.iter_modules(domains_package.__path__):
        mod = importlib.import_module(f"{domains_package.__name__}.{module.name}")
        domain = getattr(mod, "DOMAIN", None)
        if isinstance(domain, Domain):
            found.append(domain)
    return tuple(sorted(found, key=lambda d: d.name))


def get_domain(name: str) -> Domain:
    for domain in all_domains():
        if domain.name == name:
            return domain
    known = ", ".join(d.name for d in all_domains())
    raise ConfigError(f"unknown domain {name!r}; built-in domains: {known}")


def world_specs(seed: int = 0, domains: Sequence[str] | None = None) -> list[EnvironmentSpec]:
    """Environment specs of the built-in world (all domains, or the named ones) for `seed`."""
    chosen = [get_domain(n) for n in domains] if domains else list(all_domains())
    return [d.spec(seed) for d in chosen]


def default_world(
    seed: int = 0, domains: Sequence[str] | None = None, *, timeout: float | None = DEFAULT_TIMEOUT_S
) -> Session:
    """A live session over the built-in world."""
    return Session.from_specs(world_specs(seed, domains), timeout=timeout)


def crowded_spec(spec: EnvironmentSpec) -> EnvironmentSpec | None:
    """A built-in domain's `spec` with a long history in its state (`Domain.crowd`), or None when
    `spec` is no built-in domain's or its domain has no crowd."""
    for domain in all_domains():
        if domain.target == spec.target:
            return domain.crowded_spec(spec)
    return None
