"""Candidate edges from schemas, summary, failure statistics and JSON persistence."""

from pathlib import Path

import pytest
from graph_toy_shop import toy_spec

from hardgen.graph import ApiGraph, FailureStats, GraphError
from hardgen.schema import ToolSpec
from hardgen.tools import Session


@pytest.fixture(scope="module")
def session() -> Session:
    return Session.from_specs([toy_spec()], timeout=None)


def test_candidate_data_flow_edges_come_from_schemas(session: Session) -> None:
    graph = ApiGraph.from_session(session)
    edge = graph.edge("list_products", "get_product", "data_flow", "product_id")
    assert edge is not None and edge.status == "candidate" and edge.path == ("*", "product_id")
    assert graph.edge("place_order", "get_order", "data_flow", "order_id") is not None
    # A description match: "The contact id of the person who receives" links contact_id to recipient_id.
    assert graph.edge("list_contacts", "send_message", "data_flow", "recipient_id") is not None
    # Nothing feeds a parameter from a field of another type or an unrelated name.
    assert graph.edge("list_contacts", "get_order", "data_flow") is None


def test_candidate_prerequisites_from_hints_and_names(session: Session) -> None:
    graph = ApiGraph.from_session(session)
    assert graph.edge("login", "send_message").origin == "hint"
    assert graph.edge("login", "list_products").origin == "naming"
    assert graph.edge("open_catalog", "search_catalog").origin == "naming"
    assert "login" in graph.prerequisites("place_order")


def test_summary_counts_match_the_edges(session: Session) -> None:
    graph = ApiGraph.from_session(session)
    summary = graph.summary()
    assert summary.nodes == len(session.tools()) == 11
    assert summary.edges == len(graph.edges())
    for kind, by_status in summary.edges_by_kind.items():
        for status, count in by_status.items():
            assert count == len(graph.edges(kind, status))  # type: ignore[arg-type]
    assert summary.weakly_connected_components >= 1
    assert summary.failure_tools == 0


def test_update_failures_sets_target_weights(session: Session) -> None:
    graph = ApiGraph.from_session(session)
    graph.update_failures({"get_order": FailureStats(attempts=4, failures=3, taxonomy={"missing_dependency": 3}),
                           "send_message": {"attempts": 10, "failures": 1}})
    assert graph.failure_tools() == ["get_order", "send_message"]
    assert graph.target_weight("get_order") == pytest.approx(0.75)
    graph.update_failures({"get_order": {"attempts": 4, "failures": 1}}, replace=False)
    assert graph.failure_stats("get_order").attempts == 8
    assert graph.failure_stats("get_order").taxonomy == {"missing_dependency": 3}
    with pytest.raises(GraphError, match="nope"):
        graph.update_failures({"nope": {"attempts": 1, "failures": 1}})
    assert graph.update_failures({"nope": {"attempts": 1, "failures": 1}}, strict=False) == ["nope"]


def test_json_round_trip_keeps_everything(session: Session, tmp_path: Path) -> None:
    graph = ApiGraph.from_session(session)
    graph.update_failures({"get_order": {"attempts": 2, "failures": 1}})
    graph.confirm_prerequisite("login", "send_message")
    path = graph.save(tmp_path / "g" / "graph.json")
    loaded = ApiGraph.load(path)
    assert loaded.to_json() == graph.to_json()
    assert loaded.summary() == graph.summary()
    assert loaded.edge("login", "send_message").status == "confirmed"
    assert loaded.pool_values("get_product", loaded.parameters("get_product")[0])


def test_load_rejects_files_that_are_not_graphs(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"nodes": []}')
    with pytest.raises(GraphError, match="not an API graph"):
        ApiGraph.load(bad)
    with pytest.raises(GraphError, match="cannot read"):
        ApiGraph.load(tmp_path / "missing.json")


def test_generic_names_do_not_link_across_many_environments() -> None:
    # 40 environments each with a tool returning `name`: too generic to link across environments.
    tools = [ToolSpec(name=f"get_thing_{i}", environment=f"env{i}",
                      returns={"type": "object", "properties": {"name": {"type": "string"}}}) for i in range(40)]
    tools.append(ToolSpec(name="greet", environment="env0",
                          parameters={"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}))
    graph = ApiGraph.build(tools)
    sources = {u for u, _ in graph.data_sources("greet")}
    assert sources == {"get_thing_0"}
