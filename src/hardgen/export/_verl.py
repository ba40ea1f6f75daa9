"""verl RL export: one parquet row per user turn, scored by `hardgen.train.compute_score`.

verl's RL datasets are parquet files whose rows carry `data_source`, `prompt` (chat messages),
`ability`, `reward_model` (`{"style": "rule", "ground_truth": ...}`) and `extra_info`; verl calls
a custom reward `compute_score(data_source, solution_str, ground_truth, extra_info)` per response.
Each row here is one user turn of a sample:

- `prompt`: the conversation up to and including the turn's user message (earlier turns as the
  sample's own gold messages), each message `role`, `content`, `tool_calls` (arguments as JSON
  strings, the OpenAI wire shape every chat template reads), `tool_call_id`, `name`;
- `extra_info.tools`: the tools offered in that turn, as a JSON string of OpenAI function schemas
  (for `tokenizer.apply_chat_template(prompt, tools=json.loads(...))` or verl's tool config);
- `reward_model.ground_truth`: the JSON string `{"turn": k, "sample": "<the sample's canonical JSON>"}`:
  the gold turns and everything needed to rebuild the environments (tool sources by reference, the
  initial state in full), so the reward re-executes the response's calls on a fresh environment;
- `extra_info`: `index`, `sample_id`, `turn`, `split`, `tools`.

Nested message fields are typed columns with one fixed schema (tool arguments are strings), so the
files load with `datasets` and pandas alike. pyarrow is imported lazily (extra `hf`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hardgen.errors import require
from hardgen.export._errors import ExportError
from hardgen.export._options import ExportOptions
from hardgen.export._transform import inline_reasoning, strip_reasoning, tools_of_turn
from hardgen.export._trl import trl_tool
from hardgen.schema import Message, Sample

DATA_SOURCE = "hardgen"
"""The `data_source` of every row (what `compute_score` accepts)."""


def turn_prompt(sample: Sample, turn: int) -> list[Message]:
    """The conversation a completion of user turn `turn` continues: every message up to and
    including that turn's user message."""
    users = [i for i, m in enumerate(sample.messages) if m.role == "user"]
    if not 0 <= turn < len(users):
        raise ValueError(f"sample {sample.id!r} has {len(users)} user turn(s); turn {turn} does not exist")
    return sample.messages[: users[turn] + 1]


def reward_turns(sample: Sample) -> range:
    """The user turns of `sample` a reward can score (those with a gold turn)."""
    return range(min(len(sample.gold), sum(1 for m in sample.messages if m.role == "user")))


def verl_ground_truth(sample: Sample, turn: int) -> str:
    """The `reward_model.ground_truth` of a row (module docstring)."""
    return json.dumps({"turn": turn, "sample": sample.model_dump_json()}, ensure_ascii=False)


def _wire_message(message: Message, options: ExportOptions) -> dict[str, Any]:
    if options.reasoning == "inline" and message.role == "assistant":
        message = inline_reasoning(message)
    calls = None
    if message.role == "assistant" and message.tool_calls:
        calls = [{"id": c.id, "type": "function",
                  "function": {"name": c.name, "arguments": json.dumps(c.arguments, ensure_ascii=False)}}
                 for c in message.tool_calls]
    reasoning = message.reasoning if options.reasoning == "field" and message.role == "assistant" else None
    return {"role": message.role, "content": message.content or "", "tool_calls": calls,
            "tool_call_id": message.tool_call_id, "name": message.name, "reasoning_content": reasoning}


def verl_rows(samples: Sequence[Sample], options: ExportOptions | None = None, *, split: str = "train"
              ) -> list[dict[str, Any]]:
    """One verl row per user turn of each sample (module docstring)."""
    options = options or ExportOptions()
    if options.split_turns:
        raise ExportError("the verl export is one row per user turn already; --split-turns does not apply to it")
    rows: list[dict[str, Any]] = []
    for sample in samples:
        shown = strip_reasoning(sample) if options.reasoning == "none" else sample
        for turn in reward_turns(sample):
            tools = json.dumps([trl_tool(t) for t in tools_of_turn(sample, turn)], ensure_ascii=False)
            rows.append({
                "data_source": DATA_SOURCE,
                "prompt": [_wire_message(m, options) for m in turn_prompt(shown, turn)],
                "ability": "tool_use",
                "reward_model": {"style": "rule", "ground_truth": verl_ground_truth(sample, turn)},
                "extra_info": {"index": len(rows), "sample_id": sample.id, "turn": turn, "split": split,
                               "tools": tools},
            })
    return rows


def verl_schema() -> Any:
    """The pyarrow schema of the verl parquet files."""
    pa: Any = require("pyarrow", "hf", "The verl parquet export")
    call = pa.struct([("id", pa.string()), ("type", pa.string()),
                      ("function", pa.struct([("name", pa.string()), ("arguments", pa.string())]))])
    message = pa.struct([("role", pa.string()), ("content", pa.string()), ("tool_calls", pa.list_(call)),
                         ("tool_call_id", pa.string()), ("name", pa.string()), ("reasoning_content", pa.string())])
    return pa.schema([
        pa.field("data_source", pa.string(), nullable=False),
        pa.field("prompt", pa.list_(message), nullable=False),
        pa.field("ability", pa.string(), nullable=False),
        pa.field("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())]), nullable=False),
        pa.field("extra_info", pa.struct([("index", pa.int64()), ("sample_id", pa.string()), ("turn", pa.int64()),
                                          ("split", pa.string()), ("tools", pa.string())]), nullable=False),
    ])


def write_verl_parquet(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write verl rows to `path` (fsync'd before the caller renames it into place)."""
    pa: Any = require("pyarrow", "hf", "The verl parquet export")
    pq: Any = require("pyarrow.parquet", "hf", "The verl parquet export")
    table = pa.Table.from_pylist(list(rows), schema=verl_schema())
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, p)
    with open(p, "rb") as fh:
        os.fsync(fh.fileno())
    return p
