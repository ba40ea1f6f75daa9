"""Prerequisites that a random fill of the enabler's arguments rarely shows: discovery varies
them as a tester would (each boundary of the schema, known values), replays what enabled one
tool when another needs it, and does not take data for state."""

from __future__ import annotations

import pytest

from hardgen.graph import ApiGraph, DiscoveryReport, discover_prerequisites
from hardgen.schema import EnvironmentSpec
from hardgen.tools import Session


def _discovered(name: str, seed: int = 0) -> tuple[ApiGraph, DiscoveryReport]:
    session = Session.from_specs([EnvironmentSpec(name=name.lower(), target=f"graph_fixture_enablers:{name}")],
                                 timeout=None)
    graph = ApiGraph.from_session(session)
    return graph, discover_prerequisites(graph, session, seed=seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_enabler_that_works_only_at_its_boundary_and_the_chain_it_starts(seed: int) -> None:
    graph, report = _discovered("Ignition", seed)
    assert ("press_brake_pedal", "start_engine") in report.prerequisites_found
    # The cruise control needs the engine, which needs the brake pressed fully: the chain
    # replays the arguments that started the engine.
    assert ("start_engine", "set_cruise_control") in report.prerequisites_found
    assert graph.edge("start_engine", "set_cruise_control").status == "confirmed"
    assert not report.still_failing
    # What enabled is kept for whoever calls the enabler next: the brake at 1, not at 0.6.
    enabling = graph.enabling_arguments("press_brake_pedal", "start_engine")
    assert enabling is not None and enabling[0] == {"position": 1.0}
    assert 1.0 in graph.pools.values("ignition", "position")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_call_that_created_what_the_tool_acts_on_is_data_not_state(seed: int) -> None:
    graph, report = _discovered("Notes", seed)
    assert "delete_note" in report.failed_fresh  # the id of a note an earlier call made, from the pools
    edge = graph.edge("add_note", "delete_note")
    assert edge is None or edge.status != "confirmed"
    assert ("add_note", "delete_note") not in report.prerequisites_found


@pytest.mark.parametrize("seed", [0, 1])
def test_an_argument_its_error_blames_is_looked_up_where_the_error_points(seed: int) -> None:
    graph, report = _discovered("Flights", seed)
    # Nothing in the names links `airports` to `origin`; each error in turn says what is wrong.
    for parameter in ("origin", "destination"):
        edge = graph.edge("list_airports", "book", "data_flow", parameter)
        assert edge is not None and edge.status == "confirmed"
        assert ("list_airports", "book", parameter) in report.data_flow_confirmed
    assert "book" not in report.still_failing


@pytest.mark.parametrize("seed", [1, 2])
def test_the_only_argument_of_a_call_whose_error_names_nothing_is_looked_up(seed: int) -> None:
    graph, report = _discovered("Following", seed)
    assert "unfollow" in report.failed_fresh  # the pools gave someone not followed
    edge = graph.edge("list_followed", "unfollow", "data_flow", "user_name")
    assert edge is not None and edge.status == "confirmed"
    assert "unfollow" not in report.still_failing
