"""The verifier judges what the user asked, not how the gold did it (issue 11, item 4).

For every built-in domain, hand-written tasks whose golds are executed on the real environments (the
final state hash, the recorded results and the answer values all come from that execution; nothing
is hard-coded). Each task has sensible alternative solutions the verifier must accept (one lookup
instead of three, a search tool instead of a list tool, `cd` straight to the given path, acting on
the existing entity, independent calls in another order, a gold read skipped) and perturbed or
guessing candidates it must reject, each for the reason named.

Calls are written with references: `$i.path` is a value from the *candidate's own* i-th result,
`@i.path` a value from the *gold's* i-th result (a value the candidate never looked up: a guess). A
path part `key=value` selects the first list element whose `key` is `value`. Queries may hold
`{@i.path}`, filled from the gold's results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

from hardgen.schema import ArgumentSource, EnvironmentSpec, GoldTurn, Step, ToolCall
from hardgen.tools import Session
from hardgen.verify import CandidateTurn, verify_candidate
from hardgen.world import all_domains, world_specs

Call = tuple[str, dict[str, Any]]

REASONS = {
    "state": "final state differs",
    "lacks": "the final answer lacks",
    "guess_answer": "the answer states values no tool result gave",
    "guess_arg": "calls used values no earlier result gave",
    "needed": "needed results were not obtained",
}


@dataclass
class Task:
    name: str
    query: str
    gold: list[Call]
    answer: list[str] = field(default_factory=list)
    """References into the gold's results: the values the user asked for."""
    accept: dict[str, list[Call]] = field(default_factory=dict)
    reject: dict[str, tuple[list[Call], str | None, set[str]]] = field(default_factory=dict)
    """name -> (calls, answer (None: the one carrying the requested values), expected reasons)."""


def _select(node: Any, part: str) -> Any:
    if isinstance(node, list):
        if "=" in part:
            key, value = part.split("=", 1)
            return next(e for e in node if str(e.get(key)) == value)
        return node[int(part)]
    return node[part]


def _resolve(value: Any, own: list[Any], gold: list[Any]) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(v, own, gold) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, own, gold) for v in value]
    if isinstance(value, str) and value[:1] in "$@" and "." in value:
        index, *path = value[1:].split(".")
        node = (own if value[0] == "$" else gold)[int(index)]
        for part in path:
            node = _select(node, part)
        return node
    return value


def _refs(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [i for v in value.values() for i in _refs(v)]
    if isinstance(value, list):
        return [i for v in value for i in _refs(v)]
    return [int(value[1:].split(".")[0])] if isinstance(value, str) and value[:1] == "$" and "." in value else []


@dataclass
class Built:
    specs: list[EnvironmentSpec]
    gold: GoldTurn
    results: list[Any]


def build_gold(domain: str, task: Task) -> Built:
    """Execute the gold calls on the real environment; record sources, required observations (as
    the synthesizer lists them today: reads that fed later calls, a read goal, no-op writes), the
    answer values and the final state hash."""
    specs = world_specs(0, [domain])
    session = Session.from_specs(specs, timeout=None)
    try:
        steps: list[Step] = []
        results: list[Any] = []
        noop_writes = []
        for i, (name, arguments) in enumerate(task.gold):
            before = session.state_hash()
            resolved = _resolve(arguments, results, results)
            observation = session.call(name, resolved)
            assert observation.ok, (task.name, name, observation.error)
            sources = [ArgumentSource(parameter=p, step=j) for p, v in arguments.items() for j in _refs(v)]
            steps.append(Step(call=ToolCall(name=name, arguments=resolved), observation=observation, sources=sources))
            results.append(observation.result)
            if session.tool(name).mutates and session.state_hash() == before:
                noop_writes.append(i)
        fed = {src.step for s in steps for src in s.sources}
        last = len(steps) - 1
        required = sorted({i for i, s in enumerate(steps) if not session.tool(s.call.name).mutates
                           and (i in fed or i == last)} | set(noop_writes))
        query = task.query
        while "{@" in query:
            start = query.index("{@")
            end = query.index("}", start)
            query = query[:start] + str(_resolve(query[start + 1:end], [], results)) + query[end + 1:]
        gold = GoldTurn(query=query, steps=steps, required_observations=required,
                        answer_values=[_resolve(a.replace("$", "@", 1), [], results) for a in task.answer],
                        final_state_hash=session.state_hash())
        return Built(specs=specs, gold=gold, results=results)
    finally:
        session.close()


@cache
def _scratch(domain: str) -> tuple[Session, list[Any]]:
    """One live session per domain to run candidates on (restored to the initial state each time)."""
    session = Session.from_specs(world_specs(0, [domain]), timeout=None)
    return session, session.snapshot()


def run_candidate(built: Built, calls: list[Call], answer: str | None) -> Any:
    """Resolve the candidate's references by executing it (as an agent would), then verify."""
    session, start = _scratch(built.specs[0].name)
    session.restore(start)
    own: list[Any] = []
    concrete = []
    for name, arguments in calls:
        resolved = _resolve(arguments, own, built.results)
        concrete.append(ToolCall(name=name, arguments=resolved))
        own.append(session.call(name, resolved).result)
    if answer is None:
        answer = "Here you go: " + ", ".join(str(v) for v in built.gold.answer_values) if built.gold.answer_values \
            else "Done."
    return verify_candidate(built.specs, [built.gold], [CandidateTurn(calls=concrete, answer=answer)], timeout=None)


ALICE = ("login_bank", {"customer_name": "Alice Anders", "pin": "5194"})
MSG_LOGIN = ("login_messaging", {"username": "alicea96", "password": "harbor-copper-42"})
TRADE_LOGIN = ("login_trading", {"username": "fatima.mensah", "password": "Tr4de-9972"})
RETRO = ("search_calendar_events", {"query": "Design retro"})
BRUNO = ("find_calendar_person", {"name": "Bruno Haddad"})
KEYBOARD = ("search_products", {"query": "Echo Mechanical Keyboard (Black)"})
MUSEUM = ("geocode_address", {"address": "Science Museum, Lisbon"})
STATION = ("geocode_address", {"address": "Lisbon Central Station"})
WEEKLY = ("search_notes", {"keyword": "Weekly"})
NORTHWIND = ("find_stock_symbol", {"company_name": "Northwind"})

TASKS: dict[str, list[Task]] = {
    "banking": [
        Task("balance in one lookup",
             "I'm Alice Anders, PIN 5194. What's the balance of my Everyday account?",
             [ALICE, ("list_bank_accounts", {}),
              ("get_account_balance", {"account_id": "$1.accounts.nickname=Everyday.account_id"})],
             answer=["$2.balance"],
             accept={"the account list already shows the balance": [ALICE, ("list_bank_accounts", {})]},
             reject={"balance stated without any lookup": ([ALICE], None, {"guess_answer"}),
                     "balance left out": ([ALICE, ("list_bank_accounts", {})], "Sure, done.", {"lacks"})}),
        Task("freeze the card ending 0540",
             "I'm Alice Anders, PIN 5194. Please freeze my card ending 0540.",
             [ALICE, ("list_bank_cards", {}), ("freeze_card", {"card_id": "$1.cards.last4=0540.card_id"})],
             accept={"an extra read first": [ALICE, ("list_bank_accounts", {}), ("list_bank_cards", {}),
                                             ("freeze_card", {"card_id": "$2.cards.last4=0540.card_id"})]},
             reject={"card id guessed": ([ALICE, ("freeze_card", {"card_id": "@1.cards.last4=0540.card_id"})], None,
                                         {"guess_arg"}),
                     "the other card": ([ALICE, ("list_bank_cards", {}),
                                         ("freeze_card", {"card_id": "$1.cards.last4=3012.card_id"})], None, {"state"}),
                     "an extra write": ([ALICE, ("list_bank_cards", {}),
                                         ("freeze_card", {"card_id": "$1.cards.last4=0540.card_id"}),
                                         ("add_payee", {"name": "Madrid Flat Rental", "currency": "EUR",
                                                        "account_number": "ES91 2100 0418 4502 0005 1332"})],
                                        None, {"state"})}),
    ],
    "calendar": [
        Task("reschedule without re-reading the event",
             "Move my Design retro to 2024-10-09 from 13:00 to 14:00 and confirm the new start.",
             [RETRO, ("get_calendar_event", {"event_id": "$0.events.0.event_id"}),
              ("reschedule_calendar_event", {"event_id": "$0.events.0.event_id", "start": "2024-10-09T13:00",
                                             "end": "2024-10-09T14:00"})],
             answer=["$2.start"],
             accept={"search then reschedule": [RETRO, (
                 "reschedule_calendar_event", {"event_id": "$0.events.0.event_id", "start": "2024-10-09T13:00",
                                               "end": "2024-10-09T14:00"})]},
             reject={"event id guessed": ([("reschedule_calendar_event", {
                 "event_id": "@0.events.0.event_id", "start": "2024-10-09T13:00", "end": "2024-10-09T14:00"})],
                 None, {"guess_arg"}),
                 "wrong time": ([RETRO, ("reschedule_calendar_event", {
                     "event_id": "$0.events.0.event_id", "start": "2024-10-09T15:00", "end": "2024-10-09T16:00"})],
                     None, {"state", "guess_answer"})}),
        Task("invite in either order",
             "Invite Bruno Haddad to my Design retro.",
             [RETRO, BRUNO, ("invite_to_calendar_event", {"event_id": "$0.events.0.event_id",
                                                          "email": "$1.people.0.email"})],
             accept={"person looked up first": [BRUNO, RETRO, ("invite_to_calendar_event", {
                 "event_id": "$1.events.0.event_id", "email": "$0.people.0.email"})]},
             reject={"email guessed": ([RETRO, ("invite_to_calendar_event", {
                 "event_id": "$0.events.0.event_id", "email": "@1.people.0.email"})], None, {"guess_arg"}),
                 "an extra reminder": ([RETRO, BRUNO, ("invite_to_calendar_event", {
                     "event_id": "$0.events.0.event_id", "email": "$1.people.0.email"}),
                     ("add_event_reminder", {"event_id": "$0.events.0.event_id", "minutes_before": 20})],
                     None, {"state"})}),
    ],
    "crm": [
        Task("company city in one lookup",
             "Which city is Mateo Novak's company in?",
             [("search_contacts", {"query": "Mateo Novak"}),
              ("get_contact", {"contact_id": "$0.contacts.0.contact_id"}),
              ("get_company", {"company_id": "$1.company_id"})],
             answer=["$2.city"],
             accept={"the search result carries the company id": [
                 ("search_contacts", {"query": "Mateo Novak"}),
                 ("get_company", {"company_id": "$0.contacts.0.company_id"})]},
             reject={"city stated without the company lookup": (
                 [("search_contacts", {"query": "Mateo Novak"})], None, {"guess_answer"}),
                 "company id guessed": ([("get_company", {"company_id": "@1.company_id"})], None, {"guess_arg"})}),
        Task("assign in either order",
             "Assign the open ticket '{@0.tickets.0.subject}' to Farid.",
             [("list_tickets", {"status": "open"}), ("find_crm_agent", {"name": "Farid"}),
              ("assign_ticket", {"ticket_id": "$0.tickets.0.ticket_id", "agent_id": "$1.agents.0.agent_id"})],
             accept={"agent looked up first": [
                 ("find_crm_agent", {"name": "Farid"}), ("list_tickets", {"status": "open"}),
                 ("assign_ticket", {"ticket_id": "$1.tickets.0.ticket_id", "agent_id": "$0.agents.0.agent_id"})]},
             reject={"agent id guessed": ([("list_tickets", {"status": "open"}), (
                 "assign_ticket", {"ticket_id": "$0.tickets.0.ticket_id", "agent_id": "@1.agents.0.agent_id"})],
                 None, {"guess_arg"}),
                 "an extra priority change": ([("list_tickets", {"status": "open"}),
                                               ("find_crm_agent", {"name": "Farid"}),
                                               ("assign_ticket", {"ticket_id": "$0.tickets.0.ticket_id",
                                                                  "agent_id": "$1.agents.0.agent_id"}),
                                               ("set_ticket_priority", {"ticket_id": "$0.tickets.0.ticket_id",
                                                                        "priority": "urgent"})], None, {"state"})}),
    ],
    "ecommerce": [
        Task("add to cart without the details read",
             "Put two Echo Mechanical Keyboard (Black) in my cart and tell me the cart total.",
             [KEYBOARD, ("get_product_details", {"product_id": "$0.products.0.product_id"}),
              ("add_to_cart", {"product_id": "$0.products.0.product_id", "quantity": 2})],
             answer=["$2.total"],
             accept={"search then add": [KEYBOARD, ("add_to_cart", {"product_id": "$0.products.0.product_id",
                                                                    "quantity": 2})]},
             reject={"product id guessed": ([("add_to_cart", {"product_id": "@0.products.0.product_id",
                                                              "quantity": 2})], None, {"guess_arg"}),
                     "one instead of two": ([KEYBOARD, ("add_to_cart", {"product_id": "$0.products.0.product_id",
                                                                        "quantity": 1})], None,
                                            {"state", "guess_answer"}),
                     "total left out": ([KEYBOARD, ("add_to_cart", {"product_id": "$0.products.0.product_id",
                                                                    "quantity": 2})], "Added.", {"lacks"})}),
        Task("cancel the processing order",
             "Cancel my order that is still processing and tell me what it cost.",
             [("search_orders", {"status": "processing"}),
              ("get_order_details", {"order_id": "$0.orders.0.order_id"}),
              ("cancel_order", {"order_id": "$0.orders.0.order_id"})],
             answer=["$2.total"],
             accept={"search then cancel": [("search_orders", {"status": "processing"}),
                                            ("cancel_order", {"order_id": "$0.orders.0.order_id"})],
                     "all orders searched": [("search_orders", {}),
                                             ("cancel_order", {"order_id": "$0.orders.status=processing.order_id"})]},
             reject={"order id guessed": ([("cancel_order", {"order_id": "@0.orders.0.order_id"})], None,
                                          {"guess_arg"}),
                     "an extra write": ([("search_orders", {"status": "processing"}),
                                         ("cancel_order", {"order_id": "$0.orders.0.order_id"}), KEYBOARD,
                                         ("add_to_cart", {"product_id": "$2.products.0.product_id"})], None,
                                        {"state"})}),
    ],
    "filesystem": [
        Task("size of a file the user names",
             "How big is documents/budget_2024.csv?",
             [("find", {"name": "budget_*.csv", "path": "/"}), ("cat", {"path": "$0.matches.0.path"})],
             answer=["$1.size"],
             accept={"cat the given path": [("cat", {"path": "documents/budget_2024.csv"})],
                     "stat instead of cat": [("stat", {"path": "documents/budget_2024.csv"})]},
             reject={"size stated without reading": ([("pwd", {})], None, {"guess_answer"}),
                     "size left out": ([("cat", {"path": "documents/budget_2024.csv"})], "It's a CSV.", {"lacks"})}),
        Task("cd straight to the given path",
             "Go into my documents folder and create an empty notes.txt there.",
             [("find", {"name": "documents", "kind": "directory"}), ("cd", {"path": "$0.matches.0.path"}),
              ("touch", {"path": "notes.txt"})],
             accept={"cd to the path the user gave": [("cd", {"path": "documents"}), ("touch", {"path": "notes.txt"})],
                     "touch first, then cd": [("touch", {"path": "documents/notes.txt"}), ("cd", {"path": "documents"})]},
             reject={"never changed directory": ([("touch", {"path": "documents/notes.txt"})], None, {"state"}),
                     "an extra directory": ([("cd", {"path": "documents"}), ("touch", {"path": "notes.txt"}),
                                             ("mkdir", {"path": "archive"})], None, {"state"})}),
    ],
    "hr": [
        Task("manager in one lookup instead of three",
             "Who is Farid Tanaka's manager?",
             [("find_employee", {"name": "Farid Tanaka"}),
              ("get_employee", {"employee_id": "$0.employees.0.employee_id"}),
              ("get_employee", {"employee_id": "$1.manager_id"})],
             answer=["$2.name"],
             accept={"the manager chain": [("find_employee", {"name": "Farid Tanaka"}),
                                           ("get_manager_chain", {"employee_id": "$0.employees.0.employee_id"})]},
             reject={"manager named without a lookup": ([("find_employee", {"name": "Farid Tanaka"})], None,
                                                        {"guess_answer"}),
                     "manager left out": ([("find_employee", {"name": "Farid Tanaka"}),
                                           ("get_manager_chain", {"employee_id": "$0.employees.0.employee_id"})],
                                          "I looked it up.", {"lacks"})}),
        Task("request leave without the balance read",
             "Request vacation for Olga Weber from 2025-03-24 to 2025-03-28 and give me the request id.",
             [("find_employee", {"name": "Olga Weber"}),
              ("get_leave_balance", {"employee_id": "$0.employees.0.employee_id"}),
              ("request_leave", {"employee_id": "$0.employees.0.employee_id", "leave_type": "vacation",
                                 "start_date": "2025-03-24", "end_date": "2025-03-28"})],
             answer=["$2.leave_request_id"],
             accept={"find then request": [("find_employee", {"name": "Olga Weber"}), (
                 "request_leave", {"employee_id": "$0.employees.0.employee_id", "leave_type": "vacation",
                                   "start_date": "2025-03-24", "end_date": "2025-03-28"})]},
             reject={"employee id guessed": ([("request_leave", {
                 "employee_id": "@0.employees.0.employee_id", "leave_type": "vacation", "start_date": "2025-03-24",
                 "end_date": "2025-03-28"})], None, {"guess_arg"}),
                 "wrong dates": ([("find_employee", {"name": "Olga Weber"}), ("request_leave", {
                     "employee_id": "$0.employees.0.employee_id", "leave_type": "vacation",
                     "start_date": "2025-03-25", "end_date": "2025-03-28"})], None, {"state"})}),
    ],
    "maps": [
        Task("favourite via a search tool",
             "Save the Science Museum in Lisbon to my favourites as 'Museum day'.",
             [MUSEUM, ("get_place_details", {"place_id": "$0.place_id"}),
              ("save_favorite_place", {"place_id": "$0.place_id", "label": "Museum day"})],
             accept={"search by name instead of geocoding": [
                 ("search_places_by_name", {"query": "Science Museum", "city": "Lisbon"}),
                 ("save_favorite_place", {"place_id": "$0.places.0.place_id", "label": "Museum day"})]},
             reject={"place id guessed": ([("save_favorite_place", {"place_id": "@0.place_id",
                                                                    "label": "Museum day"})], None, {"guess_arg"}),
                     "wrong label": ([MUSEUM, ("save_favorite_place", {"place_id": "$0.place_id",
                                                                       "label": "Museum"})], None, {"state"})}),
        Task("walking time, geocoded in any order",
             "How many minutes is the walk from the Science Museum, Lisbon to Lisbon Central Station?",
             [MUSEUM, STATION, ("get_directions", {"origin_place_id": "$0.place_id",
                                                   "destination_place_id": "$1.place_id", "mode": "walking"})],
             answer=["$2.duration_min"],
             accept={"station geocoded first": [STATION, MUSEUM, (
                 "get_directions", {"origin_place_id": "$1.place_id", "destination_place_id": "$0.place_id",
                                    "mode": "walking"})]},
             reject={"minutes stated without directions": ([MUSEUM, STATION], None, {"guess_answer"}),
                     "driving directions instead": ([MUSEUM, STATION, (
                         "get_directions", {"origin_place_id": "$0.place_id", "destination_place_id": "$1.place_id",
                                            "mode": "driving"})], None, {"guess_answer"})}),
    ],
    "math": [
        Task("mean of a dataset the user names by id",
             "What's the mean of my daily_steps_march dataset ({@0.datasets.name=daily_steps_march.dataset_id})?",
             [("list_datasets", {}), ("get_dataset", {"dataset_id": "$0.datasets.name=daily_steps_march.dataset_id"}),
              ("calculate_statistics", {"values": "$1.values"})],
             answer=["$2.mean"],
             accept={"no listing: the user gave the id": [
                 ("get_dataset", {"dataset_id": "@0.datasets.name=daily_steps_march.dataset_id"}),
                 ("calculate_statistics", {"values": "$0.values"})]},
             reject={"mean stated without computing it": (
                 [("get_dataset", {"dataset_id": "@0.datasets.name=daily_steps_march.dataset_id"})], None,
                 {"guess_answer"}),
                 "mean left out": ([("get_dataset", {"dataset_id": "@0.datasets.name=daily_steps_march.dataset_id"}),
                                    ("calculate_statistics", {"values": "$0.values"})], "Computed.", {"lacks"})}),
        Task("clear a register in one call",
             "Clear the hourly_rate register and tell me what it held.",
             [("list_registers", {}), ("recall_register", {"name": "hourly_rate"}),
              ("clear_register", {"name": "hourly_rate"})],
             answer=["$2.last_value"],
             accept={"clear tells the last value": [("clear_register", {"name": "hourly_rate"})]},
             reject={"the wrong register": ([("clear_register", {"name": "budget"})], None,
                                            {"state", "guess_answer"}),
                     "an extra register stored": ([("clear_register", {"name": "hourly_rate"}),
                                                   ("store_register", {"name": "rate", "value": 30})], None,
                                                  {"state"})}),
    ],
    "messaging": [
        Task("send without the profile read",
             "Log me in (alicea96, password harbor-copper-42) and send Emeka Dubois 'Are we still on for Friday?'.",
             [MSG_LOGIN, ("find_user_by_name", {"name": "Emeka Dubois"}),
              ("get_chat_user_profile", {"user_id": "$1.users.0.user_id"}),
              ("send_chat_message", {"recipient_id": "$1.users.0.user_id", "text": "Are we still on for Friday?"})],
             accept={"look up first, log in after, no profile": [
                 ("find_user_by_name", {"name": "Emeka Dubois"}), MSG_LOGIN,
                 ("send_chat_message", {"recipient_id": "$0.users.0.user_id", "text": "Are we still on for Friday?"})]},
             reject={"recipient id guessed": ([MSG_LOGIN, ("send_chat_message", {
                 "recipient_id": "@1.users.0.user_id", "text": "Are we still on for Friday?"})], None, {"guess_arg"}),
                 "another text": ([MSG_LOGIN, ("find_user_by_name", {"name": "Emeka Dubois"}), (
                     "send_chat_message", {"recipient_id": "$1.users.0.user_id", "text": "On for Friday?"})],
                     None, {"state"})}),
        Task("a read goal must be read",
             "Log me in (alicea96, password harbor-copper-42) and show me my unread messages.",
             [MSG_LOGIN, ("list_chat_inbox", {"unread_only": True})],
             accept={"the inbox with a generous limit": [MSG_LOGIN, ("list_chat_inbox", {"unread_only": True,
                                                                                         "limit": 50})]},
             reject={"never read the inbox": ([MSG_LOGIN], "You have a couple of unread messages.", {"needed"}),
                     "an extra status change": ([MSG_LOGIN, ("list_chat_inbox", {"unread_only": True}),
                                                 ("set_chat_status", {"status": "busy"})], None, {"state"})}),
    ],
    "notes": [
        Task("append to the existing note",
             "Add 'Follow up next week.' to my Weekly sync notes.",
             [WEEKLY, ("get_note", {"note_id": "$0.notes.0.note_id"}),
              ("append_to_note", {"note_id": "$0.notes.0.note_id", "text": "Follow up next week."})],
             accept={"search then append": [WEEKLY, ("append_to_note", {"note_id": "$0.notes.0.note_id",
                                                                        "text": "Follow up next week."})]},
             reject={"a duplicate note instead": ([WEEKLY, ("get_note", {"note_id": "$0.notes.0.note_id"}), (
                 "create_note", {"notebook_id": "$1.notebook_id", "title": "Weekly sync notes",
                                 "body": "Follow up next week."})], None, {"state"}),
                 "note id guessed": ([("append_to_note", {"note_id": "@0.notes.0.note_id",
                                                          "text": "Follow up next week."})], None, {"guess_arg"})}),
        Task("add to the existing list",
             "Add 'Order flowers' to my Home to-do list.",
             [("list_todo_lists", {}), ("get_todo_items", {"list_id": "$0.todo_lists.name=Home.list_id"}),
              ("add_todo_item", {"list_id": "$0.todo_lists.name=Home.list_id", "text": "Order flowers"})],
             accept={"list then add": [("list_todo_lists", {}), (
                 "add_todo_item", {"list_id": "$0.todo_lists.name=Home.list_id", "text": "Order flowers"})]},
             reject={"the Errands list instead": ([("list_todo_lists", {}), (
                 "add_todo_item", {"list_id": "$0.todo_lists.name=Errands.list_id", "text": "Order flowers"})],
                 None, {"state"}),
                     "list id guessed": ([("add_todo_item", {"list_id": "@0.todo_lists.name=Home.list_id",
                                                             "text": "Order flowers"})], None, {"guess_arg"})}),
    ],
    "smart_home": [
        Task("dim a light found through its room",
             "Dim the Basement Light to 40%.",
             [("find_devices_by_type", {"device_type": "light"}),
              ("get_device_status", {"device_id": "$0.devices.device_name=Basement Light.device_id"}),
              ("set_light_brightness", {"device_id": "$0.devices.device_name=Basement Light.device_id",
                                        "brightness_percent": 40})],
             accept={"list the room instead": [
                 ("list_devices_in_room", {"room_name": "Basement"}),
                 ("set_light_brightness", {"device_id": "$0.devices.device_name=Basement Light.device_id",
                                           "brightness_percent": 40})]},
             reject={"device id guessed": ([("set_light_brightness", {
                 "device_id": "@0.devices.device_name=Basement Light.device_id", "brightness_percent": 40})], None,
                 {"guess_arg"}),
                 "the wrong level": ([("find_devices_by_type", {"device_type": "light"}), (
                     "set_light_brightness", {"device_id": "$0.devices.device_name=Basement Light.device_id",
                                              "brightness_percent": 60})], None, {"state"})}),
        Task("a no-op write must still be made",
             "Make sure the Kitchen Speaker is on.",
             [("list_rooms", {}), ("list_devices_in_room", {"room_name": "$0.rooms.room_name=Kitchen.room_name"}),
              ("turn_on_device", {"device_id": "$1.devices.device_name=Speaker.device_id"})],
             accept={"found by type instead of by room": [
                 ("find_devices_by_type", {"device_type": "speaker"}),
                 ("turn_on_device", {"device_id": "$0.devices.room_name=Kitchen.device_id"})]},
             reject={"looked, said it is on, did nothing": ([("list_devices_in_room", {"room_name": "Kitchen"})],
                                                            "It's on.", {"needed"}),
                     "turned it off": ([("list_devices_in_room", {"room_name": "Kitchen"}), (
                         "turn_off_device", {"device_id": "$0.devices.device_name=Speaker.device_id"})], None,
                         {"state", "needed"})}),
    ],
    "trading": [
        Task("quote without the price history",
             "What's Northwind's stock trading at?",
             [NORTHWIND, ("get_stock_price_history", {"symbol": "$0.matches.0.symbol", "days": 5}),
              ("get_stock_quote", {"symbol": "$0.matches.0.symbol"})],
             answer=["$2.price"],
             accept={"find then quote": [NORTHWIND, ("get_stock_quote", {"symbol": "$0.matches.0.symbol"})]},
             reject={"price stated without a quote": ([NORTHWIND], None, {"guess_answer"}),
                     "symbol guessed": ([("get_stock_quote", {"symbol": "@0.matches.0.symbol"})], None,
                                        {"guess_arg"})}),
        Task("add to the existing watchlist",
             "Log me in (fatima.mensah, password Tr4de-9972) and add Northwind to my Speculative watchlist.",
             [TRADE_LOGIN, ("list_watchlists", {}), NORTHWIND,
              ("add_symbol_to_watchlist", {"watchlist_id": "$1.watchlists.name=Speculative.watchlist_id",
                                           "symbol": "$2.matches.0.symbol"})],
             accept={"symbol first, then log in": [
                 NORTHWIND, TRADE_LOGIN, ("list_watchlists", {}),
                 ("add_symbol_to_watchlist", {"watchlist_id": "$2.watchlists.name=Speculative.watchlist_id",
                                              "symbol": "$0.matches.0.symbol"})]},
             reject={"a new watchlist instead of the existing one": ([TRADE_LOGIN, NORTHWIND, (
                 "create_watchlist", {"name": "Northwind picks"}), ("add_symbol_to_watchlist", {
                     "watchlist_id": "$2.watchlist_id", "symbol": "$1.matches.0.symbol"})], None, {"state"}),
                 "an extra deposit": ([TRADE_LOGIN, ("list_watchlists", {}), NORTHWIND, (
                     "add_symbol_to_watchlist", {"watchlist_id": "$1.watchlists.name=Speculative.watchlist_id",
                                                 "symbol": "$2.matches.0.symbol"}),
                     ("deposit_trading_funds", {"amount": 500.0})], None, {"state"})}),
    ],
    "travel": [
        Task("cancel a booking found by status",
             "Cancel Vera Ito's booking and tell me the refund.",
             [("list_travellers", {}), ("list_travel_bookings", {"traveller_name": "Vera Ito"}),
              ("cancel_travel_booking", {"booking_id": "$1.bookings.0.booking_id"})],
             answer=["$2.refund_amount"],
             accept={"confirmed bookings, picked by name": [
                 ("list_travel_bookings", {"status": "confirmed"}),
                 ("cancel_travel_booking", {"booking_id": "$0.bookings.traveller_name=Vera Ito.booking_id"})]},
             reject={"booking id guessed": ([("cancel_travel_booking", {"booking_id": "@1.bookings.0.booking_id"})],
                                            None, {"guess_arg"}),
                     "refund left out": ([("list_travel_bookings", {"traveller_name": "Vera Ito"}),
                                          ("cancel_travel_booking", {"booking_id": "$0.bookings.0.booking_id"})],
                                         "Cancelled.", {"lacks"})}),
        Task("airport code in one lookup",
             "What's the airport code for Berlin?",
             [("list_airports", {"country": "Germany"}), ("find_airport_by_city", {"city": "Berlin"})],
             answer=["$1.airport_code"],
             accept={"find by city only": [("find_airport_by_city", {"city": "Berlin"})],
                     "the country list shows it": [("list_airports", {"country": "Germany"})]},
             reject={"code stated without a lookup": ([], None, {"guess_answer"}),
                     "code stated after an unrelated lookup": ([("list_airports", {"country": "Japan"})], None,
                                                               {"guess_answer"})}),
    ],
    "vehicle": [
        Task("distance without the range check",
             "How far is it to drive from Lisbon to Berlin?",
             [("get_fuel_level", {}), ("estimate_drive_distance", {"from_city": "Lisbon", "to_city": "Berlin"}),
              ("check_trip_range", {"distance_km": "$1.distance_km"})],
             answer=["$1.distance_km"],
             accept={"the estimate alone": [("estimate_drive_distance", {"from_city": "Lisbon", "to_city": "Berlin"})]},
             reject={"distance stated without an estimate": ([("get_fuel_level", {})], None, {"guess_answer"}),
                     "distance left out": ([("estimate_drive_distance", {"from_city": "Lisbon", "to_city": "Berlin"})],
                                           "It's a long way.", {"lacks"})}),
        Task("fill up without the status reads",
             "Add 3 litres of fuel and tell me how much is in the tank now.",
             [("get_fuel_level", {}), ("get_car_status", {}), ("fill_fuel_tank", {"liters_to_add": 3.0})],
             answer=["$2.fuel_liters"],
             accept={"fill alone": [("fill_fuel_tank", {"liters_to_add": 3.0})]},
             reject={"five litres": ([("fill_fuel_tank", {"liters_to_add": 5.0})], None, {"state", "guess_answer"}),
                     "an extra door lock": ([("fill_fuel_tank", {"liters_to_add": 3.0}), ("lock_doors", {})], None,
                                            {"state"})}),
    ],
    "weather": [
        Task("temperature via a location search",
             "What's the temperature in Lisbon right now?",
             [("search_weather_locations", {"query": "Portugal"}), ("get_location_id", {"city": "Lisbon"}),
              ("get_current_weather", {"location_id": "$1.location_id"})],
             answer=["$2.temperature"],
             accept={"search instead of the id lookup": [
                 ("search_weather_locations", {"query": "Lisbon"}),
                 ("get_current_weather", {"location_id": "$0.locations.city=Lisbon.location_id"})]},
             reject={"location id guessed": ([("get_current_weather", {"location_id": "@1.location_id"})], None,
                                             {"guess_arg"}),
                     "temperature stated without weather": ([("get_location_id", {"city": "Lisbon"})], None,
                                                            {"guess_answer"})}),
        Task("units set without reading them first",
             "Switch my weather temperature unit to fahrenheit.",
             [("get_weather_units", {}), ("set_weather_units", {"temperature": "fahrenheit"})],
             accept={"set directly": [("set_weather_units", {"temperature": "fahrenheit"})],
                     "set, then check": [("set_weather_units", {"temperature": "fahrenheit"}),
                                         ("get_weather_units", {})]},
             reject={"wind unit changed too": ([("set_weather_units", {"temperature": "fahrenheit",
                                                                       "wind_speed": "mph"})], None, {"state"}),
                     "only read": ([("get_weather_units", {})], "Done, it's fahrenheit now.", {"state"})}),
    ],
}

DOMAINS = [d.name for d in all_domains()]


@cache
def built(domain: str, index: int) -> Built:
    return build_gold(domain, TASKS[domain][index])


def test_every_built_in_domain_has_at_least_two_tasks_with_alternatives_and_rejections() -> None:
    assert sorted(TASKS) == sorted(DOMAINS)
    for domain, tasks in TASKS.items():
        assert len(tasks) >= 2, domain
        assert sum(len(t.accept) for t in tasks) >= 2, domain
        assert sum(len(t.reject) for t in tasks) >= 2, domain


CASES = [(d, i, kind, name) for d in TASKS for i, t in enumerate(TASKS[d])
         for kind, names in (("accept", t.accept), ("reject", t.reject)) for name in names]


@pytest.mark.parametrize(("domain", "index"), [(d, i) for d in TASKS for i in range(len(TASKS[d]))])
def test_the_gold_itself_passes(domain: str, index: int) -> None:
    b = built(domain, index)
    verdict = run_candidate(b, [(s.call.name, s.call.arguments) for s in b.gold.steps], None)
    assert verdict.passed, verdict.reasons


@pytest.mark.parametrize(("domain", "index", "name"), [(d, i, n) for d, i, k, n in CASES if k == "accept"])
def test_a_sensible_alternative_passes(domain: str, index: int, name: str) -> None:
    b = built(domain, index)
    verdict = run_candidate(b, TASKS[domain][index].accept[name], None)
    assert verdict.passed, (name, verdict.reasons)


@pytest.mark.parametrize(("domain", "index", "name"), [(d, i, n) for d, i, k, n in CASES if k == "reject"])
def test_a_perturbed_or_guessing_candidate_fails_for_the_right_reason(domain: str, index: int, name: str) -> None:
    b = built(domain, index)
    calls, answer, expected = TASKS[domain][index].reject[name]
    verdict = run_candidate(b, calls, answer)
    assert not verdict.passed, name
    reasons = verdict.turns[0].reasons
    found = {key for key, text in REASONS.items() if any(r.startswith(text) for r in reasons)}
    assert found == expected, (name, reasons)
    assert verdict.failure is not None and verdict.turns[0].failed_tools
