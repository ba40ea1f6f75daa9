"""Sample families (issue 17): each derived sample re-verifies from scratch, and the wrong behaviour
of each family fails verification for its own reason."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from synth_fixture_chain import store_tools
from verify_fixture_store import store_spec

from hardgen.export import ExportOptions, bfcl_rows, llamafactory_rows, openai_rows
from hardgen.schema import ArgumentSource, GoldTurn, Message, Observation, Sample, Step, ToolCall, VerificationRecord
from hardgen.synth import FamilyOutcome, FamilyQuota, Rejection, family_summary, family_targets, pick_family
from hardgen.synth._families import (
    LONG_CONTEXT_MIN_CHARS,
    LONG_CONTEXT_MIN_TOOLS,
    _crowding_problem,
    derive_error_recovery,
    derive_irrelevance,
    derive_long_context,
    derive_missing_function,
    derive_missing_parameter,
    derive_parallel,
    near_misses,
    withheld_parameter,
)
from hardgen.tools import Session
from hardgen.verify import CandidateTurn, candidate_from_messages, verify_candidate, verify_sample

Call = tuple[str, dict[str, Any]]


def base_sample(query: str, calls: list[Call], answer: str, answer_values: list[Any] | None = None,
                tools: list[str] | None = None) -> Sample:
    """A verified base sample on the shop: the calls made one message each, then the answer."""
    specs = [store_spec()]
    session = Session.from_specs(specs)
    messages = [Message.system("You are a helpful assistant."), Message.user(query)]
    steps = []
    try:
        for n, (name, arguments) in enumerate(calls):
            call = ToolCall(id=f"call_{n}", name=name, arguments=arguments)
            observation = session.call(name, arguments)
            assert observation.ok, observation
            steps.append(Step(call=call, observation=observation))
            messages += [Message.assistant(tool_calls=[call], reasoning=f"I'll use {name}."),
                         Message.tool(call, observation.to_text())]
        final = session.state_hash()
    finally:
        session.close()
    messages.append(Message.assistant(content=answer, reasoning="That answers it."))
    all_tools = store_tools()
    offered = [all_tools[n] for n in (tools or sorted({c for c, _ in calls} | {"get_order", "set_status"}))]
    gold = GoldTurn(query=query, steps=steps, answer_values=answer_values or [], final_state_hash=final,
                    required_observations=[i for i, s in enumerate(steps) if not all_tools[s.call.name].mutates])
    sample = Sample(id="s-1", tools=offered, messages=messages, environments=specs, gold=[gold],
                    verification=VerificationRecord(verdict="passed"))
    sample.metadata.extra["goal_steps"] = [[len(steps) - 1]]
    assert verify_sample(sample).passed, verify_sample(sample).reasons
    return sample


@pytest.fixture(scope="module")
def tools() -> dict[str, Any]:
    return store_tools()


@pytest.fixture(scope="module")
def two_reads() -> Sample:
    return base_sample("What's the store credit of customer U-101, and which orders does U-102 have?",
                       [("get_balance", {"user_id": "U-101"}), ("list_orders", {"user_id": "U-102"})],
                       "U-101 has 1234.5 in credit; U-102 has orders O-5003 and O-5004.", [1234.5, "O-5003"])


@pytest.fixture(scope="module")
def chain() -> Sample:
    return base_sample("What's Ada Lovelace's store credit?",
                       [("find_user", {"name": "Ada Lovelace"}), ("get_balance", {"user_id": "U-101"})],
                       "Ada has 1234.5 in store credit.", [1234.5])


@pytest.fixture(scope="module")
def note() -> Sample:
    return base_sample("Please add the note 'Call the plumber at noon' to the notebook.",
                       [("add_note", {"text": "Call the plumber at noon"})], "I've added the note.",
                       tools=["add_note", "get_order", "find_user", "set_status"])


@pytest.fixture(scope="module")
def parallel(two_reads: Sample) -> Sample:
    derived = derive_parallel(two_reads, random.Random(0))
    assert isinstance(derived, Sample), derived
    return derived


@pytest.fixture(scope="module")
def clarified(note: Sample, tools: dict[str, Any]) -> Sample:
    steps = note.gold[0].steps
    found = withheld_parameter({"text": "Call the plumber at noon"}, steps, note.environments, tools)
    assert found == ("text", "text", "Call the plumber at noon", ["add_note"])
    derived = derive_missing_parameter(note, "Please add a note to the notebook.", "text",
                                       "Call the plumber at noon", ["add_note"], tools, random.Random(1))
    assert isinstance(derived, Sample), derived
    return derived


@pytest.fixture(scope="module")
def declined(note: Sample, tools: dict[str, Any]) -> Sample:
    derived = derive_irrelevance(note, tools, random.Random(2))
    assert isinstance(derived, Sample), derived
    return derived


@pytest.fixture(scope="module")
def faulted(note: Sample) -> Sample:
    derived = derive_error_recovery(note, random.Random(3))
    assert isinstance(derived, Sample), derived
    return derived


@pytest.fixture(scope="module")
def missing(note: Sample, tools: dict[str, Any]) -> Sample:
    derived = derive_missing_function(note, tools, random.Random(4))
    assert isinstance(derived, Sample), derived
    return derived


def turns_of(sample: Sample, replace: dict[int, CandidateTurn]) -> list[CandidateTurn]:
    turns = candidate_from_messages(sample.messages)
    return [replace.get(i, t) for i, t in enumerate(turns)]


# -- parallel ---------------------------------------------------------------------------------------


def test_independent_reads_are_issued_together_and_the_sample_re_verifies(parallel: Sample) -> None:
    together = [m for m in parallel.messages if m.tool_calls and len(m.tool_calls) == 2]
    assert len(together) == 1 and [c.name for c in together[0].tool_calls or []] == ["get_balance", "list_orders"]
    # Both answers follow the one assistant message, in call order.
    at = parallel.messages.index(together[0])
    assert [m.tool_call_id for m in parallel.messages[at + 1:at + 3]] == [c.id for c in together[0].tool_calls or []]
    assert parallel.metadata.family == "parallel" and parallel.gold[0].parallel and parallel.schema_version == 2
    assert verify_sample(parallel).passed


def test_a_parallel_turn_allows_calls_one_by_one_but_fails_a_repeated_call(parallel: Sample, two_reads: Sample) -> None:
    calls = [c for m in parallel.messages for c in m.tool_calls or []]
    answer = parallel.messages[-1].content
    one_by_one = CandidateTurn(calls=calls, answer=answer, batches=[1, 1])
    assert verify_candidate(parallel.environments, parallel.gold, [one_by_one]).passed
    repeated = CandidateTurn(calls=[*calls, calls[0].model_copy(update={"id": "again"})], answer=answer, batches=[3])
    verdict = verify_candidate(parallel.environments, parallel.gold, [repeated])
    assert not verdict.passed and verdict.failure == "duplicate_call"
    assert any("repeated calls" in r and "get_balance" in r for r in verdict.reasons)
    # The same repeat in a base turn is not judged by this rule.
    assert verify_candidate(two_reads.environments, two_reads.gold, [repeated]).passed


def test_dependent_calls_stay_apart_and_a_chain_has_no_parallel_form(chain: Sample) -> None:
    assert derive_parallel(chain, random.Random(0)) == (
        "no independent calls: each call needs an earlier one or changes what it sees")


def test_calls_of_one_message_cannot_use_each_others_results(chain: Sample) -> None:
    chain = chain.model_copy(deep=True)
    chain.gold[0].steps[1].sources = []  # recorded without sources: the verifier finds the feed itself
    chain.gold[0].parallel = True  # message boundaries are judged in parallel turns
    calls = [c for m in chain.messages for c in m.tool_calls or []]
    answer = chain.messages[-1].content
    apart = CandidateTurn(calls=calls, answer=answer, batches=[1, 1])
    together = CandidateTurn(calls=calls, answer=answer, batches=[2])
    assert verify_candidate(chain.environments, chain.gold, [apart]).passed
    verdict = verify_candidate(chain.environments, chain.gold, [together])
    assert not verdict.passed and any("guessed" in r and "U-101" in r for r in verdict.reasons)
    chain.gold[0].parallel = False  # a base turn counts calls one by one, as before families
    assert verify_candidate(chain.environments, chain.gold, [together]).passed


def test_two_writes_are_not_issued_together() -> None:
    writes = base_sample("Add the note 'Restock lamps' and set the shop's status to closed.",
                         [("add_note", {"text": "Restock lamps"}), ("set_status", {"status": "closed"})], "Done.")
    assert isinstance(derive_parallel(writes, random.Random(0)), str)


# -- missing parameter ------------------------------------------------------------------------------


def test_the_gold_asks_for_the_missing_value_then_completes_the_task(clarified: Sample) -> None:
    users = [m.content for m in clarified.messages if m.role == "user"]
    assert users[0] == "Please add a note to the notebook." and "Call the plumber at noon" in (users[1] or "")
    question = clarified.messages[2]
    assert question.role == "assistant" and not question.tool_calls and "?" in (question.content or "")
    assert [g.behaviour for g in clarified.gold] == ["clarify", "solve"] and clarified.gold[0].asks_for == ["text"]
    assert clarified.metadata.family == "missing_parameter" and clarified.metadata.turns == 2
    assert verify_sample(clarified).passed


def test_guessing_the_missing_value_fails_for_that_reason(clarified: Sample) -> None:
    guess = CandidateTurn(calls=[ToolCall(name="add_note", arguments={"text": "Buy milk"})], answer="Added a note.")
    verdict = verify_candidate(clarified.environments, clarified.gold, turns_of(clarified, {0: guess}))
    assert not verdict.passed and verdict.turns[0].failure == "not_asked"
    assert any("before the user gave the text" in r for r in verdict.reasons)
    # Not asking at all (no call, no question) fails too; a lookup before asking is fine.
    silent = CandidateTurn(answer="I'll add a note.")
    assert not verify_candidate(clarified.environments, clarified.gold, turns_of(clarified, {0: silent})).passed
    lookup = CandidateTurn(calls=[ToolCall(name="get_order", arguments={"order_id": "O-5001"})],
                           answer="What should the note say?")
    assert verify_candidate(clarified.environments, clarified.gold, turns_of(clarified, {0: lookup})).passed


def test_a_value_in_the_state_or_an_optional_one_is_never_withheld(two_reads: Sample, tools: dict[str, Any]) -> None:
    # User ids are in the state: a tool can supply them.
    assert withheld_parameter({"user_id": "U-101"}, two_reads.gold[0].steps, two_reads.environments, tools) is None


# -- irrelevance ------------------------------------------------------------------------------------


def test_irrelevance_offers_near_misses_and_the_gold_makes_no_call(note: Sample, declined: Sample,
                                                                    tools: dict[str, Any]) -> None:
    offered = {t.name for t in near_misses(note, tools)}
    assert offered and "add_note" not in offered and offered <= set(tools)
    assert {t.name for t in declined.tools} == offered
    assert [m.role for m in declined.messages] == ["system", "user", "assistant"]
    assert declined.gold[0].behaviour == "decline" and verify_sample(declined).passed
    text = declined.messages[-1].content or ""
    assert "can't" in text or "not able" in text or "not something" in text


def test_a_tool_that_could_serve_part_of_the_request_is_no_near_miss(two_reads: Sample, tools: dict[str, Any]) -> None:
    from hardgen.schema import ToolSpec

    def spec(name: str, description: str, returns: dict[str, Any]) -> ToolSpec:
        return ToolSpec(name=name, description=description, environment="store",
                        returns={"type": "object", "properties": returns})

    extra = {
        # Its result holds the balance the user asks for.
        "get_wallet": spec("get_wallet", "Show a wallet.", {"balance": {"type": "number"}}),
        # It says it deals with orders, what the goal (list_orders) is about.
        "print_receipt": spec("print_receipt", "Print the receipt of an order.", {"printed": {"type": "boolean"}}),
        "get_opening_hours": spec("get_opening_hours", "When the shop is open.", {"hours": {"type": "string"}}),
    }
    names = {t.name for t in near_misses(two_reads, {**tools, **extra}, limit=10)}
    assert "get_opening_hours" in names and not names & {"get_wallet", "print_receipt", "get_balance", "list_orders"}


def test_any_call_in_an_irrelevance_sample_fails(declined: Sample) -> None:
    some = declined.tools[0]
    call = ToolCall(name=some.name, arguments={p: "O-5001" for p in some.required})
    verdict = verify_candidate(declined.environments, declined.gold, [CandidateTurn(calls=[call], answer="Done.")])
    assert not verdict.passed and verdict.failure == "unneeded_call"
    mute = verify_candidate(declined.environments, declined.gold, [CandidateTurn()])
    assert not mute.passed and any("gave no answer" in r for r in mute.reasons)


# -- error recovery ---------------------------------------------------------------------------------


def test_an_injected_fault_is_flagged_retried_and_never_replayed(faulted: Sample) -> None:
    fault = faulted.gold[0].faults[0]
    answered = next(m for m in faulted.messages if m.role == "tool" and m.tool_call_id == fault.call_id)
    assert json.loads(answered.content or "")["error"]["type"] == fault.error_type
    assert faulted.metadata.extra["error_tool_response"] == [faulted.messages.index(answered)]
    # The write was attempted twice in the transcript but made once: the state is the base one.
    assert [c.name for m in faulted.messages for c in m.tool_calls or []] == ["add_note", "add_note"]
    assert verify_sample(faulted).passed


def test_giving_up_after_the_injected_error_fails(faulted: Sample) -> None:
    gave_up = CandidateTurn(answer="Sorry, the notebook timed out.")
    verdict = verify_candidate(faulted.environments, faulted.gold, [gave_up])
    assert not verdict.passed and verdict.failure == "gave_up"


# -- missing function -------------------------------------------------------------------------------


def test_a_missing_function_is_declined_until_it_is_offered(missing: Sample) -> None:
    assert [g.behaviour for g in missing.gold] == ["decline", "solve"] and missing.gold[1].tools_added == ["add_note"]
    assert verify_sample(missing).passed
    # Calling the tool before it is offered, or a substitute, fails the first turn.
    early = CandidateTurn(calls=[ToolCall(name="add_note", arguments={"text": "Call the plumber at noon"})],
                          answer="Done.")
    substitute = CandidateTurn(calls=[ToolCall(name="set_status", arguments={"status": "closed"})], answer="Done.")
    for wrong in (early, substitute):
        verdict = verify_candidate(missing.environments, missing.gold, turns_of(missing, {0: wrong}))
        assert not verdict.passed and verdict.turns[0].failure == "unneeded_call"
    offered = candidate_from_messages(
        [missing.messages[0], missing.messages[1],
         Message.assistant(tool_calls=[ToolCall(name="add_note", arguments={"text": "x"})])],
        offered_per_turn=[{t.name for t in missing.tools} - {"add_note"}])
    assert offered[0].rejected and offered[0].rejected[0].kind == "unoffered"


# -- long context -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world() -> tuple[dict[str, Any], list[Any]]:
    """The built-in shop (seed 0): its 20 tools are enough for a long-context sample, and one domain
    compiles fast."""
    from hardgen.world import world_specs

    specs = world_specs(0, ["ecommerce"])
    session = Session.from_specs(specs)
    try:
        return {t.name: t for t in session.tools()}, specs
    finally:
        session.close()


def shop_sample(world: tuple[dict[str, Any], list[Any]], query: str, calls: list[Call], answer: str,
                answer_values: list[Any], required: list[int]) -> Sample:
    """A verified base sample on the built-in shop; a call's `order_id` comes from the first
    call's listing (its source)."""
    tools, specs = world
    shop = [s for s in specs if s.name == "ecommerce"]
    session = Session.from_specs(shop)
    messages = [Message.system("You are a helpful assistant."), Message.user(query)]
    steps: list[Step] = []
    try:
        for n, (name, arguments) in enumerate(calls):
            call = ToolCall(id=f"call_{n}", name=name, arguments=arguments)
            observation = session.call(name, arguments)
            assert observation.ok, observation
            sources = []
            if "order_id" in arguments:
                listed = [o["order_id"] for o in steps[0].observation.result["orders"]]
                sources = [ArgumentSource(parameter="order_id", step=0,
                                          path=["orders", listed.index(arguments["order_id"]), "order_id"])]
            steps.append(Step(call=call, observation=observation, sources=sources))
            messages += [Message.assistant(tool_calls=[call], reasoning=f"I'll use {name}."),
                         Message.tool(call, observation.to_text())]
        final = session.state_hash()
    finally:
        session.close()
    messages.append(Message.assistant(content=answer, reasoning="That answers it."))
    gold = GoldTurn(query=query, steps=steps, answer_values=answer_values, final_state_hash=final,
                    required_observations=required)
    offered = [tools[n] for n in ("search_orders", "get_order_details", "view_cart", "list_saved_addresses")]
    sample = Sample(id="shop-1", tools=offered, messages=messages, environments=shop, gold=[gold],
                    verification=VerificationRecord(verdict="passed"))
    sample.metadata.extra["goal_steps"] = [[len(steps) - 1]]
    assert verify_sample(sample).passed, verify_sample(sample).reasons
    return sample


def test_long_context_lists_a_long_history_and_the_task_stays_the_same(world: tuple[dict[str, Any], list[Any]]) -> None:
    base = shop_sample(world, "When was my order from 2024-09-27 delivered?",
                       [("search_orders", {}), ("get_order_details", {"order_id": "O-1006"})],
                       "Your order O-1006 from 2024-09-27 was delivered on 2024-09-30.", ["2024-09-30"], [1])
    tools, specs = world
    derived = derive_long_context(base, tools, specs, random.Random(5))
    assert isinstance(derived, Sample), derived
    listing = json.loads(derived.messages[3].content or "")["orders"]
    before = json.loads(base.messages[3].content or "")["orders"]
    # The old orders come first, as before; two years of older ones follow them.
    assert listing[:len(before)] == before and len(listing) >= 40
    assert all(o["placed_on"] < before[-1]["placed_on"] for o in listing[len(before):])
    chars = sum(len(m.content or "") for m in derived.messages if m.role == "tool")
    assert chars >= LONG_CONTEXT_MIN_CHARS and derived.metadata.extra["tool_output_chars"] == chars
    assert derived.messages[5].content == base.messages[5].content  # the order itself reads the same
    assert len(derived.tools) >= LONG_CONTEXT_MIN_TOOLS and derived.metadata.family == "long_context"
    assert verify_sample(derived).passed
    # The shop's orders in the sample are the long history: a replay anywhere lists them.
    shop = next(e for e in derived.environments if e.name == "ecommerce")
    assert len(shop.initial_state["orders"]) == len(listing)


def test_long_context_keeps_no_sample_whose_answer_reads_the_listing(world: tuple[dict[str, Any], list[Any]]) -> None:
    tools, specs = world
    listed = shop_sample(world, "Which of my orders are still processing, and what are their totals?",
                         [("search_orders", {"status": "processing"})],
                         "O-1010 (97.99) and O-1009 (249.98) are processing.", ["O-1010", "O-1009"], [0])
    # No older order is processing: the listing is the same and stays short.
    made = derive_long_context(listed, tools, specs, random.Random(5))
    assert isinstance(made, str) and made.startswith("the listings stay short (298 characters")
    everything = shop_sample(world, "What did I order on 2024-10-01 and on 2024-09-19?",
                             [("search_orders", {})], "O-1008 and O-1004.", ["O-1008", "O-1004"], [0])
    assert derive_long_context(everything, tools, specs, random.Random(5)) == (
        "a long history would change the task: search_orders: the answer reads 2 records of orders, so it would "
        "read them all")


def test_a_longer_listing_must_only_add_records_that_the_query_does_not_mean() -> None:
    turn = GoldTurn(query="q", answer_values=["Brass Lamp"])
    a, b = {"id": "O-1", "item": "Brass Lamp"}, {"id": "O-2", "item": "Oak Shelf"}

    def step(result: Any) -> Step:
        return Step(call=ToolCall(name="list_orders", arguments={}), observation=Observation.success(result))

    old = step({"orders": [a, b], "count": 2})
    said = "When did my Brass Lamp order ship?"
    assert _crowding_problem(turn, 0, old, step({"orders": [a, b, {"id": "O-0", "item": "Tea Set"}], "count": 2}),
                             said) is None
    problems = [
        _crowding_problem(turn, 0, old, step({"orders": [a, b, {"id": "O-0", "item": "Brass Lamp"}], "count": 2}),
                          said),
        _crowding_problem(turn, 0, old, step({"orders": [a, b, {"id": "O-0", "item": "Tea Set"}], "count": 3}), said),
        _crowding_problem(turn, 0, old, step({"orders": [b, a], "count": 2}), said),
        _crowding_problem(turn, 0, step({"orders": [a], "count": 2}), step({"orders": [a, b], "count": 2}), said),
    ]
    assert problems == [
        "list_orders: an added record of orders has 'Brass Lamp', which the user said",
        "list_orders: count changed",
        "list_orders: orders lost or changed records",
        "list_orders: orders held 1 record(s) and would hold 2",
    ]


def test_long_context_needs_many_tools_and_says_so(note: Sample, tools: dict[str, Any]) -> None:
    made = derive_long_context(note, tools, [store_spec()], random.Random(5))
    assert made == "only 8 tools to offer (a long-context sample offers 20)"


# -- mixing by ratio --------------------------------------------------------------------------------


def test_targets_split_the_samples_by_ratio() -> None:
    assert family_targets({"base": 1, "parallel": 1, "irrelevance": 1}, 10) == {"base": 4, "parallel": 3,
                                                                                "irrelevance": 3}
    assert family_targets({"base": 0.5, "parallel": 0.5}, 3) == {"base": 2, "parallel": 1}
    with pytest.raises(ValueError, match="above 0"):
        family_targets({"base": 0}, 5)


def test_the_quota_fills_the_most_wanted_family_and_never_pads_a_short_one(two_reads: Sample,
                                                                            parallel: Sample) -> None:
    quota = FamilyQuota({"base": 2, "parallel": 2})
    base = two_reads
    only_base = FamilyOutcome(unit_id="u", variants={"base": base}, unsupported={"parallel": "no independent calls"})
    both = FamilyOutcome(unit_id="u", variants={"base": base, "parallel": parallel})
    picked = [pick_family(quota, both), pick_family(quota, only_base), pick_family(quota, only_base)]
    # A tie goes to the family other than base; each written sample records the families it fitted.
    assert [s.metadata.family for s in picked if isinstance(s, Sample)] == ["parallel", "base", "base"]
    assert [s.metadata.extra["family_fits"] for s in picked if isinstance(s, Sample)] == [
        ["base", "parallel"], ["base"], ["base"]]
    refused = pick_family(quota, only_base)  # base is full, parallel cannot use this unit
    assert isinstance(refused, Rejection) and refused.stage == "family" and "parallel" in refused.reason
    summary = quota.summary()
    assert summary["base"] == {"target": 2, "written": 2, "short": 0}
    assert summary["parallel"]["short"] == 1 and summary["parallel"]["units_unfit"] == 1
    # The summary is read back from the run's files alone (a resumed run reports the same).
    written = [s.model_dump(mode="json") for s in picked if isinstance(s, Sample)]
    again = family_summary({"base": 1, "parallel": 1}, 4, written, [refused.model_dump(mode="json")])
    assert again["parallel"]["short"] == 1 and again["parallel"]["units_unfit"] == 1
    assert again["base"]["fit_rate"] == 1.0 and again["parallel"]["fit_rate"] == 0.25


# -- exporters --------------------------------------------------------------------------------------


def test_exporters_render_parallel_calls_in_each_formats_parallel_form(parallel: Sample) -> None:
    derived = parallel
    options = ExportOptions()
    row = openai_rows([derived], options)[0]
    assistant = [m for m in row["messages"] if m["role"] == "assistant" and m.get("tool_calls")]
    assert len(assistant) == 1 and len(assistant[0]["tool_calls"]) == 2
    turns = llamafactory_rows([derived], options)[0]["conversations"]
    calls = [t for t in turns if t["from"] == "function_call"]
    observations = [t for t in turns if t["from"] == "observation"]
    assert len(calls) == 1 and len(observations) == 1
    assert [c["name"] for c in json.loads(calls[0]["value"].split("</think>")[-1])] == ["get_balance", "list_orders"]
    assert len(json.loads(observations[0]["value"])) == 2
    bfcl = bfcl_rows([derived], options)[0]
    assert bfcl["ground_truth"] == [["get_balance(user_id='U-101')", "list_orders(user_id='U-102')"]]


# -- stats, dataset card, evaluation per family ------------------------------------------------------


@pytest.fixture(scope="module")
def family_set(note: Sample, parallel: Sample, clarified: Sample, declined: Sample, faulted: Sample) -> list[Sample]:
    return [note, parallel, clarified, declined, faulted]


def test_stats_and_the_dataset_card_count_samples_per_family(family_set: list[Sample]) -> None:
    from hardgen.export import dataset_card
    from hardgen.stats import compute_stats

    samples = family_set
    stats = compute_stats(samples)
    assert stats.families == {"base": 1, "parallel": 1, "missing_parameter": 1, "irrelevance": 1,
                              "error_recovery": 1}
    assert stats.injected_faults == 1 and stats.parallel_call_messages == 1
    card = dataset_card(samples, stats, {"train": len(samples)}, {"train": "data/train.parquet"}, ExportOptions(),
                        {"id": "sample id"})
    assert "### Families" in card and "| error_recovery | 1 |" in card


def test_evaluation_reports_accuracy_per_family(family_set: list[Sample]) -> None:
    import asyncio

    from hardgen.agents import ModelFreeAgent
    from hardgen.evaluate import evaluate_samples

    samples = family_set
    evaluation = asyncio.run(evaluate_samples(ModelFreeAgent(), samples, concurrency=1))
    assert list(evaluation.by_family) == ["base", "parallel", "missing_parameter", "irrelevance", "error_recovery"]
    assert all(b.samples == 1 for b in evaluation.by_family.values())
    assert [r.family for r in evaluation.results] == [s.metadata.family for s in samples]


def test_an_agent_under_evaluation_meets_the_injected_fault_and_only_the_tools_offered_so_far(
        faulted: Sample, missing: Sample) -> None:
    from hardgen.verify import FaultInjector, tools_for_turn, without_faults

    derived = faulted
    fault = derived.gold[0].faults[0]
    session = Session.from_specs(derived.environments)
    try:
        environment = FaultInjector(session, [fault])
        first = environment.call(fault.tool, dict(fault.arguments))
        second = environment.call(fault.tool, dict(fault.arguments))
        assert not first.ok and first.error is not None and first.error.type == fault.error_type
        assert second.ok and environment.injected == [fault]
        steps = [Step(call=ToolCall(name=fault.tool, arguments=fault.arguments), observation=o) for o in (first, second)]
        assert without_faults(steps, environment.injected) == steps[1:]
        assert session.state()["store"]["notes"] == ["Call the plumber at noon"]  # the faulted call never ran
    finally:
        session.close()
    assert "add_note" not in {t.name for t in tools_for_turn(missing.tools, missing.gold, 0)}
    assert "add_note" in {t.name for t in tools_for_turn(missing.tools, missing.gold, 1)}


def test_the_model_free_agent_gives_up_after_the_injected_fault_in_evaluation(note: Sample, faulted: Sample) -> None:
    import asyncio

    from hardgen.agents import ModelFreeAgent
    from hardgen.evaluate import evaluate_samples

    base, met = asyncio.run(evaluate_samples(ModelFreeAgent(), [note, faulted], concurrency=1)).results
    assert base.passed  # the same task without the fault it solves
    assert not met.passed and met.agent_calls == 1 and met.failure == "gave_up"


def test_exports_offer_a_missing_function_only_from_its_turn_and_can_drop_a_family(
        tmp_path: Any, note: Sample, missing: Sample, faulted: Sample) -> None:
    from hardgen.export import export_samples

    rows = openai_rows([missing], ExportOptions())
    assert len(rows) == 2
    assert next(m.get("weight") for m in rows[1]["messages"] if m["role"] == "assistant") == 0
    first_tools = {t["function"]["name"] for t in rows[0]["tools"]}
    assert "add_note" not in first_tools and [m["role"] for m in rows[0]["messages"]][-1] == "assistant"
    assert "add_note" in {t["function"]["name"] for t in rows[1]["tools"]}
    split = openai_rows([missing], ExportOptions(split_turns=True))
    assert "add_note" not in {t["function"]["name"] for t in split[0]["tools"]}
    assert "add_note" in {t["function"]["name"] for t in split[-1]["tools"]}
    bfcl = bfcl_rows([missing], ExportOptions())[0]
    assert bfcl["missed_function"] == {"1": ["add_note"]} and bfcl["ground_truth"][0] == []
    # Error-recovery samples can be left out of an export.
    files = export_samples([note, faulted], "openai", tmp_path, exclude_families=("error_recovery",))
    lines = [json.loads(x) for f in files if f.suffix == ".jsonl" for x in f.read_text().splitlines()]
    assert len(lines) == 1


def test_a_validation_fault_sends_the_value_in_the_wrong_format_and_the_retry_fixes_it() -> None:
    from hardgen.schema import ToolSpec
    from hardgen.synth._families import _misformatted

    spec = ToolSpec(name="book", description="Book a day.", parameters={
        "type": "object", "properties": {"date": {"type": "string"}, "nights": {"type": "integer"}}})
    dated = Message.assistant(tool_calls=[ToolCall(name="book", arguments={"date": "2025-03-21", "nights": 2})])
    wrong, error, fix = _misformatted(dated, {"book": spec}) or ({}, "", "")
    assert wrong == {"date": "21/03/2025", "nights": 2} and "expected YYYY-MM-DD" in error and "2025" not in fix[:8]
    counted = Message.assistant(tool_calls=[ToolCall(name="book", arguments={"nights": 2})])
    assert (_misformatted(counted, {"book": spec}) or ({},))[0] == {"nights": "2"}
    assert _misformatted(Message.assistant(tool_calls=[ToolCall(name="book", arguments={})]), {"book": spec}) is None


# -- a model Reasoner writes the family's first turn ------------------------------------------------


class QuestionBackend:
    """A model that answers every request with the same assistant message (and counts requests)."""

    name = "scripted"
    model = "script-1"

    def __init__(self, reply: Message) -> None:
        self.reply = reply
        self.requests: list[Any] = []

    async def complete(self, request: Any) -> Any:
        from hardgen.llm import ChatResponse

        self.requests.append(request)
        return ChatResponse(message=self.reply)


def llm_synthesizer(reply: Message, tools: dict[str, Any]) -> tuple[Any, QuestionBackend]:
    from hardgen.synth import LLMReasoner, ModelFreeCritic, ModelFreeQueryWriter, Synthesizer

    backend = QuestionBackend(reply)
    return Synthesizer([store_spec()], tools, {}, ModelFreeQueryWriter(), LLMReasoner(backend),
                       ModelFreeCritic()), backend


def test_a_model_reasoner_writes_the_clarifying_question_with_the_familys_prompt(clarified: Sample,
                                                                                 tools: dict[str, Any]) -> None:
    import asyncio

    synthesizer, backend = llm_synthesizer(Message.assistant("Sure! What should the note say?"), tools)
    made = asyncio.run(synthesizer._reasoned_first_turn(clarified, "missing_parameter"))
    assert isinstance(made, Sample) and made.messages[2].content == "Sure! What should the note say?"
    note = backend.requests[0].messages[0].content
    assert "leaves out the text" in note and "add_note" in note  # the family's prompt, as a private note
    assert made.metadata.provenance.prompt_versions["missing_parameter"] == "family_missing_parameter/1"
    assert verify_sample(made).passed


def test_a_model_turn_that_breaks_the_familys_rule_falls_back_to_the_model_free_text(
        clarified: Sample, declined: Sample, tools: dict[str, Any]) -> None:
    import asyncio

    guess = Message.assistant(tool_calls=[ToolCall(name="add_note", arguments={"text": "Buy milk"})])
    synthesizer, _ = llm_synthesizer(guess, tools)  # it guesses the text, every try
    base = clarified
    made = asyncio.run(synthesizer._reasoned_first_turn(base, "missing_parameter"))
    assert made is base and synthesizer.reasoner.fallbacks["the missing_parameter turn did not pass its rule"] == 1
    synthesizer, _ = llm_synthesizer(Message.assistant("I can't add notes with these tools, sorry."), tools)
    made = asyncio.run(synthesizer._reasoned_first_turn(declined, "irrelevance"))
    assert isinstance(made, Sample) and made.messages[-1].content == "I can't add notes with these tools, sorry."
