"""Hand-built canonical samples for the exporter tests.

Three realistic samples that between them exercise what the formats must carry: parallel calls in
one assistant turn, a tool error observation the agent recovers from, several user turns,
reasoning (present on most assistant turns, absent on one), text beside tool calls, two
environments in one sample, a hyphenated tool name, a Python-keyword argument name and non-ASCII
text.
"""

from __future__ import annotations

from typing import Any

import pytest

from hardgen.schema import (
    ArgumentSource,
    EnvironmentSpec,
    GoldTurn,
    Message,
    Observation,
    Provenance,
    Sample,
    SampleMetadata,
    Step,
    ToolCall,
    ToolSpec,
    VerificationRecord,
)

SYSTEM = "You are a helpful assistant. Use the tools to act for the user; never invent ids."


def _obj(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


def _exchange(
    calls: list[ToolCall], observations: list[Observation], reasoning: str | None, content: str | None = None
) -> list[Message]:
    """An assistant turn with its calls, then one tool message per call."""
    out = [Message.assistant(content=content, tool_calls=calls, reasoning=reasoning)]
    out += [Message.tool(c, o.to_text()) for c, o in zip(calls, observations, strict=True)]
    return out


def _travel_sample() -> Sample:
    """One turn: two zip code lookups in parallel feed a flight search, whose result feeds a booking."""
    tools = [
        ToolSpec(
            name="get_zipcode",
            description="Look up the zip code of a city.",
            parameters=_obj({"city": {"type": "string", "description": "City name."}}, ["city"]),
            returns={"type": "object", "properties": {"zipcode": {"type": "string"}}},
            environment="travel",
        ),
        ToolSpec(
            name="search_flights",
            description="Search flights between two zip codes on a date, cheapest first.",
            parameters=_obj(
                {
                    "from_zip": {"type": "string"},
                    "to_zip": {"type": "string"},
                    "date": {"type": "string", "description": "YYYY-MM-DD"},
                    "max_results": {"type": "integer", "minimum": 1},
                },
                ["from_zip", "to_zip", "date"],
            ),
            environment="travel",
        ),
        ToolSpec(
            name="book_flight",
            description="Book a flight for a passenger.",
            parameters=_obj(
                {"flight_id": {"type": "string"}, "passenger": {"type": "string"}, "insurance": {"type": "boolean"}},
                ["flight_id", "passenger"],
            ),
            returns={"type": "object", "properties": {"booking_id": {"type": "string"}, "price": {"type": "number"}}},
            mutates=True,
            environment="travel",
        ),
        ToolSpec(
            name="cancel_booking",
            description="Cancel a booking.",
            parameters=_obj({"booking_id": {"type": "string"}}, ["booking_id"]),
            mutates=True,
            environment="travel",
        ),
    ]
    zip_a = ToolCall(id="call_t1a", name="get_zipcode", arguments={"city": "Rivermist"})
    zip_b = ToolCall(id="call_t1b", name="get_zipcode", arguments={"city": "Stonebrook"})
    search = ToolCall(
        id="call_t2",
        name="search_flights",
        arguments={"from_zip": "83214", "to_zip": "74532", "date": "2024-11-12", "max_results": 3},
    )
    book = ToolCall(id="call_t3", name="book_flight", arguments={"flight_id": "RM-482", "passenger": "Alice Chen"})
    obs_a = Observation.success({"zipcode": "83214"})
    obs_b = Observation.success({"zipcode": "74532"})
    obs_search = Observation.success(
        [
            {"flight_id": "RM-482", "price": 189.5, "departs": "07:40"},
            {"flight_id": "RM-517", "price": 243.0, "departs": "12:15"},
        ]
    )
    obs_book = Observation.success({"booking_id": "BK-20931", "price": 189.5})
    query = "Book Alice Chen on the cheapest flight from Rivermist to Stonebrook on 2024-11-12."
    messages = [
        Message.system(SYSTEM),
        Message.user(query),
        *_exchange(
            [zip_a, zip_b],
            [obs_a, obs_b],
            "Flights are searched by zip code, so I need both cities' zip codes first; the lookups are independent.",
        ),
        *_exchange([search], [obs_search], "Now search flights between 83214 and 74532 on 2024-11-12."),
        *_exchange([book], [obs_book], "RM-482 is the cheapest at 189.5; book it for Alice Chen."),
        Message.assistant(
            content="Booked: Alice Chen is on flight RM-482 (07:40) for $189.50, booking BK-20931.",
            reasoning="The booking succeeded; report the booking id and price.",
        ),
    ]
    steps = [
        Step(call=zip_a, observation=obs_a),
        Step(call=zip_b, observation=obs_b),
        Step(
            call=search,
            observation=obs_search,
            sources=[
                ArgumentSource(parameter="from_zip", step=0, path=["zipcode"]),
                ArgumentSource(parameter="to_zip", step=1, path=["zipcode"]),
            ],
        ),
        Step(
            call=book,
            observation=obs_book,
            sources=[ArgumentSource(parameter="flight_id", step=2, path=[0, "flight_id"])],
        ),
    ]
    return Sample(
        id="travel-0001",
        tools=tools,
        messages=messages,
        environments=[
            EnvironmentSpec(
                name="travel",
                target="hardgen.world.domains.travel:TravelAPI",
                initial_state={"cities": {"Rivermist": "83214", "Stonebrook": "74532"}, "bookings": []},
                loader="load_state",
                seed=7,
            )
        ],
        gold=[
            GoldTurn(
                query=query,
                steps=steps,
                required_observations=[2],
                answer_values=["BK-20931", 189.5],
                final_state_hash="sha256:6f1e0c",
            )
        ],
        verification=VerificationRecord(
            verdict="passed", attempts=1, expected_state_hash="sha256:6f1e0c", actual_state_hash="sha256:6f1e0c"
        ),
        metadata=SampleMetadata(
            target_tools=["book_flight"],
            failure_tools=["search_flights", "book_flight"],
            advanced_tools=["book_cheapest_flight_between_cities"],
            domains=["travel"],
            chain_length=4,
            implicit_dependencies=3,
            turns=1,
            provenance=Provenance(backend="model-free", seed=7, hardgen_version="0.1.0", run_id="run-demo"),
        ),
    )


def _banking_sample() -> Sample:
    """Two turns; the first starts with a wrong id, gets a NotFoundError and recovers by listing accounts."""
    tools = [
        ToolSpec(
            name="get_account",
            description="Get an account by id.",
            parameters=_obj({"account_id": {"type": "string"}}, ["account_id"]),
            environment="banking",
        ),
        ToolSpec(
            name="list_accounts",
            description="List the accounts of an owner.",
            parameters=_obj({"owner": {"type": "string"}}, ["owner"]),
            environment="banking",
        ),
        ToolSpec(
            name="transfer",
            description="Move money between two accounts.",
            parameters=_obj(
                {
                    "from_account": {"type": "string"},
                    "to_account": {"type": "string"},
                    "amount": {"type": "number", "exclusiveMinimum": 0},
                    "memo": {"type": ["string", "null"]},
                },
                ["from_account", "to_account", "amount"],
            ),
            mutates=True,
            environment="banking",
        ),
        ToolSpec(
            name="get_balance",
            description="Current balance of an account, in euros.",
            parameters=_obj({"account_id": {"type": "string"}}, ["account_id"]),
            returns={"type": "object", "properties": {"balance": {"type": "number"}}},
            environment="banking",
        ),
    ]
    wrong = ToolCall(id="call_b1", name="get_account", arguments={"account_id": "checking"})
    listing = ToolCall(id="call_b2", name="list_accounts", arguments={"owner": "Zoë Müller"})
    move = ToolCall(
        id="call_b3",
        name="transfer",
        arguments={"from_account": "ACC-1001", "to_account": "ACC-1002", "amount": 250.0, "memo": None},
    )
    balance = ToolCall(id="call_b4", name="get_balance", arguments={"account_id": "ACC-1002"})
    obs_wrong = Observation.failure("NotFoundError", "no account with id 'checking'")
    obs_list = Observation.success(
        [
            {"account_id": "ACC-1001", "type": "checking", "balance": 1200.5},
            {"account_id": "ACC-1002", "type": "savings", "balance": 300.0},
        ]
    )
    obs_move = Observation.success({"transfer_id": "TX-9", "status": "completed"})
    obs_balance = Observation.success({"balance": 550.0})
    q1 = "Move €250 from my checking account to my savings. I'm Zoë Müller."
    q2 = "And what is my savings balance now?"
    messages = [
        Message.system(SYSTEM),
        Message.user(q1),
        *_exchange([wrong], [obs_wrong], "Try the checking account directly."),
        *_exchange([listing], [obs_list], "'checking' is not an id. List Zoë's accounts to find the real ids."),
        *_exchange([move], [obs_move], "Checking is ACC-1001 and savings ACC-1002; transfer 250 between them."),
        Message.assistant(content="Done: €250 moved from checking (ACC-1001) to savings (ACC-1002)."),
        Message.user(q2),
        *_exchange([balance], [obs_balance], "Savings is ACC-1002 from the earlier listing."),
        Message.assistant(content="Your savings balance is €550.00.", reasoning="The balance is 550.0."),
    ]
    return Sample(
        id="banking-0007",
        tools=tools,
        messages=messages,
        environments=[
            EnvironmentSpec(
                name="banking",
                target="hardgen.world.domains.banking:BankingAPI",
                initial_state={
                    "accounts": [
                        {"account_id": "ACC-1001", "owner": "Zoë Müller", "type": "checking", "balance": 1200.5},
                        {"account_id": "ACC-1002", "owner": "Zoë Müller", "type": "savings", "balance": 300.0},
                    ]
                },
                loader="load_state",
                seed=3,
            )
        ],
        gold=[
            GoldTurn(
                query=q1,
                steps=[
                    Step(call=listing, observation=obs_list, turn=0),
                    Step(
                        call=move,
                        observation=obs_move,
                        turn=0,
                        sources=[
                            ArgumentSource(parameter="from_account", step=0, path=[0, "account_id"]),
                            ArgumentSource(parameter="to_account", step=0, path=[1, "account_id"]),
                        ],
                    ),
                ],
                final_state_hash="sha256:a1b2",
            ),
            GoldTurn(
                query=q2,
                steps=[Step(call=balance, observation=obs_balance, turn=1)],
                required_observations=[0],
                answer_values=[550.0],
                final_state_hash="sha256:a1b2",
            ),
        ],
        verification=VerificationRecord(
            verdict="passed",
            attempts=2,
            hints=["The transfer used an account name where an account id was needed."],
            reasons=["state hash mismatch after turn 0"],
        ),
        metadata=SampleMetadata(
            target_tools=["transfer"],
            failure_tools=["transfer"],
            advanced_tools=["transfer_between_own_accounts", "check_balance"],
            domains=["banking"],
            chain_length=3,
            implicit_dependencies=3,
            turns=2,
            provenance=Provenance(
                backend="openai-compatible", model="Qwen/Qwen3-30B-A3B", seed=3, hardgen_version="0.1.0"
            ),
        ),
    )


def _crm_mail_sample() -> Sample:
    """Two environments; a hyphenated tool name, an argument named `from`, text beside the calls and
    no reasoning at all."""
    tools = [
        ToolSpec(
            name="find-contact",
            description="Find a CRM contact by name.",
            parameters=_obj({"name": {"type": "string"}}, ["name"]),
            environment="crm",
        ),
        ToolSpec(
            name="send_email",
            description="Send an email.",
            parameters=_obj(
                {
                    "from": {"type": "string"},
                    "to": {"type": "array", "items": {"type": "string"}},
                    "subject": {"type": "string"},
                    "body": {"type": "string"},
                },
                ["from", "to", "subject"],
            ),
            mutates=True,
            environment="mail",
        ),
    ]
    find = ToolCall(id="call_c1", name="find-contact", arguments={"name": "Dana O'Neil"})
    send = ToolCall(
        id="call_c2",
        name="send_email",
        arguments={
            "from": "me@example.com",
            "to": ["dana.oneil@example.com"],
            "subject": "Q3 report",
            "body": "Hi Dana,\nthe Q3 report is attached.",
        },
    )
    obs_find = Observation.success({"contact_id": "C-77", "email": "dana.oneil@example.com"})
    obs_send = Observation.success({"message_id": "M-5", "sent": True})
    query = "Email Dana O'Neil that the Q3 report is attached, from me@example.com."
    messages = [
        Message.user(query),
        *_exchange([find], [obs_find], None, content="Let me find Dana's address first."),
        *_exchange([send], [obs_send], None),
        Message.assistant(content="Sent the Q3 report note to dana.oneil@example.com."),
    ]
    return Sample(
        id="crm-mail-0003",
        tools=tools,
        messages=messages,
        environments=[
            EnvironmentSpec(
                name="crm",
                target="hardgen.world.domains.crm:CrmAPI",
                initial_state={"contacts": [{"contact_id": "C-77", "name": "Dana O'Neil"}]},
            ),
            EnvironmentSpec(name="mail", kind="module", target="examples.mail_tools", initial_state={"outbox": []}),
        ],
        gold=[
            GoldTurn(
                query=query,
                steps=[
                    Step(call=find, observation=obs_find),
                    Step(
                        call=send,
                        observation=obs_send,
                        sources=[ArgumentSource(parameter="to", step=0, path=["email"])],
                    ),
                ],
                final_state_hash="sha256:c3d4",
            )
        ],
        verification=VerificationRecord(verdict="passed", attempts=1),
        metadata=SampleMetadata(
            target_tools=["send_email"],
            advanced_tools=["email_contact"],
            domains=["crm", "mail"],
            chain_length=2,
            implicit_dependencies=1,
            provenance=Provenance(seed=11, hardgen_version="0.1.0", run_id="run-demo"),
        ),
    )


def build_samples() -> list[Sample]:
    """The three fixture samples, in a fixed order."""
    return [_travel_sample(), _banking_sample(), _crm_mail_sample()]


@pytest.fixture
def samples() -> list[Sample]:
    return build_samples()
