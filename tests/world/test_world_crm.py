"""The CRM domain: its documented chains run end to end with real ids flowing between calls, its
state machines refuse invalid transitions with the right error type, and worlds are seeded."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import fails, ok

from hardgen.world import default_world, get_domain
from hardgen.world.domains.crm import generate_state


def crm_state(session: Any) -> dict[str, Any]:
    return session.state()["crm"]


@pytest.fixture
def crm() -> Any:
    return default_world(0, domains=["crm"], timeout=None)


@pytest.mark.parametrize("seed", [0, 5])
def test_support_ticket_lifecycle_chain(seed: int) -> None:
    session = default_world(seed, domains=["crm"], timeout=None)
    state = crm_state(session)
    contact = next(iter(state["contacts"].values()))
    agent = next(a for a in state["agents"].values() if a["team"] == "support")

    found = ok(session, "search_contacts", query=contact["name"].upper())
    contact_id = found["contacts"][0]["contact_id"]
    assert contact_id == contact["contact_id"]
    ticket = ok(
        session,
        "create_support_ticket",
        contact_id=contact_id,
        subject="Dashboard fails to load",
        category="technical",
        priority="high",
    )
    assert (ticket["status"], ticket["assigned_agent_id"], ticket["contact_id"]) == ("open", None, contact_id)
    agent_id = ok(session, "find_crm_agent", name=agent["name"])["agents"][0]["agent_id"]
    assigned = ok(session, "assign_ticket", ticket_id=ticket["ticket_id"], agent_id=agent_id)
    assert (assigned["status"], assigned["assigned_agent_id"]) == ("in_progress", agent_id)
    resolved = ok(session, "resolve_ticket", ticket_id=ticket["ticket_id"], resolution="fixed")
    assert resolved["resolved_date"] == state["today"]
    closed = ok(session, "close_ticket", ticket_id=ticket["ticket_id"])
    assert closed["status"] == "closed"
    assert crm_state(session)["tickets"][ticket["ticket_id"]]["status"] == "closed"
    assert ticket["ticket_id"] in {
        t["ticket_id"] for t in ok(session, "list_tickets", contact_id=contact_id)["tickets"]
    }


def test_ticket_state_rules(crm: Any) -> None:
    ticket = ok(
        crm,
        "create_support_ticket",
        contact_id=next(iter(crm_state(crm)["contacts"])),
        subject="Charged twice this month",
        category="billing",
    )
    tid = ticket["ticket_id"]
    assert "assign" in fails(crm, "resolve_ticket", "InvalidStateError", ticket_id=tid, resolution="fixed")
    fails(crm, "close_ticket", "InvalidStateError", ticket_id=tid)
    fails(crm, "reopen_ticket", "InvalidStateError", ticket_id=tid, reason="again")
    sales = next(a for a in crm_state(crm)["agents"].values() if a["team"] == "sales")
    fails(crm, "assign_ticket", "PermissionDeniedError", ticket_id=tid, agent_id=sales["agent_id"])
    support = next(a for a in crm_state(crm)["agents"].values() if a["team"] == "support")
    ok(crm, "assign_ticket", ticket_id=tid, agent_id=support["agent_id"])
    ok(crm, "resolve_ticket", ticket_id=tid, resolution="workaround")
    fails(crm, "set_ticket_priority", "InvalidStateError", ticket_id=tid, priority="urgent")
    reopened = ok(crm, "reopen_ticket", ticket_id=tid, reason="Charged twice again")
    assert (reopened["status"], reopened["reopen_count"], reopened["resolution"]) == ("in_progress", 1, None)
    assert reopened["comments"][-1]["text"] == "Charged twice again"
    ok(crm, "resolve_ticket", ticket_id=tid, resolution="fixed")
    ok(crm, "close_ticket", ticket_id=tid)
    assert "new ticket" in fails(crm, "reopen_ticket", "InvalidStateError", ticket_id=tid, reason="still broken")
    fails(crm, "add_ticket_comment", "InvalidStateError", ticket_id=tid, text="hello?")
    fails(crm, "assign_ticket", "InvalidStateError", ticket_id=tid, agent_id=support["agent_id"])


def test_priority_change_recomputes_sla_and_comment_ids_count_up(crm: Any) -> None:
    ticket = ok(
        crm,
        "create_support_ticket",
        contact_id=next(iter(crm_state(crm)["contacts"])),
        subject="Export to CSV is empty",
        category="technical",
        priority="low",
    )
    assert ticket["sla_due_date"] == "2025-03-24"
    assert (
        ok(crm, "set_ticket_priority", ticket_id=ticket["ticket_id"], priority="urgent")["sla_due_date"] == "2025-03-15"
    )
    first = ok(crm, "add_ticket_comment", ticket_id=ticket["ticket_id"], text="Looking into it", internal=True)
    second = ok(crm, "add_ticket_comment", ticket_id=ticket["ticket_id"], text="Any news?")
    assert second["comment_count"] == 2 and first["comment_id"] != second["comment_id"]
    fails(crm, "add_ticket_comment", "InvalidArgumentError", ticket_id=ticket["ticket_id"], text="   ")
    fails(crm, "add_ticket_comment", "NotFoundError", ticket_id=ticket["ticket_id"], text="x", author_agent_id="AG-999")


def test_advance_company_deal_chain_follows_the_pipeline(crm: Any) -> None:
    deal = next(d for d in crm_state(crm)["deals"].values() if d["stage"] == "proposal")
    company_name = crm_state(crm)["companies"][deal["company_id"]]["name"]
    company_id = ok(crm, "search_companies", query=company_name)["companies"][0]["company_id"]
    deals = ok(crm, "list_deals", company_id=company_id, stage="proposal")["deals"]
    assert deal["deal_id"] in [d["deal_id"] for d in deals]
    message = fails(crm, "move_deal_to_stage", "InvalidStateError", deal_id=deal["deal_id"], stage="closed_won")
    assert "negotiation" in message
    fails(crm, "move_deal_to_stage", "InvalidStateError", deal_id=deal["deal_id"], stage="qualification")
    moved = ok(crm, "move_deal_to_stage", deal_id=deal["deal_id"], stage="negotiation")
    assert moved["next_stages"] == ["closed_won", "closed_lost"]
    won = ok(crm, "move_deal_to_stage", deal_id=deal["deal_id"], stage="closed_won")
    assert [h["stage"] for h in won["stage_history"]][-3:] == ["proposal", "negotiation", "closed_won"]
    assert won["next_stages"] == []
    fails(crm, "move_deal_to_stage", "InvalidStateError", deal_id=deal["deal_id"], stage="closed_lost")


def test_deal_for_contact_chain_and_its_validation(crm: Any) -> None:
    contact = next(iter(crm_state(crm)["contacts"].values()))
    contact_id = ok(crm, "search_contacts", query=contact["name"])["contacts"][0]["contact_id"]
    details = ok(crm, "get_contact", contact_id=contact_id)
    assert details["email"] == contact["email"] and details["company_id"] == contact["company_id"]
    args = {
        "company_id": details["company_id"],
        "contact_id": contact_id,
        "name": "Q3 rollout",
        "amount": 12000,
        "close_date": "2025-05-01",
    }
    deal = ok(crm, "create_deal", **args)
    assert deal["deal_id"] == f"DL-{generate_state(0)['next_deal_number']}"
    assert deal["stage"] == "prospecting" and deal["next_stages"] == ["qualification", "closed_lost"]
    assert ok(crm, "move_deal_to_stage", deal_id=deal["deal_id"], stage="qualification")["stage"] == "qualification"
    fails(crm, "create_deal", "ConflictError", **args)
    fails(crm, "create_deal", "InvalidArgumentError", **{**args, "name": "Other", "close_date": "2024-01-01"})
    fails(crm, "create_deal", "InvalidArgumentError", **{**args, "name": "Other", "amount": -5})
    fails(crm, "create_deal", "InvalidArgumentError", **{**args, "name": "Other", "close_date": "May 1st"})
    other = next(c for c in crm_state(crm)["companies"] if c != details["company_id"])
    assert "list_company_contacts" in fails(crm, "create_deal", "InvalidArgumentError", **{**args, "company_id": other})


def test_reopen_customer_ticket_chain(crm: Any) -> None:
    ticket = next(t for t in crm_state(crm)["tickets"].values() if t["status"] == "resolved")
    name = crm_state(crm)["contacts"][ticket["contact_id"]]["name"]
    contact_id = next(c["contact_id"] for c in ok(crm, "search_contacts", query=name)["contacts"] if c["name"] == name)
    resolved = ok(crm, "list_tickets", contact_id=contact_id, status="resolved")["tickets"]
    assert ticket["ticket_id"] in [t["ticket_id"] for t in resolved]
    ok(crm, "reopen_ticket", ticket_id=ticket["ticket_id"], reason="Same error again")
    support = [a for a in crm_state(crm)["agents"].values() if a["team"] == "support"][-1]
    assert (
        ok(crm, "assign_ticket", ticket_id=ticket["ticket_id"], agent_id=support["agent_id"])["assigned_agent_id"]
        == support["agent_id"]
    )


def test_agent_workload_followup_chain(crm: Any) -> None:
    ticket = next(t for t in crm_state(crm)["tickets"].values() if t["status"] == "in_progress")
    agent = crm_state(crm)["agents"][ticket["assigned_agent_id"]]
    agent_id = next(
        a["agent_id"] for a in ok(crm, "find_crm_agent", name=agent["name"])["agents"] if a["name"] == agent["name"]
    )
    mine = ok(crm, "list_tickets", assigned_agent_id=agent_id, status="in_progress")["tickets"]
    assert ticket["ticket_id"] in [t["ticket_id"] for t in mine]
    assert all(t["assigned_agent_id"] == agent_id for t in mine)
    escalated = ok(crm, "set_ticket_priority", ticket_id=ticket["ticket_id"], priority="urgent")
    assert escalated["priority"] == "urgent"
    fails(crm, "list_tickets", "NotFoundError", assigned_agent_id="AG-000")


def test_sla_report_counts_breaches() -> None:
    session = default_world(0, domains=["crm"], timeout=None)
    state = crm_state(session)
    report = ok(session, "get_sla_report")
    assert [r["priority"] for r in report["rows"]] == ["urgent", "high", "normal", "low"]
    assert sum(r["total"] for r in report["rows"]) == len(state["tickets"])
    expected = sum(
        1
        for t in state["tickets"].values()
        if (t["resolved_date"] or state["today"]) > t["sla_due_date"]  # ISO dates compare as strings
    )
    assert sum(r["breached"] for r in report["rows"]) == expected
    agent = next(a for a in state["agents"].values() if a["team"] == "support")
    mine = ok(session, "get_sla_report", agent_id=agent["agent_id"])
    assert sum(r["total"] for r in mine["rows"]) == sum(
        1 for t in state["tickets"].values() if t["assigned_agent_id"] == agent["agent_id"]
    )


def test_lookups_fail_with_recoverable_messages(crm: Any) -> None:
    assert "search_contacts" in fails(crm, "get_contact", "NotFoundError", contact_id="CT-00000")
    fails(crm, "get_company", "NotFoundError", company_id="CO-0")
    fails(crm, "get_deal", "NotFoundError", deal_id="DL-1")
    fails(crm, "get_ticket", "NotFoundError", ticket_id="TK-1")
    fails(crm, "search_contacts", "InvalidArgumentError", query="  ")
    assert ok(crm, "search_contacts", query="zzzz-nobody")["contacts"] == []
    fails(crm, "create_support_ticket", "ArgumentError", contact_id="CT-1", subject="x", category="gossip")


def test_search_matches_company_name_and_lists_its_contacts(crm: Any) -> None:
    company = next(iter(crm_state(crm)["companies"].values()))
    by_company = ok(crm, "search_contacts", query=company["name"].split()[0])["contacts"]
    listed = ok(crm, "list_company_contacts", company_id=company["company_id"])["contacts"]
    assert listed and {c["contact_id"] for c in listed} <= {c["contact_id"] for c in by_company}
    assert ok(crm, "get_company", company_id=company["company_id"])["contact_count"] == len(listed)


def test_chat_with_contact_cross_domain_chain() -> None:
    try:
        get_domain("messaging")
    except Exception:
        pytest.skip("messaging domain not present")
    session = default_world(0, domains=["crm", "messaging"], timeout=None)
    chat = session.state()["messaging"]
    owner = chat["owner_username"]
    ok(session, "login_messaging", username=owner, password=chat["passwords"][owner])
    unreachable = {owner_user["email"] for owner_user in chat["users"].values() if owner_user["username"] == owner}
    unreachable |= {chat["users"][u]["email"] for pair in chat["blocked"].items() for u in (pair[0], *pair[1])}
    contact = next(c for c in crm_state(session)["contacts"].values() if c["email"] not in unreachable)

    contact_id = ok(session, "search_contacts", query=contact["name"])["contacts"][0]["contact_id"]
    email = ok(session, "get_contact", contact_id=contact_id)["email"]
    user_id = ok(session, "find_user_by_email", email=email)["user_id"]
    sent = ok(session, "send_chat_message", recipient_id=user_id, text="Your ticket is resolved.")
    assert sent["recipient_id"] == user_id
    assert session.state()["messaging"]["users"][user_id]["display_name"] == contact["name"]


def test_generate_state_is_seeded() -> None:
    assert generate_state(3) == generate_state(3)
    assert generate_state(3) != generate_state(4)
    state = generate_state(11)
    assert all(t["contact_id"] in state["contacts"] for t in state["tickets"].values())
    assert all(d["contact_id"] in state["contacts"] for d in state["deals"].values())
    assert len({c["name"] for c in state["contacts"].values()}) == len(state["contacts"])
