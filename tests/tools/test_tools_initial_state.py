"""Initial states a class cannot take: a key its constructor has no parameter for is an error that
names it, or is left out where the source says so; a source's state exclusions reach its spec."""

from __future__ import annotations

import pytest

from hardgen.errors import ConfigError, EnvironmentLoadError
from hardgen.pipeline import resolve_sources
from hardgen.pipeline._config import load_config
from hardgen.tools import class_environment


def test_an_unknown_constructor_key_is_an_error_that_names_it() -> None:
    with pytest.raises(EnvironmentLoadError, match=r"'precision' are not parameters of .*Clock\(\) \(it takes: hour\)"):
        class_environment("tools_fixture_envs:Clock", {"hour": 3, "precision": 8}, loader="kwargs")


def test_a_config_source_fails_to_load_with_that_error_by_default() -> None:
    config = load_config(overrides={"sources": [{"kind": "class", "target": "tools_fixture_envs:Clock",
                                                  "initial_state": {"hour": 3, "precision": 8}}]})
    with pytest.raises(ConfigError, match=r"'precision'.*unknown_state_keys: ignore"):
        resolve_sources(config)


def test_unknown_keys_are_left_out_with_a_warning_when_the_source_says_so() -> None:
    config = load_config(overrides={"sources": [{
        "kind": "class", "target": "tools_fixture_envs:Clock", "initial_state": {"hour": 3, "precision": 8},
        "unknown_state_keys": "ignore", "state_exclude": ["_cache*"]}]})
    with pytest.warns(UserWarning, match="'precision' is not a parameter"):
        (spec,) = resolve_sources(config)
    assert spec.initial_state == {"hour": 3}
    assert spec.state_exclude == ["_cache*"]


def test_state_kept_outside_instances_is_reported_as_a_leak() -> None:
    from tools_fixture_envs import Guestbook

    from hardgen.tools import leaked_state

    env = class_environment(Guestbook, {}, timeout=None)
    assert leaked_state(env) == []
    env.call("sign", {"name": "ana"})
    assert leaked_state(env) == ["Guestbook.entries"]  # the next environment starts with ana signed
    Guestbook.entries.clear()
    assert leaked_state(class_environment(Guestbook, {}, timeout=None)) == []
