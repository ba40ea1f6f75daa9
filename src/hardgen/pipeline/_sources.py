"""Tool sources of a run -> environment specs (the built-in world, classes, modules, docs).

The sources a user's config names are theirs, so resolving them also trusts them for the process
(`hardgen.tools.trust_sources`): samples this run writes name them, and the verifier, evaluation
and any reading command in the same process rebuild them without `--trust-sources`. The source's
`isolation` is recorded the same way, so every environment built for it runs where it asked.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import yaml

from hardgen.errors import ConfigError, HardGenError
from hardgen.pipeline._bfcl import bfcl_source_specs
from hardgen.pipeline._config import RunConfig, SourceConfig
from hardgen.schema import EnvironmentSpec
from hardgen.tools import Session, trust_root, trust_sources
from hardgen.tools._environment import import_target, unknown_state_keys
from hardgen.world import world_specs


def _initial_state(source: SourceConfig) -> dict[str, Any]:
    state = source.initial_state
    if state is None:
        return {}
    if isinstance(state, dict):
        return state
    path = Path(state)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    except (OSError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read initial state {path} of source {source.target!r}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"initial state {path} must be a JSON/YAML object")
    return data


def _known_keys_only(source: SourceConfig, state: dict[str, Any]) -> dict[str, Any]:
    """`state` without the keys the class's constructor takes no parameter for (when it is loaded
    by constructor keywords), each left out with a warning."""
    assert source.target is not None
    try:
        cls = import_target(source.target)
    except HardGenError as exc:
        raise ConfigError(str(exc)) from exc
    loader = source.loader or getattr(cls, "__hardgen_loader__", None)
    if not isinstance(cls, type) or (loader or ("_load_scenario" if hasattr(cls, "_load_scenario") else "kwargs")) != "kwargs":
        return state
    unknown = unknown_state_keys(cls, state)
    for key in unknown:
        warnings.warn(f"source {source.target!r}: initial state key {key!r} is not a parameter of its "
                      "constructor; left out (unknown_state_keys: ignore)", stacklevel=2)
    return {k: v for k, v in state.items() if k not in unknown}


def trust_config_sources(config: RunConfig) -> None:
    """Trust the sources `config` names (and their docs files) for the rest of the process."""
    for source in config.sources:
        if source.kind == "bfcl":
            trust_sources("bfcl_eval.*", isolation=source.isolation)
            continue
        if source.kind == "world":
            if source.isolation != "thread":
                for spec in world_specs(config.world_seed, source.domains):
                    trust_sources(spec.target, isolation=source.isolation)
            continue
        assert source.target is not None
        trust_sources(source.target, isolation=source.isolation)
        if source.docs:
            docs = Path(source.docs)
            if docs.exists():  # else it is beside the source's module, which is allowed anyway
                trust_root(docs)


def resolve_sources(config: RunConfig) -> list[EnvironmentSpec]:
    """Environment specs for every tool source, checked by building them once."""
    try:
        trust_config_sources(config)
    except HardGenError as exc:
        raise ConfigError(str(exc)) from exc
    specs: list[EnvironmentSpec] = []
    for source in config.sources:
        if source.kind == "world":
            try:
                specs.extend(world_specs(config.world_seed, source.domains))
            except HardGenError as exc:
                raise ConfigError(str(exc)) from exc
            continue
        if source.kind == "bfcl":
            specs.extend(bfcl_source_specs(source, config.seed))
            continue
        if source.kind == "mcp":
            from hardgen.tools._mcp import source_spec  # no SDK needed to describe it

            specs.append(source_spec(source, config.seed))
            continue
        assert source.target is not None
        default_name = source.target.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
        state = _initial_state(source)
        if source.kind == "class" and source.unknown_state_keys == "ignore":
            state = _known_keys_only(source, state)
        specs.append(EnvironmentSpec(
            name=source.name or default_name,
            kind=source.kind,
            target=source.target,
            initial_state=state,
            loader=source.loader,
            docs=source.docs,
            seed=config.seed,
            state_exclude=source.state_exclude,
        ))
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ConfigError(f"two tool sources have the same name: {sorted({n for n in names if names.count(n) > 1})}")
    try:
        Session.from_specs(specs, timeout=config.tool_timeout_s).close()
    except HardGenError as exc:
        raise ConfigError(f"a tool source cannot be loaded: {exc}") from exc
    return specs
