"""Model-free text in people's words (issue 12): queries with values woven in that the slot filler
still reads back, answers that answer, reasoning grounded in results, a realiser for foreign tools."""

from __future__ import annotations

import asyncio
import random
import re

from synth_fixture_chain import ADA, STEPS, cancel_tool, store_tools
from verify_fixture_store import store_spec

from hardgen.schema import ToolSpec
from hardgen.synth import ModelFreeQueryWriter, ModelFreeReasoner, ReasonerTask, check_query
from hardgen.synth._answering import field_noun, format_value, requested_keys
from hardgen.synth._realiser import clean_description, realise_tool
from hardgen.synth._slots import REFERENCE, extract_values, match_score
from hardgen.synth._voice import REFERENCES, done_phrase, mention, participle, third_person
from hardgen.tools import Session
from hardgen.verify import value_in_text


def _queries(n: int = 30) -> list[str]:
    tool, tools = cancel_tool(), store_tools()
    return [ModelFreeQueryWriter().compose(tool, ADA, STEPS, tools, random.Random(s)).text for s in range(n)]


def test_queries_are_requests_without_labels_tool_names_or_parameter_names() -> None:
    for text in _queries():
        assert ":" not in text and "Details" not in text and ";" not in text, text
        assert not re.search(r"\b\w+_\w+\b", text), text  # no snake_case identifier
        assert "cancel_order" not in text and "find_user" not in text
        assert check_query(text, ADA, STEPS) == []


def test_queries_vary_in_opening_and_wording() -> None:
    texts = _queries(30)
    openings = {" ".join(t.split()[:3]) for t in texts}
    assert len(set(texts)) == 30 and len(openings) >= 12


def test_woven_values_are_read_back_for_the_parameter_that_they_belong_to() -> None:
    rng = random.Random(1)
    cases = [("employee_id", "E-1841", {"type": "string"}), ("email", "ana@example.com", {"type": "string"}),
             ("customer_name", "Beatriz Ueda", {"type": "string"}), ("pin", "'7124'", {"type": "string"}),
             ("amount", "69.98", {"type": "number"}), ("body", "'Book the venue by Friday.'", {"type": "string"}),
             ("status", "approved", {"type": "string", "enum": ["approved", "pending"]}),
             ("start_date", "2025-04-07", {"type": "string"})]
    for pname, rendered, schema in cases:
        for form in mention(pname, rendered, rng):
            query = f"Could you do this for me? {form[:1].upper() + form[1:]}. Thanks!"
            values = [v for v in extract_values(query) if v.text == rendered.strip("'")]
            assert values, (pname, query)
            assert match_score(values[0], pname, schema) >= 1.0, (pname, query, values[0])


def test_a_value_named_as_something_else_does_not_fill_a_parameter() -> None:
    query = "Open an account for me. The currency name is Phone Mobile Ltd and the password is lamp-42."
    values = {v.text: v for v in extract_values(query)}
    assert match_score(values["Phone Mobile Ltd"], "currency", {"type": "string"}) == 0.0
    assert match_score(values["lamp-42"], "order_id", {"type": "string"}) == 0.0


def test_every_way_of_referring_back_reads_as_a_reference() -> None:
    for form in REFERENCES:
        query = f"Now cancel {form.format(n='order')}, please."
        found = [v for v in extract_values(query) if v.text == REFERENCE]
        assert found and "order" in found[0].context, query


def test_the_reasoner_answers_in_sentences_with_the_values_asked_for() -> None:
    tool, tools = cancel_tool(), store_tools()
    for seed in range(8):
        query = ModelFreeQueryWriter().compose(tool, ADA, STEPS, tools, random.Random(seed))
        task = ReasonerTask(query=query.text, tools=list(tools.values()), hint=tool.description)
        attempt = asyncio.run(ModelFreeReasoner(_deps()).solve(task, Session.from_specs([store_spec()]), []))
        answer = attempt.answer or ""
        assert all(value_in_text(v, answer) for v in query.answer_values), (query.text, answer)
        assert " done - " not in answer and not re.search(r"\[\d+\]|\bNone\b|\bTrue\b|\bFalse\b", answer)
        reasoning = [m.reasoning or "" for m in attempt.messages if m.role == "assistant"]
        assert all("I call " not in r and "take it from the result of" not in r for r in reasoning)
        # Grounded: the looked-up user id is named in the thinking before the call that uses it.
        assert any("U-101" in r for r in reasoning)


def _deps():  # the shop's dependency graph (see the reasoner tests)
    from test_synth_reasoner_and_synthesizer import StoreDependencies

    return StoreDependencies()


def test_requested_fields_come_from_the_query_words() -> None:
    result = {"order_id": "O-1", "status": "shipped", "total_distance_km": 7.5, "items": [1, 2]}
    assert requested_keys("Tell me the status and the total distance in km.", result) == ["status", "total_distance_km"]
    assert field_noun("total_distance_km") == "total distance in km"
    assert format_value("balance", 1200.5, {"currency": "EUR"}) == "1,200.50 EUR"
    assert format_value("deleted", True) == "yes" and format_value("x", None) == "none"


def test_requests_turn_into_thinking_and_confirmations() -> None:
    assert third_person("cancel my order for me") == "cancel their order for them"
    assert done_phrase("cancel one of my orders") == "cancelled one of your orders"
    assert done_phrase("stop my card and refund me") == "stopped your card and refunded you"
    assert [participle(v) for v in ("send", "pay", "freeze", "tag", "copy", "save")] == \
        ["sent", "paid", "frozen", "tagged", "copied", "saved"]


def test_the_realiser_drops_preambles_and_schema_clauses() -> None:
    assert clean_description("This tool belongs to the travel system, which allows users to book flights. "
                             "Get the nearest airport, optionally filtered by name.") == "Get the nearest airport"
    spec = ToolSpec(name="list_payees", description="Lists your saved payees (people you pay), optionally filtered "
                                                    "by name. Requires login_bank first.")
    asks = realise_tool(spec).ask
    assert asks[0] == "list my saved payees"
    assert all(":" not in a and not re.search(r"\d", a) for a in asks)
    noun_led = realise_tool(ToolSpec(name="get_weather", description="Current weather in a city, e.g. Paris."))
    assert noun_led.ask[0] == "get the current weather in a city"


def test_requests_drop_what_api_docs_add_and_a_person_never_says() -> None:
    assert clean_description("Retweet a tweet for the authenticated user.") == "Retweet a tweet"
    assert clean_description("Get a specific ticket by its ID.") == "Get a ticket"
    assert clean_description("Log in a user with the given user ID to the message app.") == \
        "Log in a user to the message app"
    assert clean_description("Create a ticket in the system and queue it.") == "Create a ticket and queue it"
    assert clean_description("Send a message to a user.") == "Send a message to a user"
    ask = realise_tool(ToolSpec(name="retweet", description="Retweet a tweet for the authenticated user.")).ask
    assert all("authenticated" not in phrase for phrase in ask)
    assert participle("withdraw") == "withdrawn"
    from hardgen.synth._voice import articles

    assert articles("get statistics for an user, a order and a unit") == "get statistics for a user, an order and a unit"


def test_three_or_four_values_are_one_sentence_and_only_five_or_more_a_list() -> None:
    from hardgen.synth._answering import fact_sentences

    result = {"id": 10, "username": "pro", "following_count": 2, "retweet_count": 0, "tweet_count": 11}
    facts = [(k, v, result) for k, v in result.items()]
    four = fact_sentences(facts[:4], random.Random(1))
    assert "\n" not in four and ": 10" not in four and four.endswith("the retweet count is 0.")
    assert fact_sentences(facts, random.Random(1)).count("\n- ") == 5


def test_a_goal_on_what_an_earlier_goal_made_refers_back_to_it() -> None:
    from hardgen.synth._advanced_tool import AdvancedTool, ArgBinding, StepTemplate
    from hardgen.synth._query_writer import _refer_back

    tool = AdvancedTool(name="post_and_comment_adv", description="", parameters={"type": "object", "properties": {}},
                        steps=[StepTemplate(tool="post_tweet", arguments={"content": ArgBinding(kind="param", param="content")}),
                               StepTemplate(tool="comment", arguments={"tweet_id": ArgBinding(kind="ref", step=0, path=["id"])})],
                        example_arguments={}, goal_steps=[0, 1])
    assert _refer_back("comment on a tweet", tool, "comment") == "comment on it"
    assert _refer_back("post a tweet", tool, "post_tweet") == "post a tweet"
    assert _refer_back("comment on the tweet comments", tool, "comment") == "comment on the tweet comments"
    assert _refer_back("comment on a tweet for me", tool, "comment") == "comment on it for me"


def test_a_listing_of_one_is_not_counted_as_a_plural() -> None:
    from hardgen.synth._answering import summarise

    one = summarise({"people": [{"name": "Ann Lee"}]}, random.Random(0))
    assert "Ann Lee" in one and "1 people" not in one
