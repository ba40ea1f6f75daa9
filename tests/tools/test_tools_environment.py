"""PythonEnvironment: loading, calling, errors as observations, timeouts, seeded randomness."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import tools_fixture_module
from tools_fixture_envs import Account, Garden, Inventory, Ledger, Locked, Roster, Vault, Weather

from hardgen.errors import EnvironmentLoadError
from hardgen.schema import EnvironmentSpec
from hardgen.tools import Environment, build_environment, class_environment, module_environment

HERE = Path(__file__).parent
STOCK = {"items": {"apple": 3, "pear": 1}, "tags": ["fruit"]}


def inventory(**kwargs: Any) -> Any:
    return class_environment(Inventory, STOCK, **kwargs)


# -- reset and state -------------------------------------------------------------------------------


def test_reset_restores_the_initial_state_and_the_spec_is_not_mutated() -> None:
    env = inventory()
    initial = env.state_hash()
    assert env.state() == {"items": {"apple": 3, "pear": 1}, "log": [], "tags": {"__set__": ["fruit"]}}
    env.call("add_item", {"name": "apple", "quantity": 2})
    env.call("tag", {"label": "fresh"})
    assert env.state_hash() != initial
    env.reset()
    assert env.state_hash() == initial
    assert env.spec.initial_state == STOCK  # the loader got a copy


def test_environment_satisfies_the_protocol_and_records_its_spec() -> None:
    env = inventory(name="shop", seed=7)
    assert isinstance(env, Environment)
    (spec,) = env.specs()
    assert spec.name == "shop" and spec.kind == "class" and spec.seed == 7
    assert spec.target == "tools_fixture_envs:Inventory"
    assert all(t.environment == "shop" for t in env.tools())


def test_two_fresh_environments_from_the_same_spec_hash_equal() -> None:
    a = inventory()
    b = build_environment(a.spec)
    assert a.state_hash() == b.state_hash()
    assert a.state() == b.state()


def test_cached_properties_are_not_state_and_private_attributes_are_unless_excluded() -> None:
    env = inventory()
    before = env.state_hash()
    assert env.instance.summary == "2 items"  # fills the cached_property cache
    assert env.state_hash() == before
    env.call("get_item", {"name": "apple"})  # bumps the private counter
    assert env.instance._lookups == 1
    assert env.state_hash() != before
    assert "_lookups" not in str(env.state())  # what tools show stays public

    excluded = inventory(state_exclude=["_look*"])
    before = excluded.state_hash()
    excluded.call("get_item", {"name": "apple"})
    assert excluded.state_hash() == before


# -- argument validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "arguments", "error_type", "fragments"),
    [
        ("add_item", {"name": "kiwi", "quantity": "two"}, "ArgumentError", ["add_item", "quantity", "integer"]),
        ("add_item", {"quantity": 2}, "ArgumentError", ["add_item", "'name' is a required property"]),
        ("add_item", {"name": "kiwi", "colour": "green"}, "ArgumentError", ["add_item", "colour"]),
        ("add_item", ["kiwi"], "ArgumentError", ["add_item", "must be a JSON object"]),
        ("add_itme", {"name": "kiwi"}, "UnknownToolError", ["'add_itme'", "did you mean 'add_item'"]),
    ],
)
def test_bad_calls_become_error_observations_and_change_nothing(
    name: str, arguments: Any, error_type: str, fragments: list[str]
) -> None:
    env = inventory()
    before = env.state_hash()
    obs = env.call(name, arguments)
    assert not obs.ok and obs.error is not None
    assert obs.error.type == error_type
    for fragment in fragments:
        assert fragment in obs.error.message
    assert env.state_hash() == before
    assert env.instance.log == []


# -- a tool's own failure --------------------------------------------------------------------------


def test_tool_exception_becomes_an_observation_with_type_and_message() -> None:
    env = inventory()
    obs = env.call("get_item", {"name": "plum"})
    assert not obs.ok and obs.error is not None
    assert obs.error.type == "KeyError" and obs.error.message == "no item 'plum'"  # not str(KeyError)'s quotes
    assert "KeyError" in obs.to_text() and "plum" in obs.to_text()
    raised = env.call("add_item", {"name": "plum", "quantity": 0})
    assert raised.error is not None and raised.error.type == "ValueError"
    assert raised.error.message == "quantity must be positive"


def test_partial_state_changes_of_a_failing_tool_are_kept() -> None:
    # Documented behaviour: a tool that raises half-way keeps what it changed, as a real API would.
    env = inventory()
    obs = env.call("transfer", {"source": "apple", "target": "broken", "quantity": 2})
    assert obs.error is not None and obs.error.type == "RuntimeError"
    assert env.instance.items["apple"] == 1
    assert "broken" not in env.instance.items


def test_unserialisable_result_is_an_error_observation() -> None:
    obs = inventory().call("opaque", {})
    assert not obs.ok and obs.error is not None
    assert obs.error.type == "UnserializableResultError"
    assert obs.error.message.startswith("opaque:")


def test_sys_exit_in_a_tool_is_an_observation_not_the_end_of_the_run() -> None:
    for timeout in (None, 5.0):
        obs = inventory(timeout=timeout).call("quit", {})
        assert obs.error is not None and obs.error.type == "SystemExit"


def test_async_tools_run_to_completion() -> None:
    for timeout in (None, 5.0):
        assert inventory(timeout=timeout).call("count_async", {}).result == 2


def test_state_that_cannot_be_copied_fails_the_snapshot_clearly() -> None:
    env = class_environment(Locked)
    assert env.call("get_value", {}).result == 1
    with pytest.raises(EnvironmentLoadError, match=r"cannot snapshot environment 'Locked'.*deep-copy"):
        env.snapshot()
    assert env.state_hash() == class_environment(Locked).state_hash()  # its hash is still stable


# -- timeouts --------------------------------------------------------------------------------------


def test_a_timeout_is_fast_and_the_environment_is_rebuilt_as_it_was_before_the_call() -> None:
    env = inventory(timeout=0.2)
    env.call("add_item", {"name": "kiwi", "quantity": 2})  # after the last snapshot: replayed
    before = env.state_hash()
    started = time.perf_counter()
    obs = env.call("slow", {"seconds": 3})
    assert time.perf_counter() - started < 1.5
    assert obs.error is not None and obs.error.type == "TimeoutError"
    assert "slow" in obs.error.message and "0.2" in obs.error.message and "rebuilt" in obs.error.message
    assert env.state_hash() == before
    assert env.call("get_item", {"name": "kiwi"}).result == {"name": "kiwi", "quantity": 2}
    snap = env.snapshot()
    env.call("add_item", {"name": "fig", "quantity": 1})
    assert env.call("slow", {"seconds": 1}).error is not None
    assert env.call("get_item", {"name": "fig"}).ok  # rebuilt from the snapshot plus the call after it
    env.restore(snap)
    assert not env.call("get_item", {"name": "fig"}).ok
    time.sleep(1.2)
    # The stopped calls never finish their work, on the old instance or the live one.
    assert "slow done" not in env.instance.log


def test_the_process_exits_while_a_timed_out_call_still_hangs(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import threading
        from hardgen.tools import module_environment
        import types, sys
        hang = types.ModuleType("hang_tools")
        exec("import threading\\ndef wait_forever() -> None:\\n    threading.Event().wait()\\n", hang.__dict__)
        sys.modules["hang_tools"] = hang
        env = module_environment("hang_tools", timeout=0.2)
        obs = env.call("wait_forever", {})
        print(obs.error.type)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "TimeoutError"


def test_no_timeout_runs_inline() -> None:
    env = inventory(timeout=None)
    assert env.call("slow", {"seconds": 0.01}).result == "done"


# -- seeded randomness -----------------------------------------------------------------------------


def test_random_in_tools_replays_and_leaves_the_callers_random_state_untouched() -> None:
    random.seed(1234)
    expected_caller = [random.random() for _ in range(3)]
    random.seed(1234)
    env = inventory(seed=5)
    first = [env.call("draw_lottery", {}).result for _ in range(3)]
    caller = [random.random() for _ in range(3)]
    assert caller == expected_caller
    env.reset()
    assert [env.call("draw_lottery", {}).result for _ in range(3)] == first
    assert len({tuple(r) for r in first}) == 3  # each call gets its own stream
    other_seed = inventory(seed=6)
    assert other_seed.call("draw_lottery", {}).result != first[0]


def test_snapshot_restores_the_random_stream_too() -> None:
    env = inventory(seed=3)
    env.call("draw_lottery", {})
    snap = env.snapshot()
    after = env.call("draw_lottery", {}).result
    env.restore(snap)
    assert env.call("draw_lottery", {}).result == after


def test_seeded_random_is_per_thread_while_other_threads_use_random() -> None:
    # Another thread draws from the global generator while the tool pauses between two draws: the
    # tool's values must not move (they would if the tool were seeding the shared generator).
    expected = inventory(seed=11).call("draw_slowly", {}).result
    stop = threading.Event()

    def draw() -> None:
        while not stop.is_set():
            random.random()

    thread = threading.Thread(target=draw)
    thread.start()
    try:
        for timeout in (5.0, None):
            assert inventory(seed=11, timeout=timeout).call("draw_slowly", {}).result == expected
    finally:
        stop.set()
        thread.join()


# -- loaders ---------------------------------------------------------------------------------------


def test_load_scenario_method_is_the_default_loader() -> None:
    assert inventory().instance.items == {"apple": 3, "pear": 1}


def test_constructor_kwargs_loader() -> None:
    env = class_environment(Account, {"owner": "ada", "balance": 10})
    assert env.call("deposit", {"amount": 5}).result == 15
    assert env.state() == {"balance": 15, "owner": "ada"}


def test_explicit_loader_name() -> None:
    env = class_environment(Vault, {"secrets": {"door": "1234"}}, loader="load_state")
    assert env.call("reveal", {"key": "door"}).result == "1234"


def test_declared_hardgen_loader_and_tool_metadata() -> None:
    env = class_environment(Garden, {"plants": ["rose"]})
    assert sorted(t.name for t in env.tools()) == ["get_plants", "plant"]
    assert env.call("plant", {"name": "tulip"}).result == ["rose", "tulip"]
    assert env.call("get_plants", {}).result == ["rose", "tulip"]
    assert env.tool("plant").hints == {"requires": ["get_plants"]}


@pytest.mark.parametrize(
    ("cls", "state", "loader", "pattern"),
    [
        (Account, {"balance": "lots"}, None, r"environment 'Account'.*TypeError: balance must be an int"),
        (Account, {"wallet": 3}, None, r"environment 'Account'.*key\(s\) 'wallet' are not parameters"),
        (Vault, {}, "load_state", r"environment 'Vault'.*via 'load_state': KeyError"),
        (Vault, {}, "load_everything", r"environment 'Vault'.*no loader method 'load_everything'"),
    ],
)
def test_bad_initial_state_is_a_load_error_naming_the_environment(
    cls: type, state: dict[str, Any], loader: str | None, pattern: str
) -> None:
    with pytest.raises(EnvironmentLoadError, match=pattern):
        class_environment(cls, state, loader=loader)


def test_bad_tool_source_is_a_load_error() -> None:
    with pytest.raises(EnvironmentLoadError, match="cannot import"):
        build_environment(EnvironmentSpec(name="x", target="no_such_module_xyz:Thing"))
    with pytest.raises(EnvironmentLoadError, match="has no attribute 'Nope'"):
        build_environment(EnvironmentSpec(name="x", target="tools_fixture_envs:Nope"))
    with pytest.raises(EnvironmentLoadError, match="is not a class"):
        build_environment(EnvironmentSpec(name="x", target="tools_fixture_module"))


def test_a_pydantic_model_environment_does_not_offer_basemodel_methods() -> None:
    env = class_environment(Ledger, {"entries": [1, 2]})
    assert sorted(t.name for t in env.tools()) == ["append_entry", "total"]
    assert env.call("append_entry", {"value": 4}).result == 3
    assert env.call("total", {}).result == 7
    assert env.state() == {"entries": [1, 2, 4]}


def test_a_dict_subclass_environment_does_not_offer_dict_methods() -> None:
    env = class_environment(Roster, {"ada": 0})
    assert [t.name for t in env.tools()] == ["enroll"]
    assert env.call("enroll", {"name": "bob"}).result == 1
    assert env.state() == {"ada": 0, "bob": 1}


def test_include_limits_the_tools() -> None:
    env = class_environment(Weather, include=["forecast"])
    assert [t.name for t in env.tools()] == ["forecast"]
    with pytest.raises(Exception, match=r"include lists unknown tool\(s\) \['nope'\]"):
        class_environment(Weather, include=["nope"], name="weather_bad_include")


# -- module adapter --------------------------------------------------------------------------------


def test_module_of_plain_functions() -> None:
    env = module_environment(tools_fixture_module)
    assert sorted(t.name for t in env.tools()) == ["add", "hypotenuse", "shout"]  # not sqrt, not _helper
    assert env.name == "tools_fixture_module"
    assert env.call("add", {"a": 2, "b": 3}).result == 5
    assert env.call("hypotenuse", {"x": 3, "y": 4}).result == 5.0
    failed = env.call("shout", {"text": ""})
    assert failed.error is not None and failed.error.type == "ValueError"
    assert env.tool("add").parameters["properties"]["a"]["description"] == "First addend."
    assert env.state() == {}
    snap = env.snapshot()
    env.restore(snap)
    assert env.state_hash() == module_environment("tools_fixture_module").state_hash()
