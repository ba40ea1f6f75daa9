"""A write made with another outcome and then put right: the final state is the gold's, but the
conversation shows an agent doing what the user did not ask; it fails. Another way to the same
write passes."""

from __future__ import annotations

from typing import Any

from hardgen.schema import GoldTurn, Step, ToolCall
from hardgen.tools import Session
from hardgen.verify import CandidateTurn, verify_candidate
from hardgen.world import world_specs

SPECS = world_specs(domains=["notes"])
CREATE = ("create_note", {"notebook_id": "NB-101", "title": "Books to read", "body": "Compare prices."})


def _gold(calls: list[tuple[str, dict[str, Any]]]) -> GoldTurn:
    session = Session.from_specs(SPECS)
    try:
        steps = [Step(call=ToolCall(name=n, arguments=a), observation=session.call(n, a)) for n, a in calls]
        assert all(s.observation.ok for s in steps)
        return GoldTurn(query="Write a note 'Books to read' in my Study notebook saying 'Compare prices.', then "
                              "change it to say 'Bring the receipts.'.", steps=steps,
                        final_state_hash=session.state_hash())
    finally:
        session.close()


def _verdict(gold: GoldTurn, calls: list[tuple[str, dict[str, Any]]]) -> Any:
    candidate = CandidateTurn(calls=[ToolCall(name=n, arguments=a) for n, a in calls], answer="Done.")
    return verify_candidate(SPECS, [gold], [candidate], timeout=None)


def test_a_note_created_with_another_body_then_updated_fails_though_the_state_is_the_gold_s() -> None:
    note = _gold([CREATE]).steps[0].observation.result["note_id"]
    update = ("update_note", {"note_id": note, "body": "Bring the receipts."})
    gold = _gold([CREATE, update])
    wrong_first = ("create_note", {**CREATE[1], "body": "Bring the receipts."})
    verdict = _verdict(gold, [wrong_first, update])
    assert verdict.turns[0].actual_state_hash == gold.final_state_hash
    assert not verdict.passed and "put it right: create_note" in verdict.reasons[0]
    assert verdict.turns[0].failure == "wrong_argument"
    assert _verdict(gold, [CREATE, update]).passed
