"""The agent ladder: rungs ordered by skill on a fixed task set, seeds that change a stochastic rung,
and failure mining that separates rungs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from agents_fixture_office import office_environment

from hardgen.agents import (
    AGENT_NAMES,
    DEFAULT_AGENT,
    LADDER,
    ModelFreeAgent,
    PlannerAgent,
    build_agent,
    next_rung,
    run_agent,
)
from hardgen.evaluate import attempt
from hardgen.graph import ApiGraph, build_graph
from hardgen.pipeline import BackendConfig, FailureReport, build_backend, generate, load_config, mine_failures
from hardgen.schema import Message, Sample
from hardgen.tools import Session
from hardgen.world import world_specs

DOMAINS = ["messaging", "banking"]


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[Sample]:
    """A fixed task set: the verified samples of a small run (two domains)."""
    from hardgen.evaluate import load_samples

    out = tmp_path_factory.mktemp("ladder") / "run"
    config = load_config(None, {"sources": [{"kind": "world", "domains": DOMAINS}], "synthesis.samples": 10,
                                "probe.tasks_per_tool": 1, "sampling.traces": 40, "out": str(out)})
    asyncio.run(generate(config))
    loaded = load_samples(out / "samples.jsonl")
    assert len(loaded) >= 6
    return loaded


def _passes(name: str, samples: list[Sample], seed: int = 0) -> set[str]:
    agent = build_agent(name, seed)
    return {s.id for s in samples if asyncio.run(attempt(agent, s, seed=seed)).passed}


def test_the_ladder_is_named_ordered_and_the_default_is_todays_agent() -> None:
    assert [r.level for r in LADDER] == list(range(len(LADDER)))
    assert AGENT_NAMES[0] == DEFAULT_AGENT == "single-call"
    assert isinstance(build_agent("single-call"), ModelFreeAgent)
    assert all(isinstance(build_agent(n), PlannerAgent) for n in AGENT_NAMES[1:])
    assert [r.name for r in LADDER if r.stochastic] == ["noisy-planner"]
    assert next_rung("single-call").name == "lookup-1" and next_rung("planner") is None  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="unknown agent 'gpt'"):
        build_agent("gpt")


def test_a_rung_is_selected_by_name_in_the_config() -> None:
    assert isinstance(build_backend(BackendConfig(agent="chain"), seed=0, cache=None), PlannerAgent)
    assert isinstance(build_backend(BackendConfig(), seed=0, cache=None), ModelFreeAgent)
    with pytest.raises(ValueError, match="unknown agent"):
        BackendConfig(agent="chain-9")


def test_lookup_1_chains_one_lookup_where_single_call_cannot() -> None:
    query = [Message.user("Send the message 'Lunch at noon?' to the user named 'Bruno Costa'.")]
    env = office_environment()
    single = asyncio.run(run_agent(build_agent("single-call"), query, env.tools(), env))
    assert env.instance.sent == [] and not any(s.observation.ok for s in single.steps)
    env = office_environment()
    lookup = asyncio.run(run_agent(build_agent("lookup-1"), query, env.tools(), env))
    assert [s.call.name for s in lookup.steps] == ["find_user", "send_message"]
    assert env.instance.sent == [{"user_id": "U-200", "text": "Lunch at noon?"}]  # the id came from the lookup
    assert lookup.stop_reason == "answered" and "M-1" in (lookup.final_answer or "")


def test_higher_rungs_succeed_at_higher_rates_on_a_fixed_task_set(samples: list[Sample]) -> None:
    passed = {name: _passes(name, samples) for name in AGENT_NAMES if name != "noisy-planner"}
    rates = {name: len(p) / len(samples) for name, p in passed.items()}
    assert rates["single-call"] <= rates["lookup-1"] <= rates["chain"] <= rates["planner"], rates
    assert rates["planner"] > rates["single-call"], rates
    # A step budget only cuts the planner short: what it passes, the planner passes.
    assert passed["chain-budget"] <= passed["planner"]
    assert passed["single-call"] <= passed["planner"]


def test_seeds_change_the_noisy_rung_and_the_same_seed_reproduces(samples: list[Sample]) -> None:
    def calls(seed: int) -> list[list[tuple[str, str]]]:
        agent = build_agent("noisy-planner", seed)
        return [[(s.call.name, repr(sorted(s.call.arguments.items()))) for s in asyncio.run(attempt(agent, x, seed=seed)).steps]
                for x in samples]

    first = calls(0)
    assert calls(0) == first
    assert any(calls(seed) != first for seed in (1, 2, 3))
    # The deterministic planner does not depend on the seed (beyond call ids).
    planner = [[(s.call.name, s.call.arguments) for s in asyncio.run(attempt(build_agent("planner", seed), x,
                                                                              seed=seed)).steps]
               for seed in (0, 1) for x in samples[:3]]
    assert planner[:3] == planner[3:]


def test_probing_with_two_rungs_gives_different_failure_sets() -> None:
    specs = world_specs(domains=DOMAINS)
    session = Session.from_specs(specs)
    built, _ = build_graph(session, seed=0, discover=True, traces=0)
    session.close()

    def probe(target: str, reference: str) -> FailureReport:
        graph = ApiGraph.from_json(built.to_json())  # the same graph for each probe (probing records into it)
        return asyncio.run(mine_failures(graph, specs, build_agent(target, 0), build_agent(reference, 1),
                                         tasks_per_tool=1, seed=0, concurrency=2))

    weak, strong = probe("single-call", "single-call"), probe("planner", "planner")
    assert weak.tasks > 20 and strong.tasks > 20
    assert strong.target_success_rate > weak.target_success_rate
    assert len(strong.failure_set) < len(weak.failure_set)
    assert set(strong.failure_set) != set(weak.failure_set)
    assert strong.target_taxonomy != weak.target_taxonomy
    rates: dict[str, Any] = {t: (weak.tools[t].target.failure_rate, strong.tools[t].target.failure_rate)
                             for t in weak.tools if t in strong.tools}
    assert any(w != s for w, s in rates.values())
