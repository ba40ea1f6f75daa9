"""The validity report counts each kind of gold defect, each for its own reason, and nothing in a
sensible gold. Golds are executed on the built-in world, as a generated sample's would be."""

from __future__ import annotations

from typing import Any

import pytest

from hardgen.schema import ArgumentSource, GoldTurn, Message, Sample, SampleMetadata, Step, ToolCall, VerificationRecord
from hardgen.stats import validity_report
from hardgen.tools import Session
from hardgen.world import world_specs

Call = tuple[str, dict[str, Any]]


def _sample(domain: str, turns: list[tuple[str, list[Call], dict[int, list[ArgumentSource]], list[int]]],
            requested: int | None = None) -> Sample:
    """A sample whose turns are (query, calls, sources by step, goal steps), executed for real."""
    specs = world_specs(domains=[domain])
    session = Session.from_specs(specs)
    try:
        gold, messages = [], [Message.system("You are a helpful assistant.")]
        for query, calls, sources, _ in turns:
            steps = []
            for i, (name, arguments) in enumerate(calls):
                observation = session.call(name, arguments)
                assert observation.ok, (name, observation.error)
                steps.append(Step(call=ToolCall(name=name, arguments=arguments), observation=observation,
                                  sources=sources.get(i, [])))
            gold.append(GoldTurn(query=query, steps=steps, final_state_hash=session.state_hash()))
            messages.append(Message.user(query))
        return Sample(id=f"{domain}-test", tools=session.tools(), messages=messages, environments=specs, gold=gold,
                      verification=VerificationRecord(verdict="passed"),
                      metadata=SampleMetadata(extra={"goal_steps": [t[3] for t in turns],
                                                     "requested_turns": requested or len(turns)}))
    finally:
        session.close()


def _src(parameter: str, step: int, *path: str | int) -> ArgumentSource:
    return ArgumentSource(parameter=parameter, step=step, path=list(path))


LOGIN = ("login_bank", {"customer_name": "Carlos Ito", "pin": "9273"})


def _defects(sample: Sample) -> dict[str, int]:
    report = validity_report([sample]).model_dump()
    return {k: v for k, v in report.items() if isinstance(v, int) and v and k not in ("samples", "turns")}


def test_a_sensible_gold_has_no_defect() -> None:
    sample = _sample("notes", [(
        "Start a to-do list called Party prep and put 'Buy candles' on it.",
        [("create_todo_list", {"name": "Party prep"}), ("add_todo_item", {"list_id": "TL-204", "text": "Buy candles"})],
        {1: [_src("list_id", 0, "list_id")]}, [0, 1])])
    assert _defects(sample) == {}


@pytest.mark.parametrize(("defect", "sample"), [
    ("implicit_writes", lambda: _sample("notes", [(
        "Put 'Buy candles' on my Party prep list.",
        [("create_todo_list", {"name": "Party prep"}), ("add_todo_item", {"list_id": "TL-204", "text": "Buy candles"})],
        {1: [_src("list_id", 0, "list_id")]}, [1])])),
    ("duplicate_new_entities", lambda: _sample("notes", [(
        "Write a note 'Spanish vocabulary' in my Study notebook (NB-101) saying Hola.",
        [("create_note", {"notebook_id": "NB-101", "title": "Spanish vocabulary", "body": "Hola"})], {}, [0])])),
    ("unused_calls", lambda: _sample("notes", [(
        "Make a to-do list called Party prep.", [("list_notebooks", {}), ("create_todo_list", {"name": "Party prep"})],
        {}, [1])])),
    ("undetermined_arguments", lambda: _sample("notes", [(
        "Make me a new to-do list.", [("create_todo_list", {"name": "Party prep"})], {}, [0])])),
    ("ambiguous_queries", lambda: _sample("notes", [(
        "Add 'Buy candles' to one of my lists.",
        [("list_todo_lists", {}), ("add_todo_item", {"list_id": "TL-202", "text": "Buy candles"})],
        {1: [_src("list_id", 0, "todo_lists", 1, "list_id")]}, [1])])),
])
def test_each_defect_is_counted_for_its_reason(defect: str, sample: Any) -> None:
    assert _defects(sample()) == {defect: 1}


def test_create_then_destroy_across_turns() -> None:
    note_id = "N-1018"  # the id the world gives the next note
    sample = _sample("notes", [
        ("Create a note 'Gift ideas' in my Study notebook (NB-101) saying Socks.",
         [("create_note", {"notebook_id": "NB-101", "title": "Gift ideas", "body": "Socks"})], {}, [0]),
        (f"Actually, delete the note {note_id} again.", [("delete_note", {"note_id": note_id})], {}, [0]),
    ])
    assert sample.gold[0].steps[0].observation.result["note_id"] == note_id
    assert _defects(sample) == {"create_then_destroy": 1}


def test_the_same_thing_made_again_in_a_later_turn_is_a_repeated_creation() -> None:
    item = ("add_todo_item", {"list_id": "TL-202", "text": "Buy candles"})
    sample = _sample("notes", [
        ("Put 'Buy candles' on list TL-202.", [item], {}, [0]),
        ("And put 'Buy candles' on list TL-202.", [item], {}, [0]),
    ])
    assert _defects(sample) == {"repeated_creations": 1}


def test_two_accounts_in_one_conversation() -> None:
    other = ("login_bank", {"customer_name": "Julia Tanaka", "pin": "2550"})
    sample = _sample("banking", [
        ("I'm Carlos Ito, pin 9273: list my cards.", [LOGIN, ("list_bank_cards", {})], {}, [1]),
        ("I'm Julia Tanaka, pin 2550: list my cards.", [other, ("list_bank_cards", {})], {}, [1]),
    ])
    # Two people's chores glued together: also nothing the second turn takes from the first.
    assert _defects(sample) == {"multiple_identities": 1, "disconnected_turns": 1}


def test_a_short_conversation_is_reported_with_its_reason() -> None:
    sample = _sample("notes", [("Make a to-do list called Party prep.",
                                [("create_todo_list", {"name": "Party prep"})], {}, [0])], requested=3)
    sample.metadata.extra["short_reason"] = "turn 2: ambiguous: the query fits 2 different list_id values"
    report = validity_report([sample])
    assert report.short_conversations == 1 and report.short_reasons == {"ambiguous": 1}
    assert report.defects == 0
