"""Prerequisites and data flow discovered by executing experiments on the toy shop."""

import pytest
from graph_toy_shop import toy_spec

from hardgen.graph import ApiGraph, DiscoveryReport, GraphError, discover_prerequisites
from hardgen.tools import Session


@pytest.fixture(scope="module")
def discovered() -> tuple[ApiGraph, DiscoveryReport]:
    session = Session.from_specs([toy_spec()], timeout=None)
    graph = ApiGraph.from_session(session)
    return graph, discover_prerequisites(graph, session, seed=0)


def test_state_prerequisites_found_by_failure_then_success(discovered: tuple[ApiGraph, DiscoveryReport]) -> None:
    graph, report = discovered
    assert ("login", "send_message") in report.prerequisites_found
    assert ("login", "add_to_cart") in report.prerequisites_found
    # Not a hint, not a name: only execution shows that an order needs a filled cart.
    assert ("add_to_cart", "place_order") in report.prerequisites_found
    edge = graph.edge("add_to_cart", "place_order")
    assert edge.status == "confirmed" and edge.confirmations == 1 and edge.origin == "discovery"


def test_guessed_prerequisites_contradicted_by_execution_are_pruned(discovered: tuple[ApiGraph, DiscoveryReport]) -> None:
    graph, report = discovered
    assert graph.edge("open_catalog", "search_catalog").status == "pruned"
    assert graph.edge("login", "list_products").status == "pruned"
    assert report.pruned_prerequisites >= 2
    assert report.succeeded_fresh + len(report.failed_fresh) == report.tested == len(graph)


def test_data_flow_confirmed_by_execution(discovered: tuple[ApiGraph, DiscoveryReport]) -> None:
    graph, report = discovered
    assert ("place_order", "get_order", "order_id") in report.data_flow_confirmed
    assert graph.edge("place_order", "get_order", "data_flow", "order_id").status == "confirmed"
    assert graph.edge("list_contacts", "send_message", "data_flow", "recipient_id").status == "confirmed"
    assert not report.still_failing


def test_discovery_builds_its_own_session_from_specs() -> None:
    graph = ApiGraph.build(Session.from_specs([toy_spec()], timeout=None).tools())
    report = discover_prerequisites(graph, specs=[toy_spec()], tools=["send_message"], confirm_data_flow=False)
    assert report.prerequisites_found == [("login", "send_message")]
    with pytest.raises(GraphError, match="unknown tools"):
        discover_prerequisites(graph, specs=[toy_spec()], tools=["nope"])
