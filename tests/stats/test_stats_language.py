"""The language report: template-likeness of queries, answers and reasoning (issue 12)."""

from __future__ import annotations

from hardgen.schema import (
    GoldTurn,
    Message,
    Observation,
    Sample,
    SampleMetadata,
    Step,
    ToolCall,
    ToolSpec,
    VerificationRecord,
)
from hardgen.stats import compute_stats, language_report
from hardgen.stats._language import frame, mask_values

DESCRIPTION = "Cancel an open order and refund its total to the customer's balance."


def _sample(sid: str, query: str, answer: str, reasoning: str, order: str) -> Sample:
    call = ToolCall(id=f"c-{sid}", name="cancel_order", arguments={"order_id": order})
    return Sample(
        id=sid,
        tools=[ToolSpec(name="cancel_order", description=DESCRIPTION)],
        messages=[Message.user(query), Message.assistant(tool_calls=[call], reasoning=reasoning),
                  Message.tool(call, '{"status": "cancelled"}'), Message.assistant(answer, reasoning=reasoning)],
        environments=[],
        gold=[GoldTurn(query=query, steps=[Step(call=call, observation=Observation.success({"status": "cancelled"}))])],
        verification=VerificationRecord(verdict="passed", attempts=1),
        metadata=SampleMetadata(),
    )


def _templated(n: int) -> list[Sample]:
    return [_sample(str(i), f"Hello, I need you to cancel an open order and refund its total. Details: order id: O-{100 + i}.",
                    f"cancel_order done - order id: O-{100 + i}; status: cancelled; refund: None; items[0].id: X-1",
                    f"To cancel an open order, I call cancel_order. The order id O-{100 + i} is given.", f"O-{100 + i}")
            for i in range(n)]


def _varied() -> list[Sample]:
    queries = ["Could you cancel order O-101 for me?", "Please call off the order O-102, it was a mistake.",
               "I ordered the wrong lamp. Can you stop order O-103 before it ships?",
               "Hi. Is it possible to cancel O-104 and tell me the refund?"]
    reasoning = ["They want order O-101 gone.", "The user made a mistake with O-102.", "Wrong lamp, so stop O-103.",
                 "Refund matters here for O-104."]
    return [_sample(str(i), q, f"Done, order O-10{i + 1} is cancelled.", r, f"O-10{i + 1}")
            for i, (q, r) in enumerate(zip(queries, reasoning, strict=True))]


def test_values_are_masked_and_frames_are_the_first_five_words() -> None:
    masked = mask_values("Cancel order O-101 for Ana Silva, the one for 'the lamp'.", ["O-101"])
    assert masked == "cancel order <v> for <v>, the one for <v>."
    assert frame("Could you please cancel <v> now?") == "could you please cancel <v>"


def test_a_templated_set_shows_as_template_like() -> None:
    report = language_report(_templated(10))
    assert report.distinct_query_skeletons == 1 and report.exact_duplicate_skeletons == 10
    assert report.skeletons_per_100_samples == 10.0
    assert report.description_4gram_share > 0.2
    assert report.answers_with_dumps == report.answers_with_index_paths == report.answers_with_python_literals == 10
    assert report.top_reasoning_frame_share == 1.0 and report.top_reasoning_frame == "to cancel an open order"


def test_a_varied_set_reads_as_varied() -> None:
    report = language_report(_varied())
    assert report.skeletons_per_100_samples == 100.0 and report.exact_duplicate_skeletons == 0
    assert report.description_4gram_share == 0.0
    assert report.answers_with_dumps == report.answers_with_index_paths == report.answers_with_python_literals == 0
    assert report.top_reasoning_frame_share <= 0.5


def test_the_report_is_part_of_the_sample_stats() -> None:
    stats = compute_stats(_varied())
    assert stats.language.samples == 4 and stats.language.answers == 4
