"""World-wide checks over every built-in domain (whichever domains exist when the suite runs):
schemas, documentation, runnable examples, unique tool names, seeded states, chains, the CLI."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from hardgen.cli._app import app
from hardgen.schema import ToolSpec
from hardgen.tools import PythonEnvironment, Session, build_environment
from hardgen.world import Domain, all_domains, run_example, world_specs

DOMAINS = all_domains()
DOMAIN_NAMES = [d.name for d in DOMAINS]


@cache
def environment(name: str) -> PythonEnvironment:
    domain = next(d for d in DOMAINS if d.name == name)
    return build_environment(domain.spec(0), timeout=None)


def tools_of(name: str) -> list[ToolSpec]:
    return environment(name).tools()


@pytest.fixture(scope="module")
def world() -> Session:
    """Every domain at seed 0 in one session, so cross-domain examples run."""
    return Session.from_specs(world_specs(0), timeout=None)


def test_the_world_has_domains_with_distinct_names() -> None:
    assert DOMAINS, "no built-in domain was discovered"
    assert len(set(DOMAIN_NAMES)) == len(DOMAIN_NAMES)


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_tool_schemas_are_valid_json_schema(name: str) -> None:
    for spec in tools_of(name):
        jsonschema.Draft202012Validator.check_schema(spec.parameters)
        assert spec.parameters.get("type") == "object", spec.name
        assert spec.returns is not None, f"{spec.name}: no return annotation"
        jsonschema.Draft202012Validator.check_schema(spec.returns)


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_every_tool_and_parameter_is_described(name: str) -> None:
    for spec in tools_of(name):
        assert spec.description.strip(), f"{name}.{spec.name} has no description"
        for parameter, schema in spec.parameters.get("properties", {}).items():
            assert schema.get("description", "").strip(), f"{name}.{spec.name}: parameter {parameter!r} undocumented"


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_domains_have_read_and_write_tools(name: str) -> None:
    tools = tools_of(name)
    assert any(t.mutates for t in tools) and any(not t.mutates for t in tools), name


def test_no_tool_name_is_defined_twice_across_domains() -> None:
    owners: dict[str, list[str]] = {}
    for name in DOMAIN_NAMES:
        for spec in tools_of(name):
            owners.setdefault(spec.name, []).append(name)
    clashes = {tool: where for tool, where in owners.items() if len(where) > 1}
    assert not clashes, f"tool names defined in several domains: {clashes}"


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_every_tool_has_an_example_and_examples_name_real_tools(name: str) -> None:
    domain = next(d for d in DOMAINS if d.name == name)
    tool_names = {t.name for t in tools_of(name)}
    assert not tool_names - set(domain.examples), f"{name}: tools without an example: {sorted(tool_names - set(domain.examples))}"
    assert not set(domain.examples) - tool_names, f"{name}: examples for unknown tools: {sorted(set(domain.examples) - tool_names)}"
    for tool, calls in domain.examples.items():
        assert calls and calls[-1][0] == tool, f"{name}: the example of {tool!r} must end with a call to it"


def _reset_touched(session: Session, calls: Any) -> None:
    # Resetting only the environments an example touches keeps the sweep fast.
    for tool, _ in calls:
        if session.has_tool(tool):
            session.environment_of(tool).reset()


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_every_example_succeeds_from_seed_zero(name: str, world: Session) -> None:
    domain = next(d for d in DOMAINS if d.name == name)
    for tool, calls in domain.examples.items():
        _reset_touched(world, calls)
        observations = run_example(world, calls)
        last = observations[-1]
        steps = [(c[0], o.ok, o.error.message if o.error else None) for c, o in zip(calls, observations, strict=True)]
        assert last.ok, f"{name}: example of {tool!r} failed: {steps}"


def _is_json_data(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(_is_json_data(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json_data(v) for k, v in value.items())
    return False


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_generate_state_is_deterministic_json_and_seed_dependent(name: str) -> None:
    domain = next(d for d in DOMAINS if d.name == name)
    first, again, other = domain.generate_state(3), domain.generate_state(3), domain.generate_state(4)
    assert first == again
    assert first != other
    assert domain.generate_state(0) != domain.generate_state(1)
    assert _is_json_data(first), f"{name}: generate_state must return JSON data only"
    assert json.loads(json.dumps(first)) == first


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_other_seeds_make_loadable_worlds_with_stable_hashes(name: str) -> None:
    domain: Domain = next(d for d in DOMAINS if d.name == name)
    for seed in (1, 2, 17):
        a = build_environment(domain.spec(seed), timeout=None)
        b = build_environment(domain.spec(seed), timeout=None)
        assert a.state_hash() == b.state_hash()


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_chains_name_existing_tools_and_have_three_or_more(name: str) -> None:
    domain = next(d for d in DOMAINS if d.name == name)
    assert domain.chains, f"{name} documents no dependency chain"
    chain_names = [c.name for c in domain.chains]
    assert len(set(chain_names)) == len(chain_names), f"{name}: duplicate chain names"
    own = {t.name for t in tools_of(name)}
    for chain in domain.chains:
        assert len(chain.tools) >= 3, f"{name}.{chain.name} has fewer than 3 tools"
        assert chain.description.strip()
        for ref in chain.tools:
            other, dot, tool = ref.rpartition(".")
            if not dot:
                assert ref in own, f"{name}.{chain.name}: {ref!r} is not a {name} tool"
                continue
            assert other in DOMAIN_NAMES, f"{name}.{chain.name}: unknown domain in {ref!r}"
            assert tool in {t.name for t in tools_of(other)}, f"{name}.{chain.name}: {ref!r} is not a tool"


def test_world_show_json_reports_every_domain_with_consistent_totals() -> None:
    result = CliRunner().invoke(app, ["world", "show", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [d["name"] for d in report["domains"]] == DOMAIN_NAMES
    for row in report["domains"]:
        counts = row["tools"]
        assert counts["read"] + counts["write"] == counts["total"] == len(tools_of(row["name"]))
        assert sorted(row["read_tools"] + row["write_tools"]) == sorted(t.name for t in tools_of(row["name"]))
        assert len(row["chains"]) == len(next(d for d in DOMAINS if d.name == row["name"]).chains)
    totals = report["totals"]
    assert totals["domains"] == len(DOMAIN_NAMES)
    assert totals["tools"] == sum(r["tools"]["total"] for r in report["domains"])
    assert totals["read"] + totals["write"] == totals["tools"]
    # Informational (other domains are still landing): the brief's target is 12 domains, 200+ tools.
    print(f"world: {totals['domains']} domains, {totals['tools']} tools "
          f"({totals['read']} read / {totals['write']} write), {totals['chains']} chains")


def test_world_show_renders_tables_and_rejects_unknown_domains() -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["world", "show", "--seed", "2", "--domain", DOMAIN_NAMES[0]])
    assert shown.exit_code == 0, shown.output
    assert DOMAIN_NAMES[0] in shown.output and "total" in shown.output
    unknown = runner.invoke(app, ["world", "show", "--domain", "no_such_domain"])
    assert unknown.exit_code == 2
    assert "unknown domain" in unknown.output
