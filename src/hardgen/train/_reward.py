"""The verifier as an RL reward: one assistant turn, scored by re-execution (DESIGN.md §4).

A reward row is one user turn of a sample: the prompt is the conversation up to and including that
turn's user message (earlier turns as the sample's own gold messages), and the row carries the
whole sample (`hardgen_sample`, JSON) and the turn's index (`hardgen_turn`). A completion is the
assistant's turn: a string (one generation, or verl's multi-turn response text, where
`<tool_response>` blocks separate the assistant messages) or a list of chat messages (TRL's
conversational completions, including a tool loop's `tool` messages).

Scoring is the verifier's, unchanged: the completion's tool calls are read with HardGen's parsers
(every format `hardgen.llm.parse_assistant_output` knows, native `tool_calls` too), the earlier
turns' gold calls and then these calls are re-executed on a fresh environment rebuilt from the
sample (`verify_candidate`), and the turn passes when the verifier passes it: the gold turn's final
state, the requested values in the answer, no guessed value or argument. A call that cannot be read
or names a tool not offered fails the turn (it is never executed). Tool messages inside a
completion are never trusted: everything is re-executed.

Reward: 1.0 when the turn passes, else 0.0 (strict, as the paper's RL stage). With
`format_bonus=b` (0 <= b < 1) a failed completion whose tool calls all parse and name offered tools,
and that has at least one call or an answer, scores `b` instead of 0: a stated shaping term, off by
default.

No torch here: the reward runs wherever the verifier runs (a TRL process, a verl reward worker).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from pydantic import Field

from hardgen.export._options import ExportOptions
from hardgen.export._transform import tools_of_turn
from hardgen.export._trl import trl_message, trl_tool
from hardgen.export._verl import DATA_SOURCE, reward_turns, turn_prompt
from hardgen.llm import parse_assistant_output
from hardgen.schema import Message, Record, RejectedCall, Sample, ToolCall
from hardgen.verify import (
    CandidateTurn,
    Verdict,
    candidate_from_messages,
    faulted_calls,
    offered_per_turn,
    user_texts_from_messages,
    verify_candidate,
)

SAMPLE_COLUMN = "hardgen_sample"
"""Reward-row column holding the whole sample as canonical JSON."""
TURN_COLUMN = "hardgen_turn"
"""Reward-row column holding the index of the user turn the completion answers (0-based)."""

_TOOL_RESPONSE = re.compile(r"<tool_response>.*?(?:</tool_response>|$)", re.DOTALL)
# Chat-template markers a decoded completion may still hold (verl decodes with special tokens kept
# in some setups); they are never part of a call or an answer.
_TEMPLATE_MARKERS = re.compile(r"<\|im_start\|>(?:assistant|user|tool)?\n?|<\|im_end\|>|<\|endoftext\|>|<\|eot_id\|>")


class TurnScore(Record):
    """The score of one completion, with the verifier's reasons."""

    score: float
    passed: bool
    turn: int
    calls: int = 0
    """Calls read from the completion that were replayed."""
    well_formed: bool = True
    """Every call could be read and names an offered tool."""
    reasons: list[str] = Field(default_factory=list)


@lru_cache(maxsize=256)
def _sample_from_json(text: str) -> Sample:
    return Sample.model_validate_json(text)


def _as_sample(value: Sample | str | Mapping[str, Any]) -> Sample:
    if isinstance(value, Sample):
        return value
    if isinstance(value, str):
        return _sample_from_json(value)
    return Sample.model_validate(value)


def gold_completion(sample: Sample, turn: int) -> list[Message]:
    """The sample's own assistant turn `turn` (assistant and tool messages up to the next user message)."""
    users = [i for i, m in enumerate(sample.messages) if m.role == "user"]
    start = len(turn_prompt(sample, turn))
    end = users[turn + 1] if turn + 1 < len(users) else len(sample.messages)
    return sample.messages[start:end]


def reward_rows(samples: Sequence[Sample], options: ExportOptions | None = None) -> list[dict[str, Any]]:
    """One row per user turn of each sample, for `GRPOTrainer` (or any RL trainer): `prompt` (chat
    messages, TRL's shape), `tools` (the turn's offered tools as JSON schemas), `hardgen_sample`
    and `hardgen_turn` (what the reward needs). Samples of the `irrelevance`/`missing_function`
    families score a turn with no call as the verifier does."""
    options = options or ExportOptions()
    rows = []
    for sample in samples:
        for turn in reward_turns(sample):
            prompt = [trl_message(m, options) for m in turn_prompt(sample, turn)]
            rows.append({
                "prompt": prompt,
                "tools": [trl_tool(t) for t in tools_of_turn(sample, turn)],
                SAMPLE_COLUMN: sample.model_dump_json(),
                TURN_COLUMN: turn,
            })
    return rows


def render_prompts(rows: Sequence[dict[str, Any]], tokenizer: Any) -> list[dict[str, Any]]:
    """`rows` with each `prompt` rendered to text by `tokenizer`'s own chat template, with the row's
    tools passed as tools and the generation prompt added (TRL's standard, non-conversational
    prompt: GRPOTrainer renders conversational prompts with one tool list for all rows, while each
    HardGen turn offers its own tools)."""
    out = []
    for row in rows:
        text = tokenizer.apply_chat_template(row["prompt"], tools=row["tools"] or None, add_generation_prompt=True,
                                             tokenize=False)
        out.append({**row, "prompt": text})
    return out


def _messages_of_completion(completion: str | Sequence[Mapping[str, Any]]) -> list[tuple[str | None, Any, Any]]:
    """(content, native tool calls, reasoning) of each assistant message of a completion."""
    if isinstance(completion, str):
        text = _TEMPLATE_MARKERS.sub("", completion)
        # A multi-turn response holds the tool results between the assistant's messages.
        parts = _TOOL_RESPONSE.split(text)
        return [(p, None, None) for p in parts if p.strip()] or [(text, None, None)]
    out = []
    for message in completion:
        if message.get("role", "assistant") != "assistant":
            continue
        content = message.get("content")
        if isinstance(content, list):  # content parts: the text ones
            content = "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
        calls = message.get("tool_calls") or None
        if calls:
            calls = [_wire_call(c) for c in calls]
        out.append((content, calls, message.get("reasoning_content") or message.get("reasoning")))
    return out


def _wire_call(call: Any) -> Any:
    """A structured call as `parse_assistant_output` reads native calls (OpenAI wire shape)."""
    if isinstance(call, Mapping) and "function" not in call and "name" in call:
        return {"type": "function", "function": {"name": call["name"], "arguments": call.get("arguments", {})}}
    return call


def candidate_turn(completion: str | Sequence[Mapping[str, Any]], offered: Sequence[str], turn: int) -> CandidateTurn:
    """The verifier's view of a completion: its calls to offered tools (to replay), what could not
    be read or names another tool (`rejected`, never replayed), calls per message, and the answer
    (the last assistant message's text)."""
    candidate = CandidateTurn()
    names = set(offered)
    for content, native, reasoning in _messages_of_completion(completion):
        message, errors = parse_assistant_output(content, native, reasoning, tool_names=offered)
        for error in errors:
            candidate.rejected.append(RejectedCall(kind="malformed", turn=turn, reason=error))
        issued = 0
        for call in message.tool_calls or []:
            if call.name in names:
                candidate.calls.append(ToolCall(name=call.name, arguments=call.arguments))
                issued += 1
            else:
                candidate.rejected.append(RejectedCall(kind="unoffered", turn=turn, call=call,
                                                       reason=f"no tool named {call.name!r} is offered"))
        if issued:
            candidate.batches = [*(candidate.batches or []), issued]
        if message.content:  # as the verifier reads a transcript: the last text is the answer
            candidate.answer = message.content
    return candidate


def score_turn(sample: Sample | str | Mapping[str, Any], turn: int, completion: str | Sequence[Mapping[str, Any]],
               *, format_bonus: float = 0.0) -> TurnScore:
    """Score one completion of `turn` of `sample` (module docstring)."""
    if not 0.0 <= format_bonus < 1.0:
        raise ValueError(f"format_bonus must be in [0, 1), got {format_bonus}")
    s = _as_sample(sample)
    if not 0 <= turn < len(s.gold):
        raise ValueError(f"sample {s.id!r} has {len(s.gold)} gold turn(s); turn {turn} does not exist")
    offered = offered_per_turn(s)
    here = offered[turn] if turn < len(offered) else offered[-1]
    cand = candidate_turn(completion, sorted(here), turn)
    # The conversation so far: the sample's own earlier turns, replayed as the verifier replays them.
    prompt = turn_prompt(s, turn)
    earlier = candidate_from_messages(prompt, faulted=faulted_calls(s), offered_per_turn=offered)[:turn]
    user_texts = user_texts_from_messages(prompt)
    verdict: Verdict = verify_candidate(s.environments, s.gold[: turn + 1], [*earlier, cand], user_texts=user_texts)
    judged = verdict.turns[turn]
    well_formed = not cand.rejected
    passed = judged.passed
    score = 1.0 if passed else (format_bonus if well_formed and (cand.calls or cand.answer) else 0.0)
    return TurnScore(score=score, passed=passed, turn=turn, calls=len(cand.calls), well_formed=well_formed,
                     reasons=judged.reasons)


class VerifierReward:
    """A TRL `GRPOTrainer` reward function: `reward(prompts=..., completions=..., hardgen_sample=[...],
    hardgen_turn=[...], **kwargs) -> list[float]` (the dataset's extra columns arrive as keyword
    lists, one entry per completion). Build the dataset with `reward_rows` (and `render_prompts`).

    `last_scores` keeps the detailed `TurnScore`s of the latest call, for logging and tests.
    """

    def __init__(self, *, format_bonus: float = 0.0) -> None:
        if not 0.0 <= format_bonus < 1.0:
            raise ValueError(f"format_bonus must be in [0, 1), got {format_bonus}")
        self.format_bonus = format_bonus
        self.__name__ = "hardgen_verifier"  # TRL names a reward's metrics after its function
        self.last_scores: list[TurnScore] = []
        self.calls = 0

    def __call__(self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), **kwargs: Any) -> list[float]:
        samples = kwargs.get(SAMPLE_COLUMN)
        turns = kwargs.get(TURN_COLUMN)
        if samples is None or turns is None:
            raise ValueError(f"the reward needs the dataset columns {SAMPLE_COLUMN!r} and {TURN_COLUMN!r} "
                             "(build the dataset with hardgen.train.reward_rows)")
        if not len(samples) == len(turns) == len(completions):
            raise ValueError(f"{len(completions)} completions but {len(samples)} samples and {len(turns)} turns")
        self.calls += 1
        self.last_scores = [score_turn(s, int(t), c, format_bonus=self.format_bonus)
                            for s, t, c in zip(samples, turns, completions, strict=True)]
        return [r.score for r in self.last_scores]


def verifier_reward(*, format_bonus: float = 0.0) -> Callable[..., list[float]]:
    """A fresh `VerifierReward` (for `GRPOTrainer(reward_funcs=verifier_reward())`)."""
    return VerifierReward(format_bonus=format_bonus)


def compute_score(data_source: str, solution_str: str, ground_truth: str,
                  extra_info: Mapping[str, Any] | None = None, **_: Any) -> float:
    """verl's custom reward function (`custom_reward_function.name=compute_score`), for rows of
    HardGen's `verl` export: `ground_truth` is the JSON `{"turn": k, "sample": "<sample JSON>"}` the
    export writes; `solution_str` the decoded response. Other data sources raise: this function scores
    only what it can verify."""
    if data_source != DATA_SOURCE:
        raise ValueError(f"compute_score scores HardGen rows (data_source 'hardgen'), not {data_source!r}")
    truth = json.loads(ground_truth)
    bonus = float((extra_info or {}).get("format_bonus", 0.0))
    return score_turn(_as_sample(truth["sample"]), int(truth["turn"]), solution_str, format_bonus=bonus).score

