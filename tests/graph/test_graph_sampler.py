"""The legality-constrained sampler: legality, determinism, exact replay, targets, modes, bounds."""

import pytest
from graph_toy_shop import toy_spec

from hardgen.graph import (
    ApiGraph,
    GraphError,
    SamplerConfig,
    SamplingError,
    TraceSampler,
    discover_prerequisites,
)
from hardgen.tools import Session, replay_trace


def _setup(seed: int = 0) -> tuple[ApiGraph, Session]:
    session = Session.from_specs([toy_spec()], timeout=None)
    graph = ApiGraph.from_session(session)
    discover_prerequisites(graph, session, seed=seed)
    return graph, session


@pytest.fixture(scope="module")
def setup() -> tuple[ApiGraph, Session]:
    return _setup()


@pytest.mark.parametrize("mode", ["legality", "uniform"])
def test_no_call_before_its_prerequisites_over_many_seeds(setup: tuple[ApiGraph, Session], mode: str) -> None:
    graph, session = setup
    config = SamplerConfig(learn=False, keep_failed_calls=True)  # frozen graph: check every call made
    checked = 0
    for seed in range(40):
        sampler = TraceSampler(graph, session, seed=seed, mode=mode, config=config)  # type: ignore[arg-type]
        for trace in sampler.samples(3):
            for i, step in enumerate(trace.steps):
                done = {s.call.name for s in trace.steps[:i] if s.observation.ok}
                assert graph.is_legal(step.call.name, done), (trace.tool_names, i)
                checked += 1
            names = trace.tool_names
            for before, after in (("login", "send_message"), ("login", "add_to_cart"), ("add_to_cart", "place_order")):
                if after in names:
                    assert before in names[: names.index(after)]
    assert checked > 200


def test_same_seed_same_traces() -> None:
    runs = []
    for _ in range(2):
        graph, session = _setup(seed=3)
        sampler = TraceSampler(graph, session, seed=11)
        runs.append([t.to_json() for t in sampler.sample_many(15)])
    assert runs[0] == runs[1]
    graph, session = _setup(seed=3)
    assert [t.to_json() for t in TraceSampler(graph, session, seed=12).sample_many(15)] != runs[0]


def test_traces_replay_exactly(setup: tuple[ApiGraph, Session]) -> None:
    graph, session = setup
    sampler = TraceSampler(graph, session, seed=5)
    for trace in sampler.sample_many(20):
        assert trace.environments[0].initial_state == toy_spec().initial_state
        result = replay_trace(trace, timeout=None)
        assert [o.model_dump() for o in result.observations] == [s.observation.model_dump() for s in trace.steps]
        assert result.final_state_hash == trace.final_state_hash
        assert result.state_hashes == [s.state_hash for s in trace.steps]


def test_failed_calls_kept_on_request_still_replay(setup: tuple[ApiGraph, Session]) -> None:
    graph, session = setup
    sampler = TraceSampler(graph, session, seed=2, mode="random_walk",
                           config=SamplerConfig(keep_failed_calls=True, min_length=1))
    traces = sampler.sample_many(30)
    assert any(not s.observation.ok for t in traces for s in t.steps)
    for trace in traces:
        assert replay_trace(trace, timeout=None).final_state_hash == trace.final_state_hash


def test_targets_follow_failure_rates_and_carry_their_dependencies() -> None:
    graph, session = _setup()
    graph.update_failures({"get_order": {"attempts": 5, "failures": 4}})
    sampler = TraceSampler(graph, session, seed=1)
    for trace in sampler.sample_many(10):
        assert trace.target_tool == "get_order" and trace.mode == "legality"
        names = trace.tool_names
        step = trace.steps[names.index("get_order")]
        (source,) = step.sources
        assert source.parameter == "order_id" and names[source.step] == "place_order"
        assert trace.steps[source.step].observation.result["order_id"] == step.call.arguments["order_id"]
        assert trace.implicit_dependencies >= 2  # add_to_cart's product_id and get_order's order_id


def test_modes_and_length_bounds(setup: tuple[ApiGraph, Session]) -> None:
    graph, session = setup
    config = SamplerConfig(min_length=3, max_length=4)
    for mode in ("legality", "uniform", "random_walk"):
        traces = TraceSampler(graph, session, seed=7, mode=mode, config=config).sample_many(10)  # type: ignore[arg-type]
        assert traces and all(t.mode == mode and 3 <= len(t.steps) <= 4 for t in traces)
        assert all((t.target_tool is None) == (mode == "random_walk") for t in traces)
        assert all(t.target_tool in t.tool_names for t in traces if t.target_tool)


def test_bad_requests_fail_clearly(setup: tuple[ApiGraph, Session]) -> None:
    graph, session = setup
    with pytest.raises(GraphError, match="min_length"):
        SamplerConfig(min_length=5, max_length=2)
    with pytest.raises(GraphError, match="mode"):
        TraceSampler(graph, session, mode="nope")  # type: ignore[arg-type]
    with pytest.raises(GraphError, match="unknown target"):
        TraceSampler(graph, session).sample(target="nope")
    # A target that needs more calls than the bounds allow cannot be sampled.
    short = TraceSampler(graph, session, config=SamplerConfig(min_length=1, max_length=2, max_attempts=2))
    with pytest.raises(SamplingError, match="get_order"):
        short.sample(target="get_order")
