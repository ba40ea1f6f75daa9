"""Session: several environments behind one tool namespace."""

from __future__ import annotations

from typing import Any

import pytest
from tools_fixture_envs import Clock, Inventory, Weather

from hardgen.errors import EnvironmentLoadError
from hardgen.schema import EnvironmentSpec, Observation, ToolSpec
from hardgen.tools import Environment, Session, class_environment, module_environment


def test_tool_names_are_namespaced_only_when_they_clash() -> None:
    session = Session([class_environment(Clock, {"hour": 9}), class_environment(Weather)])
    names = sorted(t.name for t in session.tools())
    assert names == ["Clock_get_time", "Weather_get_time", "advance", "forecast"]
    assert session.tool("Clock_get_time").environment == "Clock"
    assert session.tool("advance").name == "advance"


def test_calls_are_routed_to_the_right_environment() -> None:
    clock = class_environment(Clock, {"hour": 9}, name="clock")
    weather = class_environment(Weather, name="weather")
    session = Session([clock, weather])
    assert session.call("clock_get_time", {}).result == 9
    assert session.call("weather_get_time", {}).result == "noon"
    assert session.call("advance", {"hours": 2}).result == 11
    assert clock.instance.hour == 11
    assert session.environment_of("forecast") is weather
    assert session.has_tool("advance") and not session.has_tool("get_time")
    missing = session.call("get_time", {})
    assert missing.error is not None and missing.error.type == "UnknownToolError"
    assert "did you mean" in missing.error.message and "clock_get_time" in missing.error.message


def test_the_same_class_twice_under_two_names_namespaces_everything() -> None:
    session = Session([class_environment(Clock, {"hour": 1}, name="home"), class_environment(Clock, name="work")])
    assert sorted(t.name for t in session.tools()) == ["home_advance", "home_get_time", "work_advance", "work_get_time"]
    session.call("home_advance", {"hours": 5})
    assert session.call("home_get_time", {}).result == 6
    assert session.call("work_get_time", {}).result == 0


def test_snapshot_restore_and_reset_cover_every_environment() -> None:
    session = Session(
        [class_environment(Clock, {"hour": 3}, name="clock"), class_environment(Inventory, {"items": {"a": 1}})]
    )
    initial = session.state_hash()
    snap = session.snapshot()
    session.call("advance", {"hours": 4})
    after_clock = session.state_hash()
    session.call("add_item", {"name": "a"})
    assert len({initial, after_clock, session.state_hash()}) == 3
    assert session.state()["clock"] == {"hour": 7}
    session.restore(snap)
    assert session.state_hash() == initial
    session.call("add_item", {"name": "b"})
    session.reset()
    assert session.state_hash() == initial
    with pytest.raises(ValueError):
        session.restore(snap[:1])  # a snapshot of another session shape


def test_duplicate_environment_names_are_rejected() -> None:
    with pytest.raises(EnvironmentLoadError, match=r"environment names must be unique in a session: \['clock'\]"):
        Session([class_environment(Clock, name="clock"), class_environment(Weather, name="clock")])


def test_from_specs_rebuilds_and_reports_the_specs() -> None:
    specs = [
        EnvironmentSpec(name="clock", target="tools_fixture_envs:Clock", initial_state={"hour": 5}),
        EnvironmentSpec(name="calc", kind="module", target="tools_fixture_module"),
    ]
    session = Session.from_specs(specs)
    assert session.specs() == specs
    assert session.call("get_time", {}).result == 5
    assert session.call("add", {"a": 1, "b": 2}).result == 3
    assert isinstance(session, Environment)
    session.close()


class FakeEnvironment:
    """A minimal Environment to build name clashes that real classes would rarely produce."""

    def __init__(self, name: str, tools: list[str]) -> None:
        self.name = name
        self._tools = [ToolSpec(name=t, environment=name) for t in tools]

    def tools(self) -> list[ToolSpec]:
        return self._tools

    def call(self, name: str, arguments: dict[str, Any]) -> Observation:
        return Observation.success(f"{self.name}.{name}")

    def reset(self) -> None: ...

    def snapshot(self) -> Any:
        return None

    def restore(self, snapshot: Any) -> None: ...

    def state_hash(self) -> str:
        return "0"

    def state(self) -> Any:
        return {}

    def specs(self) -> list[EnvironmentSpec]:
        return []


def test_a_namespaced_name_that_collides_with_a_real_tool_is_rejected() -> None:
    session = Session([FakeEnvironment("a", ["x"]), FakeEnvironment("z", ["x"])])
    assert session.call("a_x", {}).result == "a.x"
    # `x` clashes, so `a`'s becomes `a_x`: the very name `b` already offers.
    clash = [FakeEnvironment("a", ["x"]), FakeEnvironment("b", ["x", "a_x"])]
    with pytest.raises(EnvironmentLoadError, match=r"tool name 'a_x' is offered twice"):
        Session(clash)


def test_a_namespaced_name_must_stay_a_valid_function_name() -> None:
    long_name = "e" * 60
    with pytest.raises(EnvironmentLoadError, match="namespaced name is invalid"):
        Session([FakeEnvironment(long_name, ["lookup"]), FakeEnvironment("other", ["lookup"])])


def test_module_and_class_environments_compose() -> None:
    session = Session([module_environment("tools_fixture_module", name="calc"), class_environment(Clock)])
    assert session.call("add", {"a": 40, "b": 2}).result == 42
    assert session.call("advance", {}).result == 1
