"""Data flow that names do not show: bare `result` outputs, parameters named by their
description, and values a call needs that are several, or distinct."""

from __future__ import annotations

import random

from hardgen.graph import ApiGraph, ArgumentFiller, HistoryEntry, SamplerConfig, TraceSampler, generate_value
from hardgen.schema import EnvironmentSpec
from hardgen.tools import Session


def _graph(*classes: str) -> tuple[ApiGraph, Session]:
    session = Session.from_specs([EnvironmentSpec(name=c.lower(), target=f"graph_fixture_computed:{c}")
                                  for c in classes], timeout=None)
    return ApiGraph.from_session(session), session


def test_a_bare_result_feeds_the_one_number_a_tool_needs_but_no_operand_of_two() -> None:
    graph, _ = _graph("Calculator")
    assert {u for u, _ in graph.data_sources("round_number", "number")} == {"mean", "add"}
    # Which of `add(a, b)` a result would be, no request could say: no edge into either.
    assert graph.data_sources("add") == []
    # Nor into an integer parameter, which a float result does not fit.
    assert graph.data_sources("round_number", "decimal_places") == []


def test_a_description_naming_a_field_links_a_parameter_its_name_hides() -> None:
    graph, _ = _graph("Atlas", "Board")
    assert [u for u, _ in graph.data_sources("estimate_distance", "cityA")] == ["get_zipcode"]
    assert [u for u, _ in graph.data_sources("estimate_distance", "cityB")] == ["get_zipcode"]
    # "Content of the comment" says what `comment_content` already says: a post's content is not it.
    assert graph.data_sources("comment", "comment_content") == []


def test_a_list_of_numbers_gets_several_and_a_list_of_words_one() -> None:
    rng = random.Random(0)
    for _ in range(20):
        numbers = generate_value({"type": "array", "items": {"type": "number"}}, "numbers", rng)
        assert 3 <= len(numbers) <= 5
        assert len(generate_value({"type": "array", "items": {"type": "number"}, "maxItems": 2}, "numbers", rng)) <= 2
        assert len(generate_value({"type": "array", "items": {"type": "string"}}, "tags", rng)) == 1


def test_two_parameters_never_take_one_earlier_value_both() -> None:
    graph, _ = _graph("Atlas")
    filler = ArgumentFiller(graph, random.Random(1))
    history = [HistoryEntry(0, "get_zipcode", {"zipcode": "83214"})]
    for _ in range(10):
        args, sources = filler.fill("estimate_distance", history)
        assert len(sources) == 1 and args[sources[0].parameter] == "83214"
        other = "cityB" if sources[0].parameter == "cityA" else "cityA"
        assert args[other] != "83214"


def test_a_target_nothing_is_known_to_feed_is_preceded_by_a_look_around_which_links_them() -> None:
    session = Session.from_specs([EnvironmentSpec(name="drive", target="graph_fixture_evidence:Drive")], timeout=None)
    graph = ApiGraph.from_session(session)
    graph.pools.add("drive", "filename", "plan.txt")  # a name known from an earlier call
    assert graph.data_sources("read_file") == []
    sampler = TraceSampler(graph, session, seed=0, config=SamplerConfig(min_length=2, max_length=2, feed_target=1.0,
                                                                        continue_after_target=0.0))
    trace = sampler.sample(target="read_file")
    # The listing first, though no edge said so; its output held the name read, so now one does.
    assert [s.call.name for s in trace.steps] == ["list_entries", "read_file"]
    assert [u for u, _ in graph.data_sources("read_file", "file_name")] == ["list_entries"]


def test_what_a_call_said_of_itself_is_never_passed_on_as_a_value() -> None:
    graph, _ = _graph("Atlas")
    # a status line under a field whose name fits the parameter
    history = [HistoryEntry(0, "get_zipcode", {"zipcode": "Zipcode 83214 found successfully."})]
    args, sources = ArgumentFiller(graph, random.Random(0)).fill("estimate_distance", history)
    assert sources == [] and "Zipcode 83214 found successfully." not in args.values()
