"""A parameter no known value fits is tried with an identifier the episode returned, and the
data flow execution confirms is learned (`git log` prints shas, `git show` takes one)."""

from __future__ import annotations

from hardgen.graph import ApiGraph, SamplerConfig, TraceSampler
from hardgen.graph._values import looks_like_identifier, returned_identifiers
from hardgen.schema import EnvironmentSpec
from hardgen.tools import Session


def _setup() -> tuple[ApiGraph, Session]:
    session = Session.from_specs([EnvironmentSpec(name="repo", target="graph_fixture_identifiers:Repo")], timeout=None)
    return ApiGraph.from_session(session), session


def test_identifiers_are_strings_nobody_would_make_up() -> None:
    assert looks_like_identifier("dba6f8ae1147a1eab9b3d5e3ad5ff6200d7a8106") and looks_like_identifier("ORD-20931")
    for value in ("drafts", "Add a todo list", "2023", "v2", "hello-world", 20931, "sample revision"):
        assert not looks_like_identifier(value)
    results = [(0, {"history": [{"commit": "9f1c2ab7e4d0"}, {"commit": "3b7e9d01c6aa"}]}), (1, {"id": "9f1c2ab7e4d0"})]
    # The latest step first, each value once.
    assert returned_identifiers(results) == [(1, ("id",), "9f1c2ab7e4d0"), (0, ("history", 1, "commit"), "3b7e9d01c6aa")]


def test_a_read_nothing_names_learns_its_source_by_trying_a_returned_identifier() -> None:
    graph, session = _setup()
    assert not graph.data_sources("show") and not graph.pool_values("show", graph.parameters("show")[0])
    sampler = TraceSampler(graph, session, seed=1, config=SamplerConfig(min_length=2, max_length=3))
    for _ in range(40):  # log, then (nothing it feeds yet) another call of the app: show, with a sha
        sampler.sample(target="log")
        if graph.data_sources("show"):
            break
    ((source, edge),) = graph.data_sources("show", "revision")
    assert source == "log" and edge["status"] == "confirmed" and edge["path"] == ["history", "*", "commit"]
    # Now a trace aimed at `show` looks the sha up first, and records where it came from.
    trace = sampler.sample(target="show")
    shown = next(s for s in trace.steps if s.call.name == "show")
    assert trace.steps[0].call.name == "log" and shown.observation.ok
    assert [(s.parameter, s.step) for s in shown.sources] == [("revision", 0)]
    sha = shown.call.arguments["revision"]
    assert sha in [c["commit"] for c in trace.steps[0].observation.result["history"]]


def test_a_write_is_never_made_with_a_guessed_identifier() -> None:
    graph, session = _setup()
    sampler = TraceSampler(graph, session, seed=2, config=SamplerConfig(min_length=1, max_length=4))
    for _ in range(20):
        trace = sampler.sample(target="log")
        assert all(not looks_like_identifier(s.call.arguments.get("label")) for s in trace.steps)
    assert not graph.data_sources("tag")  # `tag(label)` has no value that fits: it is left out
