"""How often the model-free agent solves built-in-world tasks: single-step versus lookup-first.

Single-step tasks state every argument in the request. Lookup-first tasks name a thing (a person,
a company, a product, a city) where the tool needs its id or code, so a lookup call must come
first. The model-free agent does not chain, so it should solve the first kind and fail the second:
that gap is what HardGen's hard samples target.

A task counts as solved when the agent made the gold trace's final call (same tool, same arguments,
successful), ended with an answer, and left the same final state as the gold trace. The gold trace
is the domain's runnable example for the tool, run on a fresh copy of the domain (seed 0).

    python bench/bench_agents_model_free.py
"""

from __future__ import annotations

import asyncio
import importlib
import time
from typing import Any

from hardgen.agents import ModelFreeAgent, run_agent
from hardgen.schema import Message
from hardgen.tools import Session, build_environment, canonical_state
from hardgen.world import run_example
from hardgen.world._domain import example_literals, resolve_reference

Task = tuple[str, str, str]
"""(domain, tool, request template). The gold trace is the domain's runnable example for the tool;
the template is filled with the example's literal argument values (`{city}`, a second `city` as
`{city_2}`), so the tasks follow the domains as they evolve."""

SINGLE_STEP: list[Task] = [
    ("travel", "convert_currency", "Convert {amount} {from_currency} to {to_currency}."),
    ("travel", "find_airport_by_city", "Which airport serves {city}?"),
    ("travel", "search_hotels", "Search for hotels in {city}."),
    ("travel", "get_travel_booking", "Show me the details of booking {booking_id}."),
    ("travel", "list_airports", "List the airports in {country}."),
    ("travel", "redeem_frequent_flyer_points", "Redeem {points} frequent flyer points."),
    ("vehicle", "estimate_drive_distance", "How far is the drive from {from_city} to {to_city}?"),
    ("messaging", "find_user_by_name", "Find the chat user named {name}."),
    ("messaging", "find_user_by_email", "Who has the email {email}?"),
    ("calendar", "search_calendar_events", "Search my calendar for '{query}'."),
    ("calendar", "list_calendar_events", "List my calendar events from {start_date} to {end_date}."),
    ("calendar", "find_calendar_person", "Find the calendar person {name}."),
    ("crm", "search_contacts", "Search contacts for {query}."),
    ("ecommerce", "search_products", "Search products for '{query}'."),
    ("filesystem", "wc", "How many words are in {path}?"),
    ("hr", "find_employee", "Find the employee {name}."),
    ("trading", "find_stock_symbol", "What is the stock symbol of {company_name}?"),
]

LOOKUP_FIRST: list[Task] = [
    ("hr", "get_leave_balance", "What is {name}'s leave balance?"),
    ("hr", "list_payslips", "List {name}'s payslips."),
    ("travel", "search_flights", "Search flights from {city} to {city_2} on {date}."),
    ("trading", "get_stock_quote", "Get me a stock quote for {company_name}."),
    ("crm", "get_contact", "Show me {query}'s contact record."),
    ("ecommerce", "get_product_details", "Show me the product details of the {query}."),
    ("calendar", "get_calendar_event", "Open the {query} event."),
    ("messaging", "get_chat_user_profile", "Show me the chat profile of {email}."),
]


def domain_session(domain: str) -> tuple[Session, Any]:
    """A fresh session over one built-in domain (seed 0), without importing the others."""
    module = importlib.import_module(f"hardgen.world.domains.{domain}")
    return Session([build_environment(module.DOMAIN.spec(0), timeout=None)]), module.DOMAIN




async def solve(domain: str, tool: str, template: str) -> tuple[bool, str, str]:
    """(solved, the request, what the agent called) for one task."""
    gold_env, spec = domain_session(domain)
    gold = list(spec.examples[tool])
    query = template.format(**example_literals(gold))
    observations = run_example(gold_env, gold)
    if not all(o.ok for o in observations):
        raise RuntimeError(f"gold trace of {query!r} fails: {[o.to_text()[:120] for o in observations]}")
    goal_args = resolve_reference(gold[-1][1], [o.result for o in observations[:-1]])
    env, _ = domain_session(domain)
    run = await run_agent(ModelFreeAgent(), [Message.user(query)], env.tools(), env)
    made_goal = any(
        s.call.name == tool and s.observation.ok and canonical_state(s.call.arguments) == canonical_state(goal_args)
        for s in run.steps
    )
    solved = made_goal and env.state_hash() == gold_env.state_hash() and run.answered
    called = ", ".join(f"{s.call.name}{'' if s.observation.ok else '(failed)'}" for s in run.steps) or "(none)"
    return solved, query, called


async def main() -> None:
    started = time.perf_counter()
    rows = []
    totals = {}
    for label, tasks in (("single-step", SINGLE_STEP), ("lookup-first", LOOKUP_FIRST)):
        solved = 0
        for domain, tool, template in tasks:
            ok, query, called = await solve(domain, tool, template)
            solved += ok
            rows.append((label, domain, "yes" if ok else "no", query, called))
        totals[label] = (solved, len(tasks))
    width = max(len(r[3]) for r in rows)
    print(f"{'kind':<13} {'domain':<10} {'solved':<6} {'request':<{width}}  agent called")
    for label, domain, ok, query, called in rows:
        print(f"{label:<13} {domain:<10} {ok:<6} {query:<{width}}  {called}")
    print()
    for label, (solved, n) in totals.items():
        print(f"{label:<13} {solved}/{n} solved ({100 * solved / n:.0f}%)")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    asyncio.run(main())
