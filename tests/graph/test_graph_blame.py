"""A failed call counts only against the data-flow edges its error points at: real tools say
which argument was wrong (`Invalid card_id`, a quoted value), and an edge that fed a good value
beside a bad one must survive its neighbour's failures."""

from __future__ import annotations

import pytest

from hardgen.graph import ApiGraph
from hardgen.graph._blame import blamed_parameters
from hardgen.schema import EnvironmentSpec
from hardgen.tools import Session
from hardgen.tools._environment import returned_error_of


def _session(*classes: str) -> Session:
    return Session.from_specs([EnvironmentSpec(name=c.lower(), target=f"graph_fixture_blame:{c}") for c in classes],
                              timeout=None)


def test_an_error_about_the_card_is_no_evidence_against_the_token_that_flowed_in_beside_it() -> None:
    session = _session("Travel")
    graph = ApiGraph.from_session(session)
    # Undocumented results give no candidates: the edges as the schemas of a documented class would.
    graph.add_data_flow("login", "book", "access_token", ["access_token"])
    graph.add_data_flow("list_expired_cards", "book", "card_id", ["expired_cards", "*", "card_id"])
    for _ in range(3):
        session.reset()
        token = session.call("login", {"user_name": "ana"}).result["access_token"]
        card = session.call("list_expired_cards", {}).result["expired_cards"][0]["card_id"]
        args = {"access_token": token, "card_id": card}
        obs = session.call("book", args)
        assert not obs.ok and "Invalid card_id" in obs.error.message
        graph.observe_call("book", args, obs, sources=[("access_token", "login", ("access_token",)),
                                                       ("card_id", "list_expired_cards", ("expired_cards", 0, "card_id"))])
    token_edge = graph.edge("login", "book", "data_flow", "access_token")
    assert token_edge.status != "pruned" and token_edge.failures == 0
    card_edge = graph.edge("list_expired_cards", "book", "data_flow", "card_id")
    assert card_edge.status == "pruned" and card_edge.failures == 3


def test_an_error_that_names_no_argument_counts_against_every_edge_used() -> None:
    session = _session("Travel")
    graph = ApiGraph.from_session(session)
    graph.add_data_flow("login", "book", "access_token", ["access_token"])
    token = session.call("login", {"user_name": "ana"}).result["access_token"]
    for _ in range(3):
        assert session.call("book", {"access_token": token, "card_id": "card-001"}).ok
    obs = session.call("book", {"access_token": token, "card_id": "card-001"})
    assert not obs.ok and "Service unavailable" in obs.error.message
    graph.observe_call("book", {"access_token": token, "card_id": "card-001"}, obs,
                       sources=[("access_token", "login", ("access_token",))])
    assert graph.edge("login", "book", "data_flow", "access_token").failures == 1


@pytest.mark.parametrize("message,blamed", [
    ("book: Invalid access token", {"access_token"}),
    ("book: Invalid card_id", {"card_id"}),
    # A quoted value decides, even where another parameter's words appear.
    ("book: Invalid departure airport code: New York", {"travel_from"}),
    # The booking the tool looked for was no argument of this call: the token is cleared.
    ("book: Booking not found", {"booking_id"}),
    ("book: Insufficient funds: required $17694.60 but only $10000.00 available.", None),
    ("book: Brake pedal needs to be pressed when starting the engine.", None),
])
def test_what_an_error_points_at(message: str, blamed: set[str] | None) -> None:
    parameters = ["access_token", "card_id", "travel_from", "amount", "booking_id", "mode"]
    arguments = {"access_token": "251675", "card_id": "12345", "travel_from": "New York", "amount": 15,
                 "mode": "START"}
    assert blamed_parameters("book", parameters, arguments, message) == blamed


def test_a_lookup_that_answers_with_a_missing_sentence_failed() -> None:
    assert returned_error_of({"symbol": "Stock not found"}) == "Stock not found"
    assert returned_error_of({"symbol": "AAPL"}) is None
    assert returned_error_of({"title": "What was not found in Paris, a long story in many words"}) is None
    session = _session("Stocks")
    assert session.call("get_symbol_by_name", {"name": "Apple"}).ok
    missing = session.call("get_symbol_by_name", {"name": "Banana Corp"})
    assert not missing.ok and "Stock not found" in missing.error.message
