"""Execution feedback: edges confirmed, re-weighted, added or pruned by what calls do."""

import pytest
from graph_toy_shop import toy_spec

from hardgen.graph import ApiGraph, GraphConfig
from hardgen.schema import ArgumentSource, Observation, Step, ToolCall, Trace
from hardgen.tools import Session


@pytest.fixture()
def graph() -> ApiGraph:
    return ApiGraph.from_session(Session.from_specs([toy_spec()], timeout=None))


def test_a_successful_use_confirms_a_data_flow_edge(graph: ApiGraph) -> None:
    before = graph.edge("list_products", "get_product", "data_flow", "product_id")
    graph.observe_call("get_product", {"product_id": "P100"}, Observation.success({"product_id": "P100"}),
                       sources=[("product_id", "list_products", (0, "product_id"))], ran_before=["list_products"])
    after = graph.edge("list_products", "get_product", "data_flow", "product_id")
    assert before.status == "candidate" and after.status == "confirmed"
    assert after.successes == 1 and after.weight > before.weight


def test_a_data_flow_edge_that_keeps_failing_is_pruned(graph: ApiGraph) -> None:
    version = graph.version
    for _ in range(GraphConfig().prune_data_flow_after):
        graph.observe_call("get_order", {"order_id": "X"}, Observation.failure("NotFoundError", "no order"),
                           sources=[("order_id", "cancel_order", ("order_id",))], ran_before=["cancel_order"])
    edge = graph.edge("cancel_order", "get_order", "data_flow", "order_id")
    assert edge.status == "pruned" and edge.failures == 3
    assert graph.version > version
    assert "cancel_order" not in [u for u, _ in graph.data_sources("get_order")]


def test_success_without_a_prerequisite_prunes_it(graph: ApiGraph) -> None:
    assert "open_catalog" in graph.prerequisites("search_catalog")
    graph.observe_call("search_catalog", {"query": "lamp"}, Observation.success([]), ran_before=[])
    assert graph.edge("open_catalog", "search_catalog").status == "pruned"
    assert "open_catalog" not in graph.prerequisites("search_catalog")
    # A confirmed prerequisite survives one contradiction: it needs more evidence against it.
    graph.confirm_prerequisite("login", "send_message")
    graph.observe_call("send_message", {"recipient_id": "C1", "text": "hi"}, Observation.success({}), ran_before=[])
    assert graph.edge("login", "send_message").status == "confirmed"


def test_pools_grow_from_outputs_and_accepted_arguments(graph: ApiGraph) -> None:
    param = next(p for p in graph.parameters("get_order") if p.name == "order_id")
    assert graph.pool_values("get_order", param) == []
    graph.observe_call("place_order", {}, Observation.success({"order_id": "O777", "status": "placed", "total": 1.0}))
    assert "O777" in graph.pool_values("get_order", param)
    graph.observe_call("add_to_cart", {"product_id": "P100", "quantity": 3}, Observation.success({}))
    assert graph.parameter_constraints("add_to_cart")["quantity"].observed_range == [3, 3]


def test_observe_trace_matches_values_when_sources_are_missing(graph: ApiGraph) -> None:
    trace = Trace(environments=[toy_spec()], steps=[
        Step(call=ToolCall(name="list_contacts"), observation=Observation.success([{"contact_id": "C2-X", "name": "Cy"}])),
        Step(call=ToolCall(name="login", arguments={"username": "ann", "password": "pw-0"}),
             observation=Observation.success({"username": "ann", "session_token": "tok"})),
        Step(call=ToolCall(name="send_message", arguments={"recipient_id": "C2-X", "text": "hello"}),
             observation=Observation.success({"message_id": "M1"})),
        Step(call=ToolCall(name="get_product", arguments={"product_id": "P100"}),
             observation=Observation.success({"product_id": "P100"}),
             sources=[ArgumentSource(parameter="product_id", step=0, path=[0, "contact_id"])]),
    ])
    assert graph.observe_trace(trace) == 2
    assert graph.edge("list_contacts", "send_message", "data_flow", "recipient_id").status == "confirmed"
    # The recorded source is taken at its word: an edge that was not a candidate is added, confirmed.
    observed = graph.edge("list_contacts", "get_product", "data_flow", "product_id")
    assert observed is not None and observed.origin == "observed" and observed.path == ("*", "contact_id")
    assert graph.edge("login", "send_message").successes == 1


def test_parameter_constraints_report_types_enums_and_sources(graph: ApiGraph) -> None:
    constraints = graph.parameter_constraints("send_message")
    recipient = constraints["recipient_id"]
    assert recipient.type == "string" and recipient.required and recipient.identifier
    assert any(s.tool == "list_contacts" for s in recipient.sources)
    assert recipient.pool_size >= 2  # C1, C2 from the state
