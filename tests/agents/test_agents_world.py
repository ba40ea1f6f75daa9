"""The model-free agent on built-in world domains: single-step requests are solved, requests that
need a lookup first are not (it does not chain). Gold traces are the domains' runnable examples."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hardgen.agents import ModelFreeAgent, run_agent
from hardgen.schema import Message
from hardgen.tools import Session, build_environment, canonical_state
from hardgen.world import run_example
from hardgen.world._domain import example_literals, resolve_reference

DOMAINS = ("travel", "hr", "crm")


def domain_session(domain: str) -> tuple[Session, Any]:
    module = pytest.importorskip(f"hardgen.world.domains.{domain}")
    return Session([build_environment(module.DOMAIN.spec(0), timeout=None)]), module.DOMAIN




def attempt(domain: str, tool: str, template: str) -> dict[str, Any]:
    gold_env, spec = domain_session(domain)
    if tool not in spec.examples:
        pytest.skip(f"{domain} has no example for {tool}")
    gold = list(spec.examples[tool])
    query = template.format(**example_literals(gold))
    observations = run_example(gold_env, gold)
    assert all(o.ok for o in observations), [o.to_text() for o in observations]
    goal_args = resolve_reference(gold[-1][1], [o.result for o in observations[:-1]])
    env, _ = domain_session(domain)
    run = asyncio.run(run_agent(ModelFreeAgent(), [Message.user(query)], env.tools(), env))
    made_goal = any(
        s.call.name == tool and s.observation.ok and canonical_state(s.call.arguments) == canonical_state(goal_args)
        for s in run.steps
    )
    observed = {str(v) for o in observations[:-1] for v in _leaves(o.result)}
    return {
        "run": run,
        "solved": made_goal and run.answered and env.state_hash() == gold_env.state_hash(),
        "observed_only": observed - {str(v) for v in example_literals(gold).values()},
        "goal_result": observations[-1].result,
    }


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.mark.parametrize(
    ("domain", "tool", "template"),
    [
        ("travel", "convert_currency", "Convert {amount} {from_currency} to {to_currency}."),
        ("travel", "find_airport_by_city", "Which airport serves {city}?"),
        ("travel", "search_hotels", "Search for hotels in {city}."),
        ("travel", "get_travel_booking", "Show me the details of booking {booking_id}."),
        ("hr", "find_employee", "Find the employee {name}."),
        ("crm", "search_contacts", "Search contacts for {query}."),
    ],
)
def test_single_step_world_requests_are_solved(domain: str, tool: str, template: str) -> None:
    outcome = attempt(domain, tool, template)
    assert outcome["solved"], outcome["run"].messages
    # The answer reports the result's values, so an answer checker can find them.
    answer = outcome["run"].final_answer or ""
    scalars = [
        v for v in _leaves(outcome["goal_result"]) if isinstance(v, (str, int, float)) and not isinstance(v, bool)
    ]
    assert scalars and all(str(v) in answer for v in scalars[:5])


@pytest.mark.parametrize(
    ("domain", "tool", "template"),
    [
        ("hr", "get_leave_balance", "What is {name}'s leave balance?"),
        ("hr", "list_payslips", "List {name}'s payslips."),
        ("travel", "search_flights", "Search flights from {city} to {city_2} on {date}."),
        ("crm", "get_contact", "Show me {query}'s contact record."),
    ],
)
def test_lookup_first_world_requests_fail_without_chaining(domain: str, tool: str, template: str) -> None:
    outcome = attempt(domain, tool, template)
    run = outcome["run"]
    assert not outcome["solved"]
    assert run.stop_reason == "answered" and run.model_turns == 2  # one round of calls, then an answer
    # No argument of any call carries a value that only a lookup could have produced.
    for step in run.steps:
        assert not outcome["observed_only"] & {str(v) for v in step.call.arguments.values()}
