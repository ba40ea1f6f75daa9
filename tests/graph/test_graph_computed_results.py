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


def test_options_a_description_lists_are_the_values_offered() -> None:
    from hardgen.graph._arguments import described_options

    assert described_options({"type": "string", "description": "The class of the travel. Options are: economy, "
                                                                  "business, first."}) == ["economy", "business", "first"]
    assert described_options({"type": "string", "description": "Here are the options: read_write, read, write"}) \
        == ["read_write", "read", "write"]
    assert described_options({"type": "string", "description": "One of the names you gave"}) is None
    assert described_options({"type": "string", "enum": ["a", "b"], "description": "Options are: c, d"}) is None


def test_a_setter_gets_a_number_of_the_known_size_that_the_state_does_not_hold_yet() -> None:
    from hardgen.graph._arguments import _near_number

    rng = random.Random(0)
    for _ in range(20):
        value = _near_number([5000.0], {"type": "number"}, rng)
        assert value is None or (value != 5000.0 and 2500.0 <= value <= 10000.0)
    assert _near_number([], {"type": "number"}, rng) is None
    assert _near_number([80], {"type": "integer", "maximum": 100}, random.Random(3)) in (None, 40, 60, 100)


def test_the_number_of_the_card_being_registered_is_new_and_its_holder_is_known() -> None:
    from hardgen.graph._fresh import fresh_kind_id

    assert ArgumentFiller._names_made_thing("register_credit_card", "card_number")
    assert not ArgumentFiller._names_made_thing("register_credit_card", "cardholder_name")
    assert not ArgumentFiller._names_made_thing("add_to_cart", "product_id")  # the cart's item exists
    # "register" is the verb here: no calculator register name for a card holder.
    assert fresh_kind_id("register_credit_card", "cardholder_name") is None
    assert fresh_kind_id("store_register", "name") == "register_name"

