"""The built-in tool world (many stateful domains) that makes HardGen run with no setup."""

from hardgen.world._domain import Chain, Domain, ExampleCall, run_example
from hardgen.world._registry import all_domains, crowded_spec, default_world, get_domain, world_specs

__all__ = [
    "Chain", "Domain", "ExampleCall", "all_domains", "crowded_spec", "default_world", "get_domain", "run_example",
    "world_specs",
]
