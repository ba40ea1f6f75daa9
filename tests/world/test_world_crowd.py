"""A domain's long history (`Domain.crowd`, for long-context samples): many more records of the kinds
its listings return, every record already there unchanged, the counters new records take their ids
from unchanged, and every documented example still working."""

from __future__ import annotations

from typing import Any

import pytest

from hardgen.tools import Session
from hardgen.world import all_domains, crowded_spec, get_domain, run_example

CROWDED = [d.name for d in all_domains() if d.crowd is not None]

# A listing of each crowded domain that the long history makes long: (domain, calls, min records).
LISTINGS: dict[str, tuple[list[tuple[str, dict[str, Any]]], str, int]] = {
    "ecommerce": ([("search_orders", {})], "orders", 40),
    "banking": ([*get_domain("banking").examples["list_payees"]], "payees", 18),
    "trading": ([get_domain("trading").examples["get_stock_order_history"][0], ("get_stock_order_history", {})],
                "orders", 20),
    "messaging": ([*get_domain("messaging").examples["get_conversation"][:2], ("list_chat_inbox", {"limit": 100})],
                  "messages", 40),
    "calendar": ([("list_pending_invitations", {})], "events", 12),
    "hr": ([*get_domain("hr").examples["list_payslips"]], "payslips", 24),
}


def test_the_domains_with_long_listings_have_a_crowd() -> None:
    assert set(CROWDED) == set(LISTINGS)


def _records(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if isinstance(v, dict)}


@pytest.mark.parametrize("name", CROWDED)
def test_crowding_adds_records_and_changes_none(name: str) -> None:
    domain = get_domain(name)
    spec = domain.spec(3)
    crowded = crowded_spec(spec)
    assert crowded is not None and crowded_spec(spec) == crowded  # deterministic
    before, after = spec.initial_state, crowded.initial_state
    assert spec.initial_state == domain.spec(3).initial_state  # the spec given is left alone
    for key, value in before.items():
        if isinstance(value, dict) and key in _records(before) and all(isinstance(v, dict) for v in value.values()) \
                and value and "counter" not in key:
            assert all(after[key][k] == v for k, v in value.items()), key  # every record as it was
        else:
            assert after[key] == value, key  # scalars, counters, next numbers
    added = sum(len(after[k]) - len(v) for k, v in _records(before).items())
    assert added >= 15


# Write examples that act on the first record of a listing the long history makes longer.
PICKS_FROM_A_LISTING = {("calendar", "rsvp_calendar_event")}


@pytest.mark.parametrize("name", CROWDED)
def test_a_write_makes_what_it_made_before_the_history(name: str) -> None:
    """The ids new records take (an order, a payee, a watchlist) and what a write answers are the
    same on the crowded world: the added records took no id the domain would give next."""
    domain = get_domain(name)
    plain = domain.spec(0)
    crowded = crowded_spec(plain)
    assert crowded is not None
    checked = 0
    for tool, calls in domain.examples.items():
        if (name, tool) in PICKS_FROM_A_LISTING:
            continue
        texts = []
        for spec in (plain, crowded):
            session = Session.from_specs([spec])
            try:
                if not session.tool(tool).mutates:
                    break
                texts.append(run_example(session, calls)[-1].to_text())
            finally:
                session.close()
        if texts:
            checked += 1
            assert texts[0] == texts[1], tool
    assert checked >= 5


@pytest.mark.parametrize("name", CROWDED)
def test_every_example_still_works_and_the_listing_is_long(name: str) -> None:
    domain = get_domain(name)
    crowded = crowded_spec(domain.spec(0))
    assert crowded is not None
    for tool, calls in domain.examples.items():
        session = Session.from_specs([crowded])
        try:
            observations = run_example(session, calls)
            assert observations[-1].ok, (tool, observations[-1].error)
        finally:
            session.close()
    calls, key, least = LISTINGS[name]
    lengths = []
    for spec in (domain.spec(0), crowded):
        session = Session.from_specs([spec])
        try:
            result = run_example(session, calls)[-1]
            assert result.ok, result.error
            lengths.append((len(result.result[key]), len(result.to_text())))
        finally:
            session.close()
    (few, short), (many, long) = lengths
    assert many >= least and many > few and long >= 2 * short and long >= 2500, lengths


def test_a_source_that_is_no_crowded_domain_has_no_long_history() -> None:
    assert crowded_spec(get_domain("math").spec(0)) is None
    spec = get_domain("ecommerce").spec(0).model_copy(update={"target": "elsewhere:Shop"})
    assert crowded_spec(spec) is None
