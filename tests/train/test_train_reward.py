"""The verifier as a reward: gold turns score 1; wrong, missing, malformed and guessed calls score 0."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from hardgen.export import ExportOptions, export_samples, trl_message
from hardgen.schema import Sample
from hardgen.train import (
    SAMPLE_COLUMN,
    TURN_COLUMN,
    VerifierReward,
    compute_score,
    gold_completion,
    reward_rows,
    score_turn,
)


def _gold(sample: Sample, turn: int) -> list[dict[str, Any]]:
    return [trl_message(m, ExportOptions()) for m in gold_completion(sample, turn)]


def _chained(samples: list[Sample]) -> Sample:
    """A sample whose first turn looks up a card id, freezes that card and then finds its account."""
    for s in samples:
        names = [st.call.name for st in s.gold[0].steps]
        if "freeze_card" in names and "list_bank_cards" in names:
            return s
    pytest.fail("the small run has no freeze-card sample to tamper with")


def _drop_call(messages: list[dict[str, Any]], tool: str) -> list[dict[str, Any]]:
    """The completion without the assistant message calling `tool` and the tool message answering it."""
    out, dropped = [], set()
    for m in messages:
        calls = m.get("tool_calls") or []
        if any(c["function"]["name"] == tool for c in calls):
            dropped |= {c["id"] for c in calls}
            continue
        if m["role"] == "tool" and m.get("tool_call_id") in dropped:
            continue
        out.append(m)
    return out


def _as_text(messages: list[dict[str, Any]]) -> str:
    """A completion as one decoded response (verl's multi-turn text): calls as Hermes blocks, results
    between them as <tool_response> blocks."""
    parts = []
    for m in messages:
        if m["role"] == "tool":
            parts.append(f"<tool_response>\n{m['content']}\n</tool_response>\n")
            continue
        text = m.get("content") or ""
        for c in m.get("tool_calls") or []:
            text += "\n<tool_call>\n" + json.dumps({"name": c["function"]["name"],
                                                   "arguments": c["function"]["arguments"]}) + "\n</tool_call>"
        parts.append(text)
    return "".join(parts)


def test_gold_turns_score_one(small_samples: list[Sample]) -> None:
    scored = [(s.id, t, score_turn(s, t, _gold(s, t))) for s in small_samples for t in range(len(s.gold))]
    assert len(scored) >= 6 and any(t == 1 for _, t, _ in scored), "the fixture has two-turn samples"
    assert all(r.score == 1.0 and r.passed for _, _, r in scored), [(i, t, r.reasons) for i, t, r in scored if not r.passed]
    # The same turns as one decoded text (what verl's compute_score gets).
    assert all(score_turn(s, t, _as_text(_gold(s, t))).score == 1.0 for s in small_samples for t in range(len(s.gold)))


def test_wrong_argument_scores_zero(small_samples: list[Sample]) -> None:
    sample = _chained(small_samples)
    completion = copy.deepcopy(_gold(sample, 0))
    for m in completion:
        for c in m.get("tool_calls") or []:
            if c["function"]["name"] == "freeze_card":
                c["function"]["arguments"]["card_id"] = "CARD-0000"
    result = score_turn(sample, 0, completion)
    assert result.score == 0.0 and not result.passed
    assert any("final state differs" in r for r in result.reasons)
    # The stated format bonus: well-formed calls that fail earn it, never more.
    assert score_turn(sample, 0, completion, format_bonus=0.1).score == 0.1


def test_missing_step_scores_zero(small_samples: list[Sample]) -> None:
    sample = _chained(small_samples)
    result = score_turn(sample, 0, _drop_call(_gold(sample, 0), "freeze_card"))
    assert result.score == 0.0 and any("final state differs" in r for r in result.reasons)


def test_malformed_call_scores_zero(small_samples: list[Sample]) -> None:
    sample = _chained(small_samples)
    gold_text = _as_text(_gold(sample, 0))
    broken = gold_text.replace('{"name": "freeze_card", "arguments": {', '{"name": "freeze_card", "arguments": {{', 1)
    assert broken != gold_text
    result = score_turn(sample, 0, broken, format_bonus=0.1)
    assert result.score == 0.0 and not result.well_formed
    assert any("could not be read" in r for r in result.reasons)
    # A call to a tool that is not offered is never executed either.
    unoffered = gold_text.replace('"name": "list_bank_cards"', '"name": "list_every_card"', 1)
    assert score_turn(sample, 0, unoffered).score == 0.0


def test_unverifiable_guess_scores_zero(small_samples: list[Sample]) -> None:
    sample = _chained(small_samples)
    # The right card id, the right final state and answer, but the lookup that gives the id is skipped.
    result = score_turn(sample, 0, _drop_call(_gold(sample, 0), "list_bank_cards"))
    assert result.score == 0.0
    assert any("guessed" in r for r in result.reasons), result.reasons


def test_later_turn_is_scored_on_the_conversation_so_far(small_samples: list[Sample]) -> None:
    sample = next(s for s in small_samples if len(s.gold) == 2 and s.gold[1].final_state_hash)
    assert score_turn(sample, 1, _gold(sample, 1)).score == 1.0
    # The second turn alone, out of its conversation, would not even be logged in: the earlier turn
    # is replayed from the sample, never from the completion.
    assert score_turn(sample, 1, []).score == 0.0


def test_reward_function_shape(small_samples: list[Sample]) -> None:
    rows = reward_rows(small_samples)
    assert len(rows) == sum(len(s.gold) for s in small_samples)
    assert all(r["prompt"][-1]["role"] == "user" and r["tools"] for r in rows)
    reward = VerifierReward()
    completions = [_gold(Sample.model_validate_json(r[SAMPLE_COLUMN]), r[TURN_COLUMN]) for r in rows]
    completions[0] = [{"role": "assistant", "content": "I cannot help with that."}]
    scores = reward(prompts=[r["prompt"] for r in rows], completions=completions,
                    **{k: [r[k] for r in rows] for k in (SAMPLE_COLUMN, TURN_COLUMN)}, trainer_state=None)
    assert scores == [0.0] + [1.0] * (len(rows) - 1)
    with pytest.raises(ValueError, match="hardgen_sample"):
        reward(prompts=[], completions=["x"])


def test_verl_export_and_compute_score(small_samples: list[Sample], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    files = export_samples(small_samples, "verl", tmp_path)
    assert [f.name for f in files] == ["verl_train.parquet"]
    table = pq.read_table(files[0]).to_pylist()
    assert len(table) == sum(len(s.gold) for s in small_samples)
    row = table[0]
    assert row["data_source"] == "hardgen" and row["prompt"][-1]["role"] == "user"
    assert json.loads(row["extra_info"]["tools"])[0]["type"] == "function"
    truth = json.loads(row["reward_model"]["ground_truth"])
    sample = Sample.model_validate_json(truth["sample"])
    assert sample.environments and truth["turn"] == row["extra_info"]["turn"]
    for r in table:
        t = json.loads(r["reward_model"]["ground_truth"])
        s = Sample.model_validate_json(t["sample"])
        gold = _as_text(_gold(s, t["turn"]))
        assert compute_score(r["data_source"], gold, r["reward_model"]["ground_truth"], r["extra_info"]) == 1.0
        assert compute_score(r["data_source"], "Sorry, no.", r["reward_model"]["ground_truth"]) == 0.0
    with pytest.raises(ValueError, match="data_source"):
        compute_score("gsm8k", "42", row["reward_model"]["ground_truth"])
