"""The graph on the built-in world: known prerequisites and data flow found by execution, and
legality traces that replay exactly."""

import pytest

from hardgen.graph import ApiGraph, DiscoveryReport, TraceSampler, discover_prerequisites
from hardgen.tools import Session, replay_trace
from hardgen.world import default_world

DOMAINS = ["banking", "messaging"]


@pytest.fixture(scope="module")
def world() -> tuple[ApiGraph, Session, DiscoveryReport]:
    session = default_world(0, DOMAINS, timeout=None)
    graph = ApiGraph.from_session(session)
    return graph, session, discover_prerequisites(graph, session, seed=0)


def test_logins_found_as_prerequisites_by_execution(world: tuple[ApiGraph, Session, DiscoveryReport]) -> None:
    graph, _, report = world
    for login, tool in (("login_messaging", "send_chat_message"), ("login_bank", "list_bank_accounts")):
        assert (login, tool) in report.prerequisites_found
        edge = graph.edge(login, tool)
        assert edge.status == "confirmed" and edge.confirmations >= 1


def test_id_lookups_confirmed_as_data_flow(world: tuple[ApiGraph, Session, DiscoveryReport]) -> None:
    graph, _, report = world
    confirmed = {(u, v, p) for u, v, p in report.data_flow_confirmed}
    assert ("list_payees", "remove_payee", "payee_id") in confirmed
    assert ("send_chat_message", "edit_chat_message", "message_id") in confirmed
    edge = graph.edge("list_payees", "remove_payee", "data_flow", "payee_id")
    assert edge.status == "confirmed" and edge.successes >= 1


def test_world_traces_are_legal_and_replay(world: tuple[ApiGraph, Session, DiscoveryReport]) -> None:
    graph, session, _ = world
    graph.update_failures({"send_chat_message": {"attempts": 3, "failures": 3}})
    sampler = TraceSampler(graph, session, seed=4)
    traces = sampler.sample_many(8)
    assert len(traces) == 8
    for trace in traces:
        names = trace.tool_names
        assert names.index("login_messaging") < names.index("send_chat_message")
        assert {e.name for e in trace.environments} <= set(DOMAINS)
        replayed = replay_trace(trace, timeout=None)
        assert replayed.final_state_hash == trace.final_state_hash
        assert [o.model_dump() for o in replayed.observations] == [s.observation.model_dump() for s in trace.steps]
    assert sum(t.implicit_dependencies >= 1 for t in traces) >= 6
